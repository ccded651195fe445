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
    report = heard("report", "--db", "demo/demo.duckdb", "-o", "rep")
    assert report.code == 0, report.err
    assert (sandbox / "rep" / "report.html").exists() and list((sandbox / "rep" / "charts").glob("*.png"))
    html = (sandbox / "rep" / "report.html").read_text()
    assert "&lt;script&gt;" in html and "<script>alert" not in html
    assert "jess.k@example.org" not in html and "+44 7700 900123" not in html
    numbers = json.loads(heard("report", "--db", "demo/demo.duckdb", "--format", "json").out)
    assert [c["key"] for c in numbers["claims"]] == ["a", "b", "c"]
    for claim in numbers["claims"]:
        assert claim["enough_data"] and claim["n"] > 0 and claim["low"] <= claim["estimate"] <= claim["high"]
    assert heard("report", "--db", "demo/demo.duckdb").code == 2  # html needs -o
