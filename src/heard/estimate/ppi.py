"""Prediction-powered inference (PPI++) for a share: the model's figure on every
post, corrected by the hand codes of a probability sample.

For one class (say ``silencing``) let ``f`` be the model's indicator on each of
the ``N`` posts and ``y`` the coders' indicator on the ``n`` coded ones (a
fraction when coders disagree), each coded post weighted by ``w = 1 / π``, the
inverse of its inclusion probability. The estimate is

    θ = λ · mean_N(f) + Σ w (y − λ f) / Σ w

which is unbiased for any fixed ``λ`` however biased the classifier is: the
second term measures, on the coded sample, what the model gets wrong. Its
variance has both parts, ``λ² var(f) / N`` from the model's share and the
weighted (Hájek, linearised) variance of ``y − λ f`` on the sample; the 95%
interval is ``θ ± 1.96 · se``, clipped to [0, 1]. ``λ`` is PPI++'s power
tuning (Angelopoulos, Duchi and Zrnic 2024), the value that minimises that
variance, clipped to [0, 1]: ``λ = 0`` ignores the model (the classical
estimate from the codes alone), ``λ = 1`` is plain PPI (Angelopoulos et al.,
Science 2023). A good model earns a large ``λ`` and a narrow interval; a bad
one a small ``λ`` and the codes' own interval.

Example:
    >>> import numpy as np
    >>> model = np.array([1, 1, 0, 0] * 250, dtype=float)   # the model says 50%
    >>> coded = np.arange(0, 1000, 5)                        # a 20% sample
    >>> truth = model[coded] * (np.arange(200) % 5 != 0)     # it over-calls: truth 40%
    >>> est = ppi_share(model, coded, truth)
    >>> round(est.estimate, 2), est.low < 0.4 < est.high
    (0.4, True)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

Z95 = 1.959963984540054
"""Normal quantile of a two-sided 95% interval."""


@dataclass(frozen=True)
class ShareEstimate:
    """One share: the model's figure, the estimate, its 95% interval and how it was made.

    Attributes:
        model_share: share of all posts the model gives the class.
        estimate: the corrected share (the model's share when ``method`` is ``model_only``).
        low: lower end of the 95% interval.
        high: upper end.
        se: standard error of ``estimate``.
        method: ``"ppi"`` (includes classifier error) or ``"model_only"``
            (sampling error only: the classifier is taken to be right).
        n_coded: coded posts it rests on.
        n_effective: how many coded posts a codes-only estimate would need for
            the same precision (``estimate·(1−estimate)/se²``); ``0`` without codes.
        lam: the power-tuning weight on the model (``None`` for ``model_only``).
    """

    model_share: float
    estimate: float
    low: float
    high: float
    se: float
    method: str
    n_coded: int
    n_effective: float
    lam: float | None

    @property
    def includes_classifier_error(self) -> bool:
        """Whether the interval accounts for the classifier's mistakes."""
        return self.method == "ppi"

    def to_dict(self, digits: int = 4) -> dict[str, float | str | int | None]:
        """JSON-ready form (``model_share, estimate, low, high, method`` and the rest).

        Example:
            >>> ShareEstimate(0.5, 0.4, 0.3, 0.5, 0.05, "ppi", 100, 96.0, 0.5).to_dict()["method"]
            'ppi'
        """
        return {
            "model_share": round(self.model_share, digits),
            "estimate": round(self.estimate, digits),
            "low": round(self.low, digits),
            "high": round(self.high, digits),
            "method": self.method,
            "se": round(self.se, digits),
            "n_coded": self.n_coded,
            "n_effective": round(self.n_effective, 1),
        }


def _clip(x: float) -> float:
    return float(min(1.0, max(0.0, x)))


def model_only_share(model: np.ndarray) -> ShareEstimate:
    """The model's share with a sampling-only (binomial) 95% interval: the naive figure.

    The interval treats the model's labels as the truth, so it ignores every
    classifier error.

    Example:
        >>> round(model_only_share(np.array([1.0, 0.0, 0.0, 0.0])).estimate, 2)
        0.25
        >>> model_only_share(np.zeros(10)).high   # none of 10 posts: up to 3 in 10, not 0
        0.3
    """
    f = np.asarray(model, dtype=np.float64)
    n = f.size
    if n == 0:
        return ShareEstimate(0.0, 0.0, 0.0, 0.0, 0.0, "model_only", 0, 0.0, None)
    p = float(f.mean())
    se = float(np.sqrt(max(p * (1 - p), 0.0) / n))
    low, high = _rule_of_three(p, _clip(p - Z95 * se), _clip(p + Z95 * se), n)
    return ShareEstimate(p, p, low, high, se, "model_only", 0, 0.0, None)


def _rule_of_three(p: float, low: float, high: float, n: float) -> tuple[float, float]:
    """A share of exactly 0 or 1 has a binomial standard error of 0; as in :func:`ppi_share`,
    the rule of three keeps its interval from claiming certainty: 0 of n posts may still be 3/n."""
    if p == 0.0:
        high = max(high, min(1.0, 3.0 / n))
    if p == 1.0:
        low = min(low, max(0.0, 1 - 3.0 / n))
    return low, high


def ppi_share(model: np.ndarray, coded: np.ndarray, truth: np.ndarray, weights: np.ndarray | None = None,
              *, tune: bool = True, pseudo: bool = True, model_se: float | None = None) -> ShareEstimate:
    """Prediction-powered estimate of a share.

    Args:
        model: the model's value for the class on every post (0/1, or a probability), length ``N``.
        coded: positions (into ``model``) of the coded posts, length ``n``.
        truth: the coders' value on those posts (0/1, or the share of coders), length ``n``.
        weights: inverse inclusion probabilities of the coded posts (default: equal, a simple
            random sample).
        tune: power-tune ``λ`` (PPI++); ``False`` uses ``λ = 1`` (plain PPI).
        pseudo: add the two pseudo-posts to the variance (see the code); ``False`` gives the textbook variance.
        model_se: standard error of the model's share when posts are not independent (the report's
            cluster bootstrap over testimonies or threads); default ``sqrt(var(f) / N)``.

    Returns:
        The estimate; with fewer than two coded posts, the model-only figure.

    Example:
        >>> est = ppi_share(np.zeros(100), np.arange(10), np.zeros(10))
        >>> est.estimate, est.method
        (0.0, 'ppi')
    """
    f = np.asarray(model, dtype=np.float64)
    idx = np.asarray(coded, dtype=np.int64)
    y = np.asarray(truth, dtype=np.float64)
    if idx.shape != y.shape:
        raise ValueError(f"expected one truth value per coded post, found {y.size} for {idx.size}")
    n_all, n = f.size, idx.size
    if n < 2 or n_all == 0:
        return model_only_share(f)
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=np.float64)
    w = w / w.sum()
    fs = f[idx]
    mean_f_all = float(f.mean())
    var_f_all = float(f.var())
    model_var = var_f_all / n_all if model_se is None else model_se * model_se
    # Weighted (Hájek) moments on the sample; the variance of a weighted mean of
    # z is sum(w^2 (z - zbar)^2) (linearisation, sampling with replacement).
    y_bar, f_bar = float(w @ y), float(w @ fs)

    s_ff, s_yf, s_yy = _moments(w, y, fs)
    lam = 1.0
    if tune:
        denom = model_var + s_ff
        lam = _clip(s_yf / denom) if denom > 0 else 0.0
    estimate = lam * mean_f_all + (y_bar - lam * f_bar)
    if pseudo:
        # The variance gets two pseudo-posts of average weight, one the model missed
        # (y=1, f=0) and one it flagged wrongly (y=0, f=1), in the spirit of Agresti and
        # Coull: with a rare class, a sample that happens to hold no error would otherwise
        # claim a near-zero variance and an interval that rarely covers.
        s_ff, s_yf, s_yy = _moments(np.append(w, [1.0 / n, 1.0 / n]), np.append(y, [1.0, 0.0]), np.append(fs, [0.0, 1.0]))
    variance = lam * lam * model_var + (s_yy - 2 * lam * s_yf + lam * lam * s_ff)
    se = float(np.sqrt(max(variance, 0.0)))
    point = _clip(estimate)
    n_eff = point * (1 - point) / (se * se) if se > 0 else float(n)
    low, high = _clip(estimate - Z95 * se), _clip(estimate + Z95 * se)
    # The rule of three: a class no coded post has may still be up to 3/n of the corpus
    # (and one every coded post has may be down to 1 - 3/n).
    if not y.any():
        high = max(high, min(1.0, 3.0 / n))
    if (y >= 1).all():
        low = min(low, max(0.0, 1 - 3.0 / n))
    return ShareEstimate(mean_f_all, point, low, high, se, "ppi", n, float(n_eff), lam)


