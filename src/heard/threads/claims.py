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

A verdict ("yes", "no", "not clearly") is only given when the 95% interval
of the difference excludes zero; otherwise the answer says the data cannot
tell. With too little data the answer says "Not enough data" and why.

Example:
    >>> answers = answer_claims(corpus, table, groups, frames, onset)   # doctest: +SKIP
    >>> answers[0].question                                               # doctest: +SKIP
    "Are men's testimonies met with more silencing than women's?"
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from heard.threads.bootstrap import Interval, difference, median, resampled_totals, share, share_draws
from heard.threads.corpus import ACT, Corpus
from heard.threads.derailing import Frames
from heard.threads.phrasing import duration, interval, plural
from heard.threads.reception import (
    LABELLED_COLUMN,
    MIN_TESTIMONIES,
    GroupReception,
    ReceptionTable,
    column,
    group_rows,
    group_seed,
)
from heard.threads.timeline import Onset, first_testimony_time

MIN_DERAILS = 10
"""Derailing posts needed before shares of derails count as enough data."""

MIN_THREADS = 5
"""Threads needed on each side (with / without a derail) for claim c's comparison."""


@dataclass(frozen=True)
class Measure:
    """One number behind an answer.

    Attributes:
        key: stable name (``men_silencing_share``).
        label: what it is, in words.
        unit: ``share``, ``points`` (difference of shares), ``hours`` or ``count`` (posts per thread).
        estimate: value, 95% interval (``None`` when not computed) and n.
        enough_data: whether n meets the documented minimum.
    """

    key: str
    label: str
    unit: str
    estimate: Interval
    enough_data: bool

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {"key": self.key, "label": self.label, "unit": self.unit, "enough_data": self.enough_data,
                **self.estimate.to_dict()}


@dataclass(frozen=True)
class ClaimAnswer:
    """A claim asked as a question and answered with n and an interval.

    Attributes:
        key: ``a``, ``b`` or ``c``.
        claim: the essay's claim, in one line.
        question: the measurable question.
        answer: the answer in words, with numbers.
        n: what the headline estimate rests on (testimonies, derails).
        estimate: the headline estimate (``None`` when it cannot be computed).
        low: lower end of its 95% interval.
        high: upper end.
        unit: ``share`` or ``points``.
        enough_data: every part met its minimum.
        measures: all numbers behind the answer.
    """

    key: str
    claim: str
    question: str
    answer: str
    n: int
    estimate: float | None
    low: float | None
    high: float | None
    unit: str
    enough_data: bool
    measures: tuple[Measure, ...]

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "key": self.key, "claim": self.claim, "question": self.question, "answer": self.answer,
            "n": self.n, "estimate": self.estimate, "low": self.low, "high": self.high, "unit": self.unit,
            "enough_data": self.enough_data, "measures": [m.to_dict() for m in self.measures],
        }


def _headline(key: str, claim: str, question: str, answer: str, main: Measure, enough: bool,
              measures: tuple[Measure, ...]) -> ClaimAnswer:
    est = main.estimate
    return ClaimAnswer(key, claim, question, answer, est.n, est.value, est.low, est.high, main.unit, enough, measures)


def _verdict(diff: Interval, yes: str, reverse: str) -> str:
    if diff.low is not None and diff.low > 0:
        return yes
    if diff.high is not None and diff.high < 0:
        return reverse
    return "Not clearly: the 95% interval of the difference includes zero."


