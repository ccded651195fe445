"""heard's stance against MeTooMA's own expert stance labels, on the held-out tweets.

MeTooMA labels each tweet's stance toward the movement (1 support, 0 neutral, -1
oppose). This scores ``heard``'s stance on the MeTooMA tweets of heard's held-out
split (never trained on) against those labels, and, for scale, heard's own coders'
stance on the same tweets against them (how far the two schemes agree at best)::

    python -m training.metooma_stance --public ../shared/data/public [--heads H --encoder E]
"""

from __future__ import annotations

import argparse
import csv
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from heard.classify import Classifier
from heard.classify.metrics import bootstrap_macro_f1, per_class
from heard.records import STANCES
from training.corpus import gold_dir_for
from training.public_codes import hand_coded_units
from training.weak import gold_exclusions

LABELS = {"1": "support", "0": "neutral", "-1": "oppose"}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--public", type=Path, default=Path("../shared/data/public"))
    parser.add_argument("--heads")
    parser.add_argument("--encoder")
    args = parser.parse_args(argv)
    ids, texts = gold_exclusions(gold_dir_for(args.public))
    held = [(u, w) for u, w in hand_coded_units(args.public, ids, exclude_texts=texts, split="heldout") if u.id.startswith("metooma:")]
    with (args.public / "metooma" / "metooma.csv").open(encoding="utf-8") as fh:
        expert = {f"metooma:{row['key']}": LABELS[row["oppose_support_label"]] for row in csv.DictReader(fh)}
    units = [u for u, _ in held if u.id in expert]
    gold = np.array([STANCES.index(expert[u.id]) for u in units])
    labels = Classifier.load(args.heads, args.encoder).label_posts([u.text for u in units])
    for name, predicted in (("heard", [lb.stance for lb in labels]), ("heard's coders", [u.stance for u in units])):
        keep = [i for i, s in enumerate(predicted) if s is not None]
        y, p = gold[keep], np.array([STANCES.index(str(predicted[i])) for i in keep])
        est = bootstrap_macro_f1(y, p, len(STANCES), list(range(len(STANCES))))
        _, _, f1, support = per_class(y, p, len(STANCES))
        per = ", ".join(f"{s} F1 {f1[i]:.3f} (n={support[i]})" for i, s in enumerate(STANCES))
        print(f"{name:15} vs MeTooMA expert stance, {len(keep)} held-out tweets: macro-F1 {est.value:.3f} "
              f"[{est.low:.3f}, {est.high:.3f}]; {per}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