def _moments(w: np.ndarray, y: np.ndarray, f: np.ndarray) -> tuple[float, float, float]:
    """Weighted (Hájek, linearised) variance of the means of ``f`` and ``y`` and their covariance."""
    w = w / w.sum()
    dy, df = y - float(w @ y), f - float(w @ f)
    return float(w**2 @ (df * df)), float(w**2 @ (dy * df)), float(w**2 @ (dy * dy))


def model_only_ratio(model_num: np.ndarray, model_den: np.ndarray, model_se: float | None = None) -> ShareEstimate:
    """The model's share of ``num`` among ``den`` posts with a sampling-only interval (binomial
    on the ``den`` posts, or ``± 1.96 model_se``): the naive figure.

    Example:
        >>> round(model_only_ratio(np.array([1.0, 0, 0, 0]), np.array([1.0, 1, 0, 0])).estimate, 2)
        0.5
        >>> model_only_ratio(np.zeros(4), np.ones(4)).high   # none of 4 derails: up to 3 in 4
        0.75
    """
    fa, fb = np.asarray(model_num, dtype=np.float64), np.asarray(model_den, dtype=np.float64)
    total = float(fb.sum())
    if total <= 0:
        return ShareEstimate(0.0, 0.0, 0.0, 0.0, 0.0, "model_only", 0, 0.0, None)
    p = float(fa.sum()) / total
    se = float(np.sqrt(max(p * (1 - p), 0.0) / total)) if model_se is None else model_se
    low, high = _rule_of_three(p, _clip(p - Z95 * se), _clip(p + Z95 * se), total)
    return ShareEstimate(p, p, low, high, se, "model_only", 0, 0.0, None)