def answer_a(table: ReceptionTable, groups: tuple[GroupReception, ...]) -> ClaimAnswer:
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
        Measure("difference_silencing_share", "men's minus women's silencing share of replies (points)", "points",
                diff, enough),
        Measure("men_silencing_share", "share of replies to men's testimonies that silence", "share",
                shares["man"], men.enough_data),
        Measure("women_silencing_share", "share of replies to women's testimonies that silence", "share",
                shares["woman"], women.enough_data),
        Measure("men_any_silencing", "share of men's testimonies with at least one silencing reply", "share",
                men.any_silencing, men.enough_data),
        Measure("women_any_silencing", "share of women's testimonies with at least one silencing reply", "share",
                women.any_silencing, women.enough_data),
    )
    observed = (
        f"Silencing was {interval(shares['man'])} of the replies to men's testimonies "
        f"({plural(men.answered, 'answered testimony', 'answered testimonies')}, "
        f"{plural(men.replies, 'reply', 'replies')}) and {interval(shares['woman'])} for women's "
        f"({plural(women.answered, 'answered testimony', 'answered testimonies')}, "
        f"{plural(women.replies, 'reply', 'replies')})"
    )
    if not enough:
        answer = (f"Not enough data: {men.answered} men's and {women.answered} women's testimonies got labelled "
                  f"replies from others; each group needs at least {MIN_TESTIMONIES}. " + observed + ".")
    else:
        verdict = _verdict(diff, "Yes: men's testimonies met more silencing than women's.",
                           "No, the reverse: women's testimonies met more silencing than men's.")
        answer = f"{verdict} {observed}; difference {interval(diff, 'points')}."
    return _headline("a", "Men who disclose under the hashtag are told to be quiet and mocked.",
                     "Are men's testimonies met with more silencing than women's?", answer, measures[0], enough,
                     measures)


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
    delays = (first_derail - first_testimony) / 3600
    return delays[np.isfinite(delays)]


def answer_b(corpus: Corpus, frames: Frames, onset: Onset) -> ClaimAnswer:
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
        Measure("false_equivalence_share", "share of derails framed as false equivalence (male victimhood as a "
                "counter)", "share", fe, enough),
        Measure("hours_to_first_derail", "hours from the first testimony to the first derailing post", "hours",
                Interval(first_hours, None, None, int(later.size)), later.size > 0),
        Measure("hours_to_backlash_onset", f"hours from the first testimony to the backlash onset (hostile share "
                f"> {onset.threshold:.0%})", "hours", Interval(onset_hours, None, None, onset.bin_posts),
                onset_hours is not None),
        Measure("thread_hours_to_derail", "median hours from a thread's first testimony to its first derail",
                "hours", thread_delay, thread_delay.n >= MIN_THREADS),
        Measure("centres_men_share", "share of derails that centre men or male survivors", "share",
                frames.centres_men, enough),
    )
    if first_hours is None:
        timing = "No derailing post came after a dated testimony."
    else:
        timing = f"The first derailing post came {duration(first_hours)} after the first testimony"
        timing += (f"; the backlash onset (hostile share above {onset.threshold:.0%}) {duration(onset_hours)} after it."
                   if onset_hours is not None else f"; the hostile share never passed {onset.threshold:.0%} "
                   f"in a bin of at least {onset.min_posts} posts.")
        if thread_delay.value is not None:
            timing += (f" Within threads, the first derail came a median {interval(thread_delay, 'hours')} after "
                       f"the thread's first testimony ({plural(thread_delay.n, 'thread')}).")
    share_text = (f"{interval(fe)} of derails used male victimhood as a counter (false_equivalence; "
                  f"{plural(frames.derails, 'derail')} in {plural(frames.threads, 'thread')})."
                  if frames.derails else "No post was labelled derailing.")
    if not enough:
        answer = (f"Not enough data: {plural(frames.derails, 'derailing post')} (at least {MIN_DERAILS} needed). "
                  f"{timing} Observed so far: {share_text}")
    else:
        answer = f"{timing} {share_text}"
    return _headline("b", "The male backlash arrives within hours and uses male victimhood as a false equivalence.",
                     "How soon after the first testimonies does derailing arrive, and what share of it uses male "
                     "victimhood as a counter (false_equivalence)?", answer, measures[0], enough, measures)


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


