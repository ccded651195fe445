"""The DuckDB store: connection, migrations, and the writes heard makes.

Example:
    >>> with Store.open(":memory:") as store:
    ...     store.count("posts")
    0
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import socket
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

import duckdb
import pyarrow as pa

from heard.errors import StoreError
from heard.records import Label, Post, Unit, Voice

TABLES: dict[str, str] = {
    "posts": "one row per post: id, text, author (pseudonym), created_at (UTC), parent_id, thread_root, platform, source, meta (JSON)",
    "units": "spans of posts that get one label each: post_id, seq, text, voice (own/quoted), start_char, end_char, hash",
    "labels": "codebook labels keyed by unit hash and model version: act, stance, abusive, voice, frame, discloser, centres, scores",
    "post_labels": "one label per post and model (own units combined): post_id, model, act, stance, abusive, voice, frame, discloser, centres, score",
    "runs": "one row per command that changed the store: command, started_at, finished_at, "
            "status (running, ok, failed, or interrupted when its process was killed), details (JSON)",
    "codes": "hand codes, one row per (post, coder): post_id, coder, act, stance, abusive, voice, frame, discloser, centres, "
             "coded_at, source (page or import:<file>)",
    "sample_draws": "posts drawn by heard sample: post_id, inclusion (probability of being drawn), stratum, seed, model, drawn_at",
    "schema_migrations": "migrations applied to this file: version, name, applied_at",
    "labelled_units (view)": "units joined with their labels and posts, one row per (unit, model)",
}
"""The documented tables, for ``heard sql`` users."""

SANDBOX: Mapping[str, bool] = MappingProxyType({
    "enable_external_access": False,  # no files but the store, no ATTACH, COPY, EXPORT, network
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "allow_community_extensions": False,
    "python_enable_replacements": False,  # no scanning this process's Python variables by name
    "lock_configuration": True,  # SET and RESET cannot undo the lines above
})
"""DuckDB settings of a connection that runs a user's SQL (:meth:`Store.open_for_query`)."""

_DUCKDB_MAGIC = b"DUCK"
"""DuckDB files carry these bytes at offset 8; anything else (CSV, JSONL, Parquet) DuckDB would open as a view."""

_STORE_SUFFIX = ".duckdb"


_MIGRATION_NAME = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")

_POST_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("text", pa.string()),
        ("author", pa.string()),
        ("created_at", pa.timestamp("us")),
        ("parent_id", pa.string()),
        ("thread_root", pa.string()),
        ("platform", pa.string()),
        ("source", pa.string()),
        ("meta", pa.string()),
    ]
)
_UNIT_SCHEMA = pa.schema(
    [
        ("post_id", pa.string()),
        ("seq", pa.int32()),
        ("text", pa.string()),
        ("voice", pa.string()),
        ("start_char", pa.int32()),
        ("end_char", pa.int32()),
        ("hash", pa.string()),
    ]
)


def _migrations() -> list[tuple[int, str, str]]:
    """The bundled migrations as (version, name, sql), in order."""
    folder = resources.files("heard.store") / "migrations"
    found = []
    for entry in folder.iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), match.group(2), entry.read_text(encoding="utf-8")))
    return sorted(found)


