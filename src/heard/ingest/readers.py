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
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from heard.errors import ConfigError, InputError
from heard.jsonl import invalid_json

if TYPE_CHECKING:
    import pyarrow.parquet as pq

TEXT_SUFFIXES = (".txt", ".md", ".markdown")
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jsonlines")
CSV_SUFFIXES = (".csv", ".tsv")
PARQUET_SUFFIXES = (".parquet", ".pq")
JSON_SUFFIXES = (".json",)

_UNDECODED = re.compile("[\udc80-\udcff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_CSV_FIELD_LIMIT = 64 * 1024 * 1024
MAX_DEPTH = 64
"""Deepest nesting of lists and objects accepted in a JSON record (posts need a handful)."""
_CSV_DELIMITERS = ",\t;|"
_SNIFF_CHARS = 64 * 1024


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


def check_encoding(encoding: str) -> str:
    """The canonical name of ``encoding``, a text encoding Python knows.

    Raises:
        ConfigError: no such codec, or one that is not a text encoding (``base64``, ``zlib``).

    Example:
        >>> check_encoding("UTF8"), check_encoding("latin-1")
        ('utf-8', 'iso8859-1')
    """
    try:
        name = codecs.lookup(encoding).name
        b"\n".decode(name, "replace")  # bytes-to-bytes codecs (base64, zlib, rot13) are no text encodings
    except (LookupError, TypeError, ValueError):
        raise ConfigError(
            f"encoding: expected a text encoding such as utf-8, latin-1, cp1252 or utf-16, found {encoding!r}. "
            "Fix: pass --encoding (or HEARD_ENCODING) with a Python codec name, or leave it out for UTF-8"
        ) from None
    return name


def _splits_on_newline_bytes(name: str) -> bool:
    """True when the encoding writes newline, comma, quote and braces as their ASCII bytes,
    so a file can be split into lines before decoding (not UTF-16/32 or EBCDIC)."""
    if name == "utf-8-sig":
        return True
    try:
        return '\n,"{}'.encode(name) == b'\n,"{}'
    except UnicodeError:
        return False


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
        else f"check that the file really is {encoding} (leave out --encoding for UTF-8), or pass --skip-bad"
    )


def _nul_problem(text: str) -> str | None:
    at = text.find("\x00")
    return None if at < 0 else f"found a NUL byte at column {at + 1}"


def _value_problem(value: Any) -> str | None:
    """Why a parsed JSON value cannot be stored: nested too deep, or a lone surrogate
    (half of an emoji, written as ``\\ud83d``) in a key or string. ``None`` when fine."""
    stack: list[tuple[Any, int, str]] = [(value, 0, "")]
    while stack:
        item, depth, where = stack.pop()
        if isinstance(item, str):
            match = _SURROGATE.search(item)
            if match:
                at = f" in {where!r}" if where else ""
                return f"found a lone surrogate \\u{ord(match.group()):04x}{at} (half of an emoji, cut off?)"
        elif isinstance(item, (dict, list)):
            if depth >= MAX_DEPTH:
                return f"found lists or objects nested more than {MAX_DEPTH} levels deep"
            pairs = item.items() if isinstance(item, dict) else ((where, v) for v in item)
            for key, child in pairs:
                if isinstance(key, str) and _SURROGATE.search(key):
                    return f"found a lone surrogate \\u{ord(_SURROGATE.search(key).group()):04x} in a key (half of an emoji, cut off?)"  # type: ignore[union-attr]
                stack.append((child, depth + 1, where or str(key)))
    return None


_VALUE_FIX = "repair the record (a cut-off emoji can be deleted), or pass --skip-bad"


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


def _open_text(path: Path, encoding: str) -> Generator[tuple[int, str], None, None]:
    """Numbered lines of a text file. ASCII-compatible encodings are split on newline bytes
    first (a bad byte spoils one line); others (UTF-16, UTF-32) are decoded whole, strictly."""
    name = check_encoding(encoding)
    if _splits_on_newline_bytes(name):
        _sniff_utf16(path)
        with path.open("rb") as fh:
            yield from _decode_lines(fh, name)
        return
    number = 0
    try:
        with path.open("r", encoding=name, errors="strict", newline="") as fh:
            for number, line in enumerate(fh, start=1):
                yield number, line.lstrip("\ufeff") if number == 1 else line
    except UnicodeError as exc:
        raise InputError(str(path), f"expected {name} text", f"found bytes that do not decode as {name} ({exc.reason if isinstance(exc, UnicodeDecodeError) else exc})",
                         "check the file's encoding (leave out --encoding for UTF-8)", line=number + 1) from None


def _loads(text: str) -> tuple[Any, str | None]:
    """``(value, None)`` or ``(None, why the text is not JSON)``."""
    try:
        return json.loads(text), None
    except json.JSONDecodeError as exc:
        return None, invalid_json(exc)
    except RecursionError:
        return None, "found lists or objects nested too deep to read"
    except ValueError as exc:  # an integer of more than 4,300 digits
        return None, f"found invalid JSON ({str(exc).split(';')[0]})"


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
        value, invalid = _loads(line)
        if invalid:
            yield BadRow(number, "expected one JSON object per line", invalid, "fix or remove the line, or pass --skip-bad to set it aside", _raw(line))
            continue
        yield from _records_of(value, number, line)


