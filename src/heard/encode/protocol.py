"""What every sentence encoder in heard promises.

An encoder turns texts into unit-length float32 vectors. Classifier heads
are trained on those vectors and cached labels are keyed by the encoder's
``name``, so ``name`` must change whenever the vectors could change (other
weights, other quantisation) and must not change otherwise.

Example:
    >>> import numpy as np
    >>> class Constant:
    ...     name = "constant@1"
    ...     dim = 2
    ...     def encode(self, texts, batch_size=32):
    ...         return np.tile(np.array([[1.0, 0.0]], dtype=np.float32), (len(texts), 1))
    >>> isinstance(Constant(), Encoder)
    True
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class Encoder(Protocol):
    """A sentence encoder: texts in, L2-normalised float32 rows out.

    Attributes:
        name: stable version id, e.g. ``"all-MiniLM-L6-v2-int8@53aa51172d14"``;
            used to key cached embeddings and labels.
        dim: length of each embedding row.

    Example:
        >>> from heard.encode import load_encoder
        >>> encoder = load_encoder()
        >>> encoder.encode(["me too", "I believe you"]).shape
        (2, 384)
    """

    name: str
    dim: int

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """Embed ``texts``.

        Args:
            texts: any number of strings, including none, ``""`` and texts far
                longer than the model's window (they are cut by tokens).
            batch_size: texts per forward pass; 32 was fastest on 2 cores.

        Returns:
            A float32 array of shape ``(len(texts), dim)`` whose rows have unit
            L2 norm and follow the order of ``texts``.
        """
        ...
