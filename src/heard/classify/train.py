"""Train every codebook head on coded units: cross-validated calibration, then a final fit.

The method: the (frozen) sentence encoder embeds each unit; cue features sit
beside the embedding; one class-weighted softmax regression per field. Five-fold
out-of-fold predictions give the temperature of each head (calibration) and
honest cross-validated figures for the model card.

Example:
    >>> from heard.encode import load_encoder                 # doctest: +SKIP
    >>> heads = train_heads(load_coded(["units/"]), load_encoder())   # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from heard.classify.coded import Coded
from heard.classify.heads import Example, Heads
from heard.classify.linear import LinearHead, expected_calibration_error, fit_head, fit_temperature
from heard.classify.metrics import macro_f1
from heard.encode import Encoder
from heard.records import ACTS, CENTRES, DISCLOSERS, FRAMES, STANCES

L2 = {"act": 1e-3, "stance": 3e-4, "abusive": 3e-4, "frame": 1e-3, "discloser": 1e-3, "centre": 1e-3}
"""L2 penalty per head (see docs/model.md for the ablation that chose them)."""
BALANCED = {"act": False, "stance": False, "abusive": False, "frame": True, "discloser": True, "centre": False}
"""Class-weighted loss per head: off for the main heads, whose training mix already
over-represents rare acts compared with real conversation."""


def _folds(n: int, k: int, seed: int) -> list[np.ndarray]:
    order = np.random.default_rng(seed).permutation(n)
    return [order[i::k] for i in range(k)]


def _fit_calibrated(
    X: np.ndarray, y: np.ndarray, classes: tuple[str, ...], l2: float, folds: int, seed: int, balanced: bool = False
) -> tuple[LinearHead, dict[str, float]]:
    """Out-of-fold logits -> temperature and metrics; then the final head on all rows."""
    oof = np.zeros((len(y), len(classes)))
    for held in _folds(len(y), folds, seed):
        train = np.setdiff1d(np.arange(len(y)), held)
        head = fit_head(X[train], y[train], classes, l2=l2, seed=seed, balanced=balanced)
        oof[held] = head.logits(X[held])
    temperature = fit_temperature(oof, y)
    proba = np.exp(oof / temperature - (oof / temperature).max(1, keepdims=True))
    proba /= proba.sum(1, keepdims=True)
    pred = proba.argmax(1)
    metrics = {
        "cv_accuracy": round(float((pred == y).mean()), 4),
        "cv_macro_f1": round(macro_f1(y, pred, len(classes)), 4),
        "cv_ece_uncalibrated": round(expected_calibration_error(_sm(oof), y), 4),
        "cv_ece": round(expected_calibration_error(proba, y), 4),
        "temperature": round(temperature, 3),
        "n": int(len(y)),
    }
    final = fit_head(X, y, classes, l2=l2, seed=seed, balanced=balanced)
    return LinearHead(classes, final.weight, final.bias, temperature), metrics


def _sm(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(1, keepdims=True))
    return e / e.sum(1, keepdims=True)


def train_heads(
    units: Sequence[Coded],
    encoder: Encoder,
    *,
    folds: int = 5,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
) -> Heads:
    """Train all heads on ``units`` embedded by ``encoder``.

    Args:
        units: coded training units (at least a few per act).
        encoder: the encoder the heads will run on at prediction time.
        folds: cross-validation folds for calibration and the card's figures.
        progress: called with a short status line per head.
    """
    say = progress or (lambda _msg: None)
    texts = [u.text for u in units]
    say(f"embedding {len(texts)} units")
    embeddings = encoder.encode(texts)
    X = Heads.features(embeddings, texts)
    heads: dict[str, LinearHead] = {}
    metrics: dict[str, Any] = {"training_units": len(units)}

    def train(name: str, rows: np.ndarray, labels: list[str], classes: tuple[str, ...], l2: float) -> None:
        present = tuple(c for c in classes if c in set(labels))
        y = np.array([present.index(v) for v in labels])
        say(f"training {name} on {len(y)} units")
        head, m = _fit_calibrated(X[rows], y, present, l2, folds, seed, BALANCED[name])
        heads[name] = head
        metrics[name] = m

    everything = np.arange(len(units))
    train("act", everything, [u.act for u in units], ACTS, L2["act"])
    train("stance", everything, [u.stance for u in units], STANCES, L2["stance"])
    train("abusive", everything, ["true" if u.abusive else "false" for u in units], ("false", "true"), L2["abusive"])
    derails = np.array([i for i, u in enumerate(units) if u.act == "derailing" and u.frame])
    train("frame", derails, [units[i].frame or "" for i in derails], FRAMES, L2["frame"])
    tests = np.array([i for i, u in enumerate(units) if u.act == "testimony" and u.discloser])
    train("discloser", tests, [units[i].discloser or "" for i in tests], DISCLOSERS, L2["discloser"])

    centres: dict[str, LinearHead] = {}
    for group in CENTRES:
        y = np.array([1 if group in u.centres else 0 for u in units])
        say(f"training centres:{group}")
        head, m = _fit_calibrated(X, y, ("no", "yes"), L2["centre"], folds, seed, BALANCED["centre"])
        centres[group] = head
        metrics[f"centres:{group}"] = m
    examples = tuple(Example(u.text, u.act, u.stance, u.abusive) for u in units)
    return Heads(encoder.name, heads, centres, examples, embeddings.astype(np.float16), metrics, version="unsaved")
