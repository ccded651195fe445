"""Agreement figures: per-class precision/recall/F1, macro-F1 with a bootstrap
interval, confusion matrices.

Example:
    >>> import numpy as np
    >>> round(macro_f1(np.array([0, 1, 1]), np.array([0, 1, 0]), 2), 3)
    0.667
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from heard.intervals import Interval, interval_from, unit_draws


def confusion(y_true: np.ndarray, y_pred: np.ndarray, k: int) -> np.ndarray:
    """(k, k) counts: rows are gold classes, columns predictions."""
    out = np.zeros((k, k), dtype=np.int64)
    np.add.at(out, (y_true, y_pred), 1)
    return out


def per_class(y_true: np.ndarray, y_pred: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Precision, recall, F1 and support per class (0 where undefined)."""
    cm = confusion(y_true, y_pred, k)
    tp = np.diag(cm).astype(np.float64)
    predicted = cm.sum(0).astype(np.float64)
    support = cm.sum(1).astype(np.float64)
    precision = np.divide(tp, predicted, out=np.zeros(k), where=predicted > 0)
    recall = np.divide(tp, support, out=np.zeros(k), where=support > 0)
    denom = precision + recall
    f1 = np.divide(2 * precision * recall, denom, out=np.zeros(k), where=denom > 0)
    return precision, recall, f1, support.astype(np.int64)


def macro_f1(y_true: np.ndarray, y_pred: np.ndarray, k: int, classes: Sequence[int] | None = None) -> float:
    """Mean F1 over ``classes`` (default: the classes present in gold or predictions)."""
    _, _, f1, support = per_class(y_true, y_pred, k)
    if classes is None:
        predicted = np.bincount(y_pred, minlength=k)
        classes = [c for c in range(k) if support[c] > 0 or predicted[c] > 0]
    return float(np.mean([f1[c] for c in classes])) if len(classes) else 0.0


def bootstrap_macro_f1(
    y_true: np.ndarray, y_pred: np.ndarray, k: int, classes: Sequence[int], *, samples: int = 1000, seed: int = 0
) -> Interval:
    """Macro-F1 over ``classes`` with a percentile bootstrap 95% interval (resampling units)."""
    draws = unit_draws(lambda idx: macro_f1(y_true[idx], y_pred[idx], k, classes), len(y_true), seed=seed, draws=samples)
    return interval_from(macro_f1(y_true, y_pred, k, classes), draws, len(y_true))
