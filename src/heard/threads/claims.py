"""The three essays' claims, asked as questions the corpus can answer.

a. *Are men's testimonies met with more silencing than women's?* — the share
   of labelled direct replies (by others) that are silencing, men's
   testimonies minus women's, with a bootstrap interval that resamples
   testimonies in each group. Enough data: at least
   :data:`~heard.threads.reception.MIN_TESTIMONIES` answered testimonies
   in each group.
b. *How soon after the first testimonies does derailing arrive, and what
   share of it uses male victimhood as a counter?* — the hours from the first
   testimony to the first derailing post and to the backlash onset
   (:mod:`heard.threads.timeline`), the median delay within threads from a
   thread's first testimony to its first later derail, and the share of
   derails framed ``false_equivalence``. Enough data: :data:`MIN_DERAILS`.
c. *What share of derails are "not all men", and do threads with a derail
   contain fewer accountability posts?* — the ``not_all_men`` share of
   derails, and the accountability share of the other (non-derailing)
   labelled posts in threads of at least two labelled posts, with a derail
   versus without. Enough data: :data:`MIN_DERAILS` derails and
   :data:`MIN_THREADS` threads on each side.

This module returns numbers only: estimates with intervals and n, whether
each met its minimum, and for a and c the :data:`Direction` of the
difference (its 95% interval above zero, below zero, or including it). The
report layer (:mod:`heard.report.claims`) turns them into questions and
answers in words.

Example:
    >>> a, b, c = answer_claims(corpus, table, groups, frames, onset)   # doctest: +SKIP
    >>> a.direction, a.difference.value                                   # doctest: +SKIP
    ('above_zero', 0.16)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from heard.intervals import Interval, difference, median, resampled_totals, share, share_draws
from heard.threads.corpus import ACT, Corpus
from heard.threads.derailing import Frames
from heard.threads.reception import LABELLED_COLUMN, GroupReception, ReceptionTable, column, group_rows, group_seed
from heard.threads.timeline import Onset, first_testimony_time

MIN_DERAILS = 10
"""Derailing posts needed before shares of derails count as enough data."""

MIN_THREADS = 5
"""Threads needed on each side (with / without a derail) for claim c's comparison."""

Direction = Literal["above_zero", "below_zero", "includes_zero"]
"""Where the 95% interval of a difference lies: wholly above zero, wholly below, or across it."""


def direction(diff: Interval) -> Direction:
    """Where the 95% interval of ``diff`` lies relative to zero.

    Example:
        >>> direction(Interval(0.1, 0.02, 0.2, 30)), direction(Interval(0.1, -0.02, 0.2, 30))
        ('above_zero', 'includes_zero')
    """
    if diff.low is not None and diff.low > 0:
        return "above_zero"
    if diff.high is not None and diff.high < 0:
        return "below_zero"
    return "includes_zero"


@dataclass(frozen=True)
class Measure:
    """One number behind an answer.

    Attributes:
        key: stable name (``men_silencing_share``).
        unit: ``share``, ``points`` (difference of shares), ``hours`` or ``count`` (posts per thread).
        estimate: value, 95% interval (``None`` when not computed) and n.
        enough_data: whether n meets the documented minimum.
    """

    key: str
    unit: str
    estimate: Interval
    enough_data: bool


@dataclass(frozen=True)
class Claim:
    """What every claim's answer rests on: its measures, the first being the headline.

    Attributes:
        key: ``a``, ``b`` or ``c``.
        enough_data: every part met its minimum.
        measures: all numbers behind the answer, headline first.
    """

    key: str
    enough_data: bool
    measures: tuple[Measure, ...]

    @property
    def headline(self) -> Measure:
        """The headline measure."""
        return self.measures[0]

    @property
    def n(self) -> int:
        """What the headline estimate rests on (testimonies, derails)."""
        return self.headline.estimate.n

    @property
    def estimate(self) -> float | None:
        """The headline estimate (``None`` when it cannot be computed)."""
        return self.headline.estimate.value

    @property
    def low(self) -> float | None:
        """Lower end of the headline's 95% interval."""
        return self.headline.estimate.low

    @property
    def high(self) -> float | None:
        """Upper end of the headline's 95% interval."""
        return self.headline.estimate.high

    @property
    def unit(self) -> str:
        """The headline's unit: ``share`` or ``points``."""
        return self.headline.unit

    def measure(self, key: str) -> Measure:
        """The measure named ``key``.

        Raises:
            KeyError: no measure has that key.
        """
        for m in self.measures:
            if m.key == key:
                return m
        raise KeyError(key)


