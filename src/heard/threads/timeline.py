"""The corpus over time: acts and stance per time bin, and the onset of backlash.

**Bins** follow the span of the dated posts: the narrowest width of
:data:`BIN_WIDTHS` (1, 3, 6 or 12 hours, a day, a week, four weeks) that
cuts the span into at most :data:`MAX_BINS` bins. Hour bins are aligned to
UTC midnight, week bins start on Monday (UTC). Empty bins between the first
and last post are kept, so charts show quiet hours as quiet.

**Backlash onset** is the start of the first bin, at or after the bin of
the first testimony, in which more than :data:`ONSET_THRESHOLD` (20%) of
the labelled posts are hostile (derailing, silencing, disbelief, or
abusive) and that holds at least :data:`ONSET_MIN_POSTS` labelled posts (so
one hostile post in a quiet hour is not an onset). heard reports the time
of the first hostile post in that bin after the first testimony, and the
hours between the two.

Example:
    >>> timeline = build_timeline(corpus)                   # doctest: +SKIP
    >>> timeline.unit, len(timeline.starts)                 # doctest: +SKIP
    ('hour', 37)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from heard.records import ACTS, STANCES
from heard.threads.corpus import ACT, Corpus

BIN_WIDTHS: tuple[tuple[str, int], ...] = (
    ("hour", 3600),
    ("3 hours", 3 * 3600),
    ("6 hours", 6 * 3600),
    ("12 hours", 12 * 3600),
    ("day", 86400),
    ("week", 7 * 86400),
    ("4 weeks", 28 * 86400),
)
"""Bin widths heard chooses from, narrowest first: (name, seconds)."""

MAX_BINS = 72
"""Most bins a timeline may have before heard takes the next wider width."""

ONSET_THRESHOLD = 0.20
"""Hostile share of a bin's labelled posts that must be exceeded for backlash onset."""

ONSET_MIN_POSTS = 5
"""Labelled posts a bin needs before its hostile share can mark the onset."""

_WIDTH = dict(BIN_WIDTHS)
_MONDAY = -3 * 86400  # 1969-12-29 was a Monday; weeks are aligned to it


@dataclass(frozen=True)
class Timeline:
    """Post counts per time bin.

    Attributes:
        unit: the bin width's name from :data:`BIN_WIDTHS` (``hour``, ``3 hours``, … ``4 weeks``).
        starts: start of each bin (UTC), as ``datetime64[s]``.
        acts: posts per bin and act (columns follow ``ACTS``, then ``unlabelled``).
        stances: labelled posts per bin and stance (columns follow ``STANCES``).
        hostile: hostile posts per bin.
        supportive: supportive posts per bin.
        undated: posts without a time (not binned).
    """

    unit: str
    starts: np.ndarray
    acts: np.ndarray
    stances: np.ndarray
    hostile: np.ndarray
    supportive: np.ndarray
    undated: int

    @property
    def labelled(self) -> np.ndarray:
        """Labelled posts per bin."""
        counts: np.ndarray = self.acts[:, : len(ACTS)].sum(axis=1)
        return counts

    @property
    def width(self) -> int:
        """Seconds per bin."""
        return _WIDTH[self.unit]


@dataclass(frozen=True)
class Onset:
    """When the hostile share first passed the threshold after the first testimony.

    Attributes:
        threshold: :data:`ONSET_THRESHOLD`.
        min_posts: :data:`ONSET_MIN_POSTS`.
        first_testimony: time of the first dated testimony (``None``: none).
        bin_start: start of the onset bin (``None``: no onset found).
        at: first hostile post of that bin at or after the first testimony.
        hours_after_first_testimony: ``at`` minus ``first_testimony``, in hours.
        hostile_share: hostile share of the onset bin's labelled posts.
        bin_posts: labelled posts in the onset bin.
    """

    threshold: float
    min_posts: int
    first_testimony: datetime | None
    bin_start: datetime | None
    at: datetime | None
    hours_after_first_testimony: float | None
    hostile_share: float | None
    bin_posts: int


def to_datetime(seconds: float | None) -> datetime | None:
    """Seconds since 1970 as a naive UTC datetime (``None`` for NaN or None)."""
    if seconds is None or not np.isfinite(seconds):
        return None
    return datetime.fromtimestamp(float(seconds), tz=UTC).replace(tzinfo=None)


def bin_unit(span_seconds: float) -> str:
    """The bin width for posts spanning ``span_seconds``: the narrowest giving at most :data:`MAX_BINS` bins.

    Example:
        >>> bin_unit(3600 * 10), bin_unit(86400 * 5), bin_unit(86400 * 30), bin_unit(86400 * 400)
        ('hour', '3 hours', '12 hours', 'week')
    """
    for name, width in BIN_WIDTHS:
        # +1: a span of exactly k widths can touch k + 1 bins once aligned.
        if span_seconds / width + 1 <= MAX_BINS:
            return name
    return BIN_WIDTHS[-1][0]


