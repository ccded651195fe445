"""The report's words on classifier error: how many posts were hand-coded, how well the model
agreed with the coders, and which intervals include its errors (numbers from
:mod:`heard.estimate.report`).

Example:
    >>> trust_text(None).corrected
    False
"""

from __future__ import annotations

from dataclasses import dataclass

from heard.estimate.ppi import ShareEstimate
from heard.estimate.report import Correction
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
class TrustText:
    """Sentences and rows for the report's "How far to trust these figures" part."""

    corrected: bool
    summary: str
    agreement: str
    claim_a: str
    rows: tuple[TrustRow, ...]
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
            "", "", (), "")
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
    claim = ""
    if correction.claim_a is not None:
        c = correction.claim_a
        d, low, high = c.difference
        claim = (f"Claim a, corrected: silencing is {percent(c.men.estimate)} of replies to men's testimonies "
                 f"({_interval(c.men)}, {c.men.n_coded:,} of them hand-coded; {_includes(c.men)}) and "
                 f"{percent(c.women.estimate)} of replies to women's ({_interval(c.women)}, {c.women.n_coded:,} "
                 f"hand-coded; {_includes(c.women)}); the difference is {d * 100:+.1f} points "
                 f"({low * 100:+.1f} to {high * 100:+.1f}). Whose testimony a reply answers is still the model's call.")
    summary = (f"{correction.n_coded:,} posts were hand-coded by {correction.coders} coder(s). The act shares below "
               "are prediction-powered estimates (PPI++): the model's figure on every post, corrected by how "
               "often it was wrong on the coded ones, so their 95% intervals include the classifier's errors. "
               + " ".join(est.notes))
    scope = ("The other intervals in this report (reception by discloser, claims b and c, frames, the timeline) "
             "still cover sampling error only and take the labels to be right.")
    return TrustText(True, summary.strip(), agreement, claim, rows, scope)
