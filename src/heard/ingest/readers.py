"""Readers: stream raw records out of files, one at a time.

Each reader yields :class:`Row` (a parsed record) or :class:`BadRow` (a line
that could not be parsed, with the reason), so the caller decides whether to
stop or to set the row aside. Memory holds one line or one Parquet batch.

Example:
    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.jsonl"
    >>> _ = p.write_text('{"id": 1, "text": "me too"}\\n{oops\\n')
    >>> [type(r).__name__ for r in read_records(p)]
    ['Row', 'BadRow']
"""

from __future__ import annotations

import codecs
import csv
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from heard.errors import InputError

TEXT_SUFFIXES = (".txt", ".md", ".markdown")
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jsonlines")
CSV_SUFFIXES = (".csv", ".tsv")
PARQUET_SUFFIXES = (".parquet", ".pq")
JSON_SUFFIXES = (".json",)

_UNDECODED = re.compile("[\udc80-\udcff]")
_CSV_FIELD_LIMIT = 64 * 1024 * 1024


@dataclass(frozen=True)
class Row:
    """One parsed record and where it came from (1-based line, row or item)."""

    line: int
    record: dict[str, Any]


@dataclass(frozen=True)
class BadRow:
    """A line that could not be read, why, and its raw content for a rejects file."""

    line: int
    expected: str
    found: str
    fix: str
    raw: str


