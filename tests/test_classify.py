"""The classify contract, store labelling, explanations, training and evaluation."""

from __future__ import annotations

import json
from dataclasses import asdict, replace
from pathlib import Path

import pytest

from heard.classify import Classifier, Heads, load_coded
from heard.classify.train import TrainConfig, train_heads
from heard.encode import BUNDLED_ENCODER, OnnxEncoder
from heard.errors import ModelError
from heard.records import ACTS, CENTRES, DISCLOSERS, FRAMES, STANCES
from training.corpus import training_units_dir

from .conftest import FIXTURES, assert_user_error

CONTRACT_KEYS = ["id", "act", "stance", "abusive", "voice", "frame", "discloser", "centres", "scores"]


def check_label(row: dict) -> None:
    assert list(row) == CONTRACT_KEYS
    assert row["act"] in ACTS and row["stance"] in STANCES and isinstance(row["abusive"], bool)
    assert row["voice"] in ("own", "quoted")
    assert row["frame"] is None or (row["act"] == "derailing" and row["frame"] in FRAMES)
    assert row["discloser"] is None or (row["act"] == "testimony" and row["discloser"] in DISCLOSERS)
    assert set(row["centres"]) <= set(CENTRES)
    assert set(row["scores"]) == set(ACTS) and abs(sum(row["scores"].values()) - 1) < 0.01


