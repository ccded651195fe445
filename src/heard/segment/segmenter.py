"""Sentence and quote segmentation.

Sentences come from ``sentencex`` (Wikimedia's rule-based segmenter: pure
Python, no model download, maintained, ~300 languages); quotes are found here,
because no segmenter marks reported speech.

Example:
    >>> essay = 'A man replied: "women lie about this for attention." ' * 1 + "That is the problem. " * 30
    >>> units = segment_text(essay, post_id="e1", long_form=True)
    >>> [(u.voice, u.text) for u in units[:2]]
    [('own', 'A man replied:'), ('quoted', 'women lie about this for attention.')]
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator

from sentencex import segment as _sentencex_segment

from heard.records import Unit, Voice

LONG_TEXT_CHARS = 600
"""Posts longer than this (or with several paragraphs) are split into sentences."""

MAX_UNIT_CHARS = 1000
"""No unit is longer: a longer sentence (or text without sentence punctuation) is cut
at the last whitespace before this many characters. About the encoder's window of 256
tokens, so the encoder reads each unit whole and work per unit is bounded."""

_MIN_QUOTED_WORDS = 2
_MAX_TAG_WORDS = 6

# Opening -> closing quotation marks heard recognises.
_QUOTE_PAIRS = {'"': '"', "\u201c": "\u201d", "\u201e": "\u201c", "\u00ab": "\u00bb", "\u2018": "\u2019", "'": "'"}
_QUOTE_RE = re.compile(
    r"""(?P<open>["\u201c\u201e\u00ab])(?P<body>[^"\u201c\u201d\u201e\u00ab\u00bb\n]{3,}?)["\u201d\u201c\u00bb]"""
    # A single-quoted body may hold apostrophes inside words ("'you're lying'"): one
    # between two letters is a contraction, not the closing mark.
    r"""|(?<![\w])(?P<sopen>['\u2018])(?P<sbody>(?:[^'\u2018\u2019\n]|(?<=\w)['\u2019](?=\w)){3,}?)['\u2019](?![\w])"""
)
_REPORTED_RE = re.compile(
    r"^(?P<tag>(?:[\w'\u2019@#.-]+\s+){0,6}?"
    r"(?:said|says|replied|replies|wrote|writes|commented|comments|tweeted|posted|told\s+(?:me|her|him|them|us)|asked|responded|answered|added|claimed)"
    r"(?:\s+\w+){0,3}?\s*:)\s*(?P<speech>\S.*)$",
    re.IGNORECASE | re.DOTALL,
)


def unit_hash(text: str, voice: Voice) -> str:
    """Content hash that labels are keyed by (the voice is part of the input)."""
    return hashlib.sha256(f"{voice}\x1f{text}".encode()).hexdigest()


def _word_count(text: str) -> int:
    return len(text.split())


def is_mainly_quoted(text: str) -> bool:
    """True when a short post mainly reproduces someone else's words.

    That is: a block quote, a quotation with at most a brief tag around it, or
    "X said: …" with a brief tag.

    Example:
        >>> is_mainly_quoted('"not all men" - a guy at work')
        True
        >>> is_mainly_quoted('Someone told me "it was just a joke". That is how they keep us quiet.')
        False
    """
    stripped = text.strip()
    if not stripped:
        return False
    lines = [ln for ln in stripped.splitlines() if ln.strip()]
    if lines and all(ln.lstrip().startswith(">") for ln in lines):
        return True
    spans = list(_quote_spans(stripped))
    if spans:
        quoted_words = sum(_word_count(stripped[s:e]) for s, e in spans)
        rest = stripped
        for s, e in reversed(spans):
            rest = rest[: max(s - 1, 0)] + " " + rest[e + 1 :]
        rest_words = _word_count(re.sub(r"[^\w\s]", " ", rest))
        return quoted_words >= _MIN_QUOTED_WORDS and rest_words <= _MAX_TAG_WORDS
    reported = _REPORTED_RE.match(stripped)
    if reported and _word_count(reported.group("tag")) <= _MAX_TAG_WORDS:
        return _word_count(reported.group("speech")) >= _MIN_QUOTED_WORDS
    return False


def voice_of(text: str) -> Voice:
    """``"quoted"`` for a short post that mainly reproduces someone else's words, else ``"own"``.

    Example:
        >>> voice_of('"not all men" - a guy at work'), voice_of("not all men")
        ('quoted', 'own')
    """
    return "quoted" if is_mainly_quoted(text) else "own"


