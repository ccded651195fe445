"""The three claims in words: each essay's claim, the question it becomes, and the answer.

:mod:`heard.threads.claims` measures; this module writes. A verdict
("yes", "no", "not clearly") is only given when the 95% interval of the
difference excludes zero (:data:`heard.threads.claims.Direction`);
otherwise the answer says the data cannot tell. With too little data the
answer says "Not enough data" and why, then what it saw.

Example:
    >>> a, b, c = claim_texts(findings.claims)                  # doctest: +SKIP
    >>> a.question                                               # doctest: +SKIP
    "Are men's testimonies met with more silencing than women's?"
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from heard.intervals import Interval
from heard.report.wording import duration, interval, plural, share_of
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
from heard.threads.reception import MIN_TESTIMONIES

CLAIMS: dict[str, str] = {
    "a": "Men who disclose under the hashtag are told to be quiet and mocked.",
    "b": "The male backlash arrives within hours and uses male victimhood as a false equivalence.",
    "c": "'Not all men' derails from accountability, which is the point of the movement.",
}
"""Each essay's claim, in one line, by claim key."""

QUESTIONS: dict[str, str] = {
    "a": "Are men's testimonies met with more silencing than women's?",
    "b": "How soon after the first testimonies does derailing arrive, and what share of it uses male victimhood as "
         "a counter (false_equivalence)?",
    "c": "What share of derails are not_all_men, and do threads with a derail contain fewer accountability posts "
         "than threads without?",
}
"""Each claim asked as a question the corpus can answer, by claim key."""

MEASURE_LABELS: dict[str, str] = {
    "difference_silencing_share": "men's minus women's silencing share of replies (points)",
    "men_silencing_share": "share of replies to men's testimonies that silence",
    "women_silencing_share": "share of replies to women's testimonies that silence",
    "men_any_silencing": "share of men's testimonies with at least one silencing reply",
    "women_any_silencing": "share of women's testimonies with at least one silencing reply",
    "false_equivalence_share": "share of derails framed as false equivalence (male victimhood as a counter)",
    "hours_to_first_derail": "hours from the first testimony to the first derailing post",
    "hours_to_backlash_onset": "hours from the first testimony to the backlash onset (hostile share > {threshold})",
    "thread_hours_to_derail": "median hours from a thread's first testimony to its first derail",
    "centres_men_share": "share of derails that centre men or male survivors",
    "not_all_men_share": "share of derails framed 'not all men'",
    "difference_accountability_share": "accountability share of other posts, threads with a derail minus threads "
                                       "without (points)",
    "accountability_share_with_derail": "accountability share of the non-derailing posts in threads with a derail",
    "accountability_share_without_derail": "accountability share of the posts in threads without a derail",
    "accountability_per_thread_with_derail": "accountability posts per thread with a derail",
    "accountability_per_thread_without_derail": "accountability posts per thread without a derail",
}
"""What each measure is, in words, by measure key (``{threshold}``: the backlash onset threshold)."""


@dataclass(frozen=True)
class MeasureText:
    """One number behind an answer, with its label in words.

    Attributes:
        key: stable name (``men_silencing_share``).
        label: what it is, in words.
        unit: ``share``, ``points``, ``hours`` or ``count``.
        estimate: value, 95% interval and n.
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
class ClaimText:
    """A claim asked as a question and answered in words, with the numbers behind it.

    Attributes:
        key: ``a``, ``b`` or ``c``.
        claim: the essay's claim, in one line.
        question: the measurable question.
        answer: the answer in words, with numbers.
        numbers: what the analysis measured.
        measures: the numbers behind the answer, labelled.
    """

    key: str
    claim: str
    question: str
    answer: str
    numbers: Claim
    measures: tuple[MeasureText, ...]

    @property
    def enough_data(self) -> bool:
        """Every part met its minimum."""
        return self.numbers.enough_data

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form (the ``claims`` entries of ``heard report --format json``)."""
        c = self.numbers
        return {
            "key": self.key, "claim": self.claim, "question": self.question, "answer": self.answer,
            "n": c.n, "estimate": c.estimate, "low": c.low, "high": c.high, "unit": c.unit,
            "enough_data": c.enough_data, "measures": [m.to_dict() for m in self.measures],
        }


def _verdict(way: Direction, above: str, below: str) -> str:
    if way == "above_zero":
        return above
    if way == "below_zero":
        return below
    return "Not clearly: the 95% interval of the difference includes zero."


def answer_a(claim: SilencingClaim) -> str:
    """The answer to claim a in words.

    Example:
        >>> answer_a(findings.claims[0])[:4]                     # doctest: +SKIP
        'Yes:'
    """
    men, women = claim.men, claim.women
    observed = (
        f"Silencing was {interval(claim.men_share)} of the replies to men's testimonies "
        f"({plural(men.answered, 'answered testimony', 'answered testimonies')}, "
        f"{plural(men.replies, 'reply', 'replies')}) and {interval(claim.women_share)} for women's "
        f"({plural(women.answered, 'answered testimony', 'answered testimonies')}, "
        f"{plural(women.replies, 'reply', 'replies')})"
    )
    if not claim.enough_data:
        return (f"Not enough data: {men.answered} men's and {women.answered} women's testimonies got labelled "
                f"replies from others; each group needs at least {MIN_TESTIMONIES}. " + observed + ".")
    verdict = _verdict(claim.direction, "Yes: men's testimonies met more silencing than women's.",
                       "No, the reverse: women's testimonies met more silencing than men's.")
    return f"{verdict} {observed}; difference {interval(claim.difference, 'points')}."


