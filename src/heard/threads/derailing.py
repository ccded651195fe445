"""Derailing: its frames, the counter-hashtags and cue phrases, "what about …".

* **Frames** are the codebook's five kinds of derail (``whatabout``,
  ``not_all_men``, ``false_equivalence``, ``universalising``,
  ``recentring``; ``unspecified`` when the label carries none). Each frame's
  share of the derailing posts gets a 95% interval from a bootstrap that
  resamples threads (derails in one thread are not independent).
* **Cues** are fixed, case-insensitive patterns matched in the post text
  (:data:`DERAIL_CUES`): the counter-hashtags #NotAllMen, #HimToo and #MenToo, the
  phrases "all lives matter", "not all men" and "what about …", and, for
  context, #MeToo and #YesAllWomen. A match says the words occur, not what
  the post does: a survivor quoting "not all men" matches too, which is why
  each cue also shows how many matching posts were labelled derailing.
* **"What about …" phrases**: the one or two words after "what about"
  (after an optional "the/all/those/these"), shown only when at least
  :data:`MIN_PHRASE_POSTS` posts share them, so one person's words are never
  singled out.

Example:
    >>> frames = derail_frames(corpus)                      # doctest: +SKIP
    >>> frames.share("not_all_men").value                   # doctest: +SKIP
    0.25
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

import numpy as np

from heard.intervals import EMPTY, Interval, resampled_totals, share
from heard.records import FRAMES
from heard.store import Store, reads
from heard.threads.corpus import ACT, Corpus

FRAME_NAMES: tuple[str, ...] = FRAMES + ("unspecified",)
"""Frames in report order; ``unspecified`` is a derail whose label has no frame."""

MIN_PHRASE_POSTS = 2
"""Posts that must share a "what about …" phrase before it is listed."""


@dataclass(frozen=True)
class Cue:
    """A counter-hashtag or cue phrase, matched case-insensitively (RE2 syntax)."""

    label: str
    kind: str
    pattern: str


DERAIL_CUES: tuple[Cue, ...] = (
    Cue("#NotAllMen", "counter-hashtag", r"#notallmen\b"),
    Cue("#HimToo", "counter-hashtag", r"#himtoo\b"),
    Cue("#MenToo", "counter-hashtag", r"#mentoo\b"),
    Cue('"all lives matter"', "cue phrase", r"#alllivesmatter\b|\ball lives matter\b"),
    Cue('"not all men"', "cue phrase", r"\bnot all men\b"),
    Cue('"what about …"', "cue phrase", r"\bwhat about\b"),
    Cue("#MeToo", "movement hashtag", r"#metoo\b"),
    Cue("#YesAllWomen", "answer to the counters", r"#yesallwomen\b"),
)
"""The cues counted in every report."""

_WHAT_ABOUT = r"what about (?:the |all |those |these )?([a-z']+(?: [a-z']+)?)"


@dataclass(frozen=True)
class FrameCount:
    """One frame: derailing posts that use it and their share of all derails."""

    frame: str
    posts: int
    share: Interval


@dataclass(frozen=True)
class Frames:
    """How the corpus derails.

    Attributes:
        derails: posts labelled derailing.
        threads: threads holding at least one of them (the bootstrap clusters).
        counts: one :class:`FrameCount` per name in :data:`FRAME_NAMES`.
        centres_men: share of derails that centre men or male survivors.
    """

    derails: int
    threads: int
    counts: tuple[FrameCount, ...]
    centres_men: Interval

    def share(self, frame: str) -> Interval:
        """The share of derails using ``frame``."""
        for count in self.counts:
            if count.frame == frame:
                return count.share
        raise KeyError(frame)


@dataclass(frozen=True)
class CueCount:
    """Posts matching one cue, how many of them are derailing, and the first one's time."""

    label: str
    kind: str
    posts: int
    derailing: int
    first_seen: datetime | None


@dataclass(frozen=True)
class Phrase:
    """What followed "what about" in at least :data:`MIN_PHRASE_POSTS` posts."""

    phrase: str
    posts: int
    derailing: int


def derail_frames(corpus: Corpus) -> Frames:
    """Count derails per frame with thread-clustered bootstrap shares.

    Example:
        >>> derail_frames(corpus).derails                    # doctest: +SKIP
        41
    """
    derails = np.flatnonzero(corpus.act == ACT["derailing"])
    if derails.size == 0:
        counts = tuple(FrameCount(f, 0, EMPTY) for f in FRAME_NAMES)
        return Frames(0, 0, counts, EMPTY)
    threads, cluster = np.unique(corpus.forest.root[derails], return_inverse=True)
    frame = corpus.frame[derails].astype(np.int64)
    frame[frame < 0] = len(FRAMES)
    width = len(FRAME_NAMES)
    rows = np.zeros((threads.size, width + 2))
    rows[:, :width] = np.bincount(cluster * width + frame, minlength=threads.size * width).reshape(-1, width)
    rows[:, width] = np.bincount(cluster, minlength=threads.size)
    rows[:, width + 1] = np.bincount(cluster, weights=corpus.centres_men[derails], minlength=threads.size)
    totals = resampled_totals(rows, seed=300)

    def of_derails(col: int) -> Interval:
        # Threads are resampled, but a share of derails is read against the number of derails.
        return replace(share(rows, col, width, seed=0, totals=totals), n=int(derails.size))

    counts = tuple(FrameCount(name, int(rows[:, i].sum()), of_derails(i)) for i, name in enumerate(FRAME_NAMES))
    return Frames(int(derails.size), int(threads.size), counts, of_derails(width + 1))


def count_cues(store: Store, model: str) -> tuple[CueCount, ...]:
    """Match every cue of :data:`DERAIL_CUES` against every post, in one scan of the store.

    Example:
        >>> count_cues(store, corpus.model)[0].label             # doctest: +SKIP
        '#NotAllMen'
    """
    found = reads.pattern_counts(store, model, [cue.pattern for cue in DERAIL_CUES])
    return tuple(CueCount(cue.label, cue.kind, f.posts, f.derailing, f.first_seen) for cue, f in zip(DERAIL_CUES, found))


def what_about_phrases(store: Store, model: str, limit: int = 15) -> tuple[Phrase, ...]:
    """The commonest continuations of "what about", most frequent first.

    Example:
        >>> what_about_phrases(store, corpus.model)[0].phrase    # doctest: +SKIP
        'men'
    """
    found = reads.capture_counts(store, model, contains="what about", pattern=_WHAT_ABOUT,
                                 min_posts=MIN_PHRASE_POSTS, limit=limit)
    return tuple(Phrase(c.phrase, c.posts, c.derailing) for c in found)