def _utc_naive(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


class Store:
    """One DuckDB file with heard's schema.

    Use :meth:`open`, which applies pending migrations, as a context manager.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, path: Path | None) -> None:
        self.con = con
        self.path = path

    # -- opening -----------------------------------------------------------------
    @classmethod
    def open(cls, path: str | Path, *, read_only: bool = False, create: bool = True) -> Store:
        """Open (and migrate) the store at ``path``; ``":memory:"`` gives a throwaway one.

        Opening for writing also marks runs that a killed process left ``running``
        as ``interrupted`` (see :meth:`mark_interrupted_runs`).

        Raises:
            StoreError: the file is not a DuckDB database, is locked by another
                process, is missing with ``create=False``, or was made by a newer heard.
        """
        if str(path) == ":memory:":
            store = cls(duckdb.connect(":memory:"), None)
            store.migrate()
            return store
        db_path = Path(path)
        _check_store_path(db_path, must_exist=read_only or not create)
        store = cls(_connect(db_path, read_only=read_only), db_path)
        if read_only:
            store._check_version()
        else:
            store.migrate()
            store.mark_interrupted_runs()
        return store

    @classmethod
    def open_for_query(cls, path: str | Path) -> Store:
        """Open an existing store read-only and sandboxed, for SQL that a user wrote.

        DuckDB itself refuses everything but reading the store's own tables:
        no reading or writing other files (``COPY ... TO``, ``EXPORT DATABASE``,
        ``read_csv``, ``read_text``, ``glob``, the store's ``.key``), no
        ``ATTACH``, no installing or loading extensions, no network, and no
        ``SET``/``RESET`` to undo any of it (see :data:`SANDBOX`).

        Example:
            >>> with Store.open_for_query("corpus.duckdb") as store:     # doctest: +SKIP
            ...     store.query("COPY posts TO 'posts.csv'")
            Traceback (most recent call last):
            StoreError: expected SQL that reads the store's tables, ...

        Raises:
            StoreError: as :meth:`open` with ``read_only=True``.
        """
        db_path = Path(path)
        _check_store_path(db_path, must_exist=True)
        store = cls(_connect(db_path, read_only=True, config=SANDBOX), db_path)
        store._check_version()
        return store

    def for_thread(self) -> Store:
        """This store on a cursor of its own, for another thread (a DuckDB connection is not shared
        between threads; the cursor sees the same database and the same read-only mode).

        Example:
            >>> with Store.open(":memory:") as store:
            ...     store.for_thread().count("posts")
            0
        """
        return Store(self.con.cursor(), self.path)

    def close(self) -> None:
        """Close the connection (committed data is already on disk)."""
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- migrations ----------------------------------------------------------------
    def schema_version(self) -> int:
        """The highest migration applied to this file (0 for a new file)."""
        exists = self.con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'"
        ).fetchone()
        if not exists or exists[0] == 0:
            return 0
        row = self.con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()
        return int(row[0]) if row else 0

    def _check_version(self) -> int:
        current = self.schema_version()
        known = max(v for v, _, _ in _migrations())
        if current > known:
            raise StoreError(
                f"{self.path}: expected a store of schema version {known} or older, found version {current}. "
                "Fix: upgrade heard (`pip install -U heard`)"
            )
        return current

    def migrate(self) -> list[int]:
        """Apply pending migrations, each in its own transaction; return the versions applied."""
        current = self._check_version()
        self.con.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            "version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
        )
        applied = []
        for version, name, sql in _migrations():
            if version <= current:
                continue
            with self.transaction():
                self.con.execute(sql)
                self.con.execute(
                    "INSERT INTO schema_migrations VALUES (?, ?, ?)",
                    [version, name, datetime.now(UTC).replace(tzinfo=None)],
                )
            applied.append(version)
        return applied

    # -- transactions and runs -----------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All writes inside commit together or not at all."""
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.con.execute("COMMIT")

    def start_run(self, command: str, details: dict[str, Any] | None = None) -> int:
        """Record that ``command`` started; return the run id.

        The details also get this process's id and a hash of the host name, so
        that a later writer can tell a run whose process is gone (see
        :meth:`mark_interrupted_runs`) without the store naming the machine.
        """
        details = {**(details or {}), "pid": os.getpid(), "host": _host()}
        row = self.con.execute(
            "INSERT INTO runs (command, started_at, status, details) VALUES (?, ?, 'running', ?) RETURNING id",
            [command, datetime.now(UTC).replace(tzinfo=None), json.dumps(details)],
        ).fetchone()
        assert row is not None
        return int(row[0])

    def finish_run(self, run_id: int, status: str, details: dict[str, Any]) -> None:
        """Record how run ``run_id`` ended (``ok`` or ``failed``) with its counts
        (added to the details it started with)."""
        started = self._run_details(run_id)
        self.con.execute(
            "UPDATE runs SET finished_at = ?, status = ?, details = ? WHERE id = ?",
            [datetime.now(UTC).replace(tzinfo=None), status, json.dumps(started | details), run_id],
        )

    def mark_interrupted_runs(self) -> list[int]:
        """Mark runs left ``running`` by a process that is gone as ``interrupted``; return their ids.

        Called by :meth:`open` for writing. DuckDB lets one process at a time
        open the file for writing, and a run is only ``running`` while its
        process has the store open, so holding the write lock proves that every
        run started by another process ended without finishing (killed,
        out of memory, the machine stopped). Only this process's own runs, on
        another :class:`Store` of the same file, may still be going. Batches a
        killed run committed stay; re-running the command skips them.
        """
        rows = self.con.execute("SELECT id, details FROM runs WHERE status = 'running' ORDER BY id").fetchall()
        interrupted = []
        for run_id, raw in rows:
            details = _json_object(raw)
            if details.get("host") == _host() and details.get("pid") == os.getpid():
                continue
            details["interrupted"] = ("its process ended without finishing (killed or stopped); "
                                      "committed batches are kept and a re-run skips them")
            self.con.execute("UPDATE runs SET status = 'interrupted', details = ? WHERE id = ?",
                             [json.dumps(details), run_id])
            interrupted.append(int(run_id))
        return interrupted

    def _run_details(self, run_id: int) -> dict[str, Any]:
        rows = self.con.execute("SELECT details FROM runs WHERE id = ?", [run_id]).fetchall()
        return _json_object(rows[0][0]) if rows else {}

    # -- posts and units -------------------------------------------------------------
    def existing_ids(self, ids: Sequence[str]) -> set[str]:
        """The subset of ``ids`` already stored."""
        if not ids:
            return set()
        probe = pa.table({"id": pa.array(list(ids), pa.string())})
        self.con.register("_probe_ids", probe)
        try:
            rows = self.con.execute("SELECT p.id FROM posts p JOIN _probe_ids USING (id)").fetchall()
        finally:
            self.con.unregister("_probe_ids")
        return {r[0] for r in rows}

    def add_posts(self, posts: Sequence[Post], units: Sequence[Unit], run_id: int | None = None) -> None:
        """Insert new posts and their units in one transaction.

        The caller passes only posts not yet stored (see :meth:`existing_ids`);
        a post id already present is ignored rather than duplicated.
        """
        if not posts:
            return
        post_table = pa.Table.from_pydict(
            {
                "id": [p.id for p in posts],
                "text": [p.text for p in posts],
                "author": [p.author for p in posts],
                "created_at": [_utc_naive(p.created_at) for p in posts],
                "parent_id": [p.parent_id for p in posts],
                "thread_root": [p.thread_root for p in posts],
                "platform": [p.platform for p in posts],
                "source": [p.source for p in posts],
                "meta": [p.meta for p in posts],
            },
            schema=_POST_SCHEMA,
        )
        unit_table = pa.Table.from_pydict(
            {
                "post_id": [u.post_id for u in units],
                "seq": [u.seq for u in units],
                "text": [u.text for u in units],
                "voice": [u.voice for u in units],
                "start_char": [u.start for u in units],
                "end_char": [u.end for u in units],
                "hash": [u.hash for u in units],
            },
            schema=_UNIT_SCHEMA,
        )
        self.con.register("_new_posts", post_table)
        self.con.register("_new_units", unit_table)
        try:
            with self.transaction():
                self.con.execute(
                    "INSERT OR IGNORE INTO posts (id, text, author, created_at, parent_id, thread_root, "
                    "platform, source, meta, run_id) SELECT id, text, author, created_at, parent_id, "
                    "thread_root, platform, source, meta::JSON, ? FROM _new_posts",
                    [run_id],
                )
                self.con.execute("INSERT OR IGNORE INTO units SELECT * FROM _new_units")
        finally:
            self.con.unregister("_new_posts")
            self.con.unregister("_new_units")

    def remove_run_posts(self, run_id: int) -> int:
        """Delete the posts (and their units) that ingest run ``run_id`` added; return how many."""
        with self.transaction():
            self.con.execute("DELETE FROM units WHERE post_id IN (SELECT id FROM posts WHERE run_id = ?)", [run_id])
            row = self.con.execute("DELETE FROM posts WHERE run_id = ? RETURNING 1", [run_id]).fetchall()
        return len(row)

    def resolve_thread_roots(self, max_rounds: int = 64) -> int:
        """Give replies without a platform thread id the root of their parent.

        Each round walks one level down the reply trees; chains deeper than
        ``max_rounds`` and orphans (parent not in the store) keep ``NULL``,
        which :mod:`heard.threads` resolves without recursion limits.
        """
        total = 0
        for _ in range(max_rounds):
            with self.transaction():
                row = self.con.execute(
                    "UPDATE posts SET thread_root = p.thread_root FROM posts p "
                    "WHERE posts.parent_id = p.id AND posts.thread_root IS NULL AND p.thread_root IS NOT NULL"
                ).fetchone()
            changed = int(row[0]) if row else 0
            total += changed
            if changed == 0:
                break
        return total

    # -- labels --------------------------------------------------------------------------
    def unlabelled_units(self, model: str, batch_size: int = 2048) -> Iterator[list[tuple[str, str, Voice]]]:
        """Yield batches of distinct (hash, text, voice) with no label from ``model``.

        Reads the whole to-do list of hashes with one query, then fetches texts in
        batches, so memory holds a batch or two of texts at a time.
        """
        cursor = self.con.cursor()
        cursor.execute(
            "SELECT u.hash, any_value(u.text), any_value(u.voice) FROM units u "
            "ANTI JOIN (SELECT hash FROM labels WHERE model = ?) l ON l.hash = u.hash "
            "GROUP BY u.hash ORDER BY u.hash",
            [model],
        )
        try:
            while True:
                rows = cursor.fetchmany(batch_size)
                if not rows:
                    break
                yield [(r[0], r[1], r[2]) for r in rows]
        finally:
            cursor.close()

    def add_labels(self, model: str, hashes: Sequence[str], labels: Sequence[Label]) -> None:
        """Store one label per unit hash for ``model`` in one transaction."""
        table = pa.Table.from_pydict(
            {
                "hash": list(hashes),
                "model": [model] * len(hashes),
                "act": [lb.act for lb in labels],
                "stance": [lb.stance for lb in labels],
                "abusive": [lb.abusive for lb in labels],
                "voice": [lb.voice for lb in labels],
                "frame": [lb.frame for lb in labels],
                "discloser": [lb.discloser for lb in labels],
                "centres": [list(lb.centres) for lb in labels],
                "scores": [json.dumps({k: round(v, 4) for k, v in lb.scores.items()}) for lb in labels],
            }
        )
        self.con.register("_new_labels", table)
        try:
            with self.transaction():
                self.con.execute(
                    "INSERT OR IGNORE INTO labels (hash, model, act, stance, abusive, voice, frame, discloser, "
                    "centres, scores) SELECT hash, model, act, stance, abusive, voice, frame, discloser, "
                    "centres::VARCHAR[], scores::JSON FROM _new_labels"
                )
        finally:
            self.con.unregister("_new_labels")

    def unit_labels_of_unlabelled_posts(self, model: str, batch_size: int = 1000) -> Iterator[list[tuple[str, list[Label]]]]:
        """Yield batches of ``(post_id, its units' labels in reading order)`` for the
        posts whose units all have a label from ``model`` but that have no post label yet.

        The classify layer turns them into post labels
        (:func:`heard.classify.posts.post_label`) and hands them back to
        :meth:`add_post_labels`.
        """
        cursor = self.con.cursor()
        cursor.execute(
            """
            SELECT u.post_id, list(struct_pack(act := l.act, stance := l.stance, abusive := l.abusive,
                   voice := u.voice, frame := l.frame, discloser := l.discloser, centres := l.centres,
                   scores := l.scores::VARCHAR) ORDER BY u.seq)
            FROM units u JOIN labels l ON l.hash = u.hash AND l.model = ?
            WHERE u.post_id NOT IN (SELECT post_id FROM post_labels WHERE model = ?)
            GROUP BY u.post_id
            ORDER BY u.post_id
            """,
            [model, model],
        )
        try:
            while True:
                rows = cursor.fetchmany(batch_size)
                if not rows:
                    break
                yield [
                    (post_id, [
                        Label(u["act"], u["stance"], bool(u["abusive"]), u["voice"], u["frame"], u["discloser"],
                              tuple(u["centres"] or ()), json.loads(u["scores"]))
                        for u in units
                    ])
                    for post_id, units in rows
                ]
        finally:
            cursor.close()

    def add_post_labels(self, model: str, rows: Sequence[tuple[str, Label]]) -> int:
        """Store one label per post for ``model`` in one transaction (a post that
        already has one keeps it); return how many were added."""
        if not rows:
            return 0
        table = pa.Table.from_pydict(
            {
                "post_id": [post_id for post_id, _ in rows],
                "model": [model] * len(rows),
                "act": [lb.act for _, lb in rows],
                "stance": [lb.stance for _, lb in rows],
                "abusive": [lb.abusive for _, lb in rows],
                "voice": [lb.voice for _, lb in rows],
                "frame": [lb.frame for _, lb in rows],
                "discloser": [lb.discloser for _, lb in rows],
                "centres": [list(lb.centres) for _, lb in rows],
                "score": [float(lb.scores.get(lb.act, 0.0)) for _, lb in rows],
            },
            schema=pa.schema([("post_id", pa.string()), ("model", pa.string()), ("act", pa.string()),
                              ("stance", pa.string()), ("abusive", pa.bool_()), ("voice", pa.string()),
                              ("frame", pa.string()), ("discloser", pa.string()), ("centres", pa.list_(pa.string())),
                              ("score", pa.float64())]),
        )
        before = self.count("post_labels")
        self.con.register("_new_post_labels", table)
        try:
            with self.transaction():
                self.con.execute(
                    "INSERT OR IGNORE INTO post_labels SELECT post_id, model, act, stance, abusive, voice, frame, "
                    "discloser, centres::VARCHAR[], score FROM _new_post_labels"
                )
        finally:
            self.con.unregister("_new_post_labels")
        return self.count("post_labels") - before

    # -- reading ---------------------------------------------------------------------------
    def count(self, table: str) -> int:
        """Rows in one of heard's tables."""
        if table not in {"posts", "units", "labels", "post_labels", "runs", "schema_migrations"}:
            raise StoreError(f"expected one of posts, units, labels, runs, found table {table!r}")
        # fetchall, not fetchone: DuckDB keeps a half-read result open on the connection.
        rows = self.con.execute(f"SELECT count(*) FROM {table}").fetchall()
        return int(rows[0][0]) if rows else 0

    def distinct_units(self) -> int:
        """How many distinct unit texts (content hashes) the store holds: what labelling labels once each."""
        rows = self.con.execute("SELECT count(DISTINCT hash) FROM units").fetchall()
        return int(rows[0][0]) if rows else 0

    def query(self, sql: str, params: Sequence[Any] | None = None) -> tuple[list[str], list[tuple[Any, ...]]]:
        """Run ``sql`` and return (column names, rows).

        Raises:
            StoreError: the SQL failed; the message is DuckDB's first line when that
                can only quote the query (:func:`_safe_detail`), else the error's kind.
        """
        try:
            cursor = self.con.execute(sql, params or [])
            if cursor.description is None:
                return [], []
            columns = [d[0] for d in cursor.description]
            return columns, cursor.fetchall()
        except duckdb.Error as exc:
            raise StoreError(f"{_query_problem(exc)}: {_safe_detail(exc, sql, self._names())}. Fix: {_query_fix(exc)}") from None

    def _names(self) -> set[str]:
        """Every table, view and column name of the store (what an error about the query may quote)."""
        try:
            rows = self.con.execute("SELECT table_name, column_name FROM information_schema.columns").fetchall()
        except duckdb.Error:
            return set()
        return {str(name) for row in rows for name in row}


@cache
def _host() -> str:
    """This machine in a run's details: a hash, so exports of ``runs`` do not name it."""
    return hashlib.sha256(socket.gethostname().encode("utf-8")).hexdigest()[:12]


def _json_object(raw: object) -> dict[str, Any]:
    try:
        value = json.loads(raw) if isinstance(raw, str) else None
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _check_store_path(db_path: Path, *, must_exist: bool) -> None:
    """Refuse, before DuckDB touches it, a path that is not (or cannot become) a store.

    DuckDB opens an existing CSV, JSONL or Parquet file as a read-only view, so
    writes would vanish; the magic bytes tell a DuckDB file from those.
    """
    if not db_path.exists():
        if must_exist:
            raise StoreError(
                f"{db_path}: expected a heard store, found no such file. "
                f"Fix: check the path, or create one with `heard ingest FILE --db {db_path}`"
            )
        if db_path.suffix != _STORE_SUFFIX:
            raise StoreError(
                f"{db_path}: expected a new store's name to end in {_STORE_SUFFIX}, found "
                f"{repr(db_path.suffix) if db_path.suffix else 'no suffix'}. "
                f"Fix: pass --db {db_path.with_suffix(_STORE_SUFFIX)} (a .csv, .jsonl or .parquet file "
                "is data to ingest, not a store)"
            )
        if not db_path.parent.is_dir():
            raise StoreError(
                f"{db_path}: expected an existing folder for the store, found none at {db_path.parent}. "
                "Fix: create the folder first"
            )
        return
    if db_path.is_dir():
        raise StoreError(f"{db_path}: expected a heard store (a DuckDB file), found a folder. Fix: pass the .duckdb file inside it")
    try:
        with db_path.open("rb") as fh:
            head = fh.read(12)
    except OSError as exc:
        raise StoreError(f"{db_path}: expected a heard store you can read, found {exc.strerror or exc}. "
                         "Fix: check the path and its permissions") from None
    if head[8:12] != _DUCKDB_MAGIC:
        found = "an empty file" if not head else f"a {db_path.suffix[1:].upper() or 'non-DuckDB'} file"
        raise StoreError(
            f"{db_path}: expected a heard store (a DuckDB file), found {found}; it was left untouched. "
            f"Fix: point --db at a .duckdb store or at a new path such as {db_path.with_suffix(_STORE_SUFFIX)}; "
            f"to read this file as posts, run `heard ingest {db_path} --db {db_path.with_suffix(_STORE_SUFFIX)}`"
        )


def _connect(db_path: Path, *, read_only: bool, config: Mapping[str, bool] | None = None) -> duckdb.DuckDBPyConnection:
    options: dict[str, str | bool | int | float | list[str]] = dict(config or {})
    try:
        return duckdb.connect(str(db_path), read_only=read_only, config=options)
    except duckdb.Error as exc:
        raise StoreError(f"{db_path}: could not open as a DuckDB store ({_first_line(exc)}). {_open_fix(exc)}") from None


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


_SANDBOXED = ("disabled by configuration", "configuration has been locked", "extensions is disabled")


_QUERY_ONLY = (duckdb.ParserException, duckdb.CatalogException, duckdb.BinderException, duckdb.PermissionException)
"""DuckDB errors whose message is about the query (names, syntax) rather than about a stored value."""

_QUOTED = re.compile(r'"([^"]*)"|\'([^\']*)\'')


def _is_read_only(exc: duckdb.Error) -> bool:
    """The store refused a change (by the error's kind and DuckDB's fixed wording, never by a quoted value)."""
    first = _first_line(exc)
    return (isinstance(exc, duckdb.InvalidInputException) and first.startswith("Invalid Input Error: Cannot execute statement")
            and first.endswith("read-only mode!"))


def _safe_detail(exc: duckdb.Error, sql: str = "", names: Collection[str] = ()) -> str:
    """DuckDB's first line when it can only quote the query; otherwise just the kind of error,
    since messages such as a failed conversion quote the stored value — which may be a post's text.

    A message about the query is shown only when every quoted word in it is in the query or
    names a table or column (``names``): a column made from stored values (``PIVOT ... ON text``)
    would otherwise carry a post's words into the error.

    Example:
        >>> "my story" in _safe_detail(duckdb.ConversionException("Could not convert string 'my story' to INT32"))
        False
        >>> _safe_detail(duckdb.BinderException('Binder Error: Referenced column "nosuch" not found'), "SELECT nosuch FROM posts")
        'Binder Error: Referenced column "nosuch" not found'
    """
    first = _first_line(exc).rstrip(".!")
    if _is_read_only(exc):
        return first
    if isinstance(exc, _QUERY_ONLY):
        known = sql.lower()
        lowered = {n.lower() for n in names}
        quoted = [a or b for a, b in _QUOTED.findall(first)]
        if all(q.lower() in known or q.lower() in lowered for q in quoted):
            return first
    return f"{type(exc).__name__} (DuckDB's message is not shown: it can quote stored values, such as post text)"


def _query_problem(exc: duckdb.Error) -> str:
    text = str(exc)
    if isinstance(exc, duckdb.PermissionException) or any(s in text for s in _SANDBOXED):
        return ("expected SQL that reads the store's tables, found one that reaches outside them "
                "(heard sql cannot read or write other files, attach databases, change settings, "
                "install or load extensions, or use the network)")
    if _is_read_only(exc):
        return "expected SQL that reads, found one that changes the store (heard sql is read-only)"
    return "expected a valid SQL query, found an error"


def _query_fix(exc: duckdb.Error) -> str:
    text = str(exc)
    if isinstance(exc, duckdb.PermissionException) or any(s in text for s in _SANDBOXED):
        return ("query the tables listed by `heard sql --tables`; to save results use "
                "`heard sql ... --format csv > file.csv` or `heard export`")
    if _is_read_only(exc):
        return "change the store through heard's commands (ingest, label); query it with SELECT"
    return "see the tables with `heard sql --tables`"


def _open_fix(exc: BaseException) -> str:
    text = str(exc).lower()
    if "lock" in text:
        return ("Fix: another process holds the store (heard serve, a running ingest or label, or another "
                "program with it open); wait for it or stop it, then run this again")
    if "not a valid duckdb" in text or "magic" in text:
        return "Fix: point --db at a heard store (a DuckDB file) or at a new path"
    if "different configuration" in text:
        return "Fix: close this process's other connection to the store first (heard sql's sandboxed one cannot share it)"
    return "Fix: check that the path is a DuckDB file you can read and write"
