"""A read-only store over ``heard classify``'s Parquet output, for ``heard report --parquet``.

The report reads a store through :mod:`heard.store.reads`; here ``posts`` and
``post_labels`` are DuckDB *views* over the labelled part files (and, with
``posts=``, the input's texts beside them, row for row), so the one analysis runs unchanged,
out of core: DuckDB streams the files, spills to a temporary folder past
:data:`MEMORY_LIMIT`, and only the arrays the analysis keeps are held in memory.
The other tables (codes, sample draws, units, labels) exist and are empty.

What the labelled files must hold: the classify columns (``id``, ``act``,
``stance``, ``abusive``, ``voice``, ``frame``, ``discloser``, ``centres``,
``scores``) and the thread columns ``parent_id`` and ``created_at`` that
``heard classify`` keeps from its input (:data:`REQUIRED`); ``author`` (a
pseudonym) is used when present. Each id must occur once, across every part, so
a reply in one part finds its parent in another.

Example:
    >>> with open_labelled("labels/", posts="posts/") as store:     # doctest: +SKIP
    ...     reads.label_models(store)
    [ModelCount(model='heads@…+encoder@…', posts=1000000)]
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from heard import parts
from heard.errors import InputError
from heard.records import ACTS
from heard.store.database import Store

LABEL_COLUMNS = ("id", "act", "stance", "abusive", "voice", "frame", "discloser", "centres", "scores")
"""Columns of ``heard classify``'s output the report reads."""

THREAD_COLUMNS = ("parent_id", "created_at")
"""Thread columns the report needs (``heard classify`` keeps them from its input)."""

REQUIRED = (*LABEL_COLUMNS, *THREAD_COLUMNS)
"""Every column a labelled part file must hold."""

MEMORY_LIMIT = "1GB"
"""DuckDB's own memory ceiling for the views' queries; beyond it, it spills to disk."""

_UNKNOWN_MODEL = "unrecorded (no _heard_manifest.json beside the labels)"
_MANIFEST = "_heard_manifest.json"
_EMPTY_TABLES = """
CREATE TABLE units (post_id VARCHAR, seq INTEGER, text VARCHAR, voice VARCHAR, start_char INTEGER, end_char INTEGER,
                    hash VARCHAR);
CREATE TABLE labels (hash VARCHAR, model VARCHAR, act VARCHAR, stance VARCHAR, abusive BOOLEAN, voice VARCHAR,
                     frame VARCHAR, discloser VARCHAR, centres VARCHAR[], scores JSON, labelled_at TIMESTAMP);
CREATE TABLE runs (id BIGINT, command VARCHAR, started_at TIMESTAMP, finished_at TIMESTAMP, status VARCHAR, details JSON);
CREATE TABLE codes (post_id VARCHAR, coder VARCHAR, act VARCHAR, stance VARCHAR, abusive BOOLEAN, voice VARCHAR,
                    frame VARCHAR, discloser VARCHAR, centres VARCHAR[], coded_at TIMESTAMP, source VARCHAR);
CREATE TABLE sample_draws (post_id VARCHAR, inclusion DOUBLE, stratum VARCHAR, seed BIGINT, model VARCHAR, drawn_at TIMESTAMP);
"""


def _heard_version() -> str:
    try:
        return version("heard")
    except PackageNotFoundError:  # a source checkout that is not installed
        return "this version"


def parquet_parts(path: Path, what: str) -> list[Path]:
    """The Parquet part files of ``path`` (a file, or a folder searched at any depth), in name order.

    The folder's parts are :func:`heard.parts.part_files`, the rule ``heard classify`` plans partitions by.

    Raises:
        InputError: nothing at ``path``, or a folder without Parquet files.

    Example:
        >>> parquet_parts(Path("no-such-folder"), "--parquet")
        Traceback (most recent call last):
        ...
        heard.errors.InputError: no-such-folder: expected a folder of Parquet files (--parquet), found nothing there. Fix: check the path
    """
    if path.is_file():
        if path.suffix.lower() not in parts.PARQUET_ENDINGS:
            raise InputError(str(path), f"expected a Parquet file or a folder of them ({what})", f"found a {path.suffix or 'plain'} file",
                             "pass the folder `heard classify` wrote, with its .parquet parts")
        return [path]
    if not path.is_dir():
        raise InputError(str(path), f"expected a folder of Parquet files ({what})", "found nothing there", "check the path")
    found = parts.part_files(path, parts.PARQUET_ENDINGS)
    if not found:
        raise InputError(str(path), f"expected Parquet part files (*.parquet, *.pq) in the folder ({what})", "found none",
                         "label the posts into Parquet first: heard classify posts/ -o labels/ (with .parquet parts in posts/)")
    return found