def answer_c(corpus: Corpus, frames: Frames) -> ClaimAnswer:
    """Claim c: the not-all-men share of derails, and accountability with and without a derail."""
    nam = frames.share("not_all_men")
    with_derail, without = _thread_rows(corpus)
    parts = {}
    for name, rows, seed in (("with", with_derail, 500), ("without", without, 510)):
        totals = resampled_totals(rows, seed=seed)
        parts[name] = (share(rows, 0, 1, seed=0, totals=totals), share_draws(totals, 0, 1),
                       share(rows, 0, 2, seed=0, totals=totals))
    diff = difference(parts["with"][0], parts["with"][1], parts["without"][0], parts["without"][1])
    # n of the shares above counts threads, as the bootstrap resamples threads.
    enough_nam = frames.derails >= MIN_DERAILS
    enough_cmp = with_derail.shape[0] >= MIN_THREADS and without.shape[0] >= MIN_THREADS
    measures = (
        Measure("not_all_men_share", "share of derails framed 'not all men'", "share", nam, enough_nam),
        Measure("difference_accountability_share", "accountability share of other posts, threads with a derail "
                "minus threads without (points)", "points", diff, enough_cmp),
        Measure("accountability_share_with_derail", "accountability share of the non-derailing posts in threads "
                "with a derail", "share", parts["with"][0], enough_cmp),
        Measure("accountability_share_without_derail", "accountability share of the posts in threads without a "
                "derail", "share", parts["without"][0], enough_cmp),
        Measure("accountability_per_thread_with_derail", "accountability posts per thread with a derail", "count",
                parts["with"][2], enough_cmp),
        Measure("accountability_per_thread_without_derail", "accountability posts per thread without a derail",
                "count", parts["without"][2], enough_cmp),
    )
    first = (f"{interval(nam)} of derails were 'not all men' ({plural(frames.derails, 'derail')} in "
             f"{plural(frames.threads, 'thread')})" if frames.derails else "No post was labelled derailing")
    if not enough_nam:
        first = (f"Not enough data on frames: {plural(frames.derails, 'derail')} (at least {MIN_DERAILS} needed); "
                 f"observed: {first[0].lower()}{first[1:]}")
    per_with, per_without = parts["with"][2].value, parts["without"][2].value
    observed = (f"accountability was {interval(parts['with'][0])} of the other posts in "
                f"{plural(with_derail.shape[0], 'thread')} with a derail ({per_with or 0:.1f} per thread) and "
                f"{interval(parts['without'][0])} in {plural(without.shape[0], 'thread')} without "
                f"({per_without or 0:.1f} per thread)")
    if not enough_cmp:
        second = (f"Not enough data to compare threads (at least {MIN_THREADS} on each side needed): "
                  f"{observed}.")
    else:
        # The difference is "with minus without": above zero means more accountability next to derails.
        verdict = _verdict(diff, "No: threads with a derail held more accountability, not less.",
                           "Yes: threads with a derail held fewer accountability posts.")
        second = f"{verdict} In threads, {observed}; difference {interval(diff, 'points')}."
    return _headline("c", "'Not all men' derails from accountability, which is the point of the movement.",
                     "What share of derails are not_all_men, and do threads with a derail contain fewer "
                     "accountability posts than threads without?", f"{first}. {second}", measures[0],
                     enough_nam and enough_cmp, measures)


def answer_claims(corpus: Corpus, table: ReceptionTable, groups: tuple[GroupReception, ...], frames: Frames,
                  onset: Onset) -> tuple[ClaimAnswer, ClaimAnswer, ClaimAnswer]:
    """Answer claims a, b and c.

    Example:
        >>> a, b, c = answer_claims(corpus, table, groups, frames, onset)   # doctest: +SKIP
        >>> a.enough_data, a.n                                              # doctest: +SKIP
        (True, 38)
    """
    return answer_a(table, groups), answer_b(corpus, frames, onset), answer_c(corpus, frames)
