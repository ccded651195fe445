"""Sentence encoder that runs an ONNX transformer with ONNX Runtime.

This is heard's default path: the bundled int8 all-MiniLM-L6-v2 needs only
onnxruntime, tokenizers and numpy (about 220 MB installed, against 1.5 GB for
torch); on a 2-core machine it embedded 2.5-3x as many posts per second as
sentence-transformers in a fifth of the memory
(``benchmarks/bench_encoder.py``).

The folder holds ``model.onnx`` (inputs ``input_ids``, ``attention_mask`` and
optionally ``token_type_ids``; first output the token states, shape
``(batch, sequence, dim)``), ``tokenizer.json`` and optionally ``config.json``
with ``name``, ``dim``, ``max_length``, ``pooling`` and ``normalize``.
Pooling (mean over real tokens) and L2 normalisation happen here in numpy.

Example:
    >>> from heard.encode import OnnxEncoder
    >>> from heard.encode.load import BUNDLED_ENCODER
    >>> encoder = OnnxEncoder(BUNDLED_ENCODER)
    >>> encoder.encode(["I was there too.", ""]).shape
    (2, 384)
"""

from __future__ import annotations

import json
import mmap
import os
import queue
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort
from tokenizers import Encoding, Tokenizer

from heard.encode.fingerprint import files_digest
from heard.errors import ConfigError, ModelError

MODEL_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
CONFIG_FILE = "config.json"

DEFAULT_MAX_LENGTH = 256
"""Token window when ``config.json`` does not give one (all-MiniLM-L6-v2's)."""

MAX_BATCH_TOKENS = 2048
"""Padded tokens per forward pass at most: long texts run in smaller batches.
Attention memory grows with batch x length squared; at 32 x 256 tokens the
int8 model peaked above 600 MB, at 8 x 256 near 250 MB, at the same speed."""

TEXTS_PER_CHUNK = 1024
"""Texts tokenised at a time: enough to sort by length, small enough that
memory does not grow with the number of texts."""

MAX_SESSIONS = 4
"""Most ONNX Runtime sessions one encoder runs side by side (see ``OnnxEncoder``)."""

DEVICES = ("cpu", "cuda")
"""Where :class:`OnnxEncoder` runs: ONNX Runtime's CPU provider, or its CUDA provider
(``pip install 'heard[gpu]'``, an NVIDIA GPU and its driver)."""

GPU_BATCH = 256
"""Texts per forward pass on a GPU, which wants large batches."""
GPU_BATCH_TOKENS = 65_536
"""Padded tokens per forward pass on a GPU."""

UNFUSED = ("SkipLayerNormFusion",)
"""ONNX Runtime graph fusions left off on the CPU. Its fused SkipLayerNormalization was
slower here than the Add and LayerNormalization it replaces: with it off, the int8
encoder embedded 16-24% more MeTooMA tweets per CPU-second (532-632 vs 449-509, batches
of 16, one thread, 2026-12-06, 4 runs under load); the arithmetic is the same."""

_INPUT_NAMES = ("input_ids", "attention_mask", "token_type_ids")
_LFS_POINTER_PREFIX = b"version https://git-lfs"


def default_threads() -> int:
    """Cores this process may run on (respects CPU affinity in containers).

    Example:
        >>> default_threads() >= 1
        True
    """
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


