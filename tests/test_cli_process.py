"""Smoke tests through the installed program in a subprocess: what a shell sees.

Everything else drives the same command group in process (``heard`` fixture)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from .conftest import Result, assert_user_error

SECRET = "my neighbour Quentin Marlowe-Ashby followed me home"


def test_version_and_help(heard_process: Callable[..., Result]) -> None:
    assert heard_process("--version").code == 0
    shown = heard_process("--help")
    assert shown.code == 0 and "HEARD_DB" in shown.out


def test_user_error_is_one_line_and_exit_1(heard_process: Callable[..., Result]) -> None:
    assert_user_error(heard_process("ingest", "missing.jsonl", "--db", "c.duckdb"), "missing.jsonl")


def test_usage_error_exits_2(heard_process: Callable[..., Result]) -> None:
    result = heard_process("report", "--db", "c.duckdb")
    assert result.code == 2 and "heard: error:" in result.err and "Traceback" not in result.err


def test_debug_logs_never_hold_post_text(heard_process: Callable[..., Result], sandbox: Path, monkeypatch) -> None:
    (sandbox / "p.jsonl").write_text(json.dumps({"id": "1", "text": f"Me too. {SECRET}."}) + "\n", encoding="utf-8")
    monkeypatch.setenv("HEARD_LOG_LEVEL", "debug")
    ingested = heard_process("ingest", "p.jsonl", "--db", "c.duckdb")
    labelled = heard_process("label", "--db", "c.duckdb")
    assert ingested.code == 0 and labelled.code == 0, (ingested.err, labelled.err)
    logs = ingested.err + labelled.err
    assert "heard: INFO: heard.ingest.pipeline:" in logs and "heard: DEBUG: heard.classify.labelling:" in logs
    assert "Marlowe" not in logs and "neighbour" not in logs
