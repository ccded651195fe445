"""Model profiles (--profile fast|accurate) through the real CLI and the bundled model.

The accurate profile's encoder is built on the user's machine (`heard profile
build accurate`), so its own test runs only where it is installed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from heard.classify.profiles import (
    PROFILES,
    build_profile,
    pick_models,
    profile_dir,
    profile_model_version,
    resolve_profile,
)
from heard.errors import ConfigError, ModelError

from .conftest import assert_user_error

POSTS = [
    {"id": "p1", "text": "It happened to me at my first job and I never told anyone."},
    {"id": "p2", "text": "I believe you, and I am so sorry."},
    {"id": "p3", "text": "Why did she wait twenty years to say anything?"},
]


def _write_posts(folder: Path) -> Path:
    path = folder / "posts.jsonl"
    path.write_text("".join(json.dumps(p) + "\n" for p in POSTS), encoding="utf-8")
    return path


def test_fast_profile_is_the_bundled_model(heard, sandbox: Path) -> None:
    _write_posts(sandbox)
    plain = heard("classify", "posts.jsonl", "-o", "plain.jsonl")
    fast = heard("classify", "posts.jsonl", "-o", "fast.jsonl", "--profile", "fast")
    assert plain.code == 0 and fast.code == 0, fast.err
    assert (sandbox / "plain.jsonl").read_text() == (sandbox / "fast.jsonl").read_text()
    gold = [{**p, "act": "other", "stance": "neutral", "abusive": False} for p in POSTS]
    (sandbox / "gold.jsonl").write_text("".join(json.dumps(g) + "\n" for g in gold), encoding="utf-8")
    assert json.loads(heard("eval", "gold.jsonl", "--json", "--profile", "fast").out) == \
        json.loads(heard("eval", "gold.jsonl", "--json").out)


def test_label_and_report_follow_the_profile(heard, sandbox: Path) -> None:
    _write_posts(sandbox)
    assert heard("ingest", "posts.jsonl", "--db", "c.duckdb").code == 0
    labelled = heard("label", "--db", "c.duckdb", "--profile", "fast")
    assert labelled.code == 0, labelled.err
    assert profile_model_version("fast") in labelled.out
    numbers = heard("report", "--db", "c.duckdb", "--format", "json", "--profile", "fast")
    assert numbers.code == 0, numbers.err
    assert profile_model_version("fast") in numbers.out
    both = heard("report", "--db", "c.duckdb", "--format", "json", "--profile", "fast", "--model", "x")
    assert both.code == 2 and "either --model or --profile" in both.err


@pytest.mark.parametrize("command", [
    ["classify", "posts.jsonl", "-o", "out.jsonl"],
    ["eval", "gold.jsonl"],
    ["label", "--db", "c.duckdb"],
    ["report", "--db", "c.duckdb", "--format", "json"],
])
def test_accurate_profile_not_installed_says_how_to_install(heard, sandbox: Path, monkeypatch: pytest.MonkeyPatch,
                                                             command: list[str]) -> None:
    monkeypatch.setenv("HEARD_DATA_DIR", str(sandbox / "empty-data"))
    _write_posts(sandbox)
    (sandbox / "gold.jsonl").write_text(json.dumps({"text": "hi", "act": "other", "stance": "neutral", "abusive": False}) + "\n")
    assert heard("ingest", "posts.jsonl", "--db", "c.duckdb").code == 0
    result = heard(*command, "--profile", "accurate")
    assert_user_error(result, "profile 'accurate'", "heard profile build accurate", str(sandbox / "empty-data"))
    assert not (sandbox / "out.jsonl").exists()


def test_profile_and_explicit_folders_are_exclusive(heard, sandbox: Path) -> None:
    _write_posts(sandbox)
    result = heard("classify", "posts.jsonl", "-o", "out.jsonl", "--profile", "fast", "--heads", "somewhere")
    assert result.code == 1 and "either --profile or --heads/--encoder" in result.err and "Fix:" in result.err
    with pytest.raises(ConfigError, match="--encoder"):
        pick_models("fast", None, "enc")
    with pytest.raises(ConfigError, match="expected a profile among"):
        resolve_profile("huge")


def test_profile_list_and_build_of_the_bundled_profile(heard, sandbox: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEARD_DATA_DIR", str(sandbox / "data"))
    listing = heard("profile", "list")
    assert listing.code == 0
    assert [line.split()[0] for line in listing.out.splitlines()] == list(PROFILES)
    assert "fast       installed" in listing.out
    assert "accurate   not installed" in listing.out
    assert profile_dir("accurate") == sandbox / "data" / "profiles" / "accurate"
    with pytest.raises(ConfigError, match="nothing to build"):
        build_profile("fast")
    assert heard("profile", "build", "fast").code == 2  # only accurate can be built


def _accurate_or_skip() -> None:
    try:
        resolve_profile("accurate")
    except ModelError:
        pytest.skip("the accurate profile is not installed (heard profile build accurate)")


def test_accurate_profile_labels_with_its_own_model(heard, sandbox: Path) -> None:
    _accurate_or_skip()
    _write_posts(sandbox)
    result = heard("classify", "posts.jsonl", "-o", "out.jsonl", "--profile", "accurate")
    assert result.code == 0, result.err
    rows = [json.loads(line) for line in (sandbox / "out.jsonl").read_text().splitlines()]
    assert [r["id"] for r in rows] == [p["id"] for p in POSTS]
    assert "all-mpnet-base-v2-int8@" in profile_model_version("accurate")
