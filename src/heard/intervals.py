"""Intervals: every 95% interval heard reports, and the bootstraps behind them.

Two resampling schemes, one :class:`Interval` and one percentile rule:
:func:`unit_draws` resamples independent units (classifier evaluation: posts
with gold labels); the rest resamples **clusters** for the report's shares,
medians and differences.

Posts in one thread, or replies to one testimony, are not independent, so
heard resamples **clusters** (testimonies, threads) with replacement, never
single replies: a share such as "silencing replies / all replies" is
recomputed from the resampled clusters' totals (a ratio estimator), and the
interval is the 2.5th to 97.5th percentile of :data:`DRAWS` resamples
(percentile bootstrap). A difference between two groups resamples each group
on its own and takes the percentiles of the differences.

A share of counts is never given a narrower interval than Wilson's score interval of the
same counts (:func:`wilson`), and a difference never narrower than the one its two
intervals imply (MOVER): a percentile bootstrap over a handful of clusters cannot show
uncertainty it never resamples.

The random generator is seeded, so the same store gives the same report.
Work is done in chunks of resample weights (at most :data:`CHUNK_CELLS`
cells), so memory stays small with a hundred thousand clusters.

Example:
    >>> rows = np.array([[1, 4], [0, 4], [2, 4], [1, 4]])   # silencing, replies
    >>> est = share(rows, 0, 1, seed=1)
    >>> est.value, est.n, est.low <= 0.25 <= est.high
    (0.25, 4, True)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

DRAWS = 1000
"""Bootstrap resamples per interval."""

LEVEL = 0.95
"""Coverage of every interval heard reports."""

SEED = 20171015
"""Base seed (the day #MeToo went viral); each statistic adds its own offset."""

CHUNK_CELLS = 4_000_000
"""Largest resample-weight matrix (draws x clusters) held at once."""


@dataclass(frozen=True)
class Interval:
    """A point estimate with its bootstrap 95% interval.

    Attributes:
        value: the estimate from the data as observed (``None`` when undefined,
            e.g. a share with no replies to count).
        low: lower end of the 95% interval (``None`` when undefined).
        high: upper end of the 95% interval.
        n: how many clusters (testimonies, threads, posts) it rests on.
    """

    value: float | None
    low: float | None
    high: float | None
    n: int

    def to_dict(self, digits: int | None = None) -> dict[str, float | int | None]:
        """JSON-ready form; ``digits`` rounds the three numbers.

        Example:
            >>> Interval(0.123456, 0.1, 0.15, 40).to_dict(digits=3)
            {'value': 0.123, 'low': 0.1, 'high': 0.15, 'n': 40}
        """
        def out(x: float | None) -> float | None:
            return x if x is None or digits is None else round(x, digits)

        return {"value": out(self.value), "low": out(self.low), "high": out(self.high), "n": self.n}


EMPTY = Interval(None, None, None, 0)


def unit_draws(statistic: Callable[[np.ndarray], float], n: int, *, seed: int = 0, draws: int = DRAWS) -> np.ndarray:
    """``statistic(indices)`` over ``draws`` resamples of ``n`` independent units
    (indices drawn with replacement; generator ``default_rng(seed)``).

    Example:
        >>> values = np.array([0.0, 1.0, 1.0, 1.0])
        >>> draws = unit_draws(lambda idx: float(values[idx].mean()), 4, draws=200)
        >>> est = interval_from(0.75, draws, 4)
        >>> est.low <= 0.75 <= est.high
        True
    """
    rng = np.random.default_rng(seed)
    return np.array([statistic(rng.integers(0, n, n)) for _ in range(draws)], dtype=np.float64)


def _weights(clusters: int, draws: int, rng: np.random.Generator) -> Iterator[np.ndarray]:
    """Yield resample-count matrices (chunk x clusters) that add up to ``draws`` rows."""
    per_chunk = max(1, min(draws, CHUNK_CELLS // max(clusters, 1)))
    done = 0
    while done < draws:
        rows = min(per_chunk, draws - done)
        picks = rng.integers(0, clusters, size=(rows, clusters), dtype=np.int64)
        picks += (np.arange(rows, dtype=np.int64) * clusters)[:, None]
        counts = np.bincount(picks.ravel(), minlength=rows * clusters).reshape(rows, clusters)
        done += rows
        yield counts.astype(np.float64)


def resampled_totals(rows: np.ndarray, *, seed: int, draws: int = DRAWS) -> np.ndarray:
    """Column totals of ``draws`` cluster resamples of ``rows``.

    Clusters with identical rows (many testimonies get the same few reply
    counts) are pooled first: drawing ``m`` clusters uniformly is the same as
    drawing how many of each distinct row from a multinomial with their
    frequencies, which costs ``draws x distinct`` instead of ``draws x m``.

    Args:
        rows: one row per cluster, one column per quantity (counts, indicators).
        seed: offset added to :data:`SEED`.
        draws: number of resamples.

    Returns:
        Array of shape ``(draws, columns)``.

    Example:
        >>> resampled_totals(np.ones((3, 2)), seed=0, draws=4).tolist()
        [[3.0, 3.0], [3.0, 3.0], [3.0, 3.0], [3.0, 3.0]]
    """
    rows = np.asarray(rows, dtype=np.float64)
    if rows.ndim == 1:
        rows = rows[:, None]
    m = rows.shape[0]
    if m == 0:
        return np.zeros((draws, rows.shape[1]))
    rng = np.random.default_rng(SEED + seed)
    distinct, freq = np.unique(rows, axis=0, return_counts=True)
    if distinct.shape[0] * 4 > m:
        return np.concatenate([w @ rows for w in _weights(m, draws, rng)], axis=0)
    chunk = max(1, CHUNK_CELLS // distinct.shape[0])
    parts = []
    for start in range(0, draws, chunk):
        counts = rng.multinomial(m, freq / m, size=min(chunk, draws - start))
        parts.append(counts.astype(np.float64) @ distinct)
    return np.concatenate(parts, axis=0)


def _percentiles(samples: np.ndarray) -> tuple[float | None, float | None]:
    samples = samples[np.isfinite(samples)]
    if samples.size == 0:
        return None, None
    tail = (1 - LEVEL) / 2 * 100
    low, high = np.percentile(samples, [tail, 100 - tail])
    return float(low), float(high)


def share_draws(totals: np.ndarray, num: int, den: int) -> np.ndarray:
    """Resampled ratios ``totals[:, num] / totals[:, den]`` (NaN where the denominator is 0)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return totals[:, num] / np.where(totals[:, den] > 0, totals[:, den], np.nan)


def interval_from(value: float | None, draws: np.ndarray, n: int) -> Interval:
    """An :class:`Interval` from a point estimate and its resampled values."""
    if value is None or not np.isfinite(value):
        return Interval(None, None, None, n)
    low, high = _percentiles(draws)
    return Interval(float(value), low, high, n)


def share(rows: np.ndarray, num: int, den: int, *, seed: int, totals: np.ndarray | None = None,
          proportion: bool = True) -> Interval:
    """Ratio of two column totals with a cluster-bootstrap interval.

    Args:
        rows: one row per cluster.
        num: column counted in the numerator.
        den: column counted in the denominator.
        seed: offset added to :data:`SEED` (ignored when ``totals`` is given).
        totals: resampled totals of ``rows`` already drawn, to share one resample.
        proportion: the numerator counts some of the units the denominator counts (a
            share), so the interval is never narrower than Wilson's; ``False`` for a rate
            such as posts per thread, which can exceed 1 and gets the bootstrap alone.

    Returns:
        The share, with ``n`` = number of clusters.

    Example:
        >>> share(np.array([[1, 2], [1, 2]]), 0, 1, seed=0).value
        0.5
    """
    rows = np.asarray(rows, dtype=np.float64)
    if rows.ndim == 1:
        rows = rows[:, None]
    den_total = rows[:, den].sum() if rows.shape[0] else 0.0
    if den_total <= 0:
        return Interval(None, None, None, int(rows.shape[0]))
    if totals is None:
        totals = resampled_totals(rows, seed=seed)
    num_total = rows[:, num].sum()
    est = interval_from(num_total / den_total, share_draws(totals, num, den), int(rows.shape[0]))
    counted = (proportion and bool(np.all(rows[:, [num, den]] == np.round(rows[:, [num, den]])))
               and bool(np.all((rows[:, num] >= 0) & (rows[:, num] <= rows[:, den]))))
    if not counted or est.low is None or est.high is None:
        return est
    # The percentile bootstrap cannot show uncertainty it never resamples (one derail, all of one
    # kind, gives 100-100%) and undercovers small counts: never report less than Wilson's interval.
    low, high = wilson(int(num_total), int(den_total))
    return Interval(est.value, min(est.low, low), max(est.high, high), est.n)


def wilson(successes: int, n: int) -> tuple[float, float]:
    """Wilson score 95% interval of a proportion ``successes / n`` of independent units.

    Example:
        >>> [round(x, 3) for x in wilson(1, 1)]
        [0.207, 1.0]
        >>> [round(x, 3) for x in wilson(0, 10)]
        [0.0, 0.278]
    """
    if n <= 0:
        raise ValueError("wilson needs n > 0")
    z = 1.959963984540054
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, float(centre - half)), min(1.0, float(centre + half))


def median_draws(values: np.ndarray, *, seed: int, draws: int = DRAWS) -> np.ndarray:
    """Medians of ``draws`` bootstrap resamples of ``values`` (empty input gives NaN).

    Drawn exactly without building the resamples: a resample's median is the
    ``r``-th smallest of ``m`` uniform picks into the sorted values, and the
    ``r``-th smallest of ``m`` uniforms is Beta(r, m - r + 1) distributed (the
    next one sits a Beta(1, m - r) fraction of the way to 1). This is the
    same distribution as resampling, at a cost independent of ``m``.

    Example:
        >>> median_draws(np.array([5.0]), seed=0, draws=3).tolist()
        [5.0, 5.0, 5.0]
    """
    values = np.sort(np.asarray(values, dtype=np.float64))
    m = values.size
    if m == 0:
        return np.full(draws, np.nan)
    rng = np.random.default_rng(SEED + seed)

    def pick(u: np.ndarray) -> np.ndarray:
        return values[np.minimum((u * m).astype(np.int64), m - 1)]

    if m % 2 == 1:
        r = (m + 1) // 2
        return pick(rng.beta(r, m - r + 1, size=draws))
    r = m // 2
    lower = rng.beta(r, m - r + 1, size=draws)
    upper = lower + (1 - lower) * rng.beta(1, m - r, size=draws)
    midpoints: np.ndarray = (pick(lower) + pick(upper)) / 2
    return midpoints


def median(values: np.ndarray, *, seed: int) -> tuple[Interval, np.ndarray]:
    """Median with a bootstrap interval, and the resampled medians (for differences).

    Example:
        >>> est, _ = median(np.array([1.0, 2.0, 3.0]), seed=0)
        >>> est.value, est.n
        (2.0, 3)
    """
    values = np.asarray(values, dtype=np.float64)
    values = values[np.isfinite(values)]
    draws = median_draws(values, seed=seed)
    if values.size == 0:
        return Interval(None, None, None, 0), draws
    if values.size == 1:
        # Resampling one value always gives it back: no interval rather than a zero-width one.
        return Interval(float(values[0]), None, None, 1), draws
    return interval_from(float(np.median(values)), draws, int(values.size)), draws


def difference(a: Interval, a_draws: np.ndarray, b: Interval, b_draws: np.ndarray) -> Interval:
    """``a - b`` with the interval of independently resampled differences; ``n`` = a.n + b.n.

    The interval is never narrower than the one the two groups' own intervals imply
    (MOVER, Zou and Donner 2008: ``d - sqrt((a - a.low)^2 + (b.high - b)^2)`` to
    ``d + sqrt((a.high - a)^2 + (b - b.low)^2)``; with Wilson intervals, Newcombe's): a
    bootstrap of two single-thread groups never varies, but their shares are uncertain.

    Example:
        >>> x = Interval(0.5, 0.4, 0.6, 10); y = Interval(0.2, 0.1, 0.3, 10)
        >>> d = difference(x, np.full(5, 0.5), y, np.full(5, 0.2))
        >>> d.value, round(d.low, 3), round(d.high, 3)
        (0.3, 0.159, 0.441)
    """
    if a.value is None or b.value is None:
        return Interval(None, None, None, a.n + b.n)
    est = interval_from(round(a.value - b.value, 12), a_draws - b_draws, a.n + b.n)
    if None in (est.low, est.high, a.low, a.high, b.low, b.high):
        return est
    assert est.value is not None and est.low is not None and est.high is not None
    assert a.low is not None and a.high is not None and b.low is not None and b.high is not None
    low = est.value - float(np.hypot(a.value - a.low, b.high - b.value))
    high = est.value + float(np.hypot(a.high - a.value, b.value - b.low))
    return Interval(est.value, min(est.low, low), max(est.high, high), est.n)
