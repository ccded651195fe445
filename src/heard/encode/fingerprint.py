"""Short content digests that make an encoder's ``name`` a version id.

Two encoders share a name only if their weight files are byte-identical, so
labels cached under one name are never reused for different vectors.

Example:
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "w.bin"
    >>> _ = f.write_bytes(b"weights")
    >>> files_digest([f])
    '9a129038d9a0'
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

DIGEST_HEX_CHARS = 12
"""Hex characters kept from the sha256: 48 bits, plenty to tell models apart."""

_CHUNK_BYTES = 1 << 20


def file_sha256(path: Path) -> str:
    """Full hex sha256 of one file, read in 1 MiB chunks.

    Example:
        >>> import tempfile, pathlib
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "empty"
        >>> _ = f.write_bytes(b"")
        >>> file_sha256(f)[:12]
        'e3b0c44298fc'
    """
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def files_digest(paths: Iterable[Path]) -> str:
    """First 12 hex characters identifying the content of ``paths``.

    One file gives the prefix of its own sha256 (so it can be checked with
    ``sha256sum``); several files are hashed in the given order, name and
    content together.

    Example:
        >>> import tempfile, pathlib
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "w.bin"
        >>> _ = f.write_bytes(b"weights")
        >>> files_digest([f]) == file_sha256(f)[:12]
        True
    """
    files = list(paths)
    if len(files) == 1:
        return file_sha256(files[0])[:DIGEST_HEX_CHARS]
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode("utf-8") + b"\0" + file_sha256(path).encode("ascii") + b"\n")
    return digest.hexdigest()[:DIGEST_HEX_CHARS]
