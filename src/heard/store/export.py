"""Export the store's tables as Parquet or CSV, one file per table.

Example:
    >>> export_store(store, Path("out"), "parquet")     # doctest: +SKIP
    [(PosixPath('out/posts.parquet'), 330), ...]
"""

from __future__ import annotations

from pathlib import Path

from heard.errors import ConfigError
from heard.store.database import Store

EXPORTED = ("posts", "units", "labels", "runs")


def export_store(store: Store, folder: Path, fmt: str) -> list[tuple[Path, int]]:
    """Write each table of :data:`EXPORTED` to ``folder/<table>.<fmt>``; return (path, rows).

    DuckDB's COPY streams the tables, so memory does not grow with the corpus.
    Files are written under a temporary name and renamed when complete.
    """
    if fmt not in ("parquet", "csv"):
        raise ConfigError(f"expected --format parquet or csv, found {fmt!r}. Fix: pick one of those")
    folder.mkdir(parents=True, exist_ok=True)
    options = "(FORMAT PARQUET)" if fmt == "parquet" else "(FORMAT CSV, HEADER)"
    written = []
    for table in EXPORTED:
        target = folder / f"{table}.{fmt}"
        partial = folder / f".{table}.{fmt}.partial"
        escaped = str(partial).replace("'", "''")
        store.con.execute(f"COPY (SELECT * FROM {table}) TO '{escaped}' {options}")
        partial.replace(target)
        written.append((target, store.count(table)))
    return written