class OnnxEncoder:
    """Encode texts with an ONNX transformer, mean pooling and L2 norm.

    Texts are tokenised in chunks of 1,024, sorted by token count inside each
    chunk and run in batches padded only to their longest member (at most
    ``batch_size`` texts and 2,048 padded tokens), which halves the padded
    tokens against unsorted batches and bounds memory; rows come back in the
    input order.

    Batches run on one single-threaded ONNX Runtime session per core (up to
    ``MAX_SESSIONS``; beyond that the cores are shared among them), side by
    side in Python threads, since ONNX Runtime lets go of the GIL; the next
    chunk is tokenised while the sessions work. On 2 cores, 2,000 varied posts
    (``benchmarks/bench_encoder.py``, batches of 16): 330 posts/s against 298
    for one session with 2 threads, whose threads wait on each other at every
    operator; 5,000 shorter posts: ~600 against ~525. The price is memory
    (each session keeps its own buffers: peak 513 MB against 345) and a
    single small batch runs on one core; ``sessions=1`` gives the old path.

    Models whose activations are quantised on the fly (``DynamicQuantizeLinear``,
    as in the bundled int8 encoder) pick one int8 scale per forward pass from
    every token in it, so a text's vector shifts a little with its batch mates
    (cosine 0.95 at worst, 0.99 typical, between two batchings). Batches are
    the default because they are what makes ~500 posts/s possible on 2 cores
    (one text per pass: ~310 posts/s); pass ``deterministic=True`` to run such
    models one text per pass, so each text always gets the same vector.

    Args:
        path: folder with ``model.onnx``, ``tokenizer.json`` and optionally
            ``config.json``.
        threads: cores to use, all of them in total; defaults to every core
            this process may use. Give 1 when several workers share a machine.
        deterministic: run dynamically quantised models one text per pass.
        sessions: sessions side by side (default: one per core, at most
            ``MAX_SESSIONS``); the cores are shared among them.
        device: ``"cpu"`` (default) or ``"cuda"``: one session on the first GPU,
            batches of up to ``GPU_BATCH`` texts.

    Attributes:
        name: ``"<config name>@<first 12 hex of sha256 of model.onnx>"``.
        dim: embedding length.
        max_length: token window; longer texts are cut.
        one_text_per_pass: True when ``deterministic`` was asked for and the
            graph quantises activations dynamically (see above).
        batch_independent: True when a text's vector never depends on its batch
            mates: the graph has fixed (calibrated) activation scales or none,
            or ``one_text_per_pass`` is set. Labels can then be cached and
            reused across batches, files and workers.

    Raises:
        ModelError: a file is missing, is a Git LFS pointer, or cannot be
            loaded, or ``config.json`` asks for pooling heard does not do.
        ConfigError: ``device="cuda"`` without ONNX Runtime's CUDA provider or a GPU.

    Example:
        >>> from heard.encode.load import BUNDLED_ENCODER
        >>> encoder = OnnxEncoder(BUNDLED_ENCODER, threads=1)
        >>> encoder.name.startswith("all-MiniLM-L6-v2-heard-int8@"), encoder.dim
        (True, 384)
    """

    name: str
    dim: int
    one_text_per_pass: bool
    batch_independent: bool

    def __init__(
        self, path: str | Path, threads: int | None = None, deterministic: bool = False, sessions: int | None = None,
        device: str = "cpu",
    ) -> None:
        self.path = Path(path)
        model_path = self.path / MODEL_FILE
        tokenizer_path = self.path / TOKENIZER_FILE
        for required in (model_path, tokenizer_path):
            _check_file(required)
        config = _read_config(self.path / CONFIG_FILE)

        self.max_length = int(config.get("max_length", DEFAULT_MAX_LENGTH))
        self._tokenizer = _load_tokenizer(tokenizer_path, self.max_length)
        if device not in DEVICES:
            raise ConfigError(f"--device {device}: expected one of {', '.join(DEVICES)}, found {device!r}. Fix: pass --device cpu or --device cuda")
        self.device = device
        cores = threads or default_threads()
        count = 1 if device == "cuda" else max(1, min(sessions or min(cores, MAX_SESSIONS), cores))
        loaded = [_load_session(model_path, max(1, cores // count), device) for _ in range(count)]
        self._input_names = _check_inputs(loaded[0], model_path)
        self._output_name, output_dim = _check_output(loaded[0], model_path)
        self._idle: queue.SimpleQueue[ort.InferenceSession] = queue.SimpleQueue()
        for session in loaded:
            self._idle.put(session)
        self._workers = count
        self._pool: ThreadPoolExecutor | None = None
        self._pool_lock = threading.Lock()

        dynamic = _quantises_activations_dynamically(model_path)
        self.one_text_per_pass = deterministic and dynamic
        self.batch_independent = not dynamic or self.one_text_per_pass
        self.name = encoder_id(self.path, config)
        dim = config.get("dim", output_dim)
        self.dim = int(dim) if dim is not None else self._probe_dim()
        if output_dim is not None and output_dim != self.dim:
            raise ModelError(
                f"{self.path / CONFIG_FILE}: expected dim to match the model's output, "
                f"found dim {self.dim} but {MODEL_FILE} outputs {output_dim}. "
                f"Fix: set \"dim\": {output_dim} in {CONFIG_FILE}"
            )

    def __repr__(self) -> str:
        return f"OnnxEncoder(name={self.name!r}, dim={self.dim}, path={str(self.path)!r})"

    def encode(self, texts: Sequence[str], batch_size: int = 16) -> np.ndarray:
        """Embed ``texts`` as unit-length float32 rows, in input order.

        Args:
            texts: strings of any length; each is cut to ``max_length`` tokens.
            batch_size: most texts per forward pass (16 beat 32 and 128 with
                single-threaded sessions on 2 cores); batches of long texts
                are smaller, see ``MAX_BATCH_TOKENS``.
                Ignored (one text per pass) when ``one_text_per_pass`` is set.

        Returns:
            Array of shape ``(len(texts), dim)``, dtype float32.

        Example:
            >>> from heard.encode import load_encoder
            >>> rows = load_encoder().encode(["me too", "not all men"])
            >>> rows.dtype, rows.shape
            (dtype('float32'), (2, 384))
        """
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        total = len(texts)
        out = np.empty((total, self.dim), dtype=np.float32)
        chunk = max(TEXTS_PER_CHUNK, batch_size)
        per_pass = 1 if self.one_text_per_pass else (max(batch_size, GPU_BATCH) if self.device == "cuda" else batch_size)
        max_tokens = GPU_BATCH_TOKENS if self.device == "cuda" else MAX_BATCH_TOKENS
        pool = self._executor()
        running: list[tuple[np.ndarray, Future[np.ndarray]]] = []
        for start in range(0, total, chunk):
            stop = min(start + chunk, total)
            encodings = self._tokenizer.encode_batch([texts[i] for i in range(start, stop)])
            lengths = np.fromiter((len(e.ids) for e in encodings), dtype=np.int64, count=len(encodings))
            submitted = [
                (start + rows, pool.submit(self._embed, self._feed([encodings[i] for i in rows])))
                for rows in length_batches(lengths, per_pass, max_tokens)
            ]
            # The sessions ran the previous chunk while this one was tokenised;
            # collect it now, so at most two chunks are held at once.
            _collect(running, out)
            running = submitted
        _collect(running, out)
        return out

    def _executor(self) -> ThreadPoolExecutor:
        with self._pool_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self._workers, thread_name_prefix="heard-encode")
            return self._pool

    def _feed(self, encodings: list[Encoding]) -> dict[str, np.ndarray]:
        """Model inputs for one batch, padded to its longest text."""
        width = max(len(e.ids) for e in encodings)
        arrays = {name: np.zeros((len(encodings), width), dtype=np.int64) for name in _INPUT_NAMES}
        for row, encoding in enumerate(encodings):
            length = len(encoding.ids)
            arrays["input_ids"][row, :length] = encoding.ids
            arrays["attention_mask"][row, :length] = encoding.attention_mask
            arrays["token_type_ids"][row, :length] = encoding.type_ids
        return arrays

    def _embed(self, arrays: dict[str, np.ndarray]) -> np.ndarray:
        feed = {name: arrays[name] for name in self._input_names}
        # As many sessions as pool threads, so a free one is always there.
        session = self._idle.get()
        try:
            hidden = session.run([self._output_name], feed)[0]
        finally:
            self._idle.put(session)
        return mean_pool_normalise(np.asarray(hidden, dtype=np.float32), arrays["attention_mask"])

    def _probe_dim(self) -> int:
        return int(self._embed(self._feed([self._tokenizer.encode("")])).shape[1])


def encoder_id(folder: Path, config: dict[str, Any] | None = None) -> str:
    """``"<config name>@<first 12 hex of sha256 of model.onnx>"`` for an ONNX
    encoder folder, without loading the model (``config``: its parsed
    ``config.json`` when the caller has it).

    Example:
        >>> from heard.encode.load import BUNDLED_ENCODER
        >>> encoder_id(BUNDLED_ENCODER).startswith("all-MiniLM-L6-v2-heard-int8@")
        True
    """
    config = _read_config(folder / CONFIG_FILE) if config is None else config
    return f"{config.get('name', folder.name)}@{files_digest([folder / MODEL_FILE])}"


def _collect(running: list[tuple[np.ndarray, Future[np.ndarray]]], out: np.ndarray) -> None:
    for rows, vectors in running:
        out[rows] = vectors.result()


def length_batches(lengths: np.ndarray, batch_size: int, max_tokens: int) -> Iterator[np.ndarray]:
    """Group texts shortest first into batches that waste little padding.

    Each batch holds at most ``batch_size`` texts and, padded to its longest
    text, at most ``max_tokens`` tokens (but always at least one text).

    Args:
        lengths: token count of each text.
        batch_size: most texts per batch.
        max_tokens: most padded tokens per batch.

    Yields:
        Arrays of indices into ``lengths``; together they cover every index once.

    Example:
        >>> [b.tolist() for b in length_batches(np.array([9, 2, 5, 2]), batch_size=2, max_tokens=10)]
        [[1, 3], [2], [0]]
    """
    order = np.argsort(lengths, kind="stable")
    start = 0
    while start < len(order):
        stop = start + 1
        # Sorted ascending, so the newcomer sets the padded width of the batch.
        while stop < len(order) and stop - start < batch_size:
            if (stop - start + 1) * lengths[order[stop]] > max_tokens:
                break
            stop += 1
        yield order[start:stop]
        start = stop


def mean_pool_normalise(hidden: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
    """Average token states over real tokens, then scale rows to unit length.

    Matches sentence-transformers' ``Pooling(mean)`` followed by ``Normalize``.

    Args:
        hidden: token states, shape ``(batch, sequence, dim)``.
        attention_mask: 1 for real tokens, 0 for padding, shape ``(batch, sequence)``.

    Returns:
        float32 array of shape ``(batch, dim)`` with unit-norm rows.

    Example:
        >>> h = np.array([[[3.0, 4.0], [9.0, 9.0]]], dtype=np.float32)
        >>> [round(float(x), 2) for x in mean_pool_normalise(h, np.array([[1, 0]]))[0]]
        [0.6, 0.8]
    """
    mask = attention_mask.astype(np.float32)
    summed = np.einsum("bsd,bs->bd", hidden, mask)
    counts = np.maximum(mask.sum(axis=1, keepdims=True), 1e-9)
    pooled = summed / counts
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    normalised: np.ndarray = (pooled / np.maximum(norms, 1e-12)).astype(np.float32, copy=False)
    return normalised


def _quantises_activations_dynamically(path: Path) -> bool:
    # Op types are stored as plain strings in the protobuf; scanning the bytes
    # avoids a dependency on the onnx package at run time.
    with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        return data.find(b"DynamicQuantizeLinear") != -1


def _check_file(path: Path) -> None:
    if not path.is_file():
        raise ModelError(
            f"{path.parent}: expected an ONNX encoder folder with {MODEL_FILE} and {TOKENIZER_FILE}, "
            f"found no {path.name}. Fix: point at a folder made by scripts/export_encoder.py"
        )
    with path.open("rb") as handle:
        head = handle.read(len(_LFS_POINTER_PREFIX))
    if head == _LFS_POINTER_PREFIX:
        raise ModelError(
            f"{path}: expected the model file, found a Git LFS pointer. "
            "Fix: run `git lfs pull`, or reinstall heard from a wheel"
        )


def _read_config(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ModelError(
            f"{path}: expected a JSON object, found unreadable JSON ({error}). Fix: re-export the encoder"
        ) from error
    if not isinstance(config, dict):
        raise ModelError(f"{path}: expected a JSON object, found {type(config).__name__}. Fix: re-export the encoder")
    if config.get("pooling", "mean") != "mean" or config.get("normalize", True) is not True:
        raise ModelError(
            f"{path}: expected \"pooling\": \"mean\" and \"normalize\": true, "
            f"found pooling={config.get('pooling')!r}, normalize={config.get('normalize')!r}. "
            "Fix: export a mean-pooled model, or load it with SentenceTransformerEncoder"
        )
    return config


def _load_tokenizer(path: Path, max_length: int) -> Tokenizer:
    try:
        tokenizer = Tokenizer.from_file(str(path))
    except Exception as error:  # tokenizers raises a bare Exception on bad JSON
        raise ModelError(
            f"{path}: expected a Hugging Face tokenizer.json, found a file tokenizers cannot read ({error}). "
            "Fix: re-export the encoder"
        ) from error
    # The shipped file pads every text to 128 tokens; pad per batch instead.
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=max_length)
    return tokenizer


def _providers(device: str) -> list[str]:
    """ONNX Runtime providers for ``device``; a clear error when CUDA is asked for but absent."""
    if device == "cpu":
        return ["CPUExecutionProvider"]
    if "CUDAExecutionProvider" not in ort.get_available_providers():
        raise ConfigError(
            "--device cuda: expected ONNX Runtime with its CUDA provider, found only "
            f"{', '.join(ort.get_available_providers())}. Fix: on a machine with an NVIDIA GPU, pip install 'heard[gpu]' "
            "&& pip install --force-reinstall --no-deps onnxruntime-gpu (the CPU-only onnxruntime must not shadow it), "
            "or leave --device out to run on the CPU"
        )
    return ["CUDAExecutionProvider", "CPUExecutionProvider"]


def _load_session(path: Path, threads: int, device: str = "cpu") -> ort.InferenceSession:
    """One session with ``threads`` intra-op threads, on ``device``."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    # Measured on 2 cores with the int8 model: ENABLE_ALL and ENABLE_EXTENDED tie
    # and beat ENABLE_BASIC by ~8%; the offline BERT fusion of
    # onnxruntime.transformers was slower still (TECH_NOTES), so it is not applied.
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    # Idle worker threads sleep instead of spinning: with another busy process
    # on 2 cores, spinning halved throughput (81 vs 154 posts/s), and heard often
    # runs beside Dask workers or a web server.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.log_severity_level = 3
    # The process-wide logger too: without it ONNX Runtime warns on stderr, in colour, when
    # it cannot write its telemetry id into an unwritable HOME (a service account, a sandbox).
    ort.set_default_logger_severity(3)
    providers = _providers(device)
    try:
        session = ort.InferenceSession(str(path), sess_options=options, providers=providers,
                                       disabled_optimizers=list(UNFUSED) if device == "cpu" else None)
    except Exception as error:  # onnxruntime raises its own untyped errors
        if device == "cuda":
            raise ConfigError(f"--device cuda: expected a working NVIDIA GPU, found ONNX Runtime could not start on one ({str(error)[:300]}). "
                              "Fix: check nvidia-smi and the CUDA/cuDNN libraries, or leave --device out") from None
        raise ModelError(
            f"{path}: expected an ONNX model, found a file ONNX Runtime cannot load ({error}). "
            "Fix: re-export the encoder"
        ) from error
    if device == "cuda" and session.get_providers()[0] != "CUDAExecutionProvider":
        raise ConfigError("--device cuda: expected a GPU, found ONNX Runtime fell back to the CPU (no GPU visible, or CUDA libraries missing). "
                          "Fix: check nvidia-smi, or leave --device out")
    return session


def _check_inputs(session: ort.InferenceSession, path: Path) -> tuple[str, ...]:
    names = tuple(i.name for i in session.get_inputs())
    unknown = [n for n in names if n not in _INPUT_NAMES]
    if "input_ids" not in names or unknown:
        raise ModelError(
            f"{path}: expected inputs among {', '.join(_INPUT_NAMES)} including input_ids, "
            f"found {', '.join(names) or 'none'}. Fix: export the transformer with those input names"
        )
    return names


def _check_output(session: ort.InferenceSession, path: Path) -> tuple[str, int | None]:
    output = session.get_outputs()[0]
    if len(output.shape) != 3:
        raise ModelError(
            f"{path}: expected the first output to be token states (batch, sequence, dim), "
            f"found {output.name} with shape {output.shape}. Fix: export last_hidden_state as the first output"
        )
    dim = output.shape[-1]
    return output.name, dim if isinstance(dim, int) else None
