"""A transfer check on TweetEval's feminist stance split (SemEval-2016 task 6).

TweetEval labels each tweet's stance toward the feminist movement: ``0`` none,
``1`` against, ``2`` favor (``mapping.txt``). heard's ``stance`` is toward
survivors speaking out and the movement against sexual violence, a close but
not identical target, so the mapping is ``against -> oppose``, ``favor ->
support``, ``none -> neutral``. The figure is TweetEval's own: the mean of the
F1 of favor and of against (none is scored as a class, not averaged). heard
never trains on TweetEval; the split is read at evaluation time only.

Run::

    python -m training.tweeteval ../shared/data/public/tweeteval/stance/feminist [--split val] [--heads DIR]

Example:
    >>> evaluate_tweeteval(Classifier.load(), Path("tweeteval/stance/feminist"))["mean_f1_favor_against"]  # doctest: +SKIP
    0.58
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np

from heard.classify.classifier import Classifier
from heard.classify.metrics import per_class
from heard.errors import InputError
from heard.intervals import interval_from, unit_draws

STANCE_OF_LABEL = {"0": "neutral", "1": "oppose", "2": "support"}
"""TweetEval label -> heard stance."""
CLASSES = ("support", "oppose", "neutral")


def load_split(folder: Path, split: str = "val") -> tuple[list[str], list[str]]:
    """Texts and heard stances of one TweetEval split (``{split}_text.txt`` / ``{split}_labels.txt``)."""
    text_file, label_file = folder / f"{split}_text.txt", folder / f"{split}_labels.txt"
    for f in (text_file, label_file):
        if not f.is_file():
            raise InputError(str(f), "expected a TweetEval split file", "found no file", "point at tweeteval/stance/feminist")
    texts = text_file.read_text(encoding="utf-8").splitlines()
    labels = [line.strip() for line in label_file.read_text(encoding="utf-8").splitlines()]
    if len(texts) != len(labels) or any(lb not in STANCE_OF_LABEL for lb in labels):
        raise InputError(str(label_file), "expected one label 0/1/2 per text line", f"found {len(labels)} labels for {len(texts)} texts", "check the files")
    return texts, [STANCE_OF_LABEL[lb] for lb in labels]


def _mean_f1(y: np.ndarray, p: np.ndarray) -> float:
    _, _, f1, _ = per_class(y, p, len(CLASSES))
    return float((f1[0] + f1[1]) / 2)


def score(gold: list[str], pred: list[str], samples: int = 1000, seed: int = 0) -> dict[str, Any]:
    """Mean F1(favor, against) with a bootstrap 95% interval, and per-class figures."""
    y = np.array([CLASSES.index(g) for g in gold])
    p = np.array([CLASSES.index(x) for x in pred])
    boot = unit_draws(lambda idx: _mean_f1(y[idx], p[idx]), len(y), seed=seed, draws=samples)
    precision, recall, f1, support = per_class(y, p, len(CLASSES))
    value = interval_from(_mean_f1(y, p), boot, len(y))
    return {
        "n": len(y),
        "mean_f1_favor_against": value.to_dict(digits=4),
        "per_class": {
            c: {"precision": round(float(precision[i]), 4), "recall": round(float(recall[i]), 4), "f1": round(float(f1[i]), 4), "support": int(support[i])}
            for i, c in enumerate(CLASSES)
        },
    }


def evaluate_tweeteval(classifier: Classifier, folder: Path, split: str = "val") -> dict[str, Any]:
    """Score ``classifier``'s stance on one TweetEval feminist split."""
    texts, gold = load_split(Path(folder), split)
    labels = classifier.label_posts(texts)
    return {"split": split, "model": classifier.version, **score(gold, [lb.stance for lb in labels])}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="heard stance on TweetEval feminist (mean F1 of favor and against)")
    parser.add_argument("folder", type=Path, help="tweeteval/stance/feminist")
    parser.add_argument("--split", default="val")
    parser.add_argument("--heads", default=None, help="heads folder (default: bundled)")
    parser.add_argument("--encoder", default=None, help="encoder folder (default: bundled)")
    args = parser.parse_args(argv)
    result = evaluate_tweeteval(Classifier.load(args.heads, args.encoder), args.folder, args.split)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
