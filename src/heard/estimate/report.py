"""What the report says about classifier error: hand-coded posts, model-vs-coder agreement,
and corrected intervals for the act shares and for every share and difference of the
three claims (:mod:`heard.estimate.claims`).

The reception-by-discloser table, the timeline and the frame table are the
model's own figures, and the report says so beside them.

Example:
    >>> correction = correct(store, findings)                     # doctest: +SKIP
    >>> correction.to_dict()["includes_classifier_error"]          # doctest: +SKIP
    True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from heard.estimate.claims import CorrectedClaim, correct_claims
from heard.estimate.corrected import MIN_CODED, Estimates, estimates_from, load_truth
from heard.intervals import Interval
from heard.store import Store
from heard.threads.analysis import Findings


@dataclass(frozen=True)
class Correction:
    """Everything the report states about classifier error."""

    estimates: Estimates
    coders: int
    act_macro_f1: Interval | None
    act_alpha: Interval | None
    claims: tuple[CorrectedClaim, ...]

    @property
    def n_coded(self) -> int:
        """Hand-coded posts used."""
        return self.estimates.n_coded

    @property
    def includes_classifier_error(self) -> bool:
        """Whether the act shares' intervals include classifier error."""
        return self.estimates.includes_classifier_error

    def to_dict(self) -> dict[str, Any]:
        """The ``classifier_error`` part of the report's numbers."""
        return {
            "n_coded": self.n_coded,
            "coders": self.coders,
            "includes_classifier_error": self.includes_classifier_error,
            "coder_vs_model_act_macro_f1": self.act_macro_f1.to_dict(3) if self.act_macro_f1 else None,
            "coders_act_alpha": self.act_alpha.to_dict(3) if self.act_alpha else None,
            "shares": self.estimates.to_dict(),
            "claims": {c.key: c.to_dict() for c in self.claims},
            "notes": self.estimates.notes,
        }


def correct(store: Store, findings: Findings) -> Correction:
    """The report's classifier-error section for ``findings`` (same store and model)."""
    from heard.coding.agreement import agreement

    truth = load_truth(store, findings.model)
    estimates = estimates_from(truth)
    if truth.n_coded == 0:
        return Correction(estimates, 0, None, None, ())
    agreed = agreement(store, findings.model)
    alpha = agreed.alpha["act"]
    return Correction(estimates, len(agreed.coders), agreed.vs_model["act"].macro_f1,
                      alpha if alpha.value is not None else None, correct_claims(truth, findings))


__all__ = ["MIN_CODED", "Correction", "correct"]
