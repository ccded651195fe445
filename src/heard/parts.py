"""Part files: which files of a folder make up a partitioned corpus.

``heard classify`` plans its partitions and ``heard report --parquet`` finds its
label files with this one rule: every file below the folder, at any depth, whose
name ends in one of the wanted endings, in name order, skipping anything under a
name that starts with ``.`` or ``_`` (temporary files, manifests, ``_SUCCESS``).

Example:
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> for name in ("b.parquet", "a.parquet", "_heard_manifest.json", ".tmp.parquet"):
    ...     _ = (folder / name).write_bytes(b"")
    >>> [p.name for p in part_files(folder, PARQUET_ENDINGS)]
    ['a.parquet', 'b.parquet']
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

PARQUET_ENDINGS = (".parquet", ".pq")
"""Names ending so are read and written as Parquet; all others as JSONL."""


def part_files(folder: Path, endings: Sequence[str]) -> list[Path]:
    """The part files of ``folder`` with one of ``endings`` (lower-case, with the dot), sorted.

    Example:
        >>> part_files(Path("no-such-folder"), PARQUET_ENDINGS)
        []
    """
    if not folder.is_dir():
        return []
    return sorted(
        path for path in folder.rglob("*")
        if path.is_file() and path.suffix.lower() in endings
        and not any(piece.startswith((".", "_")) for piece in path.relative_to(folder).parts)
    )


__all__ = ["PARQUET_ENDINGS", "part_files"]
