"""Bounded work per post: no unit longer than the encoder's window, no classify line without a cap,
and `heard classify` checks its output path before it does the work."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from heard.classify.contract import MAX_LINE_CHARS
from heard.segment import segment_text
from heard.segment.segmenter import MAX_UNIT_CHARS

from .conftest import Result, assert_user_error


def test_text_without_sentence_punctuation_is_cut_at_whitespace_near_the_window() -> None:
    text = "and then he said nothing at all " * 2000  # 64,000 characters, not one full stop
    got = segment_text(text, post_id="p")
    assert len(got) > 60 and all(0 < len(u.text) <= MAX_UNIT_CHARS for u in got)
    assert all(text[u.start : u.end] == u.text for u in got)
    assert " ".join(u.text for u in got).split() == text.split()  # cut between words, nothing lost
    # a short-form post forced long and a word longer than the window are capped too
    assert [len(u.text) for u in segment_text("x" * 2500, long_form=False)] == [1000, 1000, 500]


def test_a_huge_unpunctuated_post_becomes_bounded_units_in_the_store(heard: Callable[..., Result], sandbox: Path) -> None:
    from heard.store import Store

    (sandbox / "big.jsonl").write_text(json.dumps({"id": "1", "text": "word " * 400_000}) + "\n", encoding="utf-8")
    assert heard("ingest", "big.jsonl", "--db", "c.duckdb", "--max-chars", "3000000").code == 0
    with Store.open(sandbox / "c.duckdb", read_only=True) as store:
        count, longest = store.query("SELECT count(*), max(length(text)) FROM units")[1][0]
    assert count == 2000 and longest <= MAX_UNIT_CHARS


def test_classify_refuses_a_line_over_the_cap_and_names_it(heard: Callable[..., Result], sandbox: Path) -> None:
    lines = [{"id": "1", "text": "fine"}, {"id": "2", "text": "word " * (MAX_LINE_CHARS // 5 + 1)}]
    (sandbox / "in.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    result = heard("classify", "in.jsonl", "-o", "out.jsonl")
    assert_user_error(result, "in.jsonl:2:", f"{MAX_LINE_CHARS:,}")
    assert not (sandbox / "out.jsonl").exists()


def test_classify_checks_the_output_before_the_work(heard: Callable[..., Result], sandbox: Path, monkeypatch) -> None:
    from heard import cli

    (sandbox / "in.jsonl").write_text('{"id": "1", "text": "fine"}\n', encoding="utf-8")
    loaded: list[bool] = []
    monkeypatch.setattr(cli, "_classifier", lambda *a: loaded.append(True))  # the work would start here
    assert_user_error(heard("classify", "in.jsonl", "-o", "missing/dir/out.jsonl"), "missing/dir")
    assert_user_error(heard("classify", "in.jsonl", "-o", "in.jsonl"), "in.jsonl", "replace")
    assert_user_error(heard("classify", "in.jsonl", "-o", "./in.jsonl"), "replace")
    (sandbox / "folder").mkdir()
    assert_user_error(heard("classify", "in.jsonl", "-o", "folder"), "folder")
    assert loaded == []
    assert (sandbox / "in.jsonl").read_text(encoding="utf-8") == '{"id": "1", "text": "fine"}\n'


def test_classify_names_the_line_of_a_lone_surrogate_deep_nesting_or_a_huge_number(heard: Callable[..., Result], sandbox: Path) -> None:
    bad_lines = ['{"id": "2", "text": "ok \\ud83d"}', '{"id": "\\udc00", "text": "ok"}',
                 '{"id": "2", "text": ' + "[" * 100_000 + "]" * 100_000 + "}", '{"id": "2", "text": "x", "n": ' + "9" * 5000 + "}"]
    for i, bad in enumerate(bad_lines):
        (sandbox / "in.jsonl").write_text('{"id": "1", "text": "fine"}\n' + bad + "\n", encoding="utf-8")
        assert_user_error(heard("classify", "in.jsonl", "-o", f"out{i}.jsonl"), "in.jsonl:2:")
        assert not (sandbox / f"out{i}.jsonl").exists()
