"""The coding loop's files and agreement: import and export (dev.jsonl, Label Studio), α, coder vs model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from heard.records import Label, Post
from heard.store import Store
from heard.store import codes as code_store

from .conftest import assert_user_error

MODEL = "heads@test"
ACTS = ["silencing", "other", "other", "testimony", "other", "derailing", "other", "silencing", "other", "other"]


def _store(path: Path) -> None:
    with Store.open(path) as store:
        store.add_posts([Post(id=f"posts:{i}", text=f"text {i}", platform="jsonl", source="posts.jsonl") for i in range(10)], [])
        store.add_post_labels(MODEL, [(f"posts:{i}", Label("other", "neutral", False, "own", None, None, (), {"other": 0.8}))
                                      for i in range(10)])


def _codes(path: Path, acts: list[str], *, by: str = "id") -> Path:
    with path.open("w") as fh:
        for i, act in enumerate(acts):
            key = {"id": str(i)} if by == "id" else {"text": f"text {i}"}
            fh.write(json.dumps({**key, "act": act, "stance": "neutral", "abusive": False, "centres": ["women"] if i % 2 else []}) + "\n")
    return path


def test_codes_import_by_scoped_id_or_text_and_export_round_trips_in_both_formats(tmp_path: Path, heard) -> None:
    db = tmp_path / "c.duckdb"
    _store(db)
    assert heard("code", "import", str(_codes(tmp_path / "a.jsonl", ACTS)), "--db", str(db), "--coder", "ana").code == 0
    assert heard("code", "import", str(_codes(tmp_path / "b.jsonl", ACTS, by="text")), "--db", str(db), "--coder", "ben").code == 0
    with Store.open(db, read_only=True) as store:
        codes = code_store.all_codes(store)
    assert len(codes) == 20 and {c.coder for c in codes} == {"ana", "ben"}
    assert {c.post_id for c in codes if c.act == "silencing"} == {"posts:0", "posts:7"}

    for fmt, name in (("jsonl", "out.jsonl"), ("label-studio", "out.json")):
        out = tmp_path / name
        assert heard("code", "export", "--db", str(db), "-o", str(out), "--format", fmt).code == 0
        db2 = tmp_path / f"again-{fmt}.duckdb"
        _store(db2)
        if fmt == "jsonl":
            lines = [json.loads(x) for x in out.read_text().splitlines()]
            assert len(lines) == 20 and lines[0]["id"] == "posts:0" and lines[0]["text"] == "text 0"
            result = heard("code", "import", str(out), "--db", str(db2), "--coder", "all")
        else:
            tasks = json.loads(out.read_text())
            assert len(tasks) == 10 and len(tasks[0]["annotations"]) == 2
            result = heard("code", "import", str(out), "--db", str(db2), "--coder", "ls")
        assert result.code == 0, result.err
        with Store.open(db2, read_only=True) as store:
            again = code_store.all_codes(store)
        if fmt == "label-studio":  # two annotators become two coders
            assert {c.coder for c in again} == {"ls/ana", "ls/ben"}
            assert sorted((c.post_id, c.act, c.centres) for c in again) == sorted((c.post_id, c.act, c.centres) for c in codes)


def test_a_code_for_a_post_not_in_the_store_is_named_and_nothing_is_imported(tmp_path: Path, heard) -> None:
    db = tmp_path / "c.duckdb"
    _store(db)
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"id": "0", "act": "other"}) + "\n" + json.dumps({"id": "nope", "act": "other"}) + "\n")
    assert_user_error(heard("code", "import", str(bad), "--db", str(db), "--coder", "ana"), "line 2", "--skip-unmatched")
    with Store.open(db, read_only=True) as store:
        assert code_store.all_codes(store) == []
    assert "1 rows matched no post" in heard("code", "import", str(bad), "--db", str(db), "--coder", "ana", "--skip-unmatched").out


def test_a_value_outside_the_codebook_is_a_user_error_naming_the_line(tmp_path: Path, heard) -> None:
    db = tmp_path / "c.duckdb"
    _store(db)
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"id": "0", "act": "trolling"}) + "\n")
    assert_user_error(heard("code", "import", str(bad), "--db", str(db), "--coder", "ana"), "bad.jsonl:1", "act")


def test_agreement_reports_alpha_between_coders_and_per_class_figures_against_the_model(tmp_path: Path, heard) -> None:
    db = tmp_path / "c.duckdb"
    _store(db)
    heard("code", "import", str(_codes(tmp_path / "a.jsonl", ACTS)), "--db", str(db), "--coder", "ana")
    same = heard("agreement", "--db", str(db), "--json")
    assert same.code == 0, same.err
    assert json.loads(same.out)["alpha"]["act"]["value"] is None  # one coder: no alpha
    other = ACTS[:]
    other[1] = "silencing"  # ben disagrees on one post
    heard("code", "import", str(_codes(tmp_path / "b.jsonl", other)), "--db", str(db), "--coder", "ben")
    data = json.loads(heard("agreement", "--db", str(db), "--json").out)
    alpha = data["alpha"]["act"]
    assert 0.5 < alpha["value"] < 1 and alpha["low"] <= alpha["value"] <= alpha["high"] and alpha["n"] == 10
    vs = data["coder_vs_model"]["act"]
    assert vs["n"] == 20
    assert vs["per_class"]["other"]["precision"] == round(11 / 20, 3)  # the model calls all 20 codes other
    assert vs["per_class"]["silencing"]["recall"] == 0.0
    assert sum(map(sum, vs["confusion"]["counts"])) == 20
    assert data["coders"] == {"ana": 10, "ben": 10}
    text = heard("agreement", "--db", str(db)).out
    assert "Krippendorff" in text and "confusion" in text and "coded by 2 coder(s): ana (10), ben (10)" in text


@pytest.mark.slow
def test_adapt_reports_the_cross_validated_gain_and_changes_the_store_only_when_asked(tmp_path: Path, heard, classifier) -> None:
    from dataclasses import replace

    from heard.classify.coded import load_coded
    from heard.classify.train import TrainConfig, train_heads
    from training.corpus import training_units_dir

    units = load_coded([training_units_dir()])
    # Heads that learned stance backwards: the corpus's codes must pull them back.
    flip = {"support": "oppose", "oppose": "support", "neutral": "neutral"}
    wrong = [replace(u, stance=flip[u.stance]) for u in units[::20]]
    small = train_heads(wrong, classifier.encoder, config=replace(TrainConfig(), folds=3)).save(tmp_path / "small")
    coded = units[7::25][:60]
    db = tmp_path / "c.duckdb"
    posts = tmp_path / "posts.jsonl"
    posts.write_text("".join(json.dumps({"id": f"u{i}", "text": u.text}) + "\n" for i, u in enumerate(coded)))
    assert heard("ingest", str(posts), "--db", str(db)).code == 0
    codes = tmp_path / "codes.jsonl"
    codes.write_text("".join(json.dumps({"id": f"u{i}", "act": u.act, "stance": u.stance, "abusive": u.abusive}) + "\n"
                             for i, u in enumerate(coded)))
    assert heard("code", "import", str(codes), "--db", str(db), "--coder", "ana").code == 0

    result = heard("adapt", "--db", str(db), "--heads", str(small), "-o", str(tmp_path / "adapted"), "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    act, stance = data["cross_validated_macro_f1"]["act"], data["cross_validated_macro_f1"]["stance"]
    assert act["n"] == 60 and act["adapted"] >= act["bundled"]
    assert stance["mix"] > 0 and stance["gain"] > 0
    assert abs(stance["gain"] - (stance["adapted"] - stance["bundled"])) <= 1.5e-4  # each figure rounded to 4 places
    assert data["changed"] and data["relabelled_units"] is None and data["model"].startswith("heads@")
    with Store.open(db, read_only=True) as store:
        assert store.count("labels") == 0  # nothing changed without --relabel

    result = heard("adapt", "--db", str(db), "--heads", str(small), "-o", str(tmp_path / "adapted"), "--relabel")
    assert result.code == 0, result.err and "earlier labels are kept" in result.out
    with Store.open(db, read_only=True) as store:
        assert store.count("post_labels") == 60


def test_adapt_needs_enough_codes(tmp_path: Path, heard) -> None:
    db = tmp_path / "c.duckdb"
    _store(db)
    heard("code", "import", str(_codes(tmp_path / "a.jsonl", ACTS)), "--db", str(db), "--coder", "ana")
    assert_user_error(heard("adapt", "--db", str(db)), "at least 30 coded posts")
