"""The shape of heard: one segmentation and post-label rule behind every entry
point, a pinned public surface, a runtime that never imports the training
code, and a README whose command table is the CLI's."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import heard as front
from heard.classify import Classifier
from heard.segment import segment_text
from heard.store import Store

from .conftest import Result

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "heard"

# Short, long, several paragraphs, a quote: the texts where the entry points used to disagree.
TEXTS = [
    "Me too. He was my coach.\n\nNot all men are like that, but he was.",
    "I believe you.",
    'A man replied: "women lie about this for attention." That reply is the problem.',
    "  Me too.  ",
    ("It took me eleven years to say it. " * 12) + "Thank you all for listening to me.",
]


def test_the_same_text_gets_the_same_units_and_labels_through_every_entry_point(
    heard: Callable[..., Result], classifier: Classifier, sandbox: Path
) -> None:
    # Python API: the classifier and the front door
    api = classifier.label_posts(TEXTS)
    assert front.classify_texts(TEXTS, classifier) == api
    # heard classify (the JSONL contract)
    lines = "".join(json.dumps({"id": str(i), "text": t}) + "\n" for i, t in enumerate(TEXTS))
    (sandbox / "in.jsonl").write_text(lines, encoding="utf-8")
    assert heard("classify", "in.jsonl", "-o", "out.jsonl").code == 0
    contract = [json.loads(line) for line in (sandbox / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    # heard ingest + heard label (the store)
    assert heard("ingest", "in.jsonl", "--db", "c.duckdb").code == 0
    assert heard("label", "--db", "c.duckdb").code == 0
    with Store.open(sandbox / "c.duckdb", read_only=True) as store:
        _, units = store.query("SELECT post_id, count(*) FROM units GROUP BY post_id")
        _, stored = store.query("SELECT post_id, act, stance, abusive, voice, frame, discloser FROM post_labels")
    unit_counts = dict(units)
    by_id = {row[0]: row[1:] for row in stored}
    for i, text in enumerate(TEXTS):
        assert unit_counts[f"in:{i}"] == len(segment_text(text)), text[:30]  # generic ids are scoped by file
        expected = api[i]
        fields = (expected.act, expected.stance, expected.abusive, expected.voice, expected.frame, expected.discloser)
        assert tuple(by_id[f"in:{i}"]) == fields, text[:30]
        got = contract[i]
        assert (got["act"], got["stance"], got["abusive"], got["voice"], got["frame"], got["discloser"]) == fields
    # The first text is three units everywhere (it used to be one in heard classify).
    assert unit_counts["in:0"] == 3


PUBLIC_NAMES = {
    "ACTS", "CENTRES", "DISCLOSERS", "FRAMES", "STANCES", "VOICES",
    "Act", "Centre", "Discloser", "Frame", "Stance", "Voice",
    "Label", "Post", "Unit", "Store", "Classifier", "ColumnMap",
    "HeardError", "InputError", "StoreError", "ModelError", "ConfigError",
    "ingest_files", "label_store", "classify_texts", "analyse", "build_report",
    "classify_file", "classify_partitioned", "estimate_store", "create_app",
    "__version__",
}


def test_the_public_names_are_pinned_and_all_resolve() -> None:
    assert set(front.__all__) == PUBLIC_NAMES
    for name in front.__all__:
        assert getattr(front, name) is not None, name
    assert issubclass(front.InputError, front.HeardError) and issubclass(front.ConfigError, front.HeardError)
    assert (SRC / "py.typed").is_file()


def test_importing_heard_loads_neither_the_model_runtime_nor_the_charts() -> None:
    code = "import sys, heard; print(sorted(m for m in ('onnxruntime', 'altair', 'vl_convert', 'training') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_the_runtime_never_imports_the_training_package() -> None:
    offenders = [str(p.relative_to(SRC)) for p in SRC.rglob("*.py") if any(n.split(".")[0] == "training" for n in _imports(p))]
    assert offenders == []
    assert not (SRC / "resources" / "training").exists()
    assert not any((SRC / "classify" / f"{name}.py").exists() for name in ("weak", "public_codes", "training", "tweeteval"))


def test_only_the_cli_imports_click() -> None:
    offenders = [str(p.relative_to(SRC)) for p in SRC.rglob("*.py") if "click" in _imports(p) and p.name != "cli.py"]
    assert offenders == []


def test_the_readme_command_table_is_the_cli() -> None:
    from heard.cli import cli

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Command-line reference", 1)[1].split("\n## ", 1)[0]
    documented = re.findall(r"^\| `heard (\w+)", section, flags=re.MULTILINE)
    assert sorted(documented) == sorted(cli.commands), "README's command table and the CLI differ"
    for name, command in cli.commands.items():
        row = next(line for line in section.splitlines() if line.startswith(f"| `heard {name}"))
        for param in command.params:
            if isinstance(param, __import__("click").Option) and not param.hidden:
                flag = max(param.opts, key=len)
                if flag not in ("--help",):
                    assert flag in row, f"README's row for heard {name} does not mention {flag}"


@pytest.mark.parametrize("module", ["heard.ingest", "heard.store", "heard.segment", "heard.encode", "heard.classify",
                                    "heard.threads", "heard.report"])
def test_every_package_says_what_it_exports(module: str) -> None:
    imported = __import__(module, fromlist=["__all__"])
    assert imported.__doc__ and "Example" in imported.__doc__
    for name in imported.__all__:
        assert hasattr(imported, name), f"{module}.{name}"


def test_the_wheel_carries_only_what_labelling_needs(tmp_path: Path) -> None:
    import shutil
    import zipfile

    # Built from a copy, so that no build/ folder is left in (or reused from) the checkout.
    source = tmp_path / "source"
    shutil.copytree(ROOT / "src", source / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path)],
                   check=True, capture_output=True, text=True)
    (wheel,) = tmp_path.glob("heard-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert wheel.stat().st_size < 30_000_000
    assert not [n for n in names if n.startswith("training/") or "/resources/training/" in n or n.endswith(".pyc")]
    assert "heard/py.typed" in names and "heard/report/templates/report.html" in names
    assert "heard/resources/encoder/model.onnx" in names and "heard/resources/heads/weights.npz" in names
