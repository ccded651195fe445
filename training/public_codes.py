"""Real public posts hand-coded by heard, stored as labels by id (never as text).

heard's coders read posts from the public datasets under ``../shared/data/public``
and coded each one to the codebook (act, stance, abusive). The codes live in
``training/data/public_codes/*.jsonl``, one line per post::

    {"id": "edos:sexism2022_english-17805", "act": "other", "stance": "oppose",
     "abusive": true, "confidence": "high"}

The texts stay where they were published: at training time
:func:`hand_coded_units` reads each source with the readers of
:mod:`training.weak` and joins on the id. A reader that yields several
texts under one id (Hickey's context, newcomer and reply) names the later ones
``id#1``, ``id#2``. Gold ids and texts are excluded exactly as for weak units.
A field two coders disagreed on is ``null`` and leaves the post out of that head.

Example:
    >>> codes = load_public_codes()
    >>> len(codes) > 1000, {c.act for c in codes} >= set(ACTS)
    (True, True)
"""

from __future__ import annotations

import csv
import json
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from heard.classify.coded import Coded
from heard.errors import InputError
from heard.jsonl import read_jsonl
from heard.records import ACTS, DISCLOSERS, FRAMES, STANCES
from training.weak import _CONTAIN_CHARS, READERS, _contains_gold, _excluded, text_key

LOW_CONFIDENCE_WEIGHT = 0.5
"""Sample weight of a post its coder marked ``"confidence": "low"`` (others: 1.0)."""


@dataclass(frozen=True)
class PublicCode:
    """One public post's codes; ``None`` where the coders did not agree.

    ``split`` is ``"heldout"`` for posts kept out of training and tuning (the
    in-domain evaluation split, :func:`write_heldout`); ``frame`` and
    ``discloser`` are coded from round 3 on.
    """

    id: str
    act: str | None
    stance: str | None
    abusive: bool | None
    confidence: str = "high"
    split: str = "train"
    frame: str | None = None
    discloser: str | None = None
    draw: str = ""
    """How the post was chosen to be read: ``random`` or ``target:<why>``; empty in
    rounds 1-2, which record it in data/DATASHEET.md instead."""

HAND_CODED_MAX_CHARS = 1500
"""Longest hand-coded text that trains (Reddit comments were drawn up to this length)."""


def bundled_public_codes_dir() -> Path:
    """The folder of heard's codes for public posts (see ``data/DATASHEET.md``)."""
    return Path(__file__).resolve().parent / "data" / "public_codes"


def _check(row: Any) -> PublicCode:
    if not isinstance(row, dict) or not isinstance(row.get("id"), str) or ":" not in row["id"]:
        raise ValueError('expected an object with an "id" like "edos:<key>"')
    act, stance, abusive = row.get("act"), row.get("stance"), row.get("abusive")
    if act is not None and act not in ACTS:
        raise ValueError(f"act {act!r} is not one of {', '.join(ACTS)}")
    if stance is not None and stance not in STANCES:
        raise ValueError(f"stance {stance!r} is not one of {', '.join(STANCES)}")
    if abusive is not None and not isinstance(abusive, bool):
        raise ValueError(f"abusive {abusive!r} is not true, false or null")
    confidence = row.get("confidence", "high")
    if confidence not in ("high", "low"):
        raise ValueError(f"confidence {confidence!r} is not high or low")
    split = row.get("split", "train")
    if split not in ("train", "heldout"):
        raise ValueError(f"split {split!r} is not train or heldout")
    frame, discloser = row.get("frame"), row.get("discloser")
    if frame is not None and frame not in FRAMES:
        raise ValueError(f"frame {frame!r} is not one of {', '.join(FRAMES)}")
    if discloser is not None and discloser not in DISCLOSERS:
        raise ValueError(f"discloser {discloser!r} is not one of {', '.join(DISCLOSERS)}")
    return PublicCode(row["id"], act, stance, abusive, confidence, split, frame, discloser, str(row.get("draw") or ""))


def load_public_codes(folder: str | Path | None = None) -> list[PublicCode]:
    """Read the codes (default: heard's bundled ones).

    Raises:
        InputError: a line is not JSON, breaks the codebook or repeats an id.
    """
    root = Path(folder) if folder is not None else bundled_public_codes_dir()
    files = sorted(root.glob("*.jsonl")) if root.is_dir() else []
    if not files:
        raise InputError(str(root), "expected a folder of JSONL code files", "found none", "check the path")
    out: list[PublicCode] = []
    seen: set[str] = set()
    for file in files:
        for number, code in read_jsonl(file, _check, "expected a post coded to the codebook", fix="fix the label (see CODEBOOK.md)"):
            if code.id in seen:
                raise InputError(str(file), "expected each id once", f"found {code.id} again", "merge the two lines", line=number)
            seen.add(code.id)
            out.append(code)
    return out


