"""The three claims corrected for classifier error: every share and difference they
state, re-estimated with the hand codes.

* **a** — silencing among the replies by others to men's and to women's
  testimonies, and the difference. Which replies are in each group (whose
  testimony a reply answers) is the model's call; whether each reply
  silences is corrected (:func:`heard.estimate.corrected.share_estimate` on
  the group's posts).
* **b** — the share of derails framed ``false_equivalence`` and the share
  that centre men: ratio estimates (:func:`heard.estimate.ppi.ppi_ratio`),
  so both which posts derail and how they are framed are corrected. The
  timing figures (hours to the first derail, the backlash onset) are the
  model's own.
* **c** — the share of derails framed ``not_all_men`` (a ratio, as in b),
  and accountability among the other posts of threads with and without a
  derail, with the difference. Which threads hold a derail is the model's
  call; whether each post is accountability is corrected.

Each model-side standard error is the report's own cluster bootstrap
(replies to one testimony, posts of one thread, are not independent); the
codes add the rectifier's. With fewer than :data:`MIN_CODED` coded posts
where a figure is measured, or codes that never record a frame (for a frame
share) or whom derails centre (for ``centres_men``), the figure stays the
model's, with the report's interval, and says so (``method: model_only``).

Example:
    >>> corrected = correct_claims(truth, findings)              # doctest: +SKIP
    >>> corrected[1].shares["false_equivalence_share"].method     # doctest: +SKIP
    'ppi'
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from heard.estimate.corrected import MIN_CODED, Truth, share_estimate
from heard.estimate.ppi import Z95, ShareEstimate, ppi_difference, ppi_ratio
from heard.intervals import Interval
from heard.records import DISCLOSERS, FRAMES
from heard.threads.analysis import Findings
from heard.threads.corpus import ACT

NOTES: dict[str, str] = {
    "a": "Whose testimony a reply answers, and whether that is a man or a woman, is still the model's call.",
    "b": "The timing figures (hours to the first derail, the backlash onset) are the model's own.",
    "c": "Which threads hold a derail is still the model's call.",
}
"""What each claim's correction leaves to the model, by claim key."""