def ppi_ratio(model_num: np.ndarray, model_den: np.ndarray, coded: np.ndarray, truth_num: np.ndarray,
              truth_den: np.ndarray, weights: np.ndarray | None = None, *, tune: bool = True,
              model_se: float | None = None) -> ShareEstimate:
    """Prediction-powered estimate of a share *among* some posts: ``E[num] / E[den]``, say the
    share of derails framed ``not_all_men``, where both which posts derail and how they are
    framed are the model's calls on every post and the coders' on the coded ones.

    Numerator and denominator are each estimated as in :func:`ppi_share` with one ``λ`` and the
    ratio ``R = A / B`` gets the linearised (delta-method) variance: that of the PPI mean of
    ``num − R·den``, divided by ``B²``. ``λ`` is power-tuned on that linearised variable. As in
    :func:`ppi_share`, two pseudo-posts (one ``num`` post the model missed, one it invented)
    keep a sample without errors from claiming a near-zero variance.

    Args:
        model_num: the model's value of ``num`` on every post (for a frame share: 1 if the model
            says derailing with that frame), length ``N``.
        model_den: the model's value of ``den`` on every post (1 if the model says derailing).
        coded: positions of the coded posts.
        truth_num: the coders' value of ``num`` on those posts (a fraction when coders disagree).
        truth_den: the coders' value of ``den`` on them.
        weights: inverse inclusion probabilities of the coded posts (default: equal).
        tune: power-tune ``λ``; ``False`` uses ``λ = 1``.
        model_se: standard error of the model's own ratio when posts are clustered (the report's
            bootstrap over threads); default from the posts taken as independent.

    Returns:
        The estimate (``model_share``: the model's own ratio); the model-only figure when fewer
        than two posts were coded or no post, coded or not, is in ``den``.

    Example:
        >>> rng = np.random.default_rng(0)
        >>> den = rng.random(4000) < 0.2                  # 20% derail
        >>> num = den & (rng.random(4000) < 0.5)          # half of them "not all men"
        >>> model_num = num & (rng.random(4000) < 0.5)    # the model finds half the frames
        >>> coded = np.arange(0, 4000, 10)
        >>> est = ppi_ratio(model_num, den, coded, num[coded], den[coded])
        >>> round(est.model_share, 2), est.low < 0.5 < est.high
        (0.24, True)
    """
    fa, fb = np.asarray(model_num, dtype=np.float64), np.asarray(model_den, dtype=np.float64)
    idx = np.asarray(coded, dtype=np.int64)
    ya, yb = np.asarray(truth_num, dtype=np.float64), np.asarray(truth_den, dtype=np.float64)
    if not (idx.shape == ya.shape == yb.shape):
        raise ValueError(f"expected one truth value per coded post, found {ya.size} and {yb.size} for {idx.size}")
    naive = model_only_ratio(fa, fb, model_se)
    n, n_all = idx.size, fa.size
    if n < 2 or n_all == 0:
        return naive
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=np.float64)
    w = w / w.sum()
    mean_a, mean_b = float(fa.mean()), float(fb.mean())

    def parts(lam: float) -> tuple[float, float]:
        return lam * mean_a + float(w @ (ya - lam * fa[idx])), lam * mean_b + float(w @ (yb - lam * fb[idx]))

    def linearised(ratio: float) -> tuple[np.ndarray, np.ndarray, float]:
        g_all = fa - ratio * fb
        model_var = float(g_all.var()) / n_all if model_se is None else (model_se * mean_b) ** 2
        return ya - ratio * yb, g_all[idx], model_var

    a, b = parts(1.0)
    if b <= 0:
        return naive
    lam = 1.0
    if tune:
        gy, gf, model_var = linearised(a / b)
        s_ff, s_yf, _ = _moments(w, gy, gf)
        denom = model_var + s_ff
        lam = _clip(s_yf / denom) if denom > 0 else 0.0
        a, b = parts(lam)
        if b <= 0:
            return naive
    ratio = _clip(a / b)
    gy, gf, model_var = linearised(ratio)
    # Pseudo-posts: a num post the model missed (g_y = 1 − R, g_f = 0) and one it invented (0, 1 − R).
    s_ff, s_yf, s_yy = _moments(np.append(w, [1.0 / n, 1.0 / n]), np.append(gy, [1 - ratio, 0.0]),
                                np.append(gf, [0.0, 1 - ratio]))
    variance = (lam * lam * model_var + s_yy - 2 * lam * s_yf + lam * lam * s_ff) / (b * b)
    se = float(np.sqrt(max(variance, 0.0)))
    n_eff = ratio * (1 - ratio) / (se * se) if se > 0 else float(n)
    return ShareEstimate(naive.model_share, ratio, _clip(ratio - Z95 * se), _clip(ratio + Z95 * se), se, "ppi", n,
                         float(n_eff), lam)


def ppi_difference(a: ShareEstimate, b: ShareEstimate) -> tuple[float, float, float]:
    """``a − b`` for two estimates from disjoint groups of posts, with a 95% interval (independent errors).

    Example:
        >>> x = ShareEstimate(0.5, 0.5, 0.4, 0.6, 0.05, "ppi", 50, 100.0, 1.0)
        >>> y = ShareEstimate(0.2, 0.2, 0.1, 0.3, 0.05, "ppi", 50, 64.0, 1.0)
        >>> [round(v, 3) for v in ppi_difference(x, y)]
        [0.3, 0.161, 0.439]
    """
    d = a.estimate - b.estimate
    se = float(np.hypot(a.se, b.se))
    return d, d - Z95 * se, d + Z95 * se
