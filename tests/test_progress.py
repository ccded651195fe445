"""Progress: a bar with total and time left on a terminal, a plain line every ~10 s elsewhere; never post text."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from heard import cli

from .conftest import Result


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_plain_lines_every_ten_seconds_with_total_rate_and_time_left() -> None:
    stream, clock = io.StringIO(), Clock()
    progress = cli._Progress("ingest", "posts", total=lambda: 1000, stream=stream, tty=False, clock=clock)
    for second in range(1, 31):
        clock.now = float(second)
        progress.count(second * 10)
    progress.done()
    lines = stream.getvalue().splitlines()
    assert lines == [
        "heard: ingest: 100 of 1,000 posts (10%), 10 posts/s, about 90 s left",
        "heard: ingest: 200 of 1,000 posts (20%), 10 posts/s, about 80 s left",
        "heard: ingest: 300 of 1,000 posts (30%), 10 posts/s, about 70 s left",
    ]


def test_without_a_total_the_line_says_the_count_and_rate() -> None:
    stream, clock = io.StringIO(), Clock()
    progress = cli._Progress("label", "units", total=None, stream=stream, tty=False, clock=clock)
    clock.now = 12.0
    progress.count(2400)
    assert stream.getvalue() == "heard: label: 2,400 units, 200 units/s\n"


def test_on_a_terminal_a_bar_with_total_and_eta() -> None:
    stream, clock = io.StringIO(), Clock()
    progress = cli._Progress("classify", "lines", total=500, stream=stream, tty=True, clock=clock)
    progress.count(100)
    progress.count(250)
    progress.done()
    shown = stream.getvalue()
    assert "classify" in shown and "/500" in shown and "<" in shown  # n/total [elapsed<left]


@pytest.mark.parametrize("command", ["ingest", "label", "classify"])
def test_scripts_see_periodic_lines_without_post_text(heard: Callable[..., Result], sandbox: Path, monkeypatch, command: str) -> None:
    monkeypatch.setattr(cli._Progress, "every", 0.0)
    secret = "my coach did it when I was twelve"
    (sandbox / "in.jsonl").write_text("".join(json.dumps({"id": str(i), "text": f"{secret} {i}"}) + "\n" for i in range(30)), encoding="utf-8")
    if command == "ingest":
        result = heard("ingest", "in.jsonl", "--db", "c.duckdb", "--batch-size", "10")
        expected = "heard: ingest: 30 of 30 posts (100%)"
    elif command == "label":
        assert heard("ingest", "in.jsonl", "--db", "c.duckdb").code == 0
        result = heard("label", "--db", "c.duckdb")
        expected = "heard: label: 30 of 30 units (100%)"
    else:
        monkeypatch.setattr("heard.classify.contract._PROGRESS_EVERY", 10)
        result = heard("classify", "in.jsonl", "-o", "out.jsonl")
        expected = "heard: classify: 30 of 30 lines (100%)"
    assert result.code == 0, result.err
    assert expected in result.err
    assert "heard: ingest: 10 of 30 posts" in result.err or command != "ingest"
    assert secret not in result.err and "coach" not in result.out