def answer_b(claim: DerailTimingClaim) -> str:
    """The answer to claim b in words.

    Example:
        >>> answer_b(findings.claims[1])[:30]                    # doctest: +SKIP
        'The first derailing post came '
    """
    onset = claim.onset
    onset_hours = onset.hours_after_first_testimony
    if claim.first_derail_hours is None:
        timing = "No derailing post came after a dated testimony."
    else:
        timing = f"The first derailing post came {duration(claim.first_derail_hours)} after the first testimony"
        timing += (f"; the backlash onset (hostile share above {share_of(onset.threshold)}) {duration(onset_hours)} "
                   "after it." if onset_hours is not None else
                   f"; the hostile share never passed {share_of(onset.threshold)} in a bin of at least "
                   f"{onset.min_posts} posts.")
        if claim.thread_delay.value is not None:
            timing += (f" Within threads, the first derail came a median {interval(claim.thread_delay, 'hours')} "
                       f"after the thread's first testimony ({plural(claim.thread_delay.n, 'thread')}).")
    share_text = (f"{interval(claim.false_equivalence)} of derails used male victimhood as a counter "
                  f"(false_equivalence; {plural(claim.derails, 'derail')} in "
                  f"{plural(claim.derail_threads, 'thread')})." if claim.derails else "No post was labelled derailing.")
    if not claim.enough_data:
        return (f"Not enough data: {plural(claim.derails, 'derailing post')} (at least {MIN_DERAILS} needed). "
                f"{timing} Observed so far: {share_text}")
    return f"{timing} {share_text}"


def answer_c(claim: AccountabilityClaim) -> str:
    """The answer to claim c in words.

    Example:
        >>> answer_c(findings.claims[2])[:3]                     # doctest: +SKIP
        '23%'
    """
    first = (f"{interval(claim.not_all_men)} of derails were 'not all men' ({plural(claim.derails, 'derail')} in "
             f"{plural(claim.derail_threads, 'thread')})" if claim.derails else "No post was labelled derailing")
    if not claim.enough_frames:
        first = (f"Not enough data on frames: {plural(claim.derails, 'derail')} (at least {MIN_DERAILS} needed); "
                 f"observed: {first[0].lower()}{first[1:]}")
    per_with, per_without = claim.per_thread_with_derail.value, claim.per_thread_without_derail.value
    observed = (f"accountability was {interval(claim.share_with_derail)} of the other posts in "
                f"{plural(claim.threads_with_derail, 'thread')} with a derail ({per_with or 0:.1f} per thread) and "
                f"{interval(claim.share_without_derail)} in {plural(claim.threads_without_derail, 'thread')} "
                f"without ({per_without or 0:.1f} per thread)")
    if not claim.enough_comparison:
        second = f"Not enough data to compare threads (at least {MIN_THREADS} on each side needed): {observed}."
    else:
        # The difference is "with minus without": above zero means more accountability next to derails.
        verdict = _verdict(claim.direction, "No: threads with a derail held more accountability, not less.",
                           "Yes: threads with a derail held fewer accountability posts.")
        second = f"{verdict} In threads, {observed}; difference {interval(claim.difference, 'points')}."
    return f"{first}. {second}"


def measure_label(measure: Measure, claim: Claim) -> str:
    """What ``measure`` is, in words.

    Example:
        >>> measure_label(findings.claims[1].measures[2], findings.claims[1])   # doctest: +SKIP
        'hours from the first testimony to the backlash onset (hostile share > 20%)'
    """
    label = MEASURE_LABELS[measure.key]
    if isinstance(claim, DerailTimingClaim):
        label = label.replace("{threshold}", share_of(claim.onset.threshold))
    return label


def claim_text(claim: Claim) -> ClaimText:
    """Claim, question, answer and labelled measures for one measured claim.

    Example:
        >>> claim_text(findings.claims[0]).question             # doctest: +SKIP
        "Are men's testimonies met with more silencing than women's?"
    """
    if isinstance(claim, SilencingClaim):
        answer = answer_a(claim)
    elif isinstance(claim, DerailTimingClaim):
        answer = answer_b(claim)
    elif isinstance(claim, AccountabilityClaim):
        answer = answer_c(claim)
    else:
        raise TypeError(f"expected a claim of heard.threads.claims, found {type(claim).__name__}")
    measures = tuple(MeasureText(m.key, measure_label(m, claim), m.unit, m.estimate, m.enough_data)
                     for m in claim.measures)
    return ClaimText(claim.key, CLAIMS[claim.key], QUESTIONS[claim.key], answer, claim, measures)


def claim_texts(claims: Sequence[Claim]) -> tuple[ClaimText, ...]:
    """:func:`claim_text` for each claim, in order.

    Example:
        >>> [c.key for c in claim_texts(findings.claims)]        # doctest: +SKIP
        ['a', 'b', 'c']
    """
    return tuple(claim_text(c) for c in claims)