def test_contract_on_odd_inputs(heard, sandbox: Path) -> None:
    texts = [
        "", " ", "me too", "🙄🙄🙄", "x" * 50_000, "A long essay sentence. " * 2500, "<script>alert(1)</script>",
        "Ich glaube dir.", "\u202e reversed", "line one\nline two\n\nthird paragraph", '"not all men" - my uncle',
    ]
    lines = [{"id": i, "text": t, "lang": "xx"} for i, t in enumerate(texts)]
    lines.append({"text": "no id at all"})
    (sandbox / "in.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines))
    result = heard("classify", "in.jsonl", "-o", "out.jsonl")
    assert result.code == 0, result.err
    rows = [json.loads(x) for x in (sandbox / "out.jsonl").read_text().splitlines()]
    assert len(rows) == len(lines)
    assert [r["id"] for r in rows] == [x.get("id") for x in lines]
    for row in rows:
        check_label(row)
    assert rows[10]["voice"] == "quoted"


@pytest.mark.parametrize(
    "content, fragment",
    [
        ('{"id": 1, "text": "ok"}\n{"id": 2\n', "in.jsonl:2"),
        ('{"id": 1}\n', "'text'"),
        ('{"id": 1, "text": "ok"}\n\n{"id": 2, "text": "ok"}\n', "blank line"),
        ("", "empty file"),
        ('["not", "an", "object"]\n', "JSON object"),
        # was labelled as the text "42" (ingest refuses it, the API answers 422)
        ('{"id": 1, "text": "ok"}\n{"id": "x", "text": 42}\n', "in.jsonl:2: expected a JSON object with id and text, found: a number 'text'"),
        ('{"id": "x", "text": ["me", "too"]}\n', "found: a list 'text' (expected a string"),
        ('{"id": "x", "text": true}\n', "found: a boolean 'text'"),
        ('{"id": "x", "text": "ok", "context": 5}\n', "found: a number 'context'"),
    ],
)
def test_contract_bad_lines_leave_no_output(heard, sandbox: Path, content: str, fragment: str) -> None:
    (sandbox / "in.jsonl").write_text(content)
    assert_user_error(heard("classify", "in.jsonl", "-o", "out.jsonl"), fragment)
    assert not (sandbox / "out.jsonl").exists()
    assert not list(sandbox.glob(".heard-*"))


@pytest.mark.parametrize("output", ["out.jsonl", "out.parquet"])
def test_a_damaged_parquet_input_is_reported_as_ingest_reports_it(heard, sandbox: Path, output: str) -> None:
    # was "internal error: ArrowInvalid" (exit 70): the output's schema was read before the input was checked
    (sandbox / "bad.parquet").write_text('{"id": 1, "text": "a JSONL line under a Parquet name"}\n')
    classified = heard("classify", "bad.parquet", "-o", output)
    assert_user_error(classified, "bad.parquet: expected a Parquet file, found something pyarrow cannot read")
    assert classified.err == heard("ingest", "bad.parquet", "--db", "c.duckdb").err
    assert not (sandbox / output).exists() and not list(sandbox.glob(".heard-*"))
    (sandbox / "parts").mkdir()
    (sandbox / "bad.parquet").rename(sandbox / "parts" / "part-0.parquet")
    assert_user_error(heard("classify", "parts", "-o", "labels"), "part-0.parquet: expected a Parquet file")


def test_label_store_once_per_unit_and_model(heard, sandbox: Path) -> None:
    assert heard("ingest", str(FIXTURES / "x_v2.json"), str(FIXTURES / "essays"), "--db", "c.duckdb").code == 0
    first = heard("label", "--db", "c.duckdb")
    assert first.code == 0, first.err
    second = heard("label", "--db", "c.duckdb")
    assert second.out.startswith("0 units labelled")
    counts = json.loads(heard("sql", "SELECT (SELECT count(DISTINCT hash) FROM units) AS units, (SELECT count(*) FROM labels) AS labels,"
                              " (SELECT count(*) FROM posts) AS posts, (SELECT count(*) FROM post_labels) AS post_labels",
                              "--db", "c.duckdb", "--format", "json").out)[0]
    assert counts["units"] == counts["labels"] and counts["posts"] == counts["post_labels"] == 6


def test_labelling_an_absent_store_is_an_error(heard) -> None:
    assert_user_error(heard("label", "--db", "nothing.duckdb"), "nothing.duckdb")


def test_explain_shows_cues_and_three_neighbours(heard) -> None:
    result = heard("explain", "I believe her, but not all men are like that.", "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert "not_all_men" in data["cues"] and "believe" in data["cues"]
    assert len(data["neighbours"]) == 3
    assert all(n["act"] in ACTS and -1 <= n["similarity"] <= 1 for n in data["neighbours"])
    text = heard("explain", "Me too. My coach, when I was twelve.")
    assert text.code == 0 and "nearest training examples" in text.out


def test_hard_cases_from_the_codebook(classifier: Classifier) -> None:
    labels = classifier.label_posts([
        "As a guy I never told anyone that my roommate forced himself on me. Me too.",
        "I believe you. Thank you for trusting us with this.",
        "Not all men are like that, you know.",
        "Studios that paid for silence should lose their public funding.",
    ])
    assert [lb.act for lb in labels] == ["testimony", "solidarity", "derailing", "accountability"]
    assert labels[0].discloser == "man" and labels[2].frame == "not_all_men"


def test_streamed_labels_match_labels_of_the_whole_list(classifier: Classifier) -> None:
    essay = " ".join(f"Sentence {i} of a long account that goes on about what happened at work." for i in range(12))
    texts = ["me too", "", essay, "Not all men are like that, you know.", "I believe you."] * 3
    # One text per pass, so batch mates cannot move a label and order is all that is compared.
    exact = Classifier(OnnxEncoder(BUNDLED_ENCODER, deterministic=True), classifier.heads)

    whole = exact.label_posts(texts)
    streamed = list(exact.iter_labels(iter(texts), batch_size=2))

    assert len(streamed) == len(texts)
    assert [lb.act for lb in streamed] == [lb.act for lb in whole]
    assert streamed[1].act == "other" and streamed[1].scores["other"] == 1.0


def test_heads_folder_round_trip_and_errors(classifier: Classifier, sandbox: Path) -> None:
    coded = load_coded([training_units_dir()])[::12]
    heads = train_heads(coded, classifier.encoder, config=replace(TrainConfig(), folds=3))
    folder = heads.save(sandbox / "heads")
    assert {p.name for p in folder.iterdir()} >= {"config.json", "weights.npz", "examples.jsonl", "neighbours.npy"}
    loaded = Heads.load(folder)
    assert loaded.version.startswith("heads@") and set(loaded.heads) == {"act", "stance", "abusive", "frame", "discloser"}
    again = Classifier(classifier.encoder, loaded).label_units(["me too"])
    assert again[0].act in ACTS
    # Heads fitted on other cue patterns (same names) would read wrong features: refused.
    config = json.loads((folder / "config.json").read_text())
    (folder / "config.json").write_text(json.dumps({**config, "cue_patterns": "000000000000"}))
    with pytest.raises(ModelError, match="cue patterns"):
        Heads.load(folder)
    (folder / "config.json").write_text(json.dumps(config))
    (folder / "weights.npz").unlink()
    with pytest.raises(ModelError, match=r"weights\.npz"):
        Heads.load(folder)


def test_public_weight_sets_how_much_hand_coded_posts_count(classifier: Classifier) -> None:
    own = load_coded([training_units_dir()])[::12]
    solidarity = [u for u in load_coded([training_units_dir()]) if u.act == "solidarity"][:40]
    # The same texts, hand-coded the other way: how much they count decides which label wins.
    public = [(replace(u, id=f"pub{i}", act="other"), 1.0) for i, u in enumerate(solidarity)]
    texts = [u.text for u in solidarity]

    def share_other(weight: float) -> float:
        config = replace(TrainConfig(), folds=2, public_weight=weight)
        heads = train_heads(own + solidarity, classifier.encoder, public=public, config=config)
        return sum(lb.act == "other" for lb in Classifier(classifier.encoder, heads).label_units(texts)) / len(texts)

    assert share_other(20.0) > share_other(0.05) + 0.5


def test_eval_reports_per_class_figures_and_intervals(heard, sandbox: Path) -> None:
    gold = [
        {"id": "a", "text": "Me too. It was my stepfather.", "act": "testimony", "stance": "support", "abusive": False, "voice": "own", "frame": None, "discloser": "unstated", "centres": ["perpetrators"]},
        {"id": "b", "text": "Not all men, just saying.", "act": "derailing", "stance": "oppose", "abusive": False, "voice": "own", "frame": "not_all_men", "discloser": None, "centres": ["men"]},
        {"id": "c", "text": "Shut up, you whiny idiot.", "act": "silencing", "stance": "oppose", "abusive": True, "voice": "own", "frame": None, "discloser": None, "centres": []},
    ]
    (sandbox / "gold.jsonl").write_text("".join(json.dumps(g) + "\n" for g in gold))
    result = heard("eval", "gold.jsonl", "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)["gold"]
    for field in ("act", "stance", "abusive"):
        assert set(data[field]["macro_f1"]) == {"value", "low", "high", "n"}
        assert data[field]["macro_f1"]["n"] == len(gold)
        assert data[field]["macro_f1"]["low"] <= data[field]["macro_f1"]["value"] <= data[field]["macro_f1"]["high"]
        assert len(data[field]["confusion"]["matrix"]) == len(data[field]["per_class"])
    assert data["act"]["per_class"]["testimony"]["support"] == 1
    assert 0.0 <= data["act"]["ece"] <= 1.0
    text = heard("eval", "gold.jsonl")
    assert "macro-F1" in text.out and "confusion" in text.out and "ECE" in text.out


def test_eval_rejects_gold_that_breaks_the_codebook(heard, sandbox: Path) -> None:
    (sandbox / "gold.jsonl").write_text(json.dumps({"text": "hi", "act": "rant", "stance": "neutral", "abusive": False}) + "\n")
    assert_user_error(heard("eval", "gold.jsonl"), "gold.jsonl:1", "act")


def test_functional_suite_runs_per_capability(heard) -> None:
    result = heard("eval", "--functional", "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)["functional"]
    assert data["cases"] >= 125 and len(data["capabilities"]) >= 25
    assert all(c["total"] >= 5 for c in data["capabilities"].values())


def test_weak_source_in_a_wrong_encoding_is_a_clear_error(sandbox: Path) -> None:
    from heard.errors import InputError
    from training.weak import weak_units

    folder = sandbox / "public" / "edos"
    folder.mkdir(parents=True)
    (folder / "edos_labelled_aggregated.csv").write_bytes(
        b"rewire_id,text,label_sexist,label_vector\nx1,it\x92s fine,not sexist,none\n"
    )
    with pytest.raises(InputError, match=r"edos_labelled_aggregated\.csv.*byte 0x92.*Fix"):
        weak_units(sandbox / "public", set(), sources={"edos"})


def test_heads_from_an_unbundled_encoder_need_that_encoder(classifier: Classifier, sandbox: Path) -> None:
    folder = Path(classifier.heads.save(sandbox / "heads"))
    config = json.loads((folder / "config.json").read_text())
    config["encoder"] = "someone-elses-model@0123456789ab"
    (folder / "config.json").write_text(json.dumps(config))
    with pytest.raises(ModelError, match=r"someone-elses-model.*--encoder"):
        Classifier.load(folder)


def test_hand_coded_public_posts_join_their_texts_and_skip_gold(sandbox: Path) -> None:
    from heard.errors import InputError
    from training.public_codes import hand_coded_units, load_public_codes

    folder = sandbox / "public" / "edos"
    folder.mkdir(parents=True)
    (folder / "edos_labelled_aggregated.csv").write_text(
        "rewire_id,text,label_sexist,label_vector\n"
        "a1,I was groped on the night bus and nobody helped,not sexist,none\n"
        "a2,Women lie about this stuff for attention,sexist,4.1 supporting mistreatment\n"
        "a3,Ordinary words about football,not sexist,none\n"
        "a4,Another post about the weather today,not sexist,none\n",
        encoding="utf-8",
    )
    codes_dir = sandbox / "codes"
    codes_dir.mkdir()
    lines = [
        {"id": "edos:a1", "act": "testimony", "stance": "support", "abusive": False, "confidence": "high"},
        {"id": "edos:a2", "act": "disbelief", "stance": "oppose", "abusive": None, "confidence": "low"},
        {"id": "edos:a3", "act": "other", "stance": "neutral", "abusive": False},
        {"id": "edos:a4", "act": "other", "stance": "neutral", "abusive": False},
        {"id": "edos:gone", "act": "other", "stance": "neutral", "abusive": False},
    ]
    (codes_dir / "codes.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines))
    stats: dict[str, int] = {}
    units = hand_coded_units(
        sandbox / "public", {"edos:a3"}, exclude_texts=["another post about the WEATHER today"],
        codes=load_public_codes(codes_dir), stats=stats,
    )
    assert [(u.id, u.act, u.abusive, w) for u, w in units] == [
        ("edos:a1", "testimony", False, 1.0), ("edos:a2", "disbelief", None, 0.5),
    ]
    assert units[0][0].text.startswith("I was groped")
    assert stats == {"coded": 5, "joined": 2, "excluded_gold": 2, "not_found": 1}

    (codes_dir / "codes.jsonl").write_text(json.dumps({"id": "edos:a1", "act": "rant"}) + "\n")
    with pytest.raises(InputError, match=r"codes\.jsonl:1:.*rant"):
        load_public_codes(codes_dir)


def test_bundled_public_codes_hold_labels_not_texts() -> None:
    from training.public_codes import bundled_public_codes_dir, load_public_codes

    codes = load_public_codes()
    assert len(codes) >= 2000
    assert {c.act for c in codes} >= set(ACTS)
    for file in bundled_public_codes_dir().glob("*.jsonl"):
        for line in file.read_text(encoding="utf-8").splitlines():
            keys = set(json.loads(line))
            assert "text" not in keys
            assert {"id", "act", "stance", "abusive", "confidence"} <= keys
            assert keys <= {"id", "act", "stance", "abusive", "confidence", "frame", "discloser", "split", "draw"}


def test_train_names_the_head_its_codes_cannot_train(heard, sandbox: Path) -> None:
    # Sixty coded units with no testimony: the discloser head has nothing to learn from.
    units = [u for u in load_coded([training_units_dir()]) if u.act != "testimony"][::40][:60]
    (sandbox / "few.jsonl").write_text("".join(json.dumps(asdict(u)) + "\n" for u in units))
    result = heard("train", "few.jsonl", "-o", "h")
    assert_user_error(result, "discloser", "testimony units with a discloser")
    assert not (sandbox / "h").exists()


def test_train_settings_are_data_saved_with_the_heads(heard, sandbox: Path) -> None:
    from heard.classify.train import TrainConfig

    config = replace(TrainConfig(), weak_weight=0.2, calibrate_on="public")
    assert TrainConfig.from_dict(config.to_dict()) == config
    (sandbox / "bad.json").write_text('{"weak_weight": 0.2, "l3": 1}')
    assert_user_error(heard("train", "x.jsonl", "-o", "h", "--config", "bad.json"), "l3")
    (sandbox / "bad2.json").write_text('{"calibrate_on": "dev"}')
    assert_user_error(heard("train", "x.jsonl", "-o", "h", "--config", "bad2.json"), "calibrate_on")
    # The bundled heads record the settings they were fitted with.
    assert TrainConfig.from_dict(Heads.load().training).folds == 5


def test_calibration_with_an_offset_corrects_a_shifted_prior() -> None:
    import numpy as np

    from heard.classify.linear import expected_calibration_error, fit_calibration, fit_temperature, softmax

    rng = np.random.default_rng(0)
    y = (rng.random(4000) < 0.8).astype(int)          # 80% class 1 in the calibration rows
    logits = np.stack([np.zeros(4000), (2 * y - 1) * 1.0 + rng.normal(0, 1.5, 4000) - 1.5], axis=1)  # scores biased toward 0
    t_only = fit_temperature(logits, y)
    t, offset = fit_calibration(logits, y)
    ece_t = expected_calibration_error(softmax(logits / t_only), y)
    ece_both = expected_calibration_error(softmax(logits / t + offset), y)
    assert ece_both < ece_t and ece_both < 0.03


def test_coded_files_with_hostile_json_are_clear_errors(heard, sandbox: Path) -> None:
    deep = '{"text": "x", "act": "other", "stance": "neutral", "abusive": false, "n": ' + "[" * 100_000 + "]" * 100_000 + "}"
    (sandbox / "deep.jsonl").write_text(deep + "\n", encoding="utf-8")
    assert_user_error(heard("eval", "deep.jsonl"), "deep.jsonl:1", "nested too deep")
    (sandbox / "big.jsonl").write_text('{"text": "x", "n": ' + "9" * 5000 + "}\n", encoding="utf-8")
    assert_user_error(heard("train", "big.jsonl", "-o", "h"), "big.jsonl:1", "cannot hold")


def test_context_is_optional_checked_and_read_as_the_heads_say(heard, classifier: Classifier, sandbox: Path) -> None:
    rows = [{"id": 1, "text": "Same here.", "context": "Who else was groped at their first job?"},
            {"id": 2, "text": "Same here.", "context": None}, {"id": 3, "text": "Same here."}]
    (sandbox / "in.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert heard("classify", "in.jsonl", "-o", "out.jsonl").code == 0
    out = [json.loads(x) for x in (sandbox / "out.jsonl").read_text().splitlines()]
    assert [r["id"] for r in out] == [1, 2, 3]
    for r in out:
        check_label(r)
    # The bundled heads ignore context (measured: it did not help; docs/model.md).
    assert classifier.context_mode == "ignore" and out[0]["scores"] == out[1]["scores"] == out[2]["scores"]

    (sandbox / "bad.jsonl").write_text(json.dumps({"id": 1, "text": "ok", "context": {"title": "x"}}) + "\n")
    assert_user_error(heard("classify", "bad.jsonl", "-o", "bad_out.jsonl"), "context")
    assert not (sandbox / "bad_out.jsonl").exists()

    exact = OnnxEncoder(BUNDLED_ENCODER, deterministic=True)
    reading = Classifier(exact, replace(classifier.heads, training={**classifier.heads.training, "context": "prepend"}))
    ignoring = Classifier(exact, classifier.heads)
    texts, contexts = ["Same here.", "Same here."], ["Who else was groped at their first job?", None]
    read, ignored = reading.label_posts(texts, contexts=contexts), ignoring.label_posts(texts, contexts=contexts)
    assert read[1].scores == ignored[1].scores           # no context: the same label either way
    assert read[0].scores != ignored[0].scores           # the context reached the encoder
    assert reading.version.endswith("+prepend-context") and reading.version != ignoring.version
    with pytest.raises(ValueError, match="one context per text"):
        reading.label_posts(texts, contexts=contexts[:1])


def test_macro_f1_averages_only_the_classes_gold_or_predictions_hold() -> None:
    from heard.classify.evaluation import score_field

    # Three posts, all right: the five acts that neither side holds have no F1 to average in.
    scored = score_field(["testimony", "other", "other"], ["testimony", "other", "other"], ACTS)
    assert scored["macro_f1"]["value"] == 1.0 and scored["macro_f1_classes"] == ["testimony", "other"]
    # A class predicted but absent from gold still counts, as an F1 of 0.
    wrong = score_field(["testimony", "other"], ["silencing", "other"], ACTS)
    assert wrong["macro_f1_classes"] == ["testimony", "silencing", "other"]
    assert abs(wrong["macro_f1"]["value"] - 1 / 3) < 1e-3


def test_messages_for_broken_json_a_cut_off_emoji_and_a_key_in_no_folder_say_what_to_fix(heard, sandbox: Path) -> None:
    # JSON's own reasons end in "at": the message said "Unterminated string starting at at column 19"
    (sandbox / "cut.jsonl").write_bytes(b'{"id": 1, "text": "cut off')
    (sandbox / "ctrl.jsonl").write_bytes(b'{"id": 1, "text": "a\ttab"}\n')
    for name, reason in (("cut.jsonl", "Unterminated string starting at column 19"), ("ctrl.jsonl", "Invalid control character at column 21")):
        for result in (heard("classify", name, "-o", "out.jsonl"), heard("ingest", name, "--db", "c.duckdb")):
            assert_user_error(result, f"{name}:1", reason)
            assert "at at" not in result.err
    # a lone surrogate's fix was 'write it as {"id": ..., "text": ...}', which it already was
    (sandbox / "half.jsonl").write_text('{"id": 1, "text": "so proud of you \\ud83d"}\n')
    result = heard("classify", "half.jsonl", "-o", "out.jsonl")
    assert_user_error(result, "half.jsonl:1", "lone surrogate \\ud83d", "Fix: repair the text's encoding", "UTF-8")
    assert 'write it as {"id"' not in result.err and "so proud" not in result.err
    # --key in a missing folder said "found No such file or directory"
    (sandbox / "authors.jsonl").write_text('{"id": 1, "text": "me too", "author": "@bob"}\n')
    result = heard("classify", "authors.jsonl", "-o", "out.jsonl", "--key", "nodir/k.key")
    assert_user_error(result, "nodir/k.key", "found no folder at nodir", "mkdir -p nodir")
    assert "No such file" not in result.err and "@bob" not in result.err
    assert not (sandbox / "out.jsonl").exists()


def test_classify_reads_an_author_object_by_its_handle_and_refuses_a_list(heard, sandbox: Path) -> None:
    (sandbox / "in.jsonl").write_text('{"id": 1, "text": "me too", "author": {"screen_name": "bob"}}\n'
                                      '{"id": 2, "text": "me too", "author": "bob"}\n')
    assert heard("classify", "in.jsonl", "-o", "out.jsonl").code == 0
    authors = [json.loads(line)["author"] for line in (sandbox / "out.jsonl").read_text().splitlines()]
    assert authors[0] == authors[1] and authors[0].startswith("a_") and "bob" not in authors[0]
    (sandbox / "bad.jsonl").write_text('{"id": 1, "text": "me too", "author": ["bob"]}\n')
    result = heard("classify", "bad.jsonl", "-o", "bad_out.jsonl")
    assert_user_error(result, "bad.jsonl:1", "a list 'author'")
    assert "bob" not in result.err and not (sandbox / "bad_out.jsonl").exists()


def test_a_parent_id_that_is_a_list_is_refused_for_every_output_format(heard, sandbox: Path) -> None:
    (sandbox / "in.jsonl").write_text('{"id": 1, "text": "me too", "parent_id": ["x"]}\n')
    for out in ("out.jsonl", "out.parquet"):
        assert_user_error(heard("classify", "in.jsonl", "-o", out), "in.jsonl:1", "a list 'parent_id'")
        assert not (sandbox / out).exists()
