"""Agreement: between coders (Krippendorff's α per field, bootstrap 95% intervals)
and between the coders and the model (per-class precision, recall, F1, confusion).

α is nominal, computed with the ``krippendorff`` package over the posts that at
least two coders coded; its interval resamples posts (:func:`heard.intervals.unit_draws`).
Coder-vs-model figures compare every (post, coder) code with the model's post
label, so a post coded twice counts twice.

Example:
    >>> from heard.coding.agreement import agreement       # doctest: +SKIP
    >>> agreement(store).to_dict()["model"]["act"]["macro_f1"]["value"]   # doctest: +SKIP
    0.41
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from heard.classify.metrics import bootstrap_macro_f1, confusion, per_class
from heard.estimate.corrected import pick_model, positions_of
from heard.intervals import Interval, interval_from, unit_draws
from heard.records import ACTS, DISCLOSERS, FRAMES, STANCES, VOICES
from heard.store import Store
from heard.store import codes as code_store

ALPHA_FIELDS: dict[str, tuple[str, ...]] = {
    "act": ACTS, "stance": STANCES, "abusive": ("false", "true"), "voice": VOICES, "frame": FRAMES, "discloser": DISCLOSERS,
}
"""Fields with an α, and their values."""

MODEL_FIELDS: dict[str, tuple[str, ...]] = {"act": ACTS, "stance": STANCES}
"""Fields compared with the model's post labels."""

ALPHA_DRAWS = 500
"""Bootstrap resamples of an α interval."""


