"""The classify contract other tools rely on.

Input: JSONL, one ``{"id", "text", "context"?, ...}`` per line (other keys
ignored), or Parquet with a ``text`` column and optionally ``id`` and ``context``
(other columns ignored). ``context`` is optional: what the post answers (its
parent post or the thread's title), a string or null; the model reads it as its
heads say (:attr:`Classifier.context_mode`).
Output: exactly one line (row) per input line (row), same order::

    {"id", "act", "stance", "abusive", "voice", "frame", "discloser", "centres", "scores",
     "parent_id"?, "created_at"?, "author"?}

in JSONL or Parquet, as the output's name ends (``.jsonl``, ``.parquet``). In
Parquet, ``centres`` is a list of strings and ``scores`` a struct with one
float per act; ``id`` keeps the input's Parquet type.

Thread columns (:data:`THREAD_COLUMNS`): when the input has
``parent_id``, ``created_at`` or ``author``, the output carries them, so
``heard report --parquet`` can rebuild reply trees from the labels alone.
``parent_id`` keeps its type (text from JSONL into Parquet); ``created_at`` is read
as ingest reads times (ISO 8601, epoch seconds, a Parquet timestamp; naive is
UTC) and written in UTC (a ``timestamp[us, UTC]`` column, an ISO string ending
``Z`` in JSONL); ``author`` is replaced by its keyed-hash pseudonym
(:meth:`heard.store.PseudonymKey.pseudonymise`, as ``heard ingest`` stores it)
under the key file ``key_path`` (created when missing), never written as read.
A JSONL output line has the thread keys its input line had; a Parquet output
has the columns the input has (for JSONL input: any line names).

The output is written to a temporary file and moved into place at the end,
so a bad input line leaves no half-written output. A text may hold at most
``MAX_LINE_CHARS`` (100,000) characters, as ingest's default ``--max-chars``;
the output path is checked before any work, and it may not be the input.

Example:
    >>> classify_file("in.parquet", "out.parquet", Classifier.load())   # doctest: +SKIP
    3
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections import deque
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa
import pyarrow.parquet as pq

from heard.classify.classifier import Classifier
from heard.errors import ConfigError, InputError
from heard.ingest.platforms import account_key
from heard.ingest.readers import open_parquet
from heard.ingest.timeparse import TimeFormatError, parse_time
from heard.jsonl import LineError, kind_of, read_jsonl
from heard.parts import PARQUET_ENDINGS
from heard.records import ACTS, Label
from heard.store.keys import PseudonymKey

_PROGRESS_EVERY = 1024
_SURROGATE = re.compile("[\ud800-\udfff]")

MAX_LINE_CHARS = 100_000
"""Longest text ``heard classify`` accepts on one line (ingest's default ``--max-chars``)."""


_PARQUET_ROWS = 8192


OUTPUT_JSONL_ENDINGS = (".jsonl", ".ndjson", ".json")
"""Output names that get JSON lines (``.json`` too: a folder's output parts mirror its input parts'
names); the others that classify writes end in :data:`PARQUET_ENDINGS`."""


def file_format(path: str | Path) -> str:
    """``"parquet"`` for a name ending in ``.parquet`` or ``.pq``, else ``"jsonl"``.

    Example:
        >>> file_format("part-0001.parquet"), file_format("posts.jsonl")
        ('parquet', 'jsonl')
    """
    return "parquet" if Path(path).suffix.lower() in PARQUET_ENDINGS else "jsonl"


Post = tuple[int, Any, str, "str | None"]
"""(line or row number, id, text, context) of one input post."""

THREAD_COLUMNS = ("parent_id", "created_at", "author")
"""Input columns ``heard classify`` carries into its output when present (``author`` pseudonymised)."""

_Row = tuple[int, Any, str, "str | None", dict[str, Any]]
"""A post and its thread columns as read (raw values, by column name)."""


def _line(row: Any) -> tuple[Any, str, str | None, dict[str, Any]]:
    """(id, text, context, thread columns) of one input line."""
    if not isinstance(row, dict):
        raise ValueError(f"a JSON {type(row).__name__}")
    if "text" not in row or row["text"] is None:
        raise ValueError("no 'text' key" if "text" not in row else "a null 'text'")
    text = row["text"]
    if not isinstance(text, str):
        raise ValueError(f"{kind_of(text)} 'text' (expected a string: the post's words; an empty text is fine)")
    context = row.get("context")
    if context is not None and not isinstance(context, str):
        raise ValueError(f"{kind_of(context)} 'context' (expected a string or null: the parent post or thread title)")
    for key, value in (("id", json.dumps(row.get("id"), ensure_ascii=False)), ("text", text), ("context", context or "")):
        half = _SURROGATE.search(value)
        if half:
            raise LineError(f"a lone surrogate \\u{ord(half.group()):04x} in {key!r} (half of an emoji, cut off?)",
                            f"repair the text's encoding: delete the \\u{ord(half.group()):04x} escape (the cut-off emoji), "
                            "or export the data again as UTF-8 with whole characters")
    return row.get("id"), text, context, {c: row[c] for c in THREAD_COLUMNS if c in row}


def _too_long(path: Path, number: int, text: str, max_chars: int, what: str = "line") -> InputError:
    return InputError(str(path), f"expected a text of at most {max_chars:,} characters (heard classify's limit per {what})",
                      f"found {len(text):,}", "split the text over several lines, or ingest it (`heard ingest --max-chars N`) and `heard label`",
                      line=number)


def _context_too_long(path: Path, number: int, context: str, max_chars: int) -> InputError:
    return InputError(str(path), f"expected a context of at most {max_chars:,} characters", f"found {len(context):,}",
                      "pass the start of the parent post or the thread title only", line=number)


def _rows(path: Path, max_chars: int) -> Iterator[_Row]:
    """(line number, id, text, context, thread) for every line; raises on a bad, blank or too long one."""
    number = 0
    try:
        for number, (post_id, text, context, thread) in read_jsonl(path, _line, "expected a JSON object with id and text", blank_lines=False,
                                                  fix='write it as {"id": ..., "text": ...} (an empty text is fine)'):
            if len(text) > max_chars:
                raise _too_long(path, number, text, max_chars)
            if context is not None and len(context) > max_chars:
                raise _context_too_long(path, number, context, max_chars)
            yield number, post_id, text, context, thread
    except (RecursionError, ValueError) as exc:  # json.loads: nesting too deep, an integer of over 4,300 digits
        why = "lists or objects nested too deep to read" if isinstance(exc, RecursionError) else f"a value JSON cannot hold ({str(exc).split(':')[0]})"
        raise InputError(str(path), "expected one JSON object per line", f"found {why}", "fix the line", line=number + 1) from None


def check_paths(in_path: str | Path, out_path: str | Path) -> None:
    """Refuse, before any work, an output that cannot be written or that would replace the input.

    Raises:
        ConfigError: the output's folder is missing or not writable, the output is a
            folder, or it is the input file.

    Example:
        >>> check_paths("posts.jsonl", "posts.jsonl")
        Traceback (most recent call last):
        ...
        heard.errors.ConfigError: -o posts.jsonl: expected an output file other than the input, found the input itself. Fix: write the labels to another file (for example -o labels.jsonl); heard classify would replace its input
    """
    source, target = Path(in_path), Path(out_path)
    folder = target.parent
    same = os.path.abspath(source) == os.path.abspath(target) or (target.exists() and source.exists() and os.path.samefile(source, target))
    if same:
        raise ConfigError(f"-o {target}: expected an output file other than the input, found the input itself. "
                          "Fix: write the labels to another file (for example -o labels.jsonl); heard classify would replace its input")
    if target.is_dir():
        raise ConfigError(f"-o {target}: expected an output file, found a folder. Fix: name a file, for example -o {target / 'labels.jsonl'}")
    if target.suffix.lower() not in (*PARQUET_ENDINGS, *OUTPUT_JSONL_ENDINGS):
        raise ConfigError(f"-o {target}: expected a name ending in .jsonl (JSON lines) or .parquet, which sets the output's format, "
                          f"found {repr(target.suffix) if target.suffix else 'no ending'}. Fix: pass -o {target.with_suffix('.jsonl')}")
    if not folder.is_dir():
        raise ConfigError(f"-o {target}: expected an existing folder for the output, found none at {folder}. Fix: create it first (mkdir -p {folder})")
    if not os.access(folder, os.W_OK):
        raise ConfigError(f"-o {target}: expected a folder heard may write to, found {folder} read-only. Fix: choose another folder")


def _parquet_rows(path: Path, max_chars: int) -> Iterator[_Row]:
    """(row number, id, text, context, thread) for every row of a Parquet file; raises on a null, non-text or too long text."""
    parquet = open_parquet(path)
    names = parquet.schema_arrow.names
    if "text" not in names:
        raise InputError(str(path), "expected a column named 'text'", f"found columns {', '.join(names[:12]) or 'none'}",
                         "rename the column holding the posts' text to 'text'")
    if not pa.types.is_string(parquet.schema_arrow.field("text").type) and not pa.types.is_large_string(parquet.schema_arrow.field("text").type):
        raise InputError(str(path), "expected a text (string) column 'text'", f"found type {parquet.schema_arrow.field('text').type}",
                         "cast the column to string")
    if "context" in names and not pa.types.is_string(parquet.schema_arrow.field("context").type) \
            and not pa.types.is_large_string(parquet.schema_arrow.field("context").type):
        raise InputError(str(path), "expected a text (string) column 'context'", f"found type {parquet.schema_arrow.field('context').type}",
                         "cast the column to string, or drop it")
    thread_columns = [c for c in THREAD_COLUMNS if c in names]
    columns = ["text", *(["id"] if "id" in names else []), *(["context"] if "context" in names else []), *thread_columns]
    number = 0
    for batch in parquet.iter_batches(batch_size=_PARQUET_ROWS, columns=columns):
        texts = batch.column("text").to_pylist()
        ids = batch.column("id").to_pylist() if "id" in columns else [None] * len(texts)
        contexts = batch.column("context").to_pylist() if "context" in columns else [None] * len(texts)
        values = [batch.column(c).to_pylist() for c in thread_columns]
        threads = [dict(zip(thread_columns, row)) for row in zip(*values)] if values else [{}] * len(texts)
        for post_id, text, context, thread in zip(ids, texts, contexts, threads):
            number += 1
            if text is None:
                raise InputError(str(path), "expected a text in every row (an empty text is fine)", "found a null 'text'",
                                 "fill it with an empty string or drop the row", line=number)
            if len(text) > max_chars:
                raise _too_long(path, number, text, max_chars, "row")
            if context is not None and len(context) > max_chars:
                raise _context_too_long(path, number, context, max_chars)
            yield number, post_id, text, context, thread


def _read(source: Path, max_chars: int) -> Iterator[_Row]:
    return _parquet_rows(source, max_chars) if file_format(source) == "parquet" else _rows(source, max_chars)


def read_posts(path: str | Path, max_chars: int = MAX_LINE_CHARS) -> Iterator[Post]:
    """(line or row number, id, text, context) of every post in a JSONL or Parquet file, in order.

    Raises:
        InputError: a bad line or row, a text over ``max_chars``, a file that is not
            what its name says.

    Example:
        >>> import pathlib, tempfile
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "in.jsonl"
        >>> _ = path.write_text('{"id": 7, "text": "me too"}\\n')
        >>> list(read_posts(path))
        [(1, 7, 'me too', None)]
    """
    return ((number, post_id, text, context) for number, post_id, text, context, _ in _read(Path(path), max_chars))


TIME_TYPE = pa.timestamp("us", tz="UTC")
"""The Parquet type of the output's ``created_at``."""


def parquet_schema(id_type: pa.DataType, thread: dict[str, pa.DataType] | None = None) -> pa.Schema:
    """The schema of ``heard classify``'s Parquet output, for ids of ``id_type`` and the thread columns ``thread``.

    Example:
        >>> parquet_schema(pa.int64()).names[:3]
        ['id', 'act', 'stance']
        >>> parquet_schema(pa.string(), {"parent_id": pa.string()}).names[-1]
        'parent_id'
    """
    return pa.schema([
        ("id", id_type), ("act", pa.string()), ("stance", pa.string()), ("abusive", pa.bool_()), ("voice", pa.string()),
        ("frame", pa.string()), ("discloser", pa.string()), ("centres", pa.list_(pa.string())),
        ("scores", pa.struct([(act, pa.float64()) for act in ACTS])),
        *(thread or {}).items(),
    ])


def _thread_types(source: Path) -> dict[str, pa.DataType]:
    """The thread columns the output of ``source`` carries, with their Parquet types."""
    if file_format(source) == "parquet":
        schema = open_parquet(source).schema_arrow
        parent = schema.field("parent_id").type if "parent_id" in schema.names else pa.string()
        present = [c for c in THREAD_COLUMNS if c in schema.names]
    else:
        # Lines need not share keys (a root has no parent_id): a column any line names. A key
        # spelled inside a text only adds a column of nulls.
        wanted = {c: f'"{c}"'.encode() for c in THREAD_COLUMNS}
        found: set[str] = set()
        with source.open("rb") as fh:
            for raw in fh:
                found.update(c for c, key in wanted.items() if c not in found and key in raw)
                if len(found) == len(wanted):
                    break
        parent, present = pa.string(), [c for c in THREAD_COLUMNS if c in found]
    if pa.types.is_large_string(parent):
        parent = pa.string()
    types = {"parent_id": parent, "created_at": TIME_TYPE, "author": pa.string()}
    return {c: types[c] for c in present}


def _text_value(value: Any, field: str = "parent_id") -> str | None:
    """A parent id or author as text, as ingest reads them (``None`` and "" are none; 7.0 is "7";
    an author given as an account object is read by its handle, :func:`account_key`).

    Raises:
        ValueError: an object or a list, whose repr would otherwise be stored (or pseudonymised).
    """
    if field == "author" and isinstance(value, dict) and (key := account_key(value)) is not None:
        value = value[key]
    if isinstance(value, (dict, list, tuple)):
        raise ValueError(f"{kind_of(value)} {field!r} (expected a string or a number"
                         + (", or an account object with a handle" if field == "author" else "") + ")")
    if value is None or value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


class _Threads:
    """Turns one input's raw thread columns into the output's: times in UTC, authors pseudonymised."""

    def __init__(self, path: Path, key_path: Path, parent_as_text: bool) -> None:
        self.path, self.key_path, self.parent_as_text = path, key_path, parent_as_text
        self.key: PseudonymKey | None = None

    def __call__(self, number: int, raw: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        try:
            # Checked on every path (an object or list is refused); text only where the column is text.
            parent_text = _text_value(raw["parent_id"]) if "parent_id" in raw else None
            parent = parent_text if self.parent_as_text else raw.get("parent_id")
            author = _text_value(raw["author"], "author") if "author" in raw else None
        except ValueError as exc:
            raise InputError(str(self.path), "expected thread columns heard can read", f"found {exc}",
                             "convert the export so ids and authors are strings or numbers", line=number) from None
        if "parent_id" in raw:
            out["parent_id"] = parent
        if "created_at" in raw:
            try:
                out["created_at"] = parse_time(raw["created_at"])
            except TimeFormatError as exc:  # never quotes the value: it may be someone's words
                raise InputError(str(self.path), "expected a timestamp in 'created_at' (ISO 8601 or epoch seconds)", f"found {exc}",
                                 "fix the value, or rename the column if it is not the post's time", line=number) from None
        if "author" in raw:
            if author is not None and self.key is None:
                self.key = PseudonymKey.for_labels(self.key_path)
            out["author"] = self.key.pseudonymise(author) if self.key is not None and author is not None else None
        return out


class _Writer(Protocol):
    def write(self, post_id: Any, label: Label, thread: dict[str, Any]) -> None: ...

    def close(self) -> None: ...


class _JsonlWriter:
    def __init__(self, fd: int) -> None:
        self.out = os.fdopen(fd, "w", encoding="utf-8")

    def write(self, post_id: Any, label: Label, thread: dict[str, Any]) -> None:
        if isinstance(thread.get("created_at"), datetime):
            thread = {**thread, "created_at": thread["created_at"].astimezone(UTC).isoformat().replace("+00:00", "Z")}
        self.out.write(json.dumps({"id": post_id, **label.to_dict(), **thread}, ensure_ascii=False) + "\n")

    def close(self) -> None:
        self.out.close()


class _ParquetWriter:
    """Rows in batches of 8,192 (one row group each), so memory stays flat."""

    def __init__(self, fd: int, id_type: pa.DataType | None, thread: dict[str, pa.DataType]) -> None:
        self.fd = fd
        self.id_type = id_type
        self.thread = thread
        self.writer: pq.ParquetWriter | None = None
        self.rows: list[dict[str, Any]] = []

    def write(self, post_id: Any, label: Label, thread: dict[str, Any]) -> None:
        self.rows.append({"id": post_id, **label.to_dict(), **thread})
        if len(self.rows) >= _PARQUET_ROWS:
            self.flush()

    def flush(self) -> None:
        if self.writer is None:
            if self.id_type is None:  # ids from JSONL: the first batch's type, or text
                self.id_type = _id_type([r["id"] for r in self.rows])
            self.writer = pq.ParquetWriter(os.fdopen(self.fd, "wb"), parquet_schema(self.id_type, self.thread), compression="zstd")
        if self.rows:
            rows = self.rows if self.id_type != pa.string() else [{**r, "id": _id_text(r["id"])} for r in self.rows]
            self.writer.write_table(pa.Table.from_pylist(rows, schema=self.writer.schema))
            self.rows = []

    def close(self) -> None:
        self.flush()
        if self.writer is not None:
            self.writer.close()


def _id_type(ids: list[Any]) -> pa.DataType:
    kinds = {type(i) for i in ids if i is not None}
    if kinds == {int} and all(-(2**63) <= i < 2**63 for i in ids if i is not None):
        return pa.int64()
    return pa.string()


def _id_text(post_id: Any) -> str | None:
    return post_id if post_id is None or isinstance(post_id, str) else json.dumps(post_id, ensure_ascii=False)


def _input_id_type(source: Path) -> pa.DataType | None:
    if file_format(source) != "parquet":
        return None
    schema = open_parquet(source).schema_arrow
    return schema.field("id").type if "id" in schema.names else pa.null()


def label_stream(posts: Iterator[Post], classifier: Classifier) -> Iterator[tuple[Any, Label]]:
    """(id, label) for each (number, id, text, context), in order: the one place ``heard classify``
    hands texts to the classifier (one partition at a time, in every mode).

    Example:
        >>> [(i, lb.act) for i, lb in label_stream(iter([(1, "a", "me too", None)]), Classifier.load())]  # doctest: +SKIP
        [('a', 'testimony')]
    """
    ids: deque[Any] = deque()
    contexts: deque[str | None] = deque()

    def texts() -> Iterator[str]:
        for _, post_id, text, context in posts:
            ids.append(post_id)
            contexts.append(context)
            yield text

    def context_of_each() -> Iterator[str | None]:
        # Drawn by the classifier right after the text of the same post.
        while contexts:
            yield contexts.popleft()

    # The classifier reads a batch ahead, so ids waits here for its label.
    for label in classifier.iter_labels(texts(), contexts=context_of_each()):
        yield ids.popleft(), label


def classify_file(
    in_path: str | Path,
    out_path: str | Path,
    classifier: Classifier,
    progress: Callable[[int], None] | None = None,
    *,
    max_chars: int = MAX_LINE_CHARS,
    key_path: str | Path | None = None,
) -> int:
    """Classify every post of ``in_path`` (JSONL or Parquet) into ``out_path``
    (JSONL or Parquet, by its ending); return the number of posts.

    The output is written to a temporary file beside it and moved into place
    when complete, so a failure or a kill leaves no half-written output.
    Thread columns of the input are carried (see the module's docstring); an
    ``author`` column is pseudonymised with the key at ``key_path`` (default:
    ``<out_path>.key``; created when missing, only when there are authors).

    Raises:
        InputError: the input is missing, empty, or has a bad line or a text longer
            than ``max_chars`` (nothing is written).
        ConfigError: the output cannot be written or is the input (see :func:`check_paths`).
    """
    source, target = Path(in_path), Path(out_path)
    kind = file_format(source)
    if not source.is_file():
        raise InputError(str(source), f"expected a {'JSONL' if kind == 'jsonl' else 'Parquet'} file", "found no file", "check the path")
    if source.stat().st_size == 0:
        raise InputError(str(source), "expected at least one line", "found an empty file", "check the path")
    check_paths(source, target)
    out_kind = file_format(target)
    id_type = _input_id_type(source)
    thread_types = _thread_types(source)
    threads = _Threads(source, Path(key_path) if key_path is not None else target.with_name(target.name + ".key"),
                       parent_as_text=out_kind == "parquet" and thread_types.get("parent_id") == pa.string())
    fd, tmp_name = tempfile.mkstemp(prefix=".heard-", suffix=f".{out_kind}", dir=target.parent)
    count = 0
    writer: _Writer = (_JsonlWriter(fd) if out_kind == "jsonl"
                       else _ParquetWriter(fd, id_type if id_type != pa.null() else pa.string(), thread_types))
    # The thread columns travel with the id through the classifier's read-ahead.
    posts = ((number, (post_id, threads(number, raw) if raw else {}), text, context)
             for number, post_id, text, context, raw in _read(source, max_chars))
    try:
        try:
            for (post_id, thread), label in label_stream(posts, classifier):
                writer.write(post_id, label, thread)
                count += 1
                if progress and count % _PROGRESS_EVERY == 0:
                    progress(count)
        finally:
            writer.close()
        if progress:
            progress(count)
        os.replace(tmp_name, target)
    except BaseException:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
        raise
    return count


def classify_jsonl(
    in_path: str | Path,
    out_path: str | Path,
    classifier: Classifier,
    progress: Callable[[int], None] | None = None,
    *,
    max_chars: int = MAX_LINE_CHARS,
) -> int:
    """:func:`classify_file` under its first name (JSONL in, JSONL out)."""
    return classify_file(in_path, out_path, classifier, progress, max_chars=max_chars)
