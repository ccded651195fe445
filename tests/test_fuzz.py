"""Fuzzing the readers with hypothesis: any bytes in a .jsonl, .csv or .json file give either a
clean :class:`~heard.errors.HeardError` (exit 1) or valid posts; never another exception (exit 70)
or a traceback; and with ``skip_bad`` the store equals a clean ingest of just the accepted rows.

Examples are derandomised (the same ones every run, so the suite cannot flake); to search
longer and afresh: ``FUZZ_EXAMPLES=2000 FUZZ_RANDOM=1 pytest tests/test_fuzz.py``.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from heard.errors import HeardError
from heard.ingest import ingest
from heard.ingest.readers import Row, read_records
from heard.store import Store

from .conftest import Result

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "150"))
DERANDOMIZE = not os.environ.get("FUZZ_RANDOM")
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=DERANDOMIZE, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large])

# Characters that have broken readers before: half an emoji, NUL, quotes, delimiters, line breaks, a BOM.
SPECIALS = ["\ud83d", "\udc80", "\x00", '"', "'", "\n", "\r", ",", ";", "\t", "|", "\u2028", "\ufeff", "😀", "\\", "{", "["]
texts = st.text(st.one_of(st.characters(), st.sampled_from(SPECIALS)), max_size=40)
times = st.one_of(
    st.sampled_from(["2026-03-02T14:05:00Z", "2026-03-02 14:05:00+01:00", "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00",
                     "0", "-1", "99999999999", "03/02/2026", "March 2, 2026", "nan", "1e400", "²", ""]),
    st.integers(min_value=-(10**20), max_value=10**20), st.floats(), texts,
)
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), texts)
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(texts, inner, max_size=3)), max_leaves=8)
# A fixed set of keys keeps the generic column mapping the same whichever record comes first.
records = st.fixed_dictionaries(
    {"text": st.one_of(texts, values)},
    optional={"id": st.one_of(texts, st.integers()), "author": scalars, "created_at": times, "parent_id": st.one_of(st.none(), texts), "extra": values},
)


def _json_bytes(value: Any, ascii_only: bool) -> bytes:
    # surrogatepass: a lone surrogate written raw is the invalid UTF-8 a cut-off export holds
    return json.dumps(value, ensure_ascii=ascii_only).encode("utf-8", errors="surrogatepass")


jsonl_lines = st.one_of(
    st.builds(_json_bytes, records, st.booleans()),
    st.builds(_json_bytes, values, st.booleans()),
    st.builds(lambda r, cut: _json_bytes(r, True)[:cut], records, st.integers(0, 30)),  # a truncated line
    st.binary(max_size=30),
    st.just(b"[" * 5000 + b"]" * 5000),
)
jsonl_files = st.lists(jsonl_lines, max_size=8).map(lambda lines: b"\n".join(lines))


@st.composite
def csv_files(draw: st.DrawFn) -> bytes:
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    header = ["id", "text", *draw(st.lists(st.sampled_from(["author", "created_at", "parent_id"]), unique=True))]
    rows = draw(st.lists(st.lists(st.one_of(texts, times.map(str)), min_size=len(header) - 1, max_size=len(header) + 1), max_size=8))
    out = io.StringIO()
    if draw(st.booleans()):  # well quoted
        csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows([header, *rows])
    else:  # joined by hand: stray quotes and delimiters break rows
        out.write("".join(delimiter.join(map(str, r)) + "\n" for r in [header, *rows]))
    return out.getvalue().encode("utf-8", errors=draw(st.sampled_from(["surrogatepass", "ignore"])))


json_files = st.one_of(
    st.builds(_json_bytes, st.lists(st.one_of(records, values), max_size=6), st.booleans()),
    st.builds(_json_bytes, st.fixed_dictionaries({"data": st.lists(records, max_size=4)}), st.booleans()),
    st.builds(lambda v, cut: _json_bytes(v, True)[:cut], st.lists(records, max_size=4), st.integers(0, 60)),
    st.binary(max_size=60),
)
any_file = st.one_of(
    st.tuples(st.just(".jsonl"), st.one_of(jsonl_files, st.binary(max_size=80))),
    st.tuples(st.just(".csv"), st.one_of(csv_files(), st.binary(max_size=80))),
    st.tuples(st.just(".json"), json_files),
)


def _posts(store: Store) -> list[tuple[Any, ...]]:
    # Authors are compared by presence: each store has its own pseudonym key.
    _, rows = store.query("SELECT id, text, author IS NULL, created_at, parent_id, thread_root, platform, meta::VARCHAR FROM posts ORDER BY id")
    return rows


def _by_order(posts: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Posts with positional ids (``scope:#N``) renamed to their rank, in every column."""
    positional = sorted({v for row in posts for v in row if isinstance(v, str) and re.fullmatch(r"[^:]+:#\d+", v)},
                        key=lambda v: int(v.rsplit("#", 1)[1]))
    rank = {v: f"#{i}" for i, v in enumerate(positional)}
    return sorted(tuple(rank.get(v, v) if isinstance(v, str) else v for v in row) for row in posts)


