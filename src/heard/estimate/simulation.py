"""Proof by simulation: a synthetic corpus with known truth and a deliberately
biased classifier, and how often each kind of 95% interval covers the truth.

Each repetition draws a fresh corpus of ``posts`` posts, a true class with
probability ``share``, and a classifier that finds only ``recall`` of the true
posts and flags ``false_positive_rate`` of the others (so the model's share is
biased), then hand-codes ``coded`` posts: a simple random sample, or (``stratified``)
a draw stratified by the model's label that oversamples the flagged posts and is
weighted back by inclusion probabilities. The target is the corpus's own true
share. :func:`simulate_ratio` does the same for a share *among* some posts (the
share of derails using one frame), where the classifier errs on both which posts
derail and how. Used by ``tests/test_estimate.py`` and ``benchmarks/bench_ppi.py``.

Example:
    >>> result = simulate(repetitions=20, seed=3)
    >>> result.ppi_coverage > result.naive_coverage
    True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from heard.coding.sample import draw
from heard.estimate.ppi import model_only_ratio, model_only_share, ppi_ratio, ppi_share


@dataclass(frozen=True)
class SimulationResult:
    """Coverages (share of repetitions whose interval held the truth) and mean interval widths."""

    repetitions: int
    ppi_coverage: float
    ppi_width: float
    naive_coverage: float
    naive_width: float
    codes_only_coverage: float
    codes_only_width: float
    mean_bias_model: float


def simulate(*, repetitions: int = 200, posts: int = 5000, coded: int = 300, share: float = 0.2, recall: float = 0.6,
             false_positive_rate: float = 0.2, stratified: bool = False, seed: int = 0) -> SimulationResult:
    """Run the simulation; see the module docstring.

    Example:
        >>> simulate(repetitions=5, seed=1).repetitions
        5
    """
    rng = np.random.default_rng(seed)
    hits = {"ppi": 0, "naive": 0, "codes": 0}
    widths: dict[str, list[float]] = {"ppi": [], "naive": [], "codes": []}
    bias = []
    ids = [f"p{i:06d}" for i in range(posts)]
    position = {p: i for i, p in enumerate(ids)}
    for rep in range(repetitions):
        truth = rng.random(posts) < share
        model = np.where(truth, rng.random(posts) < recall, rng.random(posts) < false_positive_rate).astype(np.float64)
        target = float(truth.mean())
        strata = ["flagged" if m else "not" for m in model] if stratified else ["all"] * posts
        draws = draw(ids, strata, coded, seed=seed * 100_003 + rep)
        idx = np.array([position[d.post_id] for d in draws])
        weights = np.array([1.0 / d.inclusion for d in draws])
        y = truth[idx].astype(np.float64)
        results = {
            "ppi": ppi_share(model, idx, y, weights),
            "naive": model_only_share(model),
            "codes": ppi_share(np.zeros(posts), idx, y, weights, tune=False),  # λ·0: the codes alone
        }
        for name, est in results.items():
            hits[name] += est.low <= target <= est.high
            widths[name].append(est.high - est.low)
        bias.append(float(model.mean()) - target)
    return SimulationResult(
        repetitions, hits["ppi"] / repetitions, float(np.mean(widths["ppi"])), hits["naive"] / repetitions,
        float(np.mean(widths["naive"])), hits["codes"] / repetitions, float(np.mean(widths["codes"])), float(np.mean(bias)),
    )


def simulate_ratio(*, repetitions: int = 200, posts: int = 5000, coded: int = 300, base: float = 0.12,
                   share: float = 0.4, recall: float = 0.6, false_positive_rate: float = 0.04,
                   frame_recall: float = 0.5, frame_false_rate: float = 0.5, seed: int = 0) -> SimulationResult:
    """Coverage of a share among some posts (``share`` of the ``base`` posts; think "not all men"
    among derails): the classifier finds ``recall`` of the base posts and flags
    ``false_positive_rate`` of the rest, keeps the true frame of ``frame_recall`` of the framed
    posts it finds and gives the frame to ``frame_false_rate`` of the other posts it flags.
    The target is the corpus's own true share among its true base posts.

    Example:
        >>> result = simulate_ratio(repetitions=20, seed=3)
        >>> result.ppi_coverage > result.naive_coverage
        True
    """
    rng = np.random.default_rng(seed)
    hits = {"ppi": 0, "naive": 0, "codes": 0}
    widths: dict[str, list[float]] = {"ppi": [], "naive": [], "codes": []}
    bias = []
    for _ in range(repetitions):
        den = rng.random(posts) < base
        num = den & (rng.random(posts) < share)
        model_den = np.where(den, rng.random(posts) < recall, rng.random(posts) < false_positive_rate)
        model_num = model_den & np.where(num, rng.random(posts) < frame_recall, rng.random(posts) < frame_false_rate)
        target = float(num.sum() / max(den.sum(), 1))
        idx = np.sort(rng.choice(posts, size=coded, replace=False))
        results = {
            "ppi": ppi_ratio(model_num, model_den, idx, num[idx], den[idx]),
            "naive": model_only_ratio(model_num, model_den),
            "codes": ppi_ratio(np.zeros(posts), np.zeros(posts), idx, num[idx], den[idx], tune=False),
        }
        for name, est in results.items():
            hits[name] += est.low <= target <= est.high
            widths[name].append(est.high - est.low)
        bias.append(results["naive"].estimate - target)
    return SimulationResult(
        repetitions, hits["ppi"] / repetitions, float(np.mean(widths["ppi"])), hits["naive"] / repetitions,
        float(np.mean(widths["naive"])), hits["codes"] / repetitions, float(np.mean(widths["codes"])), float(np.mean(bias)),
    )
