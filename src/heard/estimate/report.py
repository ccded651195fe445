"""What the report says about classifier error: hand-coded posts, model-vs-coder agreement,
and corrected intervals for the act shares and for claim a.

Claim a's shares (silencing among replies by others to men's and to women's
testimonies) are corrected with the codes that fall among those replies: the
model's share keeps its cluster-bootstrap standard error (replies to one
testimony are not independent) and the codes add the rectifier's
(:func:`heard.estimate.ppi.ppi_share` with ``model_se``). Which testimonies are
men's or women's is still the model's call. Claims b and c and the other
reception figures are the model's own, and the report says so beside each.

Example:
    >>> correction = correct(store, findings)                     # doctest: +SKIP
    >>> correction.to_dict()["includes_classifier_error"]          # doctest: +SKIP
    True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from heard.estimate.corrected import MIN_CODED, Estimates, Truth, estimates_from, load_truth, share_estimate
from heard.estimate.ppi import ShareEstimate, ppi_difference
from heard.intervals import Interval
from heard.records import DISCLOSERS
from heard.store import Store
from heard.threads.analysis import Findings
from heard.threads.corpus import ACT
from heard.threads.reception import GroupReception

Z95 = 1.959963984540054


@dataclass(frozen=True)
class ClaimCorrection:
    """Claim a, corrected where codes allow: silencing among replies to men's and women's testimonies."""

    men: ShareEstimate
    women: ShareEstimate
    difference: tuple[float, float, float]

    @property
    def includes_classifier_error(self) -> bool:
        """Whether both shares (and so the difference) include classifier error."""
        return self.men.includes_classifier_error and self.women.includes_classifier_error

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {"men_silencing_share": self.men.to_dict(), "women_silencing_share": self.women.to_dict(),
                "difference": {"estimate": round(self.difference[0], 4), "low": round(self.difference[1], 4),
                               "high": round(self.difference[2], 4)},
                "includes_classifier_error": self.includes_classifier_error}


@dataclass(frozen=True)
class Correction:
    """Everything the report states about classifier error."""

    estimates: Estimates
    coders: int
    act_macro_f1: Interval | None
    act_alpha: Interval | None
    claim_a: ClaimCorrection | None

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
            "claim_a": self.claim_a.to_dict() if self.claim_a else None,
            "notes": self.estimates.notes,
        }


def _se(interval: Interval) -> float | None:
    if interval.low is None or interval.high is None:
        return None
    return (interval.high - interval.low) / (2 * Z95)


def _replies_to(findings: Findings, group: str) -> np.ndarray:
    """Positions of labelled direct replies by others to testimonies of discloser ``group``."""
    c = findings.corpus
    n = c.posts
    parent = c.forest.parent[:n]
    ok = (parent >= 0) & (parent < n) & (c.act[:n] >= 0)
    to = np.where(ok, parent, 0)
    group_code = DISCLOSERS.index(group)
    discloser = np.where(c.discloser[to] >= 0, c.discloser[to], DISCLOSERS.index("unstated"))
    own = (c.author[:n] >= 0) & (c.author[:n] == c.author[to])
    return np.flatnonzero(ok & (c.act[to] == ACT["testimony"]) & (discloser == group_code) & ~own)


def _group_share(truth: Truth, findings: Findings, group: GroupReception, position: dict[str, int]) -> ShareEstimate:
    ids = findings.corpus.node_id(_replies_to(findings, group.discloser)).to_pylist()
    subset = np.zeros(len(truth.ids), dtype=bool)
    subset[[position[i] for i in ids if i in position]] = True
    est = share_estimate(truth, "act", "silencing", subset, model_se=_se(group.silencing))
    if est.method == "model_only" and group.silencing.value is not None:
        # Keep the report's own (cluster-bootstrap) interval for the model-only figure.
        low = group.silencing.low if group.silencing.low is not None else est.low
        high = group.silencing.high if group.silencing.high is not None else est.high
        return ShareEstimate(group.silencing.value, group.silencing.value, low, high, _se(group.silencing) or est.se,
                             "model_only", est.n_coded, 0.0, None)
    return est


def correct(store: Store, findings: Findings) -> Correction:
    """The report's classifier-error section for ``findings`` (same store and model)."""
    from heard.coding.agreement import agreement

    truth = load_truth(store, findings.model)
    estimates = estimates_from(truth)
    if truth.n_coded == 0:
        return Correction(estimates, 0, None, None, None)
    agreed = agreement(store, findings.model)
    position = {post_id: i for i, post_id in enumerate(truth.ids)}
    groups = {g.discloser: g for g in findings.groups}
    claim_a = None
    if "man" in groups and "woman" in groups:
        men = _group_share(truth, findings, groups["man"], position)
        women = _group_share(truth, findings, groups["woman"], position)
        claim_a = ClaimCorrection(men, women, ppi_difference(men, women))
    alpha = agreed.alpha["act"]
    return Correction(estimates, len(agreed.coders), agreed.vs_model["act"].macro_f1,
                      alpha if alpha.value is not None else None, claim_a)


__all__ = ["MIN_CODED", "ClaimCorrection", "Correction", "correct"]