def _decode_lines(fh: BinaryIO, encoding: str) -> Iterator[tuple[int, str]]:
    """Decode line by line; bytes that do not decode stay as lone surrogates to be reported."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="surrogateescape")
    for number, raw in enumerate(fh, start=1):
        text = decoder.decode(raw)
        if number == 1 and text.startswith("\ufeff"):
            text = text[1:]
        yield number, text


def _encoding_problem(text: str, encoding: str) -> str | None:
    match = _UNDECODED.search(text)
    if match is None:
        return None
    byte = ord(match.group()) - 0xDC00
    return f"found byte 0x{byte:02x} at column {match.start() + 1} that is not valid {encoding}"


def _encoding_fix(encoding: str) -> str:
    return (
        "re-save the file as UTF-8 (for example `iconv -f cp1252 -t utf-8 IN > OUT`), "
        "or name its encoding with --encoding latin-1, or pass --skip-bad"
        if encoding.lower().replace("_", "-") in ("utf-8", "utf8")
        else f"check that the file really is {encoding}, or pass --skip-bad"
    )


def _nul_problem(text: str) -> str | None:
    at = text.find("\x00")
    return None if at < 0 else f"found a NUL byte at column {at + 1}"


def _sniff_utf16(path: Path) -> None:
    with path.open("rb") as fh:
        head = fh.read(4)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise InputError(
            str(path),
            "expected UTF-8 text",
            "found UTF-16 text (byte-order mark at the start)",
            "re-save it as UTF-8 (`iconv -f utf-16 -t utf-8 IN > OUT`) or pass --encoding utf-16",
            line=1,
        )


def _open_text(path: Path, encoding: str) -> Iterator[tuple[int, str]]:
    if encoding.lower().replace("_", "-") in ("utf-16", "utf-16-le", "utf-16-be", "utf-32"):
        with path.open("r", encoding=encoding, errors="surrogateescape", newline="") as fh:
            yield from enumerate(fh, start=1)
        return
    _sniff_utf16(path)
    with path.open("rb") as fh:
        yield from _decode_lines(fh, encoding)


def read_jsonl(path: Path, encoding: str = "utf-8") -> Iterator[Row | BadRow]:
    """One JSON object per line; blank lines are skipped; a line holding a
    Twitter API v2 response (``{"data": [...]}``) yields each tweet."""
    for number, line in _open_text(path, encoding):
        if not line.strip():
            continue
        problem = _encoding_problem(line, encoding)
        if problem:
            yield BadRow(number, f"expected {encoding} text", problem, _encoding_fix(encoding), _raw(line))
            continue
        nul = _nul_problem(line)
        if nul:
            yield BadRow(number, "expected text without NUL bytes", nul, "remove the NUL bytes (the file may be binary or UTF-16) or pass --skip-bad", _raw(line))
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            yield BadRow(number, "expected one JSON object per line", f"found invalid JSON ({exc.msg} at column {exc.colno})", "fix or remove the line, or pass --skip-bad to set it aside", _raw(line))
            continue
        yield from _records_of(value, number, line)


def _records_of(value: Any, number: int, raw: str) -> Iterator[Row | BadRow]:
    if isinstance(value, dict) and isinstance(value.get("data"), list) and "text" not in value:
        for item in value["data"]:
            if isinstance(item, dict):
                yield Row(number, item)
            else:
                yield BadRow(number, "expected tweet objects in 'data'", f"found a {type(item).__name__}", "check the export", _raw(raw))
    elif isinstance(value, dict):
        yield Row(number, value)
    else:
        yield BadRow(number, "expected a JSON object", f"found a JSON {type(value).__name__}", "wrap each post in an object with a text field, or pass --skip-bad", _raw(raw))


def read_json(path: Path, encoding: str = "utf-8") -> Iterator[Row | BadRow]:
    """A whole-file JSON export: a list of posts, ``{"data": [...]}`` (X/Twitter API v2),
    ``{"posts"|"statuses"|"feed": [...]}``, or a single post. Loaded whole: use JSONL for big corpora."""
    _sniff_utf16(path)
    raw = path.read_bytes()
    text = raw.decode(encoding, errors="surrogateescape")
    if text.startswith("\ufeff"):
        text = text[1:]
    problem = _encoding_problem(text, encoding)
    if problem:
        line = text[: _UNDECODED.search(text).start()].count("\n") + 1  # type: ignore[union-attr]
        raise InputError(str(path), f"expected {encoding} text", problem, _encoding_fix(encoding), line=line)
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(str(path), "expected a JSON document", f"found invalid JSON ({exc.msg} at column {exc.colno})", "fix the file, or export it as JSONL (one post per line) and use --skip-bad", line=exc.lineno) from None
    if isinstance(value, dict):
        for key in ("data", "posts", "statuses", "feed", "records", "items"):
            if isinstance(value.get(key), list):
                value = value[key]
                break
    items = value if isinstance(value, list) else [value]
    for index, item in enumerate(items, start=1):
        if isinstance(item, dict):
            nul = _nul_problem(json.dumps(item, ensure_ascii=False))
            if nul:
                yield BadRow(index, "expected text without NUL bytes", nul, "remove the NUL bytes or pass --skip-bad", _raw(json.dumps(item)))
                continue
            yield Row(index, item)
        else:
            yield BadRow(index, "expected a JSON object for each post", f"found a JSON {type(item).__name__}", "check the export, or pass --skip-bad", _raw(json.dumps(item)))


def read_csv(path: Path, encoding: str = "utf-8") -> Iterator[Row | BadRow]:
    """CSV (or TSV) with a header row; fields may span lines when quoted."""
    csv.field_size_limit(_CSV_FIELD_LIMIT)
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    lines = _open_text(path, encoding)
    line_numbers: list[int] = []

    def feed() -> Iterator[str]:
        for number, line in lines:
            line_numbers.append(number)
            yield line

    reader = csv.reader(feed(), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        raise InputError(str(path), "expected a CSV header row", f"found {exc}", "check the file is CSV", line=1) from None
    header = [h.strip() for h in header]
    if not any(header):
        raise InputError(str(path), "expected a CSV header row naming the columns", "found an empty first line", "add a header row (for example id,text,author,created_at)", line=1)
    while True:
        start = (line_numbers[-1] + 1) if line_numbers else 2
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield BadRow(start, "expected a well-formed CSV row", f"found a CSV error ({exc})", "fix the quoting on that line, or pass --skip-bad", "")
            continue
        raw = delimiter.join(fields)
        if not any(f.strip() for f in fields):
            continue
        problem = _encoding_problem(raw, encoding)
        if problem:
            yield BadRow(start, f"expected {encoding} text", problem, _encoding_fix(encoding), _raw(raw))
            continue
        nul = _nul_problem(raw)
        if nul:
            yield BadRow(start, "expected text without NUL bytes", nul, "remove the NUL bytes or pass --skip-bad", _raw(raw))
            continue
        if len(fields) != len(header):
            yield BadRow(start, f"expected {len(header)} fields as in the header", f"found {len(fields)}", "fix the quoting or the delimiter on that line, or pass --skip-bad", _raw(raw))
            continue
        yield Row(start, dict(zip(header, fields)))


def read_parquet(path: Path, encoding: str = "utf-8") -> Iterator[Row | BadRow]:
    """Parquet, read in batches of 4,096 rows."""
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises several unrelated types for a damaged file
        raise InputError(str(path), "expected a Parquet file", f"found something pyarrow cannot read ({str(exc).splitlines()[0][:120]})", "check the file, or give it the right extension (.jsonl, .csv)") from None
    number = 0
    for batch in parquet.iter_batches(batch_size=4096):
        for record in batch.to_pylist():
            number += 1
            yield Row(number, record)


def _document(file: Path, doc_id: str, number: int, encoding: str) -> Row | BadRow:
    """One .txt/.md file as one document record (a Markdown ``# Title`` is kept)."""
    raw = file.read_bytes()
    try:
        text = raw.decode(encoding).lstrip("\ufeff")
    except UnicodeDecodeError as exc:
        return BadRow(number, f"expected {encoding} text in {file.name}", f"found byte 0x{raw[exc.start]:02x} at offset {exc.start}", _encoding_fix(encoding), "")
    if "\x00" in text:
        return BadRow(number, f"expected text without NUL bytes in {file.name}", f"found a NUL byte at offset {text.index(chr(0))}", "remove the NUL bytes (is it a binary file?) or pass --skip-bad", "")
    first = text.lstrip().split("\n", 1)[0]
    title = first[2:].strip() if first.startswith("# ") else None
    return Row(number, {"id": doc_id, "text": text, "title": title, "file": file.name, "_document": True})


def read_text_folder(path: Path, encoding: str = "utf-8") -> Iterator[Row | BadRow]:
    """A folder of .txt/.md files, one document each (searched recursively).

    The id is ``doc:<folder name>/<path inside the folder>``, so re-ingesting
    the same folder from anywhere adds nothing.
    """
    files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES)
    if not files:
        raise InputError(str(path), "expected .txt or .md files in the folder", "found none", "point at a folder of text or Markdown documents, or at a data file")
    for number, file in enumerate(files, start=1):
        yield _document(file, f"doc:{path.name}/{file.relative_to(path).as_posix()}", number, encoding)


