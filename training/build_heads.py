"""Rebuild heard's bundled heads from heard's training data.

Run from the repository root (``-m`` puts it on the import path)::

    python -m training.build_heads --public ../shared/data/public -o src/heard/resources/heads

The heads train on the units written for heard (``training/data/units``), and
with ``--public`` also on the public posts heard's coders hand-coded
(``training/data/public_codes``, joined to their texts there) and weak
supervision from the same datasets; every id and text of the gold folder beside
it (``../shared/data/labelled``) is excluded. The fitting settings are
:class:`heard.classify.train.TrainConfig` (saved in the heads' ``config.json``);
``--config FILE`` reads another one from JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from heard.classify.train import TrainConfig
from heard.errors import HeardError
from training.corpus import build_heads


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", type=Path, required=True, help="heads folder to write")
    parser.add_argument("--public", type=Path, help="folder of public datasets (e.g. ../shared/data/public)")
    parser.add_argument("--encoder", type=Path, help="encoder folder (default: heard's bundled encoder)")
    parser.add_argument("--config", type=Path, help="TrainConfig as JSON (default: TrainConfig())")
    parser.add_argument("--weak-sources", help="comma list of weak sources (default: training.weak.WEAK_SOURCES; "
                        "add metooma to train on MeTooMA's expert labels)")
    parser.add_argument("--cache", type=Path, help="folder to keep the encoder's vectors in, by text, "
                        "so a second build on the same encoder skips encoding (worth it for a base-size encoder)")
    parser.add_argument("--calibration-share", action="store_true",
                        help="calibrate on the in-domain share the encoder was not tuned on (training.corpus.is_calibration_post; "
                             "pair with finetune_encoder --hold-calibration)")
    args = parser.parse_args(argv)
    config = TrainConfig.from_dict(json.loads(args.config.read_text(encoding="utf-8"))) if args.config else TrainConfig()
    try:
        sources = args.weak_sources.split(",") if args.weak_sources else None
        folder, metrics = build_heads(args.output, args.public, args.encoder, config, say=lambda m: print(m, file=sys.stderr),
                                      weak_sources=sources, cache=args.cache,
                                      calibration_share=args.calibration_share)
    except HeardError as exc:
        print(f"build_heads: error: {exc}", file=sys.stderr)
        return 1
    act = metrics["act"]
    print(f"heads written to {folder}: act cross-validated macro-F1 {act['cv_macro_f1']:.3f}, ECE {act['cv_ece']:.3f} (n={act['n']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
