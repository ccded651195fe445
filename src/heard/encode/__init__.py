"""Sentence encoders: text units in, unit-length float32 vectors out.

``load_encoder()`` gives heard's bundled encoder: all-MiniLM-L6-v2 fine-tuned on
heard's codebook data, int8, run by ONNX Runtime (no torch needed), which the
classifier uses; ``load_encoder(folder)`` loads an ONNX export or any
sentence-transformers model folder. Every encoder has a ``name`` that changes
with its weights, used to key cached embeddings and labels.

Example:
    >>> from heard.encode import load_encoder
    >>> encoder = load_encoder()
    >>> vectors = encoder.encode(["This happened to me too.", "Thank you for saying it."])
    >>> vectors.shape, vectors.dtype
    ((2, 384), dtype('float32'))
"""

from __future__ import annotations

from heard.encode.load import BUNDLED_ENCODER, load_encoder
from heard.encode.onnx import OnnxEncoder
from heard.encode.protocol import Encoder
from heard.encode.sentence_transformers import SentenceTransformerEncoder

__all__ = ["BUNDLED_ENCODER", "Encoder", "OnnxEncoder", "SentenceTransformerEncoder", "load_encoder"]
