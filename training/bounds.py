"""How far could the classifier get on dev.jsonl without a better view of real posts? (analysis only)

Two upper bounds, printed as figures; nothing fitted here is saved or shipped:

* ``biases``: per-class logit offsets fitted **on dev itself** (coordinate ascent
  over a grid, per head): the most any threshold or prior setting could give.
* ``indomain``: five-fold cross-validation over dev in which the heads are
  trained on heard's data **plus the other four folds of dev** at weight w:
  what a few hundred real posts of dev's own kind add.

Unit-level (each dev post is one unit), so the zero-offset figures differ a
little from ``heard eval`` (which segments long posts)::

    python -m training.bounds biases ../shared/data/labelled/dev.jsonl [--heads H --encoder E]
    python -m training.bounds indomain ../shared/data/labelled/dev.jsonl --public ../shared/data/public
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

FIELDS = {"act": None, "stance": None, "abusive": ("false", "true")}


def _gold(rows: list[dict], field: str) -> list[str]:
    return [str(r[field]).lower() if isinstance(r[field], bool) else r[field] for r in rows]


def _score(y: np.ndarray, pred: np.ndarray, field: str, n: int) -> float:
    from sklearn.metrics import f1_score

    if field == "abusive":
        return float(f1_score(y, pred, pos_label=1, average="binary"))
    return float(f1_score(y, pred, average="macro", labels=range(n)))


def biases(gold: Path, heads: str | None, encoder: str | None) -> None:
    from heard.classify import Classifier, cues
    from heard.classify.heads import Heads

    clf = Classifier.load(heads, encoder)
    rows = [json.loads(line) for line in gold.open(encoding="utf-8") if line.strip()]
    texts = [r["text"] for r in rows]
    X = Heads.features(clf.encoder.encode(texts), texts, cues.cue_matrix(texts))
    grid = np.linspace(-3, 3, 25)
    for field in FIELDS:
        head = clf.heads.heads[field]
        classes = list(head.classes)
        y = np.array([classes.index(g) for g in _gold(rows, field)])
        z = np.log(head.predict_proba(X) + 1e-12)
        offsets = np.zeros(len(classes))
        base = best = _score(y, z.argmax(1), field, len(classes))
        for _ in range(3):
            for j in range(len(classes)):
                for g in grid:
                    trial = offsets.copy()
                    trial[j] = g
                    value = _score(y, (z + trial).argmax(1), field, len(classes))
                    if value > best + 1e-9:
                        best, offsets = value, trial
        print(f"{field:8} no offsets {base:.3f}   offsets fitted on dev {best:.3f}   {dict(zip(classes, offsets.round(2).tolist()))}")


def indomain(gold: Path, public: Path, weights: Sequence[float]) -> None:
    from heard.classify import load_coded
    from heard.classify.heads import Heads
    from heard.classify.linear import fit_head
    from heard.classify.train import TrainConfig
    from heard.encode.load import BUNDLED_ENCODER, load_encoder
    from heard.records import ACTS, STANCES
    from training.corpus import public_rows, training_units_dir

    encoder = load_encoder(BUNDLED_ENCODER)
    config = TrainConfig()
    drawn = public_rows(public)
    own = load_coded([training_units_dir()])
    units = list(own) + [u for u, _ in drawn.coded] + [u for u, _ in drawn.weak]
    unit_w = np.array([1.0] * len(own) + [w for _, w in drawn.coded] + [w * config.weak_weight for _, w in drawn.weak])
    unit_texts = [u.text for u in units]
    X = Heads.features(encoder.encode(unit_texts), unit_texts)
    rows = [json.loads(line) for line in gold.open(encoding="utf-8") if line.strip()]
    dev_texts = [r["text"] for r in rows]
    Xd = Heads.features(encoder.encode(dev_texts), dev_texts)
    fold = np.random.default_rng(0).permutation(len(rows)) % 5
    classes_of = {"act": ACTS, "stance": STANCES, "abusive": ("false", "true")}
    for w in weights:
        out = []
        for field, classes in classes_of.items():
            def value(u: object) -> str | None:
                v = getattr(u, field)
                return None if v is None else (str(v).lower() if isinstance(v, bool) else v)

            known = np.array([i for i, u in enumerate(units) if value(u) is not None])
            y = np.array([classes.index(value(units[i])) for i in known])
            yd = np.array([classes.index(g) for g in _gold(rows, field)])
            pred = np.zeros(len(rows), dtype=int)
            for k in range(5):
                extra = np.where(fold != k)[0] if w > 0 else np.array([], dtype=int)
                head = fit_head(np.vstack([X[known], Xd[extra]]), np.concatenate([y, yd[extra]]), classes,
                                l2=config.head(field).l2, balanced=config.head(field).balanced,
                                sample_weight=np.concatenate([unit_w[known], np.full(len(extra), w)]))
                z = head.logits(Xd[fold == k])
                if field == "act":
                    z[:, classes.index("other")] += config.other_shift
                pred[fold == k] = z.argmax(1)
            out.append(f"{field} {_score(yd, pred, field, len(classes)):.3f}")
        print(f"dev folds added at weight {w:g}: " + ", ".join(out), flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bound", choices=("biases", "indomain"))
    parser.add_argument("gold", type=Path)
    parser.add_argument("--heads")
    parser.add_argument("--encoder")
    parser.add_argument("--public", type=Path, default=Path("../shared/data/public"))
    parser.add_argument("--weights", default="0,1,3,10")
    args = parser.parse_args(argv)
    if args.bound == "biases":
        biases(args.gold, args.heads, args.encoder)
    else:
        indomain(args.gold, args.public, [float(x) for x in args.weights.split(",")])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