def _records_of(value: Any, number: int, raw: str) -> Iterator[Row | BadRow]:
    problem = _value_problem(value)
    if problem:
        yield BadRow(number, "expected a JSON record heard can store", problem, _VALUE_FIX, _raw(raw))
    elif isinstance(value, dict) and isinstance(value.get("data"), list) and "text" not in value:
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
    name = check_encoding(encoding)
    raw = path.read_bytes()
    if _splits_on_newline_bytes(name):
        _sniff_utf16(path)
        text = raw.decode(name, errors="surrogateescape")
    else:
        try:
            text = raw.decode(name)
        except UnicodeError as exc:
            at = exc.start if isinstance(exc, UnicodeDecodeError) else 0
            raise InputError(str(path), f"expected {name} text", f"found bytes that do not decode as {name} at byte {at}",
                             "check the file's encoding (leave out --encoding for UTF-8)") from None
    if text.startswith("\ufeff"):
        text = text[1:]
    problem = _encoding_problem(text, encoding)
    if problem:
        line = text[: _UNDECODED.search(text).start()].count("\n") + 1  # type: ignore[union-attr]
        raise InputError(str(path), f"expected {encoding} text", problem, _encoding_fix(encoding), line=line)
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(str(path), "expected a JSON document", invalid_json(exc), "fix the file, or export it as JSONL (one post per line) and use --skip-bad", line=exc.lineno) from None
    except (RecursionError, ValueError) as exc:
        why = "found lists or objects nested too deep to read" if isinstance(exc, RecursionError) else f"found invalid JSON ({str(exc).split(';')[0]})"
        raise InputError(str(path), "expected a JSON document", why, "fix the file, or export it as JSONL (one post per line) and use --skip-bad") from None
    if isinstance(value, dict):
        for key in ("data", "posts", "statuses", "feed", "records", "items"):
            if isinstance(value.get(key), list):
                value = value[key]
                break
    items = value if isinstance(value, list) else [value]
    for index, item in enumerate(items, start=1):
        problem = _value_problem(item)
        if problem:
            yield BadRow(index, "expected a JSON record heard can store", problem, _VALUE_FIX, "")
        elif isinstance(item, dict):
            nul = _nul_problem(json.dumps(item, ensure_ascii=False))
            if nul:
                yield BadRow(index, "expected text without NUL bytes", nul, "remove the NUL bytes or pass --skip-bad", _raw(json.dumps(item)))
                continue
            yield Row(index, item)
        else:
            yield BadRow(index, "expected a JSON object for each post", f"found a JSON {type(item).__name__}", "check the export, or pass --skip-bad", _raw(json.dumps(item)))


class _CsvLines:
    """The lines a CSV reader pulls, numbered, with the ones of the record being read kept
    so that a broken record can be given back (all but its first line) and read again."""

    def __init__(self, lines: Iterator[tuple[int, str]]) -> None:
        self._lines = lines
        self._again: list[tuple[int, str]] = []
        self.record: list[tuple[int, str]] = []
        self.last = 1  # the header's line

    def __iter__(self) -> Iterator[str]:
        while True:
            if self._again:
                number, line = self._again.pop()
            else:
                try:
                    number, line = next(self._lines)
                except StopIteration:
                    return
            self.record.append((number, line))
            self.last = number
            yield line

    def start(self) -> int:
        """Begin a record; return the line it starts on."""
        self.record.clear()
        return self.last + 1

    def give_back_all_but_first(self) -> None:
        """Read again after the first line of a record that broke (a quote never closed)."""
        self._again.extend(reversed(self.record[1:]))
        self.last = self.record[0][0] if self.record else self.last


def _dialect(sample: str, suffix: str) -> str:
    """The delimiter: csv.Sniffer's guess over the first lines when the header row uses it,
    else the candidate the header uses most, else the suffix's (tab for .tsv)."""
    default = "\t" if suffix == ".tsv" else ","
    header = sample.split("\n", 1)[0]
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters=_CSV_DELIMITERS).delimiter
    except csv.Error:
        sniffed = ""
    if sniffed and sniffed in header:
        return sniffed
    counts = {d: header.count(d) for d in _CSV_DELIMITERS}
    best = max(counts, key=lambda d: (counts[d], d == default))
    return best if counts[best] > counts[default] else default