def _quote_spans(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of the bodies of quotations of two words or more."""
    for match in _QUOTE_RE.finditer(text):
        group = "body" if match.group("body") is not None else "sbody"
        start, end = match.span(group)
        body = text[start:end]
        if _word_count(body) >= _MIN_QUOTED_WORDS and body.strip():
            yield start, end


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in " \t\r\n":
        start += 1
    while end > start and text[end - 1] in " \t\r\n":
        end -= 1
    return start, end


def _trimmed_own(text: str, start: int, end: int) -> tuple[int, int]:
    """Trim a framing span left over beside a quote: spaces and the ``:``/``,``/dash joining them."""
    start, end = _trimmed(text, start, end)
    while start < end and text[start] in ":;,.-\u2013\u2014 ":
        start += 1
    return start, end


def _sentences(text: str, offset: int) -> Iterator[tuple[int, int]]:
    """Sentence spans of ``text`` (absolute offsets), found by sentencex."""
    cursor = 0
    for piece in _sentencex_segment("en", text):
        found = text.find(piece, cursor)
        if found < 0:
            continue
        cursor = found + len(piece)
        start, end = _trimmed(text, found, cursor)
        if end > start:
            yield offset + start, offset + end


def _split_quotes(text: str, start: int, end: int) -> Iterator[tuple[int, int, Voice]]:
    """Split one sentence span into own and quoted pieces."""
    sentence = text[start:end]
    spans = list(_quote_spans(sentence))
    if not spans:
        reported = _REPORTED_RE.match(sentence)
        if reported and _word_count(reported.group("speech")) >= _MIN_QUOTED_WORDS:
            t_end = reported.end("tag")
            yield start, start + t_end, "own"
            s, e = _trimmed(text, start + reported.start("speech"), end)
            yield s, e, "quoted"
            return
        yield start, end, "own"
        return
    cursor = 0
    for q_start, q_end in spans:
        # A quote and its closing mark may take the sentence's final period with it.
        q_end_full = q_end
        if q_end_full < len(sentence) and sentence[q_end_full] in "\"'\u201d\u2019\u00bb":
            q_end_full += 1
        own_s, own_e = _trimmed(text, start + cursor, start + max(q_start - 1, cursor))
        if own_e > own_s and re.search(r"\w", text[own_s:own_e]):
            yield own_s, own_e, "own"
        body_s, body_e = _trimmed(text, start + q_start, start + q_end)
        yield body_s, body_e, "quoted"
        cursor = q_end_full
    own_s, own_e = _trimmed_own(text, start + cursor, end)
    if own_e > own_s and re.search(r"\w", text[own_s:own_e]):
        yield own_s, own_e, "own"


def _paragraphs(text: str) -> Iterator[tuple[int, int]]:
    cursor = 0
    for match in re.finditer(r"\n\s*\n", text):
        yield cursor, match.start()
        cursor = match.end()
    yield cursor, len(text)


def _long_spans(text: str) -> Iterator[tuple[int, int, Voice]]:
    for p_start, p_end in _paragraphs(text):
        lines = text[p_start:p_end].split("\n")
        pos = p_start
        own_block_start: int | None = None
        for line in [*lines, None]:
            if line is not None and not line.lstrip().startswith(">"):
                if own_block_start is None:
                    own_block_start = pos
                pos += len(line) + 1
                continue
            if own_block_start is not None:
                block_end = min(pos - 1, p_end) if line is not None else p_end
                for s_start, s_end in _sentences(text[own_block_start:block_end], own_block_start):
                    yield from _split_quotes(text, s_start, s_end)
                own_block_start = None
            if line is None:
                break
            # A block-quote line: everything after '>' is someone else's words.
            body_start = pos + line.index(">") + 1
            s, e = _trimmed(text, body_start, pos + len(line))
            if e > s:
                for s_start, s_end in _sentences(text[s:e], s):
                    yield s_start, s_end, "quoted"
            pos += len(line) + 1


def _capped(text: str, start: int, end: int, voice: Voice) -> Iterator[tuple[int, int, Voice]]:
    """Cut a span longer than ``MAX_UNIT_CHARS`` at whitespace (or, with none near, at the limit)."""
    while end - start > MAX_UNIT_CHARS:
        limit = start + MAX_UNIT_CHARS
        window = text[start + MAX_UNIT_CHARS // 2 : limit + 1]
        spaces = [m.start() for m in re.finditer(r"\s", window)]
        cut = start + MAX_UNIT_CHARS // 2 + spaces[-1] if spaces else limit
        piece_start, piece_end = _trimmed(text, start, cut)
        if piece_end > piece_start:
            yield piece_start, piece_end, voice
        start, end = _trimmed(text, cut, end)
    if end > start:
        yield start, end, voice


def segment_text(text: str, *, post_id: str = "", long_form: bool | None = None) -> list[Unit]:
    """Split one post's text into units.

    Args:
        text: the post's text.
        post_id: id copied into every unit.
        long_form: force (True) or forbid (False) sentence splitting; by default
            texts longer than ``LONG_TEXT_CHARS`` or with a blank line are split.

    Returns:
        Units in reading order, none longer than ``MAX_UNIT_CHARS``; an empty
        text gives one empty unit, so every post has at least one unit and one label.

    Example:
        >>> [len(u.text) for u in segment_text("no full stop " * 200)]
        [1000, 1000, 597]
    """
    if long_form is None:
        long_form = len(text) > LONG_TEXT_CHARS or bool(re.search(r"\n\s*\n", text.strip()))
    if not long_form:
        voice = voice_of(text)
        start, end = _trimmed(text, 0, len(text))
        if end - start <= MAX_UNIT_CHARS:
            body = text[start:end]
            return [Unit(post_id, 0, body, voice, start, end, unit_hash(body, voice))]
        spans: Iterator[tuple[int, int, Voice]] = _capped(text, start, end, voice)
    else:
        spans = (piece for span in _long_spans(text) for piece in _capped(text, *span))
    units = []
    for seq, (start, end, voice) in enumerate(spans):
        body = text[start:end]
        units.append(Unit(post_id, seq, body, voice, start, end, unit_hash(body, voice)))
    if not units:
        return [Unit(post_id, 0, "", "own", 0, 0, unit_hash("", "own"))]
    return units