@dataclass(frozen=True)
class SilencingClaim(Claim):
    """Claim a: the silencing share of replies to men's testimonies minus women's.

    Attributes:
        men: reception of men's testimonies (answered, replies, enough_data).
        women: reception of women's testimonies.
        men_share: silencing share of the replies to men's testimonies.
        women_share: the same for women's.
        difference: men's minus women's share.
        direction: where the difference's interval lies.
    """

    men: GroupReception
    women: GroupReception
    men_share: Interval
    women_share: Interval
    difference: Interval
    direction: Direction


@dataclass(frozen=True)
class DerailTimingClaim(Claim):
    """Claim b: how soon derailing arrives, and its false-equivalence share.

    Attributes:
        first_derail_hours: first testimony to the first later derailing post (``None``: no such post).
        onset: the backlash onset (threshold, minimum posts, hours after the first testimony).
        thread_delay: median hours within threads from the first testimony to the first derail.
        derails: posts labelled derailing.
        derail_threads: threads holding them.
        false_equivalence: share of derails framed ``false_equivalence``.
    """

    first_derail_hours: float | None
    onset: Onset
    thread_delay: Interval
    derails: int
    derail_threads: int
    false_equivalence: Interval


@dataclass(frozen=True)
class AccountabilityClaim(Claim):
    """Claim c: the not-all-men share of derails, and accountability in threads with and without a derail.

    Attributes:
        not_all_men: share of derails framed ``not_all_men``.
        derails: posts labelled derailing.
        derail_threads: threads holding them.
        enough_frames: at least :data:`MIN_DERAILS` derails.
        enough_comparison: at least :data:`MIN_THREADS` threads on each side.
        threads_with_derail: threads (of two or more labelled posts) with a derail.
        threads_without_derail: those without.
        share_with_derail: accountability share of the other posts, threads with a derail.
        share_without_derail: the same, threads without.
        per_thread_with_derail: accountability posts per thread with a derail.
        per_thread_without_derail: the same, threads without.
        difference: share with minus share without.
        direction: where the difference's interval lies (above zero: more accountability next to derails).
    """

    not_all_men: Interval
    derails: int
    derail_threads: int
    enough_frames: bool
    enough_comparison: bool
    threads_with_derail: int
    threads_without_derail: int
    share_with_derail: Interval
    share_without_derail: Interval
    per_thread_with_derail: Interval
    per_thread_without_derail: Interval
    difference: Interval
    direction: Direction


def answer_a(table: ReceptionTable, groups: tuple[GroupReception, ...]) -> SilencingClaim:
    """Claim a: silencing of men's versus women's testimonies."""
    by = {g.discloser: g for g in groups}
    shares, draws = {}, {}
    for name in ("man", "woman"):
        rows = group_rows(table, name, answered_only=True)
        totals = resampled_totals(rows, seed=group_seed(name))
        shares[name] = share(rows, column("silencing"), LABELLED_COLUMN, seed=0, totals=totals)
        draws[name] = share_draws(totals, column("silencing"), LABELLED_COLUMN)
    diff = difference(shares["man"], draws["man"], shares["woman"], draws["woman"])
    men, women = by["man"], by["woman"]
    enough = men.enough_data and women.enough_data
    measures = (
        Measure("difference_silencing_share", "points", diff, enough),
        Measure("men_silencing_share", "share", shares["man"], men.enough_data),
        Measure("women_silencing_share", "share", shares["woman"], women.enough_data),
        Measure("men_any_silencing", "share", men.any_silencing, men.enough_data),
        Measure("women_any_silencing", "share", women.any_silencing, women.enough_data),
    )
    return SilencingClaim("a", enough, measures, men, women, shares["man"], shares["woman"], diff, direction(diff))


def _thread_delays(corpus: Corpus) -> np.ndarray:
    """Hours from each thread's first testimony to its first derail at or after it."""
    t = corpus.time
    root = corpus.forest.root
    size = corpus.forest.size
    first_testimony = np.full(size, np.nan)
    pick = (corpus.act == ACT["testimony"]) & np.isfinite(t)
    np.fmin.at(first_testimony, root[pick], t[pick])
    start = first_testimony[root]
    pick = (corpus.act == ACT["derailing"]) & np.isfinite(t) & (t >= start)
    first_derail = np.full(size, np.nan)
    np.fmin.at(first_derail, root[pick], t[pick])
    delays: np.ndarray = (first_derail - first_testimony) / 3600
    dated: np.ndarray = delays[np.isfinite(delays)]
    return dated


