"""Shared fixtures: a sandboxed environment, the real CLI, the bundled classifier."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
SHARED = Path(__file__).resolve().parents[2] / "shared"


@dataclass(frozen=True)
class Result:
    """What a CLI run returned."""

    code: int
    out: str
    err: str


@pytest.fixture(autouse=True)
def sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every test gets its own HOME and working folder and no HEARD_* settings."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for key in list(os.environ):
        if key.startswith("HEARD_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    yield tmp_path


@pytest.fixture
def heard(sandbox: Path) -> Callable[..., Result]:
    """Run the ``heard`` command in this process (click's ``CliRunner``): the same
    command group, error mapping and exit codes as the shell, without a new interpreter."""
    from click.testing import CliRunner

    from heard.cli import cli

    def run(*args: str, stdin: str | None = None) -> Result:
        result = CliRunner().invoke(cli, list(args), input=stdin, prog_name="heard", catch_exceptions=False)
        return Result(result.exit_code, result.stdout, result.stderr)

    return run


@pytest.fixture
def heard_process(sandbox: Path) -> Callable[..., Result]:
    """Run the real ``heard`` entry point in a subprocess (for the few smoke tests
    that must see the installed program: exit codes, logging, signals)."""

    def run(*args: str, stdin: str | None = None, timeout: float = 300) -> Result:
        proc = subprocess.run(
            [sys.executable, "-m", "heard", *args],
            capture_output=True, text=True, input=stdin, timeout=timeout, cwd=sandbox,
            env={**os.environ, "PYTHONWARNINGS": "ignore"},
        )
        return Result(proc.returncode, proc.stdout, proc.stderr)

    return run


@pytest.fixture(scope="session")
def classifier():
    """The bundled classifier, loaded once per test session."""
    from heard.classify import Classifier

    return Classifier.load()


def assert_user_error(result: Result, *fragments: str) -> None:
    """A user error: exit 1, one clear message naming the fix, no traceback."""
    assert result.code == 1, (result.code, result.err)
    assert "Traceback" not in result.err
    assert "heard: error:" in result.err
    assert "Fix:" in result.err
    for fragment in fragments:
        assert fragment in result.err, (fragment, result.err)