def hand_coded_units(
    public_dir: str | Path,
    exclude_ids: Collection[str],
    *,
    exclude_texts: Collection[str] = (),
    codes: list[PublicCode] | None = None,
    stats: dict[str, int] | None = None,
    split: str = "train",
) -> list[tuple[Coded, float]]:
    """The coded public posts with their texts, each with its sample weight.

    Args:
        public_dir: the folder of public datasets the codes refer to.
        exclude_ids: gold ids never to train on (as for :func:`training.weak.weak_units`).
        exclude_texts: gold texts; equal, containing or contained texts are dropped.
        codes: the codes to join (default: :func:`load_public_codes`).
        stats: if given, filled with ``coded``, ``joined``, ``excluded_gold``, ``not_found``.
        split: which posts: ``"train"`` (default; held-out posts never train) or ``"heldout"``.

    Returns:
        ``(unit, weight)`` pairs in the order of ``codes``; posts whose text is
        not found (a dataset missing or changed) are counted, not raised.
    """
    codes = load_public_codes() if codes is None else codes
    codes = [c for c in codes if c.split == split]
    wanted = {c.id: c for c in codes}
    texts: dict[str, str] = {}
    root = Path(public_dir)
    for reader in READERS.values():
        occurrences: dict[str, int] = {}
        try:
            for unit in reader(root):
                n = occurrences.get(unit.id, 0)
                occurrences[unit.id] = n + 1
                key = unit.id if n == 0 else f"{unit.id}#{n}"
                if key in wanted:
                    texts[key] = unit.text.strip()
        except FileNotFoundError:
            continue
    banned = {text_key(t) for t in exclude_texts}
    long_gold = [t for t in banned if len(t) >= _CONTAIN_CHARS]
    counts = {"coded": len(codes), "joined": 0, "excluded_gold": 0, "not_found": 0}
    out: list[tuple[Coded, float]] = []
    for code in codes:
        text = texts.get(code.id)
        if not text or len(text) > HAND_CODED_MAX_CHARS:
            counts["not_found"] += 1
            continue
        key = text_key(text)
        if _excluded(code.id.split("#")[0], exclude_ids) or key in banned or _contains_gold(key, long_gold):
            counts["excluded_gold"] += 1
            continue
        unit = Coded(text=text, act=code.act, stance=code.stance, abusive=code.abusive, id=code.id,  # type: ignore[arg-type]
                     frame=code.frame, discloser=code.discloser)
        out.append((unit, LOW_CONFIDENCE_WEIGHT if code.confidence == "low" else 1.0))
        counts["joined"] += 1
    if stats is not None:
        stats.update(counts)
    return out


def reddit_titles(public_dir: str | Path) -> dict[str, str]:
    """``reddit_gender_2025:<comment id>`` -> the title of the thread the comment is in
    (the context ``heard classify`` and ``heard eval`` read); empty without the dataset."""
    path = Path(public_dir) / "reddit_gender_2025" / "comments.csv"
    if not path.exists():
        return {}
    with path.open(encoding="utf-8", newline="") as fh:
        return {f"reddit_gender_2025:{row['comment_id']}": row["submission_title"]
                for row in csv.DictReader(fh) if row.get("submission_title")}


def heldout_gold(public_dir: str | Path, exclude_ids: Collection[str] = (),
                 exclude_texts: Collection[str] = ()) -> list[tuple[dict[str, Any], bool]]:
    """The held-out coded posts joined to their texts, as ``dev.jsonl`` rows (with the thread
    title as ``context`` for Reddit), each with whether it was drawn at random.

    Posts two coders disagreed on (a ``null`` act, stance or abusive) are left out. The
    public datasets are read once, however many files are then written.
    """
    codes = load_public_codes()
    drawn_at_random = {c.id for c in codes if c.draw == "random"}
    units = hand_coded_units(public_dir, exclude_ids, exclude_texts=exclude_texts, codes=codes, split="heldout")
    titles = reddit_titles(public_dir)
    return [
        ({"id": u.id, "text": u.text, "act": u.act, "stance": u.stance, "abusive": u.abusive, "voice": "own",
          "frame": u.frame, "discloser": u.discloser, "centres": [], "confidence": "low" if w < 1 else "high",
          **({"context": titles[u.id]} if u.id in titles else {})}, u.id in drawn_at_random)
        for u, w in units
        if u.act is not None and u.stance is not None and u.abusive is not None
    ]


def write_gold(rows: Iterable[dict[str, Any]], output: str | Path) -> int:
    """Write gold rows as JSONL (outside the repository: they hold public texts); returns how many."""
    lines = [json.dumps(r, ensure_ascii=False) + "\n" for r in rows]
    Path(output).write_text("".join(lines), encoding="utf-8")
    return len(lines)


def write_heldout(public_dir: str | Path, output: str | Path, exclude_ids: Collection[str] = (),
                  exclude_texts: Collection[str] = (), sources: Collection[str] | None = None, random_only: bool = False) -> int:
    """Write the held-out coded posts (:func:`heldout_gold`) of ``sources`` as a gold file in
    the ``dev.jsonl`` format for ``heard eval``; returns how many were written.

    Example:
        >>> write_heldout("../shared/data/public", "/tmp/heldout.jsonl")   # doctest: +SKIP
        812
    """
    return write_gold((row for row, random in heldout_gold(public_dir, exclude_ids, exclude_texts)
                       if (random or not random_only) and (sources is None or row["id"].split(":")[0] in sources)), output)