@dataclass(frozen=True)
class ModelAgreement:
    """Coders against the model on one field."""

    classes: tuple[str, ...]
    n: int
    macro_f1: Interval
    precision: list[float]
    recall: list[float]
    f1: list[float]
    support: list[int]
    confusion: list[list[int]]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: per class figures and the confusion matrix (rows: coders, columns: model)."""
        return {
            "n": self.n,
            "macro_f1": self.macro_f1.to_dict(3),
            "per_class": {c: {"precision": round(self.precision[i], 3), "recall": round(self.recall[i], 3),
                              "f1": round(self.f1[i], 3), "support": self.support[i]} for i, c in enumerate(self.classes)},
            "confusion": {"rows": "coders", "columns": "model", "classes": list(self.classes), "counts": self.confusion},
        }


@dataclass(frozen=True)
class Agreement:
    """The whole agreement report of a store."""

    model: str
    coders: dict[str, int]
    posts_coded: int
    alpha: dict[str, Interval]
    vs_model: dict[str, ModelAgreement]

    def to_dict(self) -> dict[str, Any]:
        """The ``heard agreement --json`` object."""
        return {
            "model": self.model,
            "coders": self.coders,
            "posts_coded": self.posts_coded,
            "alpha": {k: v.to_dict(3) for k, v in self.alpha.items()},
            "coder_vs_model": {k: v.to_dict() for k, v in self.vs_model.items()},
        }


def _value(code: code_store.Code, name: str) -> str | None:
    value = getattr(code, name)
    if isinstance(value, bool):
        return "true" if value else "false"
    return None if value is None else str(value)


def krippendorff_alpha(matrix: np.ndarray, *, seed: int = 0, draws: int = ALPHA_DRAWS) -> Interval:
    """Nominal α of a coders x posts matrix of value codes (NaN: not coded) with a bootstrap
    interval over posts; ``n`` = posts with at least two codes.

    Example:
        >>> m = np.array([[0, 1, 0, 1, 0, 1.0], [0, 1, 0, 1, 0, 1.0]])
        >>> krippendorff_alpha(m, draws=20).value
        1.0
    """
    import krippendorff

    pairable = (~np.isnan(matrix)).sum(axis=0) >= 2
    data = matrix[:, pairable]
    n = int(data.shape[1])
    if n < 2 or np.unique(data[~np.isnan(data)]).size < 2:
        return Interval(None, None, None, n)

    def alpha(idx: np.ndarray) -> float:
        sub = data[:, idx]
        if np.unique(sub[~np.isnan(sub)]).size < 2:
            return float("nan")
        return float(krippendorff.alpha(reliability_data=sub, level_of_measurement="nominal"))

    return interval_from(alpha(np.arange(n)), unit_draws(alpha, n, seed=seed, draws=draws), n)


def agreement(store: Store, model: str | None = None) -> Agreement:
    """Inter-coder α per field and coder-vs-model figures for the store's codes.

    Raises:
        StoreError: the store has no post labels.
    """
    model = pick_model(store, model)
    codes = code_store.all_codes(store)
    names = sorted({c.coder for c in codes})
    posts = sorted({c.post_id for c in codes})
    row = {n: i for i, n in enumerate(names)}
    col = {p: j for j, p in enumerate(posts)}
    alpha = {}
    for k, (name, values) in enumerate(ALPHA_FIELDS.items()):
        matrix = np.full((len(names), len(posts)), np.nan)
        index = {v: i for i, v in enumerate(values)}
        for c in codes:
            v = _value(c, name)
            if v is not None:
                matrix[row[c.coder], col[c.post_id]] = index[v]
        alpha[name] = krippendorff_alpha(matrix, seed=k)
    ids, act, stance = code_store.predicted(store, model)
    at = positions_of(ids, posts)
    labels = {"act": {p: str(act[i]) for p, i in at.items()}, "stance": {p: str(stance[i]) for p, i in at.items()}}
    vs_model = {}
    for name, classes in MODEL_FIELDS.items():
        index = {v: i for i, v in enumerate(classes)}
        pairs = [(index[str(getattr(c, name))], index[str(labels[name][c.post_id])]) for c in codes
                 if getattr(c, name) is not None and c.post_id in labels[name]]
        y_true = np.array([p[0] for p in pairs], dtype=np.int64)
        y_pred = np.array([p[1] for p in pairs], dtype=np.int64)
        k = len(classes)
        precision, recall, f1, support = per_class(y_true, y_pred, k)
        present = [i for i in range(k) if support[i] > 0 or (y_pred == i).any()]
        macro = bootstrap_macro_f1(y_true, y_pred, k, present) if pairs else Interval(None, None, None, 0)
        vs_model[name] = ModelAgreement(classes, len(pairs), macro, precision.tolist(), recall.tolist(), f1.tolist(),
                                        support.tolist(), confusion(y_true, y_pred, k).tolist())
    return Agreement(model, {n: sum(c.coder == n for c in codes) for n in names}, len(posts), alpha, vs_model)


def render(result: Agreement) -> str:
    """Plain-text tables for the terminal."""
    lines = [f"{result.posts_coded} posts coded by {len(result.coders)} coder(s): "
             + ", ".join(f"{k} ({v})" for k, v in result.coders.items()), "", "Krippendorff's alpha (nominal), 95% bootstrap interval"]
    for name, a in result.alpha.items():
        shown = "n/a (needs two coders on at least two posts, and two values)" if a.value is None else \
            f"{a.value:.3f} [{a.low:.3f}, {a.high:.3f}]"
        lines.append(f"  {name:<10} {shown}  (posts coded twice or more: {a.n})")
    for name, m in result.vs_model.items():
        if m.n == 0:
            lines += ["", f"coders vs model on {name}: no codes for {name}"]
            continue
        f = m.macro_f1
        shown = "n/a" if f.value is None else f"{f.value:.3f} [{f.low:.3f}, {f.high:.3f}]"
        lines += ["", f"coders vs model ({result.model}) on {name}: n={m.n}, macro-F1 {shown}",
                  f"  {'class':<15}{'precision':>10}{'recall':>8}{'F1':>7}{'coded':>7}"]
        for i, c in enumerate(m.classes):
            if m.support[i] or any(row[i] for row in m.confusion):
                lines.append(f"  {c:<15}{m.precision[i]:>10.3f}{m.recall[i]:>8.3f}{m.f1[i]:>7.3f}{m.support[i]:>7}")
        lines.append("  confusion (rows: coders, columns: model): " + " ".join(c[:4] for c in m.classes))
        for i, c in enumerate(m.classes):
            if m.support[i]:
                lines.append(f"    {c:<15}" + " ".join(f"{v:>4}" for v in m.confusion[i]))
    return "\n".join(lines)