@dataclass(frozen=True)
class CorrectedClaim:
    """One claim's shares and difference, corrected where the codes allow.

    Attributes:
        key: ``a``, ``b`` or ``c``.
        shares: corrected estimates by measure key (the keys of
            :data:`heard.report.claims.MEASURE_LABELS`).
        difference: ``(measure key, (estimate, low, high))`` of the claim's difference, if it has one.
        note: what the correction leaves to the model.
    """

    key: str
    shares: dict[str, ShareEstimate]
    difference: tuple[str, tuple[float, float, float]] | None
    note: str

    @property
    def includes_classifier_error(self) -> bool:
        """Whether every share (and so the difference) includes classifier error."""
        return all(s.includes_classifier_error for s in self.shares.values())

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (an entry of the report's ``classifier_error.claims``).

        Example:
            >>> CorrectedClaim("b", {}, None, "").to_dict()["difference"] is None
            True
        """
        diff = None
        if self.difference is not None:
            key, (d, low, high) = self.difference
            diff = {"key": key, "estimate": round(d, 4), "low": round(low, 4), "high": round(high, 4)}
        return {"key": self.key, "shares": {k: v.to_dict() for k, v in self.shares.items()}, "difference": diff,
                "includes_classifier_error": self.includes_classifier_error, "note": self.note}


def _se(interval: Interval) -> float | None:
    if interval.low is None or interval.high is None:
        return None
    return (interval.high - interval.low) / (2 * Z95)


def _report_figure(interval: Interval, fallback: ShareEstimate) -> ShareEstimate:
    """The model-only figure with the report's own (cluster-bootstrap) interval."""
    if interval.value is None:
        return fallback
    low = interval.low if interval.low is not None else fallback.low
    high = interval.high if interval.high is not None else fallback.high
    return ShareEstimate(interval.value, interval.value, low, high, _se(interval) or fallback.se, "model_only",
                         fallback.n_coded, 0.0, None)


@dataclass(frozen=True)
class _Aligned:
    """The corpus's posts (by position) mapped onto the truth's positions."""

    truth: Truth
    findings: Findings
    at: np.ndarray  # truth position of each corpus post, -1 when the model did not label it

    @classmethod
    def of(cls, truth: Truth, findings: Findings) -> _Aligned:
        c = findings.corpus
        found = pc.index_in(c.ids.cast(pa.string()), value_set=truth.ids.cast(pa.string()))
        at = found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
        return cls(truth, findings, at[: c.posts])

    def subset(self, positions: np.ndarray) -> np.ndarray:
        """A mask over the truth's posts from corpus positions."""
        mask = np.zeros(len(self.truth.ids), dtype=bool)
        at = self.at[positions]
        mask[at[at >= 0]] = True
        return mask

    def share(self, cls: str, positions: np.ndarray, interval: Interval) -> ShareEstimate:
        """Corrected share of act ``cls`` among the corpus posts at ``positions``."""
        est = share_estimate(self.truth, "act", cls, self.subset(positions), model_se=_se(interval))
        return _report_figure(interval, est) if est.method == "model_only" else est

    def frame_share(self, frame: str, interval: Interval) -> ShareEstimate:
        """Corrected share of derails using ``frame`` (or, for ``centres_men``, centring men);
        its ``n_coded`` counts the coded posts that the coders or the model call derailing."""
        c, t = self.findings.corpus, self.truth
        labelled = self.at >= 0
        derail = np.zeros(len(t.ids), dtype=bool)
        framed = np.zeros(len(t.ids), dtype=bool)
        is_derail = c.act[: c.posts] == ACT["derailing"]
        derail[self.at[labelled & is_derail]] = True
        if frame == "centres_men":
            hit = is_derail & c.centres_men[: c.posts]
        else:
            hit = is_derail & (c.frame[: c.posts] == FRAMES.index(frame))
        framed[self.at[labelled & hit]] = True
        coded = t.coded["act"]
        den_truth = t.truth["act"]["derailing"]
        num_truth = t.derail[frame]
        naive = ShareEstimate(0.0, 0.0, 0.0, 0.0, 0.0, "model_only", 0, 0.0, None)
        # The coded posts that bear on a share of derails: those the coders or the model call derailing.
        bearing = int(((den_truth > 0) | derail[coded]).sum())
        # Codes that never record a frame (or whom a derail centres) cannot correct that part: a
        # missing frame there means "not coded", not "no frame".
        recorded = t.derail["with_centres" if frame == "centres_men" else "with_frame"]
        if bearing < MIN_CODED or not recorded.any():
            return _report_figure(interval, naive)
        est = ppi_ratio(framed.astype(np.float64), derail.astype(np.float64), coded, num_truth, den_truth,
                        t.weights["act"], model_se=_se(interval))
        return replace(est, n_coded=bearing) if est.method == "ppi" else est


def _replies_to(findings: Findings, group: str) -> np.ndarray:
    """Positions of labelled direct replies by others to testimonies of discloser ``group``."""
    c = findings.corpus
    n = c.posts
    parent = c.forest.parent[:n]
    ok = (parent >= 0) & (parent < n) & (c.act[:n] >= 0)
    to = np.where(ok, parent, 0)
    discloser = np.where(c.discloser[to] >= 0, c.discloser[to], DISCLOSERS.index("unstated"))
    own = (c.author[:n] >= 0) & (c.author[:n] == c.author[to])
    return np.flatnonzero(ok & (c.act[to] == ACT["testimony"]) & (discloser == DISCLOSERS.index(group)) & ~own)


def _non_derailing_in_threads(findings: Findings, with_derail: bool) -> np.ndarray:
    """Positions of the labelled non-derailing posts in threads (of at least two labelled
    posts) with, or without, a derail: the posts of claim c's comparison."""
    c = findings.corpus
    n = c.posts
    root = c.forest.root[:n]
    labelled = c.act[:n] >= 0
    posts = np.bincount(root[labelled], minlength=c.forest.size)
    derails = np.bincount(root, weights=c.act[:n] == ACT["derailing"], minlength=c.forest.size) > 0
    keep = labelled & (posts[root] >= 2) & (derails[root] == with_derail) & (c.act[:n] != ACT["derailing"])
    return np.flatnonzero(keep)


def _difference(key: str, a: ShareEstimate, b: ShareEstimate) -> tuple[str, tuple[float, float, float]]:
    return key, ppi_difference(a, b)


def correct_claims(truth: Truth, findings: Findings) -> tuple[CorrectedClaim, ...]:
    """Claims a, b and c of ``findings`` corrected with ``truth``'s codes (see the module docs).

    Claim a is left out when no reply answers a man's, or no reply a woman's, testimony.

    Example:
        >>> [c.key for c in correct_claims(truth, findings)]     # doctest: +SKIP
        ['a', 'b', 'c']
    """
    aligned = _Aligned.of(truth, findings)
    _, claim_b, claim_c = findings.claims
    out: list[CorrectedClaim] = []
    groups = {g.discloser: g for g in findings.groups}
    if all(g in groups and groups[g].silencing.value is not None for g in ("man", "woman")):
        men = aligned.share("silencing", _replies_to(findings, "man"), groups["man"].silencing)
        women = aligned.share("silencing", _replies_to(findings, "woman"), groups["woman"].silencing)
        out.append(CorrectedClaim("a", {"men_silencing_share": men, "women_silencing_share": women},
                                  _difference("difference_silencing_share", men, women), NOTES["a"]))
    out.append(CorrectedClaim("b", {
        "false_equivalence_share": aligned.frame_share("false_equivalence", claim_b.measure("false_equivalence_share").estimate),
        "centres_men_share": aligned.frame_share("centres_men", claim_b.measure("centres_men_share").estimate),
    }, None, NOTES["b"]))
    with_derail = aligned.share("accountability", _non_derailing_in_threads(findings, True),
                                claim_c.measure("accountability_share_with_derail").estimate)
    without = aligned.share("accountability", _non_derailing_in_threads(findings, False),
                            claim_c.measure("accountability_share_without_derail").estimate)
    out.append(CorrectedClaim("c", {
        "not_all_men_share": aligned.frame_share("not_all_men", claim_c.measure("not_all_men_share").estimate),
        "accountability_share_with_derail": with_derail,
        "accountability_share_without_derail": without,
    }, _difference("difference_accountability_share", with_derail, without), NOTES["c"]))
    return tuple(out)


__all__ = ["NOTES", "CorrectedClaim", "correct_claims"]