def _model(path: Path) -> str:
    """The model version the classify run recorded in its manifest."""
    manifest = (path if path.is_dir() else path.parent) / _MANIFEST
    try:
        return str(json.loads(manifest.read_text(encoding="utf-8"))["model"])
    except (OSError, ValueError, KeyError, TypeError):
        return _UNKNOWN_MODEL


def _sql_list(paths: Sequence[Path]) -> str:
    return "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths) + "]"


def _columns(con: duckdb.DuckDBPyConnection, source: str) -> dict[str, str]:
    rows = con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
    return {str(r[0]): str(r[1]) for r in rows}


def _time_expression(where: str, kind: str | None) -> str:
    if kind is None:
        return "NULL::TIMESTAMP"
    if kind.startswith("TIMESTAMP WITH TIME ZONE"):
        return "timezone('UTC', l.created_at)"  # the UTC wall time, as the store keeps it
    if kind.startswith("TIMESTAMP"):
        return "l.created_at::TIMESTAMP"  # naive: UTC, as heard reads naive times
    raise InputError(where, "expected 'created_at' as a Parquet timestamp (heard classify writes timestamp[us, UTC])",
                     f"found type {kind}", "label the input again with heard classify, which converts times")


class LabelledParquet(Store):
    """A :class:`Store` over Parquet views; closing it also removes its spill folder."""

    def __init__(self, con: duckdb.DuckDBPyConnection, spill: Path) -> None:
        super().__init__(con, None)
        self.spill = spill

    def close(self) -> None:
        """Close the connection and remove what DuckDB spilled."""
        super().close()
        shutil.rmtree(self.spill, ignore_errors=True)


def open_labelled(labels: str | Path, posts: str | Path | None = None, *,
                  memory_limit: str = MEMORY_LIMIT) -> LabelledParquet:
    """A read-only :class:`Store` whose ``posts`` and ``post_labels`` are views over labelled Parquet parts.

    Args:
        labels: the folder (or file) ``heard classify`` wrote as Parquet, with thread columns.
        posts: the folder (or file) of Parquet posts that was classified, for texts (for
            cue counts, "what about" phrases and examples); ``None``: posts have no text
            (:func:`heard.store.reads.has_texts` is false).
        memory_limit: DuckDB's memory ceiling; past it, queries spill to a temporary folder.

    Raises:
        InputError: nothing at a path, no Parquet files, missing columns (named, with the fix),
            an id that is null or occurs more than once, posts that do not line up with the labels.

    Example:
        >>> with open_labelled("labels/") as store:                 # doctest: +SKIP
        ...     store.count("posts")
        1000000
    """
    label_path = Path(labels)
    files = parquet_parts(label_path, "--parquet")
    text_files = parquet_parts(Path(posts), "--posts") if posts is not None else []
    spill = Path(tempfile.mkdtemp(prefix="heard-report-"))
    # One thread: each DuckDB thread keeps partitions of its own, and with two a 3M-post report's joins
    # ran out of a 1 GB limit instead of spilling (measured); the analysis after the reads is NumPy anyway.
    con = duckdb.connect(":memory:", config={"memory_limit": memory_limit, "temp_directory": str(spill), "threads": 1,
                                             "autoinstall_known_extensions": False, "autoload_known_extensions": False})
    store = LabelledParquet(con, spill)
    try:
        _create_views(con, label_path, files, Path(posts) if posts is not None else None, text_files)
    except BaseException:
        store.close()
        raise
    return store