def _raw(line: str) -> str:
    return line.rstrip("\r\n").encode("utf-8", errors="surrogateescape").decode("utf-8", errors="replace")


def read_records(path: Path, encoding: str = "utf-8") -> Iterator[Row | BadRow]:
    """Pick the reader for ``path`` by its suffix (or folder-ness) and stream its rows.

    Raises:
        InputError: the path is missing, empty, or of a kind heard does not read.
    """
    if not path.exists():
        raise InputError(str(path), "expected an input file or folder", "found nothing at that path", "check the path")
    if path.is_dir():
        yield from read_text_folder(path, encoding)
        return
    if path.stat().st_size == 0:
        raise InputError(str(path), "expected at least one post", "found an empty file (0 bytes)", "check the path or re-run the export")
    suffix = path.suffix.lower()
    if suffix in JSONL_SUFFIXES:
        yield from read_jsonl(path, encoding)
    elif suffix in JSON_SUFFIXES:
        yield from _json_or_jsonl(path, encoding)
    elif suffix in CSV_SUFFIXES:
        yield from read_csv(path, encoding)
    elif suffix in PARQUET_SUFFIXES:
        yield from read_parquet(path, encoding)
    elif suffix in TEXT_SUFFIXES:
        yield _document(path, f"doc:{path.name}", 1, encoding)
    else:
        raise InputError(str(path), "expected .jsonl, .ndjson, .json, .csv, .tsv, .parquet, .txt, .md or a folder", f"found a {suffix or 'suffix-less'} file", "rename the file with the suffix of its format")


def _json_or_jsonl(path: Path, encoding: str) -> Iterator[Row | BadRow]:
    """``.json`` files are often JSONL in disguise (Reddit dumps): sniff the first two lines."""
    with path.open("rb") as fh:
        first = fh.readline()
        second = fh.readline()
    try:
        json.loads(first)
        looks_jsonl = bool(second.strip())
    except (json.JSONDecodeError, UnicodeDecodeError):
        looks_jsonl = False
    yield from (read_jsonl(path, encoding) if looks_jsonl else read_json(path, encoding))


__all__ = ["BadRow", "Row", "read_records"]
