"""Linear heads: class-weighted softmax regression trained with numpy, plus
temperature scaling for calibrated probabilities.

Example:
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 5)).astype(np.float32); y = (X[:, 0] > 0).astype(int)
    >>> head = fit_head(X, y, ("no", "yes"))
    >>> float((head.predict_proba(X).argmax(1) == y).mean()) > 0.9
    True
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class LinearHead:
    """``softmax((X @ weight + bias) / temperature)`` over ``classes``."""

    classes: tuple[str, ...]
    weight: np.ndarray  # (features, classes)
    bias: np.ndarray  # (classes,)
    temperature: float = 1.0

    def logits(self, X: np.ndarray) -> np.ndarray:
        """Uncalibrated scores, shape (n, len(classes)).

        ``einsum`` rather than ``@``: BLAS picks its kernel and splits the sums by the
        matrix's size and its thread count, so a row's score moved in the 7th digit
        with the other rows and between a 2-thread process and a 1-thread Dask
        worker (enough, once in a few thousand posts, to change the 4th decimal of a
        score). numpy's own loop sums each row the same way every time.
        """
        out: np.ndarray = np.einsum("ij,jk->ik", X, self.weight) + self.bias
        return out

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Calibrated class probabilities, shape (n, len(classes))."""
        return softmax(self.logits(X) / self.temperature)


def softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax of a (n, k) array (shifted by each row's maximum, so it never overflows).

    Example:
        >>> softmax(np.array([[0.0, 0.0], [1000.0, 0.0]])).round(3).tolist()
        [[0.5, 0.5], [1.0, 0.0]]
    """
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    out: np.ndarray = e / e.sum(axis=1, keepdims=True)
    return out


def class_weights(y: np.ndarray, n_classes: int, sample_weight: np.ndarray | None = None) -> np.ndarray:
    """Per-sample factors that give every present class the same total weight
    (counting each sample by ``sample_weight`` when given)."""
    base = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    counts = np.bincount(y, weights=base, minlength=n_classes)
    present = counts > 0
    per_class = np.zeros(n_classes)
    per_class[present] = base.sum() / (present.sum() * counts[present])
    out: np.ndarray = per_class[y]
    return out


def fit_head(
    X: np.ndarray,
    y: np.ndarray,
    classes: tuple[str, ...],
    *,
    l2: float = 1e-3,
    iterations: int = 400,
    learning_rate: float = 0.05,
    balanced: bool = True,
    seed: int = 0,
    sample_weight: np.ndarray | None = None,
) -> LinearHead:
    """Fit a softmax regression by full-batch Adam on the weighted cross-entropy.

    Args:
        X: features (n, d), float32.
        y: class indices (n,).
        classes: class names; ``len(classes)`` columns are learned.
        l2: L2 penalty on the weights (not the bias).
        balanced: weight samples so each class counts equally.
        sample_weight: per-row weight (n,), e.g. lower for weakly labelled rows;
            None weighs every row 1.
    """
    n, d = X.shape
    k = len(classes)
    rng = np.random.default_rng(seed)
    W = rng.normal(scale=0.01, size=(d, k))
    b = np.zeros(k)
    sw = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64).copy()
    if balanced:
        sw *= class_weights(y, k, sw)
    sw = sw / sw.sum()
    onehot = np.eye(k)[y]
    # The two big products run in float32 (half the time of float64, same fit);
    # the optimiser state stays float64.
    X32 = np.ascontiguousarray(X, dtype=np.float32)
    mW, vW, mb, vb = np.zeros_like(W), np.zeros_like(W), np.zeros_like(b), np.zeros_like(b)
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    for step in range(1, iterations + 1):
        p = softmax((X32 @ W.astype(np.float32)).astype(np.float64) + b)
        g = (p - onehot) * sw[:, None]
        gW = (X32.T @ g.astype(np.float32)).astype(np.float64) + l2 * W
        gb = g.sum(axis=0)
        mW = beta1 * mW + (1 - beta1) * gW
        vW = beta2 * vW + (1 - beta2) * gW**2
        mb = beta1 * mb + (1 - beta1) * gb
        vb = beta2 * vb + (1 - beta2) * gb**2
        lr = learning_rate * np.sqrt(1 - beta2**step) / (1 - beta1**step)
        W -= lr * mW / (np.sqrt(vW) + eps)
        b -= lr * mb / (np.sqrt(vb) + eps)
    return LinearHead(classes, W.astype(np.float32), b.astype(np.float32), 1.0)


def fit_temperature(logits: np.ndarray, y: np.ndarray) -> float:
    """The temperature that minimises the negative log-likelihood of held-out logits."""
    best_t, best_nll = 1.0, np.inf
    for t in np.exp(np.linspace(np.log(0.2), np.log(5.0), 61)):
        p = softmax(logits / t)
        nll = -np.mean(np.log(p[np.arange(len(y)), y] + 1e-12))
        if nll < best_nll:
            best_t, best_nll = float(t), nll
    return best_t


def fit_calibration(logits: np.ndarray, y: np.ndarray, iterations: int = 500, learning_rate: float = 0.05) -> tuple[float, np.ndarray]:
    """A temperature and a per-class offset that minimise the negative log-likelihood
    of held-out logits: ``softmax(logits / t + offset)`` (bias-corrected temperature
    scaling). The offset corrects the prior where the training mixture's class shares
    differ from the calibration rows'.

    Example:
        >>> z = np.array([[4.0, 0.0], [4.0, 0.0], [0.0, 4.0], [4.0, 0.0]])
        >>> t, offset = fit_calibration(z, np.array([0, 1, 1, 0]))
        >>> t > 1.0                      # one confident mistake in four: soften
        True
    """
    n, k = logits.shape
    onehot = np.eye(k)[y]
    log_t, offset = 0.0, np.zeros(k)
    m_t = v_t = 0.0
    m_b, v_b = np.zeros(k), np.zeros(k)
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    for step in range(1, iterations + 1):
        t = float(np.exp(log_t))
        g = (softmax(logits / t + offset) - onehot) / n
        g_t = float((g * (-logits / t)).sum())
        g_b = g.sum(axis=0)
        m_t = beta1 * m_t + (1 - beta1) * g_t
        v_t = beta2 * v_t + (1 - beta2) * g_t**2
        m_b = beta1 * m_b + (1 - beta1) * g_b
        v_b = beta2 * v_b + (1 - beta2) * g_b**2
        lr = learning_rate * np.sqrt(1 - beta2**step) / (1 - beta1**step)
        log_t = float(np.clip(log_t - lr * m_t / (np.sqrt(v_t) + eps), np.log(0.05), np.log(20.0)))
        offset -= lr * m_b / (np.sqrt(v_b) + eps)
    return float(np.exp(log_t)), offset - offset.mean()


def expected_calibration_error(proba: np.ndarray, y: np.ndarray, bins: int = 10) -> float:
    """ECE of the top-class confidence, in equal-width bins."""
    confidence = proba.max(axis=1)
    correct = (proba.argmax(axis=1) == y).astype(np.float64)
    edges = np.linspace(0.0, 1.0, bins + 1)
    ece = 0.0
    for lo, hi in itertools.pairwise(edges):
        mask = (confidence > lo) & (confidence <= hi)
        if mask.any():
            ece += mask.mean() * abs(correct[mask].mean() - confidence[mask].mean())
    return float(ece)
