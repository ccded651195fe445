"""Ingest: stream files into the store in committed batches.

A batch is read, normalised, pseudonymised, segmented and written in one
transaction, so a crash loses no committed batch and leaves no half batch.
A user error (a bad row without ``--skip-bad``) removes what this run added,
so a failed ingest leaves the store as it was. A post already stored under
the same id with the same text is skipped, so ingesting the same file twice
adds nothing; the same id with another text is a bad row, never a silent drop.
Ids that name an account are stored as keyed hashes (:meth:`PseudonymKey.post_id`).

Example:
    >>> from heard.store import Store
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "a.jsonl").write_text('{"id": "1", "text": "me too"}\\n')
    >>> with Store.open(folder / "c.duckdb") as store:
    ...     ingest([folder / "a.jsonl"], store).added
    1
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TextIO

from heard.errors import HeardError, InputError
from heard.ingest.columns import ColumnMap
from heard.ingest.platforms import Draft, RowError, detect_platform, expand_record, meta_json, source_scope, to_draft
from heard.ingest.readers import BadRow, Row, check_encoding, read_records
from heard.records import Post
from heard.segment import segment_text
from heard.store import PseudonymKey, Store, reads
from heard.store.output import output_file

log = logging.getLogger(__name__)

DEFAULT_BATCH = 5_000
DEFAULT_MAX_CHARS = 100_000


@dataclass
class FileSummary:
    """Counts for one input file."""

    path: str
    platform: str = ""
    read: int = 0
    added: int = 0
    already_stored: int = 0
    duplicates_in_input: int = 0
    rejected: int = 0


@dataclass
class IngestSummary:
    """What an ingest did, file by file."""

    files: list[FileSummary] = field(default_factory=list)
    rejects_path: str | None = None
    threads_resolved: int = 0

    @property
    def added(self) -> int:
        return sum(f.added for f in self.files)

    @property
    def read(self) -> int:
        return sum(f.read for f in self.files)

    @property
    def rejected(self) -> int:
        return sum(f.rejected for f in self.files)

    @property
    def already_stored(self) -> int:
        """Posts the store held before this run (as in each file's ``already_stored``)."""
        return sum(f.already_stored for f in self.files)

    @property
    def duplicates_in_input(self) -> int:
        """Repeats of a post read earlier in this run (same id, same text)."""
        return sum(f.duplicates_in_input for f in self.files)

    def to_dict(self) -> dict[str, Any]:
        return {
            "read": self.read,
            "added": self.added,
            "already_stored": self.already_stored,
            "duplicates_in_input": self.duplicates_in_input,
            "rejected": self.rejected,
            "rejects_path": self.rejects_path,
            "files": [vars(f) for f in self.files],
        }


class _Rejects:
    """The rejects file, one JSON line per bad row (mode 0600: rows hold post text).

    A run replaces the rejects of the files it reads and keeps those of other
    files, so re-running an ingest never lists a bad row twice, and a row fixed
    since the last run is no longer listed.
    """

    def __init__(self, path: Path, sources: Sequence[str]) -> None:
        self.path = check_rejects_path(path)
        self._fh: TextIO | None = None
        self._sources = {s for source in sources for s in (source, os.path.realpath(source))}
        self._drop_earlier()

    def _drop_earlier(self) -> None:
        if not self.path.is_file():
            return
        with self.path.open(encoding="utf-8", errors="surrogateescape") as fh:
            kept = [line for line in fh if line.strip() and not self._of_this_run(line)]
        if not kept:
            self.path.unlink()
            return
        tmp = self.path.with_name(self.path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8", errors="surrogateescape") as out:
            out.writelines(kept)
        os.replace(tmp, self.path)

    def _of_this_run(self, line: str) -> bool:
        try:
            source = json.loads(line).get("source")
        except (ValueError, AttributeError):
            return False
        return isinstance(source, str) and (source in self._sources or os.path.realpath(source) in self._sources)

    @property
    def written(self) -> bool:
        """True once this run has set a row aside."""
        return self._fh is not None

    def write(self, source: str, line: int, error: str, raw: str) -> None:
        if self._fh is None:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            self._fh = os.fdopen(fd, "a", encoding="utf-8")
        self._fh.write(json.dumps({"source": source, "line": line, "error": error, "raw": raw}, ensure_ascii=False) + "\n")

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()


def check_rejects_path(path: str | Path) -> Path:
    """Refuse, before anything is read or stored, a rejects file that cannot be written.

    Raises:
        ConfigError: the path is a folder, its folder is missing, or files cannot be created there.
    """
    return output_file(Path(path), "the rejects file", "--rejects")


def _drafts(
    path: Path,
    columns: ColumnMap,
    encoding: str,
    max_chars: int,
    summary: FileSummary,
) -> Iterator[tuple[int, Draft] | BadRow]:
    """Rows of one file as drafts (or bad rows), platform detected on the first record.

    Containers (a Reddit thread listing, a Bluesky feed, a Mastodon context)
    are opened into their posts first. Each post's position in the file
    (1-based, counting bad rows too) is the id of a generic row without one.
    """
    platform: str | None = None
    resolved: ColumnMap | None = None
    named = {c for c in (columns.parent, columns.author, columns.time) if c}
    keys_seen: set[str] = set()
    scope = source_scope(path.name)
    position = 0
    for item in _expanded(read_records(path, encoding)):
        position += 1
        if isinstance(item, BadRow):
            yield item
            continue
        assert isinstance(item, Row)
        record = item.record
        if platform is None:
            platform = detect_platform(record)
            summary.platform = platform
            if platform == "generic":
                resolved = columns.resolve(list(record.keys()), str(path))
        if named:
            keys_seen.update(record)
        try:
            draft = to_draft(platform, record, resolved, source=scope, position=position)
        except RowError as exc:
            yield BadRow(item.line, exc.expected, exc.found, exc.fix, _raw_record(record))
            continue
        if len(draft.text) > max_chars:
            yield BadRow(
                item.line,
                f"expected a post of at most {max_chars:,} characters",
                f"found {len(draft.text):,}",
                "split the document into smaller files, raise the limit with --max-chars, or pass --skip-bad",
                _raw_record(record)[:2000],
            )
            continue
        if "\x00" in draft.text:
            yield BadRow(item.line, "expected text without NUL bytes", "found a NUL character in the text", "remove it, or pass --skip-bad", "")
            continue
        yield item.line, draft
    if named and platform == "generic":
        columns.check_named_seen(keys_seen, str(path))


def _expanded(items: Iterator[Row | BadRow]) -> Iterator[Row | BadRow]:
    """Each post of a container record (see :func:`expand_record`) as its own row, on the container's line."""
    for item in items:
        if isinstance(item, Row):
            yield from (Row(item.line, record) for record in expand_record(item.record))
        else:
            yield item


def _raw_record(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, default=str)


def ingest(
    paths: Sequence[str | Path],
    store: Store,
    *,
    columns: ColumnMap | None = None,
    skip_bad: bool = False,
    rejects_path: str | Path | None = None,
    encoding: str = "utf-8",
    batch_size: int = DEFAULT_BATCH,
    max_chars: int = DEFAULT_MAX_CHARS,
    progress: Callable[[IngestSummary], None] | None = None,
) -> IngestSummary:
    """Ingest posts from ``paths`` into ``store``.

    Args:
        paths: files (JSONL, JSON, CSV/TSV, Parquet, .txt/.md) or folders of .txt/.md.
        store: an open, writable store.
        columns: column names for generic files (unset fields are sniffed).
        skip_bad: set bad rows aside in ``rejects_path`` instead of stopping.
        rejects_path: where bad rows go (default: ``<store>.rejects.jsonl``).
        encoding: text encoding of the inputs.
        batch_size: posts per committed transaction.
        max_chars: longest post accepted.
        progress: called after every committed batch.

    Raises:
        InputError: a bad row (without ``skip_bad``), an empty file, or no text
            column; the posts this run had added are removed again. When the
            store was new (no runs, no posts, no key), it is closed and its
            file and key are deleted, so a failed first ingest leaves nothing.
        ConfigError: ``encoding`` names no text encoding, or ``rejects_path`` cannot be
            written (checked before any post is read; see :func:`check_rejects_path`).
    """
    columns = columns or ColumnMap()
    summary = IngestSummary()
    key_path = PseudonymKey.path_for(store.path) if store.path else None
    new_store = key_path is not None and not key_path.exists() and store.count("runs") == 0 and store.count("posts") == 0
    if rejects_path is None and store.path is not None:
        rejects_path = store.path.with_name(store.path.name + ".rejects.jsonl")
    rejects: _Rejects | None = None
    run_id = store.start_run("ingest", {"files": [str(p) for p in paths]})
    try:
        check_encoding(encoding)
        if skip_bad and rejects_path:  # before the key: a bad --rejects leaves a new store without one
            rejects = _Rejects(Path(rejects_path), [str(p) for p in paths])
        key = PseudonymKey.for_store(store.path, store.count("posts") > 0) if store.path else PseudonymKey(os.urandom(32))
        for raw_path in paths:
            path = Path(raw_path)
            file_summary = FileSummary(str(path))
            summary.files.append(file_summary)
            _ingest_file(path, store, key, columns, rejects, encoding, batch_size, max_chars, file_summary, summary, run_id, progress)
            log.info("%s: %s, %d read, %d added, %d already stored, %d rejected", path, file_summary.platform or "-",
                     file_summary.read, file_summary.added, file_summary.already_stored + file_summary.duplicates_in_input,
                     file_summary.rejected)
            if file_summary.read == 0 and file_summary.rejected == 0:
                raise InputError(str(path), "expected at least one post", "found only blank lines", "check the file or the export")
        summary.threads_resolved = store.resolve_thread_roots()
    except HeardError as exc:
        # A user error: take back what this run added, so the store is as it was.
        store.remove_run_posts(run_id)
        store.finish_run(run_id, "failed", {"error": type(exc).__name__, **summary.to_dict()})
        if new_store and store.path is not None and key_path is not None:
            _remove_new_store(store, store.path, key_path)
        raise
    except BaseException as exc:
        # A crash or an interrupt: committed batches stay (re-running skips them).
        store.finish_run(run_id, "failed", {"error": type(exc).__name__, **summary.to_dict()})
        raise
    finally:
        if rejects is not None:
            rejects.close()
            if rejects.written:
                summary.rejects_path = str(rejects.path)
    store.finish_run(run_id, "ok", summary.to_dict())
    return summary


def _remove_new_store(store: Store, path: Path, key_path: Path) -> None:
    """Delete a store (its key and id map too) that a failed first ingest created: it holds nothing."""
    store.close()
    for leftover in (path, path.with_name(path.name + ".wal"), key_path, PseudonymKey.ids_path_for(path)):
        leftover.unlink(missing_ok=True)


def _ingest_file(
    path: Path,
    store: Store,
    key: PseudonymKey,
    columns: ColumnMap,
    rejects: _Rejects | None,
    encoding: str,
    batch_size: int,
    max_chars: int,
    file_summary: FileSummary,
    summary: IngestSummary,
    run_id: int,
    progress: Callable[[IngestSummary], None] | None,
) -> None:
    # Post id -> (line, draft). Ids are already scoped and, where they name an account, hashed.
    batch: dict[str, tuple[int, Draft]] = {}

    def bad(item: BadRow) -> None:
        if rejects is None:
            raise InputError(str(path), item.expected, item.found, item.fix, line=item.line)
        file_summary.rejected += 1
        rejects.write(str(path), item.line, f"{item.expected}, {item.found}", item.raw)

    def flush() -> None:
        if not batch:
            return
        key.save_ids()  # before the commit: every stored hashed id can be traced back by the key's owner
        stored = reads.stored_text_digests(store, list(batch))
        posts: list[Post] = []
        for line, draft in batch.values():
            if draft.id in stored:
                if stored[draft.id] != text_digest(draft.text):
                    bad(_conflict(draft, line, "already stored with a different text"))
                    continue
                file_summary.already_stored += 1
                continue
            posts.append(
                Post(
                    id=draft.id,
                    text=draft.text,
                    platform=draft.platform,
                    author=key.pseudonymise(draft.author),
                    created_at=draft.created_at,
                    parent_id=draft.parent_id,
                    thread_root=draft.thread_root,
                    source=path.name,
                    meta=meta_json(draft.meta),
                )
            )
        units = [u for p in posts for u in segment_text(p.text, post_id=p.id, long_form=True if p.platform == "document" else None)]
        store.add_posts(posts, units, run_id=run_id)
        file_summary.added += len(posts)
        batch.clear()
        if progress is not None:
            progress(summary)

    for item in _drafts(path, columns, encoding, max_chars, file_summary):
        if isinstance(item, BadRow):
            bad(item)
            continue
        line, draft = item
        draft = replace(draft, id=key.post_id(draft.id), parent_id=key.post_id(draft.parent_id), thread_root=key.post_id(draft.thread_root))
        file_summary.read += 1
        if draft.id in batch:
            first_line, first = batch[draft.id]
            if first.text != draft.text:
                bad(_conflict(draft, line, f"already read on line {first_line} with a different text"))
            else:
                # An exact duplicate; one further away is caught as "already stored" by the next batch.
                file_summary.duplicates_in_input += 1
            continue
        batch[draft.id] = (line, draft)
        if len(batch) >= batch_size:
            flush()
    flush()


def _conflict(draft: Draft, line: int, found: str) -> BadRow:
    """Two posts under one id: an error naming the id, never the texts."""
    return BadRow(
        line,
        f"expected the id {draft.id!r} to name one post",
        f"found it {found}",
        "give each post its own id (ids without a platform are scoped by the file's name, so rename one of two "
        "files that share a name), or pass --skip-bad to set the second one aside",
        json.dumps({"id": draft.id, "text": draft.text}, ensure_ascii=False),
    )


def text_digest(text: str) -> str:
    """The digest ingest compares a post's text by (MD5 of UTF-8, as DuckDB's ``md5``)."""
    return hashlib.md5(text.encode("utf-8", errors="surrogatepass"), usedforsecurity=False).hexdigest()
