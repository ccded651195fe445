"""``heard adapt``: refit the act, stance and abusive heads with a corpus's own hand codes.

What ships with heard is what adapting can use: the bundled heads' own training
units (``examples.jsonl``, with their embeddings in ``neighbours.npy``: text,
act, stance, abusive). The weakly labelled public data and the hand-coded public
posts that also trained the bundled heads live in the repository and are not
installed, so the adapted act, stance and abusive heads are fitted on the
shipped units plus the corpus's coded posts (each post's text as one unit,
weighted :data:`CODE_WEIGHT`, the majority code when coders differ); the frame,
discloser and centres heads, the examples and the encoder are kept as they are.
The heads' own training settings (:class:`heard.classify.train.TrainConfig`,
read from their ``config.json``) are reused.

Fitted on far less data than the bundled heads, a refitted head can be worse
than the bundled one, so the adapted head is a mix of the two (logits are linear,
so the mix is again one linear head): five-fold cross-validation over the coded
posts predicts each fold with heads fitted without it, and the mix weight (0,
0.25, 0.5, 0.75 or 1 on the refitted head) with the best out-of-fold macro-F1 is
kept — 0 keeps the bundled head. The gain reported is that out-of-fold macro-F1
against the bundled heads' on the same posts (both reading the whole post as one
unit); choosing the mix on the same folds makes it slightly optimistic. The new
heads are saved as a new version; the store changes only with ``relabel``
(its labels are keyed by model version, so the old ones stay beside the new).

Caution: estimates should not reuse the codes the model was adapted on as
their ground truth — the adapted model has seen them, so its errors on them
look smaller than they are. Code a fresh sample to estimate with an adapted model.

Example:
    >>> result = adapt_store(store, Path("adapted-heads"))    # doctest: +SKIP
    >>> result.act_gain                                       # doctest: +SKIP
    0.07
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from heard.classify.classifier import Classifier
from heard.classify.heads import Heads
from heard.classify.linear import LinearHead, fit_head
from heard.classify.metrics import macro_f1
from heard.classify.train import TrainConfig
from heard.errors import InputError
from heard.records import ACTS, STANCES
from heard.store import Store
from heard.store import codes as code_store

CODE_WEIGHT = 2.0
"""Weight of one coded corpus post against one shipped training unit."""

MIN_CODES = 30
"""Fewest coded posts (with an act) adapting needs."""

FOLDS = 5

MIXES = (0.0, 0.25, 0.5, 0.75, 1.0)
"""Weights of the refitted head tried against the bundled one."""

FIELDS: dict[str, tuple[str, ...]] = {"act": ACTS, "stance": STANCES, "abusive": ("false", "true")}


@dataclass(frozen=True)
class FieldGain:
    """Cross-validated macro-F1 on the coded posts: the bundled heads and the adapted ones."""

    field: str
    n: int
    before: float
    after: float
    mix: float

    @property
    def gain(self) -> float:
        """``after - before``."""
        return self.after - self.before


@dataclass(frozen=True)
class AdaptResult:
    """What :func:`adapt_store` did."""

    folder: Path
    version: str
    codes: int
    gains: tuple[FieldGain, ...]
    relabelled: int | None

    @property
    def changed(self) -> bool:
        """Whether any head differs from the bundled one (a mix weight above 0)."""
        return any(g.mix > 0 for g in self.gains)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {"heads": str(self.folder), "model": self.version, "coded_posts": self.codes,
                "cross_validated_macro_f1": {g.field: {"n": g.n, "bundled": round(g.before, 4), "adapted": round(g.after, 4),
                                                       "gain": round(g.gain, 4), "mix": g.mix} for g in self.gains},
                "changed": self.changed, "relabelled_units": self.relabelled}


def _majority(values: list[Any]) -> Any:
    return Counter(values).most_common(1)[0][0]


def _coded_posts(store: Store) -> tuple[list[str], dict[str, list[str | None]]]:
    per_post: dict[str, list[code_store.Code]] = {}
    for c in code_store.all_codes(store):
        per_post.setdefault(c.post_id, []).append(c)
    ids = sorted(p for p, cs in per_post.items() if any(c.act for c in cs))
    labels: dict[str, list[str | None]] = {name: [] for name in FIELDS}
    for p in ids:
        for name in FIELDS:
            values = [getattr(c, name) for c in per_post[p] if getattr(c, name) is not None]
            values = [str(v).lower() if isinstance(v, bool) else v for v in values]
            labels[name].append(_majority(values) if values else None)
    return ids, labels


def _fit(X: np.ndarray, y: np.ndarray, classes: tuple[str, ...], w: np.ndarray, config: TrainConfig, name: str) -> LinearHead:
    head_config = config.head(name)
    return fit_head(X, y, classes, l2=head_config.l2, seed=config.seed, balanced=head_config.balanced, sample_weight=w)


def adapt_store(store: Store, output: Path, *, heads: str | Path | None = None, encoder: str | Path | None = None,
                relabel: bool = False, progress: Any = None) -> AdaptResult:
    """Refit the act, stance and abusive heads with the store's codes; save them to ``output``;
    with ``relabel``, label the store with them too.

    Raises:
        InputError: fewer than :data:`MIN_CODES` coded posts, or ``output`` is a file.
    """
    say = progress or (lambda _m: None)
    ids, labels = _coded_posts(store)
    if len(ids) < MIN_CODES:
        raise InputError("codes", f"expected at least {MIN_CODES} coded posts to adapt the heads on", f"found {len(ids)}",
                         "code more posts (`heard sample`, then `heard code`)")
    if output.exists() and not output.is_dir():
        raise InputError(str(output), "expected a folder for the adapted heads", "found a file", "pass a new folder name")
    classifier = Classifier.load(heads, encoder)
    base = classifier.heads
    config = TrainConfig.from_dict(base.training) if base.training else TrainConfig()
    shipped_texts = [e.text for e in base.examples]
    X_ship = Heads.features(base.neighbours.astype(np.float32), shipped_texts)
    texts = code_store.post_texts(store, ids)
    coded_texts = [texts[p] for p in ids]
    say(f"embedding {len(ids)} coded posts")
    X_code = Heads.features(classifier.encoder.encode(coded_texts), coded_texts)
    ship_labels = {"act": [e.act for e in base.examples], "stance": [e.stance for e in base.examples],
                   "abusive": ["true" if e.abusive else "false" for e in base.examples]}
    new_heads = dict(base.heads)
    gains = []
    folds = np.random.default_rng(config.seed).permutation(len(ids)) % FOLDS
    for name in FIELDS:
        have = np.array([v is not None for v in labels[name]])
        if have.sum() < MIN_CODES:
            continue
        present = base.heads[name].classes
        index = {c: i for i, c in enumerate(present)}
        y_ship = np.array([index[v] for v in ship_labels[name]])
        y_code = np.array([index.get(str(v), -1) for v in labels[name]])
        keep = have & (y_code >= 0)
        shift = np.array([config.other_shift if (name == "act" and c == "other") else 0.0 for c in present])
        say(f"cross-validating the {name} head")
        kept = np.flatnonzero(keep)
        bundled = base.heads[name].logits(X_code[kept])
        refit = np.zeros_like(bundled)
        for k in range(FOLDS):
            train_rows = kept[folds[kept] != k]
            held = folds[kept] == k
            if not held.any():
                continue
            head = _fit(np.vstack([X_ship, X_code[train_rows]]), np.concatenate([y_ship, y_code[train_rows]]), present,
                        np.concatenate([np.ones(len(y_ship)), np.full(len(train_rows), CODE_WEIGHT)]), config, name)
            refit[held] = head.logits(X_code[kept[held]]) + shift
        truth = y_code[keep]
        before = macro_f1(truth, bundled.argmax(1), len(present))
        # The adapted head mixes the bundled logits with the refitted ones; the mix is chosen on the
        # out-of-fold predictions (0 keeps the bundled head: the codes did not help).
        scores = {mix: macro_f1(truth, ((1 - mix) * bundled + mix * refit).argmax(1), len(present)) for mix in MIXES}
        mix = max(MIXES, key=lambda m: (round(scores[m], 6), -m))
        gains.append(FieldGain(name, int(keep.sum()), before, scores[mix], mix))
        if mix == 0:
            continue
        say(f"fitting the adapted {name} head")
        head = _fit(np.vstack([X_ship, X_code[kept]]), np.concatenate([y_ship, y_code[kept]]), present,
                    np.concatenate([np.ones(len(y_ship)), np.full(len(kept), CODE_WEIGHT)]), config, name)
        old = base.heads[name]
        # Logits are linear in the features, so the mix is one linear head; the bundled temperature is kept.
        weight = ((1 - mix) * old.weight + mix * head.weight).astype(np.float32)
        bias = ((1 - mix) * old.bias + mix * (head.bias + shift)).astype(np.float32)
        new_heads[name] = LinearHead(present, weight, bias, old.temperature)
    metrics = dict(base.metrics) | {"adapted": {"from": base.version, "coded_posts": len(ids), "code_weight": CODE_WEIGHT,
                                                "cross_validated": {g.field: {"bundled": round(g.before, 4), "adapted": round(g.after, 4),
                                                                              "n": g.n, "mix": g.mix} for g in gains}}}
    adapted = replace(base, heads=new_heads, metrics=metrics)
    folder = adapted.save(output)
    saved = Classifier(classifier.encoder, Heads.load(folder))
    relabelled = None
    if relabel and any(g.mix > 0 for g in gains):
        from heard.classify.labelling import label_store

        say(f"labelling the store with {saved.version}")
        relabelled = label_store(store, saved).labelled
    return AdaptResult(folder, saved.version, len(ids), tuple(gains), relabelled)