def answer_b(corpus: Corpus, frames: Frames, onset: Onset) -> DerailTimingClaim:
    """Claim b: how soon derailing arrives, and its false-equivalence share."""
    t0 = first_testimony_time(corpus)
    t = corpus.time
    derail_times = t[(corpus.act == ACT["derailing"]) & np.isfinite(t)]
    later = derail_times[derail_times >= t0] if t0 is not None else derail_times[:0]
    first_hours = float((later.min() - t0) / 3600) if (t0 is not None and later.size) else None
    delays = _thread_delays(corpus)
    thread_delay, _ = median(delays, seed=400)
    enough = frames.derails >= MIN_DERAILS
    fe = frames.share("false_equivalence")
    onset_hours = onset.hours_after_first_testimony
    measures = (
        Measure("false_equivalence_share", "share", fe, enough),
        Measure("hours_to_first_derail", "hours", Interval(first_hours, None, None, int(later.size)), later.size > 0),
        Measure("hours_to_backlash_onset", "hours", Interval(onset_hours, None, None, onset.bin_posts),
                onset_hours is not None),
        Measure("thread_hours_to_derail", "hours", thread_delay, thread_delay.n >= MIN_THREADS),
        Measure("centres_men_share", "share", frames.centres_men, enough),
    )
    return DerailTimingClaim("b", enough, measures, first_hours, onset, thread_delay, frames.derails, frames.threads, fe)


def _thread_rows(corpus: Corpus) -> tuple[np.ndarray, np.ndarray]:
    """Per thread of >= 2 labelled posts: [accountability, other non-derailing posts, 1], with / without a derail."""
    root = corpus.forest.root
    size = corpus.forest.size
    labelled = corpus.act >= 0
    posts = np.bincount(root[labelled], minlength=size)
    derails = np.bincount(root, weights=corpus.act == ACT["derailing"], minlength=size)
    account = np.bincount(root, weights=corpus.act == ACT["accountability"], minlength=size)
    threads = np.flatnonzero((corpus.forest.parent < 0) & (posts >= 2))
    rows = np.column_stack([account[threads], posts[threads] - derails[threads], np.ones(threads.size)])
    has = derails[threads] > 0
    return rows[has], rows[~has]


def answer_c(corpus: Corpus, frames: Frames) -> AccountabilityClaim:
    """Claim c: the not-all-men share of derails, and accountability with and without a derail."""
    nam = frames.share("not_all_men")
    with_derail, without = _thread_rows(corpus)
    parts = {}
    for name, rows, seed in (("with", with_derail, 500), ("without", without, 510)):
        totals = resampled_totals(rows, seed=seed)
        parts[name] = (share(rows, 0, 1, seed=0, totals=totals), share_draws(totals, 0, 1),
                       share(rows, 0, 2, seed=0, totals=totals, proportion=False))  # posts per thread
    diff = difference(parts["with"][0], parts["with"][1], parts["without"][0], parts["without"][1])
    # n of the shares above counts threads, as the bootstrap resamples threads.
    enough_nam = frames.derails >= MIN_DERAILS
    enough_cmp = with_derail.shape[0] >= MIN_THREADS and without.shape[0] >= MIN_THREADS
    measures = (
        Measure("not_all_men_share", "share", nam, enough_nam),
        Measure("difference_accountability_share", "points", diff, enough_cmp),
        Measure("accountability_share_with_derail", "share", parts["with"][0], enough_cmp),
        Measure("accountability_share_without_derail", "share", parts["without"][0], enough_cmp),
        Measure("accountability_per_thread_with_derail", "count", parts["with"][2], enough_cmp),
        Measure("accountability_per_thread_without_derail", "count", parts["without"][2], enough_cmp),
    )
    return AccountabilityClaim(
        "c", enough_nam and enough_cmp, measures,
        not_all_men=nam, derails=frames.derails, derail_threads=frames.threads,
        enough_frames=enough_nam, enough_comparison=enough_cmp,
        threads_with_derail=int(with_derail.shape[0]), threads_without_derail=int(without.shape[0]),
        share_with_derail=parts["with"][0], share_without_derail=parts["without"][0],
        per_thread_with_derail=parts["with"][2], per_thread_without_derail=parts["without"][2],
        difference=diff, direction=direction(diff),
    )


def answer_claims(corpus: Corpus, table: ReceptionTable, groups: tuple[GroupReception, ...], frames: Frames,
                  onset: Onset) -> tuple[SilencingClaim, DerailTimingClaim, AccountabilityClaim]:
    """Measure what claims a, b and c rest on.

    Example:
        >>> a, b, c = answer_claims(corpus, table, groups, frames, onset)   # doctest: +SKIP
        >>> a.enough_data, a.n                                              # doctest: +SKIP
        (True, 38)
    """
    return answer_a(table, groups), answer_b(corpus, frames, onset), answer_c(corpus, frames)
