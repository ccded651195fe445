"""``heard sql`` runs a user's SQL against the store and nothing else: every
escape a hostile or careless query could try is refused by DuckDB with a clear
message, and nothing is written or read outside the store."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from heard.errors import StoreError
from heard.store import PseudonymKey, Store

from .conftest import FIXTURES, assert_user_error


@pytest.fixture
def store(heard, sandbox: Path) -> Path:
    """A real store with posts, its key beside it, and a Parquet file next to it."""
    assert heard("ingest", str(FIXTURES / "x_v2.json"), "--db", "c.duckdb").code == 0
    pq.write_table(pa.table({"secret": ["from a parquet file"]}), sandbox / "other.parquet")
    (sandbox / "other.csv").write_text("secret\nfrom a csv file\n")
    return sandbox / "c.duckdb"


def _files(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if "home" not in p.relative_to(folder).parts}


WRITES = {
    "copy to a file": "COPY (SELECT 'pwned') TO 'victim.txt'",
    "copy a table to a file": "COPY posts TO 'posts.csv' (HEADER)",
    "export database": "EXPORT DATABASE 'dump'",
    "attach a new database": "ATTACH 'other.duckdb' AS other",
    "a second statement": "SELECT 1; COPY (SELECT 'pwned') TO 'victim.txt'",
}

READS = {
    "read_csv of /etc/passwd": "SELECT * FROM read_csv('/etc/passwd')",
    "read_text of the store's key": "SELECT content FROM read_text('c.duckdb.key')",
    "read_blob of the store's key": "SELECT content FROM read_blob('c.duckdb.key')",
    "read_parquet beside the store": "SELECT * FROM read_parquet('other.parquet')",
    "a csv file by name": "SELECT * FROM 'other.csv'",
    "glob": "SELECT * FROM glob('*')",
    "copy from a file": "COPY posts FROM 'other.csv'",
}

EXTENSIONS = {
    "install httpfs": "INSTALL httpfs",
    "load httpfs": "LOAD httpfs",
    "a url": "SELECT * FROM read_csv('https://example.com/x.csv')",
}

SETTINGS = {
    "set external access back on": "SET enable_external_access = true",
    "reset external access": "RESET enable_external_access",
    "unlock the configuration": "SET lock_configuration = false",
    "autoload extensions": "SET autoload_known_extensions = true",
}


@pytest.mark.parametrize("query", list(WRITES.values()) + list(READS.values()) + list(EXTENSIONS.values()),
                         ids=list(WRITES) + list(READS) + list(EXTENSIONS))
def test_sql_cannot_reach_outside_the_store(heard, store: Path, sandbox: Path, query: str) -> None:
    before = _files(sandbox)
    key = PseudonymKey.path_for(store).read_text().strip()
    result = heard("sql", query, "--db", "c.duckdb", "--format", "csv")
    assert_user_error(result, "reaches outside", "heard sql --tables")
    assert _files(sandbox) == before
    assert key not in result.out + result.err
    assert "root:" not in result.out and "from a" not in result.out


@pytest.mark.parametrize("query", list(SETTINGS.values()), ids=list(SETTINGS))
def test_sql_cannot_change_its_settings(heard, store: Path, query: str) -> None:
    assert_user_error(heard("sql", query, "--db", "c.duckdb"), "reaches outside")


def test_sql_cannot_change_the_store(heard, store: Path) -> None:
    for query in ("DELETE FROM posts", "UPDATE runs SET status = 'ok'", "CREATE TABLE t (x INT)", "DROP TABLE posts"):
        assert_user_error(heard("sql", query, "--db", "c.duckdb"), "read-only")
    with Store.open(store, read_only=True) as opened:
        assert opened.count("posts") == 4


def test_sql_still_reads_every_table(heard, store: Path) -> None:
    for table in ("posts", "units", "labels", "post_labels", "runs", "schema_migrations", "labelled_units"):
        result = heard("sql", f"SELECT count(*) FROM {table}", "--db", "c.duckdb", "--format", "csv")
        assert result.code == 0, result.err


def test_the_sandbox_is_the_library_s_too(store: Path) -> None:
    with Store.open_for_query(store) as opened:
        assert opened.query("SELECT count(*) FROM posts")[1] == [(4,)]
        with pytest.raises(StoreError, match="reaches outside"):
            opened.query("COPY posts TO 'posts.parquet'")
    with pytest.raises(StoreError, match="no such file"):
        Store.open_for_query(store.with_name("missing.duckdb"))


def test_report_and_export_still_read_with_a_read_only_store(heard, store: Path, sandbox: Path) -> None:
    # heard report and heard export open read-only without the sandbox: they write files themselves.
    assert heard("export", "--db", "c.duckdb", "-o", "out").code == 0
    assert pq.read_table(sandbox / "out" / "posts.parquet").num_rows == 4


def test_a_failed_query_never_quotes_a_stored_text(heard, store: Path) -> None:
    with Store.open(store, read_only=True) as opened:
        text = opened.query("SELECT text FROM posts LIMIT 1")[1][0][0]
    # Converting a post's text to a number fails, and DuckDB's message would quote the text.
    result = heard("sql", "SELECT CAST(text AS INTEGER) FROM posts", "--db", "c.duckdb")
    assert_user_error(result, "ConversionException", "not shown")
    assert text not in result.err and text[:20] not in result.err
    # Errors that can only quote the query keep DuckDB's words.
    assert_user_error(heard("sql", "SELECT nosuchcolumn FROM posts", "--db", "c.duckdb"), "nosuchcolumn")
    # A binder error about a column made from stored texts would quote them: only its kind is shown.
    pivot = "SELECT *, count(*) FROM (PIVOT (SELECT text FROM posts) ON text USING count(*))"
    result = heard("sql", pivot, "--db", "c.duckdb")
    assert_user_error(result, "BinderException", "not shown")
    assert text[:20] not in result.err


def test_a_stored_text_that_reads_like_an_error_is_not_shown_either(heard, sandbox: Path) -> None:
    (sandbox / "p.jsonl").write_text('{"id": "a", "text": "the portal was stuck in read-only mode! secret words"}\n')
    assert heard("ingest", "p.jsonl", "--db", "s.duckdb").code == 0
    result = heard("sql", "SELECT CAST(text AS INTEGER) FROM posts", "--db", "s.duckdb")
    assert_user_error(result, "ConversionException")
    assert "secret words" not in result.err and "changes the store" not in result.err
