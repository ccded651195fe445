"""The report's words on classifier error: how many posts were hand-coded, how well the model
agreed with the coders, and which intervals include its errors (numbers from
:mod:`heard.estimate.report`).

Example:
    >>> trust_text(None).corrected
    False
"""

from __future__ import annotations

from dataclasses import dataclass

from heard.estimate.claims import CorrectedClaim
from heard.estimate.ppi import ShareEstimate
from heard.estimate.report import Correction
from heard.report.claims import MEASURE_LABELS
from heard.report.wording import percent


@dataclass(frozen=True)
class TrustRow:
    """One share as the report shows it: the model's figure and the estimate it states."""

    name: str
    model: str
    estimate: str
    interval: str
    includes: str


@dataclass(frozen=True)
class ClaimRow:
    """One share of a claim, corrected: the model's figure and the estimate with its interval."""

    claim: str
    measure: str
    model: str
    estimate: str
    interval: str
    coded: str
    includes: str


@dataclass(frozen=True)
class TrustText:
    """Sentences and rows for the report's "How far to trust these figures" part."""

    corrected: bool
    summary: str
    agreement: str
    claims: tuple[str, ...]
    rows: tuple[TrustRow, ...]
    claim_rows: tuple[ClaimRow, ...]
    scope: str

    @property
    def n_line(self) -> str:
        """One line for the top of the page."""
        return self.summary.split(". ")[0] + "; see “How far to trust these figures”." if self.corrected else self.summary


def _interval(e: ShareEstimate) -> str:
    return f"{percent(e.low)} to {percent(e.high)}"


def _includes(e: ShareEstimate) -> str:
    return "yes: includes classifier error" if e.includes_classifier_error else "no: sampling error only"


def trust_text(correction: Correction | None) -> TrustText:
    """The words for ``correction`` (``None`` or no codes: the plain warning and the way to fix it)."""
    if correction is None or correction.n_coded == 0:
        return TrustText(
            False,
            "No post of this corpus has been hand-coded, so every interval in this report covers sampling "
            "error only: each takes the classifier's labels to be right, and they are not always right "
            "(see docs/model.md). To get intervals that include the classifier's errors, draw a sample with "
            "`heard sample`, code it (`heard code`, or `heard code import`), and make the report again.",
            "", (), (), (), "")
    est = correction.estimates
    f1 = correction.act_macro_f1
    agreement = ""
    if f1 is not None and f1.value is not None:
        agreement = (f"On the hand-coded posts the model's act agrees with the coders at macro-F1 {f1.value:.2f} "
                     f"(95% interval {f1.low:.2f} to {f1.high:.2f}, n = {f1.n:,} codes).")
    if correction.act_alpha is not None and correction.act_alpha.value is not None:
        a = correction.act_alpha
        agreement += (f" The coders agree with each other at Krippendorff's alpha {a.value:.2f} on the act "
                      f"({a.low:.2f} to {a.high:.2f}, {a.n:,} posts coded twice or more).")
    rows = tuple(TrustRow(name, percent(e.model_share), percent(e.estimate), _interval(e), _includes(e))
                 for name, e in est.acts.items())
    claim_rows = tuple(ClaimRow(c.key, MEASURE_LABELS[key], percent(e.model_share), percent(e.estimate), _interval(e),
                                f"{e.n_coded:,}" if e.includes_classifier_error else "n/a", _includes(e))
                       for c in correction.claims for key, e in c.shares.items())
    summary = (f"{correction.n_coded:,} posts were hand-coded by {correction.coders} coder(s). The act shares below "
               "are prediction-powered estimates (PPI++): the model's figure on every post, corrected by how "
               "often it was wrong on the coded ones, so their 95% intervals include the classifier's errors. "
               + " ".join(est.notes))
    scope = ("The other intervals in this report (reception by discloser, the frame table, the timeline, the "
             "timing of claim b) still cover sampling error only and take the labels to be right.")
    return TrustText(True, summary.strip(), agreement, tuple(claim_sentence(c) for c in correction.claims), rows,
                     claim_rows, scope)


def _difference(claim: CorrectedClaim) -> str:
    if claim.difference is None:
        return ""
    _, (d, low, high) = claim.difference
    return f"; the difference is {d * 100:+.1f} points ({low * 100:+.1f} to {high * 100:+.1f})"


def claim_sentence(claim: CorrectedClaim) -> str:
    """One claim's corrected figures in a sentence, ending with what is still the model's call.

    Example:
        >>> claim_sentence(correction.claims[0])[:28]                # doctest: +SKIP
        'Claim a, corrected: silencing'
    """
    s = claim.shares

    def part(key: str) -> str:
        e = s[key]
        if not e.includes_classifier_error:
            return f"{percent(e.estimate)} ({_interval(e)}; the model's own figure, sampling error only)"
        return f"{percent(e.estimate)} ({_interval(e)}; {e.n_coded:,} hand-coded; {_includes(e)})"

    if claim.key == "a":
        body = (f"silencing is {part('men_silencing_share')} of replies to men's testimonies and "
                f"{part('women_silencing_share')} of replies to women's")
    elif claim.key == "b":
        body = (f"{part('false_equivalence_share')} of derails used male victimhood as a counter, and "
                f"{part('centres_men_share')} centred men")
    else:
        body = (f"'not all men' framed {part('not_all_men_share')} of derails; accountability was "
                f"{part('accountability_share_with_derail')} of the other posts in threads with a derail and "
                f"{part('accountability_share_without_derail')} in threads without")
    note = claim.note
    if not claim.includes_classifier_error:
        note += (" A figure that is the model's own had fewer than 10 coded posts where it is measured, or codes "
                 "without the field it needs (frame, centres).")
    return f"Claim {claim.key}, corrected: {body}{_difference(claim)}. {note}"
