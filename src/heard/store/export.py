"""Export the store's tables as Parquet or CSV, one file per table.

CSV cells that a spreadsheet would run as a formula get a leading ``'``
(see :mod:`heard.store.output`); Parquet keeps every value as stored.

Example:
    >>> export_store(store, Path("out"), "parquet")     # doctest: +SKIP
    [(PosixPath('out/posts.parquet'), 330), ...]
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from heard.errors import ConfigError, StoreError
from heard.store.database import Store
from heard.store.output import csv_safe_sql, output_folder

EXPORTED = ("posts", "units", "labels", "runs")


def export_store(store: Store, folder: Path, fmt: str) -> list[tuple[Path, int]]:
    """Write each table of :data:`EXPORTED` to ``folder/<table>.<fmt>``; return (path, rows).

    DuckDB's COPY streams the tables, so memory does not grow with the corpus.
    In CSV, a text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a
    carriage return gets a leading ``'`` so that spreadsheets show it rather
    than run it; Parquet keeps every value as stored.
    Files are written under a temporary name and renamed when complete.

    Raises:
        ConfigError: ``fmt`` is not parquet or csv; ``folder`` is a file or cannot be written
            (checked before anything is exported).
        StoreError: writing a file failed part way (a full disk); no partial file is left.
    """
    if fmt not in ("parquet", "csv"):
        raise ConfigError(f"expected --format parquet or csv, found {fmt!r}. Fix: pick one of those")
    output_folder(folder, "the export")
    options = "(FORMAT PARQUET)" if fmt == "parquet" else "(FORMAT CSV, HEADER)"
    written = []
    for table in EXPORTED:
        target = folder / f"{table}.{fmt}"
        partial = folder / f".{table}.{fmt}.partial"
        escaped = str(partial).replace("'", "''")
        try:
            store.con.execute(f"COPY (SELECT {_columns(store, table, fmt)} FROM {table}) TO '{escaped}' {options}")
            partial.replace(target)
        except (duckdb.Error, OSError) as exc:
            partial.unlink(missing_ok=True)
            raise StoreError(f"{target}: expected to write the {table} table, found an error "
                             f"({str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__}). "
                             "Fix: check the free space and permissions of the folder, then run the export again") from None
        written.append((target, store.count(table)))
    return written


def _columns(store: Store, table: str, fmt: str) -> str:
    """The select list: every column as stored, but text cells made safe for spreadsheets in CSV."""
    if fmt != "csv":
        return "*"
    described = store.con.execute(f"DESCRIBE {table}").fetchall()
    return ", ".join(
        f'{csv_safe_sql(_quoted(name))} AS {_quoted(name)}' if kind in ("VARCHAR", "JSON") else _quoted(name)
        for name, kind, *_ in described
    )


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
