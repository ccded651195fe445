"""Threads and reception: reply trees, what replies to testimony do, and the essays' claims.

Folders follow the data: :mod:`~heard.threads.forest` rebuilds reply trees
as arrays (no recursion), :mod:`~heard.threads.corpus` reads a store into
them, :mod:`~heard.threads.reception` measures how each testimony was
received, :mod:`~heard.threads.timeline` bins the corpus over time and finds
the backlash onset, :mod:`~heard.threads.derailing` counts frames and cue
phrases, and :mod:`~heard.threads.claims` measures what the three claims
rest on, with bootstrap intervals (:mod:`~heard.intervals`).

Everything here is numbers: counts, intervals, flags. The words a report
prints (answers, plurals, durations, percentages) are made in
:mod:`heard.report`.

Example:
    >>> from heard.threads import analyse
    >>> with Store.open("corpus.duckdb", read_only=True) as store:   # doctest: +SKIP
    ...     print(analyse(store).claims[0].difference)
"""

from __future__ import annotations

from heard.intervals import Interval
from heard.threads.analysis import Findings, analyse
from heard.threads.claims import (
    MIN_DERAILS,
    MIN_THREADS,
    AccountabilityClaim,
    Claim,
    DerailTimingClaim,
    Direction,
    Measure,
    SilencingClaim,
)
from heard.threads.corpus import Corpus, load_corpus, resolve_model
from heard.threads.forest import Forest, ThreadStats, build_forest
from heard.threads.reception import MIN_TESTIMONIES, GroupReception, ReceptionTable
from heard.threads.timeline import ONSET_MIN_POSTS, ONSET_THRESHOLD, Onset, Timeline

__all__ = [
    "MIN_DERAILS",
    "MIN_TESTIMONIES",
    "MIN_THREADS",
    "ONSET_MIN_POSTS",
    "ONSET_THRESHOLD",
    "AccountabilityClaim",
    "Claim",
    "Corpus",
    "DerailTimingClaim",
    "Direction",
    "Findings",
    "Forest",
    "GroupReception",
    "Interval",
    "Measure",
    "Onset",
    "ReceptionTable",
    "SilencingClaim",
    "ThreadStats",
    "Timeline",
    "analyse",
    "build_forest",
    "load_corpus",
    "resolve_model",
]