def read_csv(path: Path, encoding: str = "utf-8") -> Iterator[Row | BadRow]:
    """CSV (or TSV, or ``;``/``|``-separated: the delimiter is sniffed) with a header row.

    Fields may span lines when quoted. Quoting is read strictly: a quote that
    is never closed is reported at the line where it opens, and the lines
    after it are read again as rows rather than swallowed into one field.
    """
    csv.field_size_limit(_CSV_FIELD_LIMIT)
    sample: list[str] = []
    head = _open_text(path, encoding)
    try:
        for _, line in head:
            sample.append(line)
            if sum(map(len, sample)) > _SNIFF_CHARS or len(sample) >= 50:
                break
    finally:
        head.close()
    delimiter = _dialect("".join(sample), path.suffix.lower())
    lines = _CsvLines(_open_text(path, encoding))
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        raise InputError(str(path), "expected a CSV header row", f"found a CSV error ({exc})", "check the file is CSV and its header's quoting", line=1) from None
    header = [h.strip() for h in header]
    if not any(header):
        raise InputError(str(path), "expected a CSV header row naming the columns", "found an empty first line", "add a header row (for example id,text,author,created_at)", line=1)
    while True:
        start = lines.start()
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            spanned = len(lines.record)
            why = (f"found a quote opened on this line and never closed ({spanned:,} lines read to the end of the file)"
                   if "unexpected end of data" in str(exc) else f"found a CSV error ({exc})")
            if "larger than field limit" in str(exc):
                why = f"found a field of more than {_CSV_FIELD_LIMIT:,} characters (a quote never closed?)"
            yield BadRow(start, "expected a well-formed CSV row", why, 'close the quote (a quote inside a field is written "") or pass --skip-bad', "")
            lines.give_back_all_but_first()
            reader = csv.reader(lines, delimiter=delimiter, strict=True)
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


def open_parquet(path: Path) -> pq.ParquetFile:
    """``pyarrow.parquet.ParquetFile`` of ``path``: its schema and batches; one error for a damaged file,
    shared by ``heard ingest`` and ``heard classify``.

    Raises:
        InputError: the file is missing, not Parquet, or damaged (names the file, never its content).

    Example:
        >>> import pathlib, tempfile
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "posts.parquet"
        >>> _ = path.write_text("id,text")
        >>> open_parquet(path)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        heard.errors.InputError: .../posts.parquet: expected a Parquet file, found something pyarrow cannot read (...). Fix: check the file, or give it the extension of its format (.jsonl for JSON lines)
    """
    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises several unrelated types for a damaged file
        raise InputError(str(path), "expected a Parquet file", f"found something pyarrow cannot read ({str(exc).splitlines()[0][:120]})",
                         "check the file, or give it the extension of its format (.jsonl for JSON lines)") from None


def read_parquet(path: Path, encoding: str = "utf-8") -> Iterator[Row | BadRow]:
    """Parquet, read in batches of 4,096 rows."""
    parquet = open_parquet(path)
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
    except UnicodeError as exc:  # UTF-16 without a byte-order mark, and the like
        return BadRow(number, f"expected {encoding} text in {file.name}", f"found bytes that do not decode ({exc})", _encoding_fix(encoding), "")
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
    check_encoding(encoding)
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


def count_lines(path: Path) -> int:
    """Newlines in a file (plus one for a last line without one), read in 1 MiB blocks."""
    count, last = 0, b"\n"
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            count += block.count(b"\n")
            last = block[-1:]
    return count + (last != b"\n")


def estimate_records(paths: Sequence[str | Path]) -> int | None:
    """About how many records ``paths`` hold, for a progress total; ``None`` when unknown.

    Lines of JSONL, rows of CSV (a quoted field over several lines counts more than once),
    Parquet's row count, files of a folder. A whole-file ``.json`` is not counted.

    Example:
        >>> import pathlib, tempfile
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.csv"
        >>> _ = p.write_text("id,text\\n1,me too\\n2,same\\n")
        >>> estimate_records([p])
        2
    """
    total = 0
    for raw in paths:
        path = Path(raw)
        suffix = path.suffix.lower()
        try:
            if path.is_dir():
                total += sum(1 for p in path.rglob("*") if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES)
            elif suffix in JSONL_SUFFIXES:
                total += count_lines(path)
            elif suffix in CSV_SUFFIXES:
                total += max(count_lines(path) - 1, 0)
            elif suffix in PARQUET_SUFFIXES:
                import pyarrow.parquet as pq

                total += pq.ParquetFile(path).metadata.num_rows
            elif suffix in TEXT_SUFFIXES:
                total += 1
            else:
                return None
        except Exception:  # a missing or damaged file: ingest itself reports it
            return None
    return total


def _json_or_jsonl(path: Path, encoding: str) -> Iterator[Row | BadRow]:
    """``.json`` files are often JSONL in disguise (Reddit dumps): sniff the first two lines."""
    with path.open("rb") as fh:
        first = fh.readline()
        second = fh.readline()
    try:
        json.loads(first)
        looks_jsonl = bool(second.strip())
    except (ValueError, RecursionError):  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        looks_jsonl = False
    yield from (read_jsonl(path, encoding) if looks_jsonl else read_json(path, encoding))


__all__ = ["MAX_DEPTH", "BadRow", "Row", "check_encoding", "count_lines", "estimate_records", "read_records"]
