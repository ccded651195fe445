"""training.corpus.CachedEncoder: vectors kept on disk by text, reused by a second build."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from heard.encode import load_encoder
from training.corpus import CachedEncoder


class Counting:
    """The bundled encoder, counting the texts it is asked to embed."""

    def __init__(self) -> None:
        self.base = load_encoder()
        self.name, self.dim = self.base.name, self.base.dim
        self.seen = 0

    def encode(self, texts, batch_size: int = 16) -> np.ndarray:
        self.seen += len(texts)
        return self.base.encode(texts, batch_size=batch_size)


def test_second_encoder_on_the_same_folder_embeds_nothing_new(tmp_path: Path) -> None:
    tmp_path = tmp_path / "cache"
    texts = ["I believe you.", "Not all men.", "I believe you.", ""]
    first = Counting()
    vectors = CachedEncoder(first, tmp_path).encode(texts)
    assert first.seen == 3  # the repeated text is embedded once
    assert vectors.shape == (4, first.dim) and np.allclose(vectors[0], vectors[2])
    second = Counting()
    again = CachedEncoder(second, tmp_path).encode(list(reversed(texts)))
    assert second.seen == 0
    assert np.array_equal(again, vectors[::-1])
    assert [p.name for p in tmp_path.iterdir()] == [f"emb_{first.name.replace('@', '_')}.npz"]
    assert CachedEncoder(second, tmp_path).encode([]).shape == (0, first.dim)