def _texts_view(con: duckdb.DuckDBPyConnection, label_path: Path, files: list[Path], posts: Path,
                text_files: list[Path]) -> None:
    """``post_texts``: the input's texts, row for row beside the labels.

    ``heard classify`` writes one row per input row, in order, under the same part names, so the
    texts line up by position: no hash join of ten million texts (which ran DuckDB out of memory),
    only a check, streamed, that every row's ids agree.
    """
    def names(root: Path, parts: list[Path]) -> list[str]:
        return [p.name if root.is_file() else p.relative_to(root).as_posix() for p in parts]

    def rows(parts: list[Path]) -> list[int]:
        return [pq.ParquetFile(p).metadata.num_rows for p in parts]

    fix = f"pass the input that `heard classify` read to write {label_path} (same part names, same rows)"
    if names(label_path, files) != names(posts, text_files) or rows(files) != rows(text_files):
        raise InputError(str(posts), f"expected the posts labelled into {label_path}, part for part and row for row (--posts)",
                         f"found {len(text_files):,} parts with {sum(rows(text_files)):,} rows for {len(files):,} parts with "
                         f"{sum(rows(files)):,} labelled rows", fix)
    source = f"read_parquet({_sql_list(text_files)}, union_by_name = true)"
    have = _columns(con, source)
    if "id" not in have or "text" not in have:
        raise InputError(str(posts), "expected the classified posts with 'id' and 'text' columns (--posts)",
                         f"found {', '.join(have) or 'none'}", fix)
    con.execute(f"CREATE VIEW post_texts AS SELECT id::VARCHAR AS id, text::VARCHAR AS text FROM {source}")
    row = con.execute("SELECT count(*) FROM (SELECT id FROM labelled) l POSITIONAL JOIN post_texts t "
                      "WHERE l.id::VARCHAR IS DISTINCT FROM t.id").fetchone()
    if row is not None and row[0]:
        raise InputError(str(posts), "expected the same id in each row of the posts as in its labels (--posts)",
                         f"found {int(row[0]):,} rows whose ids differ", fix)


def _create_views(con: duckdb.DuckDBPyConnection, label_path: Path, files: list[Path], posts: Path | None,
                  text_files: list[Path]) -> None:
    where = str(label_path)
    source = f"read_parquet({_sql_list(files)}, union_by_name = true)"
    try:
        found = _columns(con, source)
    except duckdb.Error as exc:
        raise InputError(where, "expected Parquet files DuckDB can read", f"found {str(exc).splitlines()[0][:200]}",
                         "check the files, or label the posts again") from None
    missing = [c for c in REQUIRED if c not in found]
    if missing:
        raise InputError(
            where, f"expected the columns {', '.join(REQUIRED)} (labels of `heard classify` with thread columns)",
            f"found {', '.join(found) or 'none'}; missing {', '.join(missing)}",
            f"label an input that has parent_id and created_at columns (null for a root or an unknown time) with "
            f"`heard classify` from heard {_heard_version()} or later, so the labels keep them")
    created = _time_expression(where, found.get("created_at"))
    author = "l.author::VARCHAR" if "author" in found else "NULL::VARCHAR"
    con.execute(f"CREATE VIEW labelled AS SELECT * FROM {source}")
    check = con.execute("SELECT count(*) FILTER (WHERE id IS NULL), count(*) - count(DISTINCT id::VARCHAR), count(*) "
                        "FROM labelled").fetchone()
    assert check is not None
    nulls, repeated, rows = (int(v) for v in check)
    if nulls:
        raise InputError(where, "expected an id in every row (replies name their parent by id)", f"found {nulls:,} rows without one",
                         "give the input an id column and label it again")
    if repeated:
        raise InputError(where, "expected each id once across all parts", f"found {repeated:,} repeated ids among {rows:,} rows",
                         "remove the duplicate posts from the input (or label each corpus into its own folder)")
    text, join = "NULL::VARCHAR", ""
    if posts is not None:
        _texts_view(con, label_path, files, posts, text_files)
        text, join = "t.text", "POSITIONAL JOIN post_texts t"
    con.execute(
        f"""CREATE VIEW posts AS
        SELECT l.id::VARCHAR AS id, {text} AS text, {author} AS author, {created} AS created_at,
               l.parent_id::VARCHAR AS parent_id, NULL::VARCHAR AS thread_root, 'parquet' AS platform,
               '{where.replace("'", "''")}' AS source, NULL::JSON AS meta
        FROM labelled l {join}"""
    )
    score = "CASE l.act " + " ".join(f"WHEN '{a}' THEN l.scores.{a}" for a in ACTS) + " END"
    model = _model(label_path).replace("'", "''")
    con.execute(
        f"""CREATE VIEW post_labels AS
        SELECT l.id::VARCHAR AS post_id, '{model}' AS model, l.act, l.stance, l.abusive, l.voice, l.frame,
               l.discloser, l.centres, {score}::DOUBLE AS score
        FROM labelled l WHERE l.act IS NOT NULL"""
    )
    con.execute(_EMPTY_TABLES)
    con.execute("CREATE VIEW labelled_units AS SELECT NULL::VARCHAR AS post_id WHERE false")
