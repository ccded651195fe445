"""The demo, end to end, through the real entry point."""

from __future__ import annotations

import json
from pathlib import Path

from heard.records import ACTS


def test_demo_ingests_labels_and_summarises(heard, sandbox: Path) -> None:
    result = heard("demo", "-o", "demo")
    assert result.code == 0, result.err
    assert "Traceback" not in result.err
    lines = result.out.splitlines()
    assert lines[0].startswith("heard demo: ")
    shown = {line.split()[0] for line in lines if line.split() and line.split()[0] in ACTS}
    assert shown == set(ACTS)
    summary = sandbox / "demo" / "summary.html"
    assert str(summary) in result.out or "summary.html" in result.out
    page = summary.read_text()
    assert "Content warning" in page and "<script>alert" not in page
    posts = json.loads(heard("sql", "SELECT count(*) AS n, count(DISTINCT thread_root) AS threads FROM posts", "--db", "demo/demo.duckdb", "--format", "json").out)[0]
    assert posts["n"] >= 300 and posts["threads"] >= 30