def _ingest(path: Path, rejects: Path | None) -> tuple[list[tuple[Any, ...]], HeardError | None]:
    """Posts a fresh store gets from ``path`` (or the HeardError); anything else fails the test."""
    with Store.open(":memory:") as store:
        try:
            ingest([path], store, skip_bad=rejects is not None, rejects_path=rejects)
        except HeardError as exc:
            return _posts(store), exc
        return _posts(store), None


@FUZZ
@given(any_file)
def test_any_file_gives_posts_or_a_clean_error_and_skip_bad_equals_a_clean_run(case: tuple[str, bytes]) -> None:
    suffix, content = case
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / f"in{suffix}"
        path.write_bytes(content)
        strict_posts, strict_error = _ingest(path, None)  # only a HeardError may escape
        if strict_error is not None:
            assert strict_posts == []  # a failed run takes back what it added
        rejects = folder / "rejects.jsonl"
        posts, error = _ingest(path, rejects)
        if error is not None:
            assert posts == []
            return
        lines = rejects.read_text(encoding="utf-8").split("\n") if rejects.exists() else []  # not splitlines: U+0085 is text
        rejected = {json.loads(line)["line"] for line in lines if line}
        if strict_error is None:
            assert not rejected and posts == strict_posts
        # A clean file of just the accepted rows gives the same store, without --skip-bad.
        accepted = [r.record for r in read_records(path) if isinstance(r, Row) and r.line not in rejected]
        # Same file name, so the same id scope; rows without ids are numbered by position,
        # which the rejected rows shift, so those ids are compared by their order.
        (folder / "clean").mkdir()
        clean = folder / "clean" / "in.jsonl"
        clean.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in accepted), encoding="utf-8")
        if not accepted:
            assert posts == []
            return
        clean_posts, clean_error = _ingest(clean, None)
        assert clean_error is None, clean_error
        assert _by_order(posts) == _by_order(clean_posts)


@settings(max_examples=max(EXAMPLES // 4, 10), deadline=None, derandomize=DERANDOMIZE, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large])
@given(any_file, st.booleans())
def test_the_cli_exits_0_or_1_without_a_traceback(heard: Callable[..., Result], sandbox: Path, case: tuple[str, bytes], skip_bad: bool) -> None:
    suffix, content = case
    with tempfile.TemporaryDirectory(dir=sandbox) as tmp:
        path = Path(tmp) / f"in{suffix}"
        path.write_bytes(content)
        result = heard("ingest", str(path), "--db", str(Path(tmp) / "c.duckdb"), *(["--skip-bad"] if skip_bad else []))
        assert result.code in (0, 1), result.err
        assert "Traceback" not in result.err and "internal error" not in result.err
        if result.code == 1:
            assert result.err.startswith("heard: error:") and "Fix:" in result.err
