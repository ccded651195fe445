"""Pick the right encoder for a folder, or the bundled one for none.

Example:
    >>> encoder = load_encoder()
    >>> encoder is load_encoder(BUNDLED_ENCODER)
    True
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path

from heard.encode.onnx import MODEL_FILE, TOKENIZER_FILE, OnnxEncoder, encoder_id
from heard.encode.protocol import Encoder
from heard.encode.sentence_transformers import SentenceTransformerEncoder
from heard.errors import ConfigError, ModelError

BUNDLED_ENCODER = Path(__file__).resolve().parent.parent / "resources" / "encoder"
"""The encoder shipped inside heard: all-MiniLM-L6-v2 fine-tuned on heard's codebook
data, int8 (see its ``CARD.md``); heard's bundled heads are trained on it, and it is
``heard train``'s default. The untuned export it started from stays in the repository
(``training/encoder_base``), outside the installed package."""

log = logging.getLogger(__name__)

_SENTENCE_TRANSFORMERS_MARKERS = ("modules.json", "config_sentence_transformers.json")


def load_encoder(path: str | Path | None = None, *, threads: int | None = None, device: str = "cpu") -> Encoder:
    """Load an encoder from a folder, or heard's bundled one.

    A folder with ``model.onnx`` and ``tokenizer.json`` is run with ONNX
    Runtime; a sentence-transformers folder (``modules.json`` or
    ``config_sentence_transformers.json``) with sentence-transformers. Each
    folder is loaded once per process: later calls with the same resolved
    path return the same encoder.

    Args:
        path: model folder; ``None`` for the bundled encoder.
        threads: cores an ONNX encoder may use (default: all); give 1 per Dask worker.
        device: ``"cpu"`` or ``"cuda"`` (ONNX encoders only).

    Returns:
        An :class:`~heard.encode.Encoder`.

    Raises:
        ModelError: the folder does not exist or holds neither kind of model,
            or the model in it cannot be loaded.

    Example:
        >>> encoder = load_encoder()
        >>> encoder.dim
        384
        >>> round(float(encoder.encode(["I believe you"])[0] @ encoder.encode(["I believe you"])[0]), 3)
        1.0
    """
    folder = BUNDLED_ENCODER if path is None else Path(path).expanduser()
    return _load_cached(folder.resolve(), threads, device)


@functools.lru_cache(maxsize=8)
def _load_cached(folder: Path, threads: int | None = None, device: str = "cpu") -> Encoder:
    if not folder.is_dir():
        found = "a file" if folder.exists() else "nothing"
        raise ModelError(
            f"{folder}: expected an encoder folder, found {found} there. "
            "Fix: pass a folder with model.onnx + tokenizer.json, or a sentence-transformers model folder"
        )
    if (folder / MODEL_FILE).is_file() and (folder / TOKENIZER_FILE).is_file():
        encoder: Encoder = OnnxEncoder(folder, threads=threads, device=device)
        log.info("encoder %s loaded from %s (ONNX Runtime)", encoder.name, folder)
        return encoder
    if any((folder / marker).is_file() for marker in _SENTENCE_TRANSFORMERS_MARKERS):
        if device != "cpu":
            raise ConfigError(f"--device {device}: expected an ONNX encoder folder (model.onnx + tokenizer.json), found a "
                              f"sentence-transformers folder at {folder}, which heard runs with torch on the CPU only. "
                              "Fix: export it to ONNX (training/export_encoder.py), or leave --device out")
        encoder = SentenceTransformerEncoder(folder)
        log.info("encoder %s loaded from %s (sentence-transformers)", encoder.name, folder)
        return encoder
    raise ModelError(
        f"{folder}: expected {MODEL_FILE} + {TOKENIZER_FILE} (ONNX) or modules.json / "
        f"config_sentence_transformers.json (sentence-transformers), found {_describe(folder)}. "
        + (
            "Fix: reinstall heard (the encoder ships inside the package)"
            if folder == BUNDLED_ENCODER
            else "Fix: point at a complete model folder, or leave the path out to use the bundled encoder"
        )
    )


def bundled_encoder_for(wanted: str) -> Path | None:
    """The bundled encoder folder whose id (``name@sha256[:12]``) is ``wanted``, if any.

    Heads record the id of the encoder they were trained on; this finds it
    without loading a model.

    Example:
        >>> bundled_encoder_for(load_encoder().name) == BUNDLED_ENCODER
        True
    """
    if (BUNDLED_ENCODER / MODEL_FILE).is_file() and _bundled_id(BUNDLED_ENCODER) == wanted:
        return BUNDLED_ENCODER
    return None


@functools.lru_cache(maxsize=4)
def _bundled_id(folder: Path) -> str:
    return encoder_id(folder)


def _describe(folder: Path) -> str:
    names = sorted(p.name for p in folder.iterdir())
    if not names:
        return "an empty folder"
    shown = ", ".join(names[:6])
    return shown + (f" and {len(names) - 6} more" if len(names) > 6 else "")
