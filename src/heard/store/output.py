"""Files heard writes for people: output folders and files that fail before the work, and
CSV cells that a spreadsheet will not run.

A CSV cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return is read as a formula by Excel, LibreOffice and Google Sheets, so a post
(or an id, or a cue) crafted by someone in the corpus could run on the
researcher's machine. CSV files that heard writes (``heard export --format
csv``, ``heard sql --format csv``, the report's ``tables/*.csv``) prefix such cells with a single quote,
as OWASP advises; Parquet files keep the value as stored.

Example:
    >>> import pyarrow as pa
    >>> csv_safe(pa.table({"cell": ["=1+1", "-2", "fine", None]})).column("cell").to_pylist()
    ["'=1+1", "'-2", 'fine', None]
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from heard.errors import ConfigError

FORMULA_PATTERN = r"^[=+@\t\r-]"
"""A cell that matches (RE2, for Arrow and DuckDB alike) is read as a formula by spreadsheets."""


def output_folder(folder: Path, what: str) -> Path:
    """Create ``folder`` (and its parents) and check that files can be written in it.

    Called before the work, so a bad ``-o`` fails in a second, not after an analysis.

    Args:
        folder: the folder to write into.
        what: what goes there, for the message (``"the report"``, ``"the export"``).

    Raises:
        ConfigError: ``folder`` is a file, lies under a file, or cannot be written.
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ConfigError(f"{folder}: expected a folder for {what}, found a file. "
                          "Fix: pass -o a new or existing folder (heard does not overwrite the file)")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _probe(folder)
    except OSError as exc:
        raise ConfigError(f"{folder}: expected a folder heard can write {what} into, found that it cannot "
                          f"({exc.strerror or type(exc).__name__}). Fix: pass -o a folder you can write to") from None
    return folder


def _probe(folder: Path) -> None:
    """Create and drop a file in ``folder``: raises OSError where heard could not write its output."""
    with tempfile.TemporaryFile(dir=folder, prefix=".heard-probe-"):
        pass


def output_file(path: Path, what: str, flag: str = "-o") -> Path:
    """Check, before the work, that a file can be written at ``path`` (its folder exists and takes files).

    The file itself is not created: it is written whole, later, or not at all.

    Args:
        path: the file to write.
        what: what goes there, for the message (``"the sample"``, ``"the rejects"``).
        flag: the option that named the path, for the message and the fix.

    Raises:
        ConfigError: ``path`` is a folder, its folder is missing (or a file), or files cannot be created there.

    Example:
        >>> output_file(Path("no-such-folder/sample.jsonl"), "the sample")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        heard.errors.ConfigError: -o no-such-folder/sample.jsonl: expected an existing folder for the sample, found no folder ...
    """
    path = Path(path)
    folder = path.parent
    if path.is_dir():
        raise ConfigError(f"{flag} {path}: expected a file for {what}, found a folder. "
                          f"Fix: pass {flag} a file name (heard does not write into the folder)")
    if not folder.is_dir():
        raise ConfigError(f"{flag} {path}: expected an existing folder for {what}, found no folder at {folder}. "
                          f"Fix: create it first (mkdir -p {folder}) or pass {flag} a file in an existing folder")
    try:
        _probe(folder)
    except OSError as exc:
        raise ConfigError(f"{flag} {path}: expected a folder heard can write {what} into, found that it cannot "
                          f"({exc.strerror or type(exc).__name__}). Fix: pass {flag} a file in a folder you can write to") from None
    return path


def csv_safe(table: pa.Table) -> pa.Table:
    """``table`` with every text cell that a spreadsheet would run as a formula prefixed by ``'``."""
    columns = []
    for column in table.columns:
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            risky = pc.match_substring_regex(column, FORMULA_PATTERN)
            column = pc.if_else(risky, pc.binary_join_element_wise("'", column, ""), column)
        columns.append(column)
    return pa.Table.from_arrays(columns, schema=table.schema)


def csv_safe_sql(column: str) -> str:
    """A DuckDB expression for text column ``column`` (a quoted identifier) with :func:`csv_safe`'s rule."""
    return f"CASE WHEN regexp_matches({column}::VARCHAR, '{FORMULA_PATTERN}') THEN '''' || {column}::VARCHAR " \
           f"ELSE {column}::VARCHAR END"


_FORMULA = re.compile(FORMULA_PATTERN)


def csv_safe_value(value: object) -> object:
    """One cell with :func:`csv_safe`'s rule: text that a spreadsheet would run gets a leading ``'``."""
    if isinstance(value, str) and _FORMULA.match(value):
        return "'" + value
    return value