def _bin_index(seconds: np.ndarray, unit: str, origin: float) -> np.ndarray:
    return np.floor((seconds - origin) / _WIDTH[unit]).astype(np.int64)


def _origin(first: float, unit: str) -> float:
    width = _WIDTH[unit]
    offset = _MONDAY if width >= 7 * 86400 else 0
    return float(np.floor((first - offset) / width) * width + offset)


_CHUNK = 1 << 20
"""Posts binned at a time, so ten million posts need no ten-million-long temporaries."""


def build_timeline(corpus: Corpus) -> Timeline:
    """Count posts per act, stance and reception class in each time bin."""
    posts = corpus.posts
    t = corpus.time[:posts]
    n_dated = int(np.isfinite(t).sum())
    acts_width = len(ACTS) + 1
    if n_dated == 0:
        empty = np.zeros(0, dtype=np.int64)
        return Timeline("hour", np.zeros(0, dtype="datetime64[s]"), np.zeros((0, acts_width), np.int64),
                        np.zeros((0, len(STANCES)), np.int64), empty, empty, posts)
    first, last = float(np.nanmin(t)), float(np.nanmax(t))
    unit = bin_unit(last - first)
    origin = _origin(first, unit)
    bins = int(_bin_index(np.array([last]), unit, origin)[0]) + 1
    acts = np.zeros(bins * acts_width, np.int64)
    stances = np.zeros(bins * len(STANCES), np.int64)
    hostile = np.zeros(bins, np.int64)
    supportive = np.zeros(bins, np.int64)
    hostile_mask, supportive_mask = corpus.hostile[:posts], corpus.supportive[:posts]
    for lo in range(0, posts, _CHUNK):
        part = slice(lo, min(posts, lo + _CHUNK))
        dated = np.flatnonzero(np.isfinite(t[part])) + lo
        index = _bin_index(t[dated], unit, origin)
        act = corpus.act[dated].astype(np.int64)
        act[act < 0] = len(ACTS)
        acts += np.bincount(index * acts_width + act, minlength=bins * acts_width)
        stance = corpus.stance[dated].astype(np.int64)
        has = stance >= 0
        stances += np.bincount(index[has] * len(STANCES) + stance[has], minlength=bins * len(STANCES))
        hostile += np.bincount(index[hostile_mask[dated]], minlength=bins)
        supportive += np.bincount(index[supportive_mask[dated]], minlength=bins)
    starts = (origin + np.arange(bins) * _WIDTH[unit]).astype("datetime64[s]")
    return Timeline(unit, starts, acts.reshape(bins, acts_width), stances.reshape(bins, len(STANCES)), hostile,
                    supportive, posts - n_dated)


def first_testimony_time(corpus: Corpus) -> float | None:
    """Seconds since 1970 of the first dated testimony, or ``None``."""
    t = corpus.time[corpus.act == ACT["testimony"]]
    t = t[np.isfinite(t)]
    return float(t.min()) if t.size else None


def backlash_onset(corpus: Corpus, timeline: Timeline) -> Onset:
    """Find the backlash onset (see the module docs for the rule).

    Example:
        >>> onset = backlash_onset(corpus, build_timeline(corpus))   # doctest: +SKIP
        >>> onset.hours_after_first_testimony                          # doctest: +SKIP
        2.5
    """
    t0 = first_testimony_time(corpus)
    none = Onset(ONSET_THRESHOLD, ONSET_MIN_POSTS, to_datetime(t0), None, None, None, None, 0)
    if t0 is None or timeline.starts.size == 0:
        return none
    origin = float(timeline.starts[0].astype(np.int64))
    width = _WIDTH[timeline.unit]
    first_bin = int(_bin_index(np.array([t0]), timeline.unit, origin)[0])
    labelled = timeline.labelled
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = timeline.hostile / np.where(labelled > 0, labelled, 1)
    passing = np.flatnonzero((labelled >= ONSET_MIN_POSTS) & (shares > ONSET_THRESHOLD))
    passing = passing[passing >= first_bin]
    if passing.size == 0:
        return none
    b = int(passing[0])
    start = origin + b * width
    t = corpus.time[: corpus.posts]
    inside = corpus.hostile[: corpus.posts] & (t >= max(start, t0)) & (t < start + width)
    at = float(t[inside].min()) if inside.any() else max(start, t0)
    return Onset(
        threshold=ONSET_THRESHOLD,
        min_posts=ONSET_MIN_POSTS,
        first_testimony=to_datetime(t0),
        bin_start=to_datetime(start),
        at=to_datetime(at),
        hours_after_first_testimony=(at - t0) / 3600,
        hostile_share=float(shares[b]),
        bin_posts=int(labelled[b]),
    )
