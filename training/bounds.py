"""How far could the classifier get on real posts, and what limits it? (analysis only)

Four measurements, printed as figures; nothing fitted here is saved or shipped:

* ``biases``: per-class logit offsets fitted **on dev itself** (coordinate ascent
  over a grid, per head): the most any threshold or prior setting could give.
* ``indomain``: five-fold cross-validation over dev in which the heads are
  trained on heard's data **plus the other four folds of dev** at weight w:
  what a few hundred real posts of dev's own kind add.
* ``curve``: the act head trained with 25, 50, 75 and 100% of the in-domain
  hand-coded posts (three seeded draws each), scored on a gold file such as
  the held-out split: how much more hand-coding of the same kind would add.
* ``cv``: five-fold cross-validation of a balanced softmax regression on the
  sentence vectors of one collection's hand-coded posts alone (``--source``,
  default ``metooma``), for any encoder (``--encoder``): the setting of issue 9's
  comparison of encoders, on heard's own codes.

Unit-level (each dev post is one unit), so the zero-offset figures differ a
little from ``heard eval`` (which segments long posts)::

    python -m training.bounds biases ../shared/data/labelled/dev.jsonl [--heads H --encoder E]
    python -m training.bounds indomain ../shared/data/labelled/dev.jsonl --public ../shared/data/public
    python -m training.heldout -o /tmp/heldout
    python -m training.bounds curve /tmp/heldout/heldout.jsonl --public ../shared/data/public
    python -m training.bounds cv - --source metooma [--encoder DIR]
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from heard.classify.coded import Coded
    from heard.classify.train import TrainConfig
    from heard.encode.protocol import Encoder

FIELDS = {"act": None, "stance": None, "abusive": ("false", "true")}


def _gold(rows: list[dict[str, Any]], field: str) -> list[str]:
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


def _training_matrix(public: Path, encoder_path: str | None) -> tuple[
        Encoder, TrainConfig, list[Coded], np.ndarray, np.ndarray, np.ndarray, frozenset[str]]:
    """Own units, hand-coded posts and weak units with their features, weights and the in-domain ids."""
    from heard.classify import load_coded
    from heard.classify.heads import Heads
    from heard.classify.train import TrainConfig
    from heard.encode.load import BUNDLED_ENCODER, load_encoder
    from training.corpus import public_rows, training_units_dir

    encoder = load_encoder(encoder_path or BUNDLED_ENCODER)
    config = TrainConfig()
    drawn = public_rows(public)
    own = load_coded([training_units_dir()])
    units = list(own) + [u for u, _ in drawn.coded] + [u for u, _ in drawn.weak]
    weight = np.array([config.own_weight] * len(own) + [w * config.public_weight for _, w in drawn.coded]
                      + [w * config.weak_weight for _, w in drawn.weak])
    texts = [u.text for u in units]
    vectors = encoder.encode(texts)
    return encoder, config, units, weight, vectors, Heads.features(vectors, texts), drawn.calibrate_ids


def indomain(gold: Path, public: Path, weights: Sequence[float]) -> None:
    from heard.classify.heads import Heads
    from heard.classify.linear import fit_head
    from heard.records import ACTS, STANCES

    encoder, config, units, unit_w, _, X, _ = _training_matrix(public, None)
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


def curve(gold: Path, public: Path, encoder_path: str | None) -> None:
    from heard.classify.heads import Heads
    from heard.classify.linear import fit_head
    from heard.classify.metrics import macro_f1
    from heard.records import ACTS

    encoder, config, units, weight, _, X, in_domain = _training_matrix(public, encoder_path)
    rows = [json.loads(line) for line in gold.open(encoding="utf-8") if line.strip()]
    texts = [r["text"] for r in rows]
    Xg = Heads.features(encoder.encode(texts), texts)
    yg = np.array([ACTS.index(r["act"]) for r in rows])
    known = np.array([i for i, u in enumerate(units) if u.act is not None])
    y = np.array([ACTS.index(units[i].act) for i in known])
    drawn = np.array([units[i].id in in_domain for i in known])
    print(f"{int(drawn.sum())} in-domain hand-coded posts train; scored on {len(rows)} posts of {gold.name}")
    for share in (0.25, 0.5, 0.75, 1.0):
        figures = []
        for seed in range(3 if share < 1 else 1):
            keep = ~drawn | (np.random.default_rng(seed).random(len(known)) < share)
            head = fit_head(X[known][keep], y[keep], ACTS, l2=config.act.l2, balanced=config.act.balanced,
                            sample_weight=weight[known][keep], seed=seed)
            z = head.logits(Xg)
            z[:, ACTS.index("other")] += config.other_shift
            figures.append(macro_f1(yg, z.argmax(1), len(ACTS)))
        print(f"{share:4.0%} of the in-domain posts: act macro-F1 {np.mean(figures):.3f} (draws {', '.join(f'{f:.3f}' for f in figures)})",
              flush=True)


def cv(source: str, public: Path, encoder_path: str | None) -> None:
    from heard.classify.linear import fit_head
    from heard.classify.metrics import macro_f1
    from heard.encode.load import BUNDLED_ENCODER, load_encoder
    from heard.records import ACTS
    from training.corpus import public_rows

    mine = [u for u, _ in public_rows(public).coded if u.id.split(":")[0] == source and u.act is not None]
    if not mine:
        raise SystemExit(f"bounds: error: expected hand-coded posts with ids {source}:..., found none. Fix: check --source")
    y = np.array([ACTS.index(str(u.act)) for u in mine])
    X = load_encoder(encoder_path or BUNDLED_ENCODER).encode([u.text for u in mine])
    fold = np.random.default_rng(0).permutation(len(mine)) % 5
    print(f"{len(mine)} hand-coded {source} posts; acts {dict(zip(ACTS, np.bincount(y, minlength=len(ACTS)).tolist()))}")
    for l2 in (1e-4, 1e-3, 1e-2):
        pred = np.zeros(len(mine), dtype=int)
        for k in range(5):
            head = fit_head(X[fold != k], y[fold != k], ACTS, l2=l2, balanced=True)
            pred[fold == k] = head.logits(X[fold == k]).argmax(1)
        print(f"l2 {l2:g}: five-fold act macro-F1 {macro_f1(y, pred, len(ACTS)):.3f}", flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bound", choices=("biases", "indomain", "curve", "cv"))
    parser.add_argument("gold", type=Path, help="gold JSONL file (cv: ignored, write -)")
    parser.add_argument("--heads")
    parser.add_argument("--encoder")
    parser.add_argument("--public", type=Path, default=Path("../shared/data/public"))
    parser.add_argument("--weights", default="0,1,3,10")
    parser.add_argument("--source", default="metooma", help="cv: the collection whose hand-coded posts are cross-validated")
    args = parser.parse_args(argv)
    if args.bound == "biases":
        biases(args.gold, args.heads, args.encoder)
    elif args.bound == "curve":
        curve(args.gold, args.public, args.encoder)
    elif args.bound == "cv":
        cv(args.source, args.public, args.encoder)
    else:
        indomain(args.gold, args.public, [float(x) for x in args.weights.split(",")])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
