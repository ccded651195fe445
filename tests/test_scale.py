"""heard at scale: Parquet in and out, partitioned folders with a manifest, Dask workers
(labels identical to one process, a killed worker, a killed client), repeated texts
labelled once, and the GPU flag's error without a GPU."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from heard.execution import MANIFEST_FILE, classify_partitioned
from tests.conftest import Result, assert_user_error

# Written for these tests: short posts of the kinds heard labels, some repeated.
POSTS = [
    "Me too. I was fifteen and my coach said nobody would believe me.",
    "I believe you, and I am so sorry this happened to you.",
    "Not all men are like that, stop generalising.",
    "Why did she wait twenty years to say anything?",
    "The company should fire him and publish the investigation.",
    "Shut up and get over it, nobody cares about your sob story.",
    "Weather is nice today, going for a walk.",
    'He told me "it was just a joke" and everyone laughed.',
    "Sending love to everyone who shared their story this week.",
    "What about the men who are falsely accused?",
    "",
    "#MeToo",
]


def _parts(folder: Path, sizes: list[int], fmt: str = "parquet") -> list[dict[str, object]]:
    """Part files of POSTS cycled (so texts repeat across parts), ids unique across parts."""
    folder.mkdir(parents=True)
    rows: list[dict[str, object]] = []
    n = 0
    for k, size in enumerate(sizes):
        part = [{"id": f"p{n + i}", "text": POSTS[(n + i * 5) % len(POSTS)] + ("" if i % 3 else f" ({k})")} for i in range(size)]
        n += size
        rows += part
        if fmt == "parquet":
            pq.write_table(pa.table({"id": [r["id"] for r in part], "text": [r["text"] for r in part]}), folder / f"part-{k:03d}.parquet")
        else:
            (folder / f"part-{k:03d}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in part), encoding="utf-8")
    return rows


def _read(folder: Path) -> dict[str, list[dict[str, object]]]:
    return {p.relative_to(folder).as_posix(): pq.read_table(p).to_pylist() for p in sorted(folder.rglob("part-*.parquet"))}


def test_parquet_in_and_out_keeps_ids_order_and_the_jsonl_labels(heard: Callable[..., Result], sandbox: Path) -> None:
    ids = [10, 3, 7, 1, 99, 2, 5, 8, 4, 6, 11, 12]
    pq.write_table(pa.table({"id": ids, "text": POSTS, "other": list(range(len(POSTS)))}), sandbox / "in.parquet")
    (sandbox / "in.jsonl").write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in zip(ids, POSTS)), encoding="utf-8")
    assert heard("classify", "in.parquet", "-o", "out.parquet").code == 0
    assert heard("classify", "in.jsonl", "-o", "out.jsonl").code == 0
    table = pq.read_table(sandbox / "out.parquet")
    assert table.schema.field("id").type == pa.int64()
    rows = table.to_pylist()
    expected = [json.loads(line) for line in (sandbox / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ids
    assert rows == expected


def test_parquet_without_text_or_with_a_null_text_is_a_clear_error(heard: Callable[..., Result], sandbox: Path) -> None:
    pq.write_table(pa.table({"id": [1], "body": ["x"]}), sandbox / "no_text.parquet")
    assert_user_error(heard("classify", "no_text.parquet", "-o", "out.parquet"), "'text'", "body")
    pq.write_table(pa.table({"id": [1, 2], "text": ["fine", None]}), sandbox / "null.parquet")
    assert_user_error(heard("classify", "null.parquet", "-o", "out.parquet"), "null.parquet:2", "null")
    assert not (sandbox / "out.parquet").exists()


def test_a_folder_is_mirrored_and_a_rerun_skips_finished_partitions(classifier, sandbox: Path) -> None:
    _parts(sandbox / "in" / "2019", [5, 4])
    _parts(sandbox / "in" / "2020", [3], fmt="jsonl")
    (sandbox / "in" / "_SUCCESS").write_text("")
    first = classify_partitioned(sandbox / "in", sandbox / "out", classifier=classifier)
    assert (first.partitions, first.skipped, first.rows) == (3, 0, 12)
    assert sorted(p.relative_to(sandbox / "out").as_posix() for p in (sandbox / "out").rglob("part-*")) == [
        "2019/part-000.parquet", "2019/part-001.parquet", "2020/part-000.jsonl"]
    manifest = json.loads((sandbox / "out" / MANIFEST_FILE).read_text())
    assert manifest["model"] == classifier.version and len(manifest["partitions"]) == 3
    again = classify_partitioned(sandbox / "in", sandbox / "out", classifier=classifier)
    assert (again.skipped, again.rows) == (3, 0)
    # A damaged output is labelled again; the others are not.
    (sandbox / "out" / "2020" / "part-000.jsonl").write_text("{}\n")
    third = classify_partitioned(sandbox / "in", sandbox / "out", classifier=classifier)
    assert (third.skipped, third.rows) == (2, 3)
    assert len((sandbox / "out" / "2020" / "part-000.jsonl").read_text().splitlines()) == 3


def test_a_folder_run_that_fails_before_any_part_leaves_no_output_folder(heard: Callable[..., Result], sandbox: Path) -> None:
    (sandbox / "parts").mkdir()
    (sandbox / "parts" / "a.jsonl").write_text('{"id": 1, "text": 5}\n')
    assert_user_error(heard("classify", "parts", "-o", "labelled"), "a.jsonl:1", "a number 'text'")
    assert not (sandbox / "labelled").exists()


def test_output_names_that_would_mislead_are_refused(heard: Callable[..., Result], sandbox: Path) -> None:
    (sandbox / "parts").mkdir()
    (sandbox / "parts" / "a.jsonl").write_text('{"id": 1, "text": "me too"}\n')
    # a folder's labels are a folder: "-o lab.jsonl" made a folder named like a file
    assert_user_error(heard("classify", "parts", "-o", "lab.jsonl"), "expected a folder name", "-o lab")
    # one file's labels: the name sets the format, and ".txt" would have been JSON lines
    assert_user_error(heard("classify", "parts/a.jsonl", "-o", "o.txt"), "ending in .jsonl", "-o o.jsonl")
    assert not (sandbox / "lab.jsonl").exists() and not (sandbox / "o.txt").exists()


def test_a_folder_output_of_another_model_is_refused(heard: Callable[..., Result], sandbox: Path) -> None:
    _parts(sandbox / "in", [2])
    (sandbox / "out").mkdir()
    (sandbox / "out" / MANIFEST_FILE).write_text(json.dumps({"format": 1, "model": "heads@0+other@0", "partitions": {}}))
    assert_user_error(heard("classify", "in", "-o", "out"), "heads@0+other@0", "new folder")
    assert_user_error(heard("classify", "in", "-o", "in/inside"), "outside")
    assert_user_error(heard("classify", "in", "-o", "out", "--cluster", "local:zero"), "local:N")


class _Counting:
    """A real encoder, recording what it is asked to embed."""

    def __init__(self, inner, seen: list[str]) -> None:
        self.inner, self.seen = inner, seen
        self.name, self.dim = inner.name, inner.dim
        self.batch_independent = inner.batch_independent

    def encode(self, texts, batch_size=16):
        self.seen.extend(texts)
        return self.inner.encode(texts)


def test_repeated_unit_texts_are_encoded_once_when_the_encoder_is_batch_independent(classifier) -> None:
    from heard.classify import Classifier
    from heard.encode import OnnxEncoder
    from heard.encode.load import BUNDLED_ENCODER

    seen: list[str] = []
    # One text per pass: a text's vector is the same whatever else is encoded.
    fixed = _Counting(OnnxEncoder(BUNDLED_ENCODER, threads=1, deterministic=True), seen)
    assert fixed.batch_independent
    counting = Classifier(fixed, classifier.heads)  # type: ignore[arg-type]
    first = counting.label_posts(POSTS * 3)
    assert len(seen) == len(set(seen)) == len(POSTS)
    assert first[: len(POSTS)] == first[len(POSTS): 2 * len(POSTS)] == first[2 * len(POSTS):]
    again = counting.label_posts(list(reversed(POSTS)))  # a later call reuses them
    assert len(seen) == len(POSTS) and again == list(reversed(first[: len(POSTS)]))


def test_the_bundled_encoder_gives_a_text_the_same_vector_whatever_its_batch(classifier) -> None:
    import numpy as np

    encoder = classifier.encoder
    assert encoder.batch_independent  # fixed activation scales (training/finetune_encoder.py --activations static)
    alone = encoder.encode(["Me too. I was fourteen."])
    mixed = encoder.encode(["Not all men, though.", "x " * 200, "Me too. I was fourteen.", "I believe you."])
    assert np.array_equal(alone[0], mixed[2])


def test_with_a_batch_dependent_encoder_every_unit_is_encoded_in_order(classifier) -> None:
    from heard.classify import Classifier
    from heard.encode import OnnxEncoder

    seen: list[str] = []
    # The untuned export keeps dynamic activation scales: batch mates move a vector.
    dynamic = OnnxEncoder(Path(__file__).resolve().parents[1] / "training" / "encoder_base")
    assert not dynamic.batch_independent
    plain = Classifier(dynamic, classifier.heads)
    counting = Classifier(_Counting(dynamic, seen), classifier.heads)  # type: ignore[arg-type]
    assert counting.label_posts(POSTS * 2) == plain.label_posts(POSTS * 2)
    assert len(seen) == 2 * len(POSTS)


def test_device_cuda_without_a_gpu_is_a_clear_error(heard: Callable[..., Result], sandbox: Path) -> None:
    import onnxruntime as ort

    if "CUDAExecutionProvider" in ort.get_available_providers():
        pytest.skip("this machine has ONNX Runtime's CUDA provider")
    (sandbox / "in.jsonl").write_text('{"id": 1, "text": "me too"}\n', encoding="utf-8")
    assert_user_error(heard("classify", "in.jsonl", "-o", "out.jsonl", "--device", "cuda"), "CUDA", "heard[gpu]")
    assert not (sandbox / "out.jsonl").exists()


def test_gpu_labels_match_the_cpu_labels(classifier) -> None:
    import onnxruntime as ort

    if "CUDAExecutionProvider" not in ort.get_available_providers():
        pytest.skip("no ONNX Runtime CUDA provider (pip install 'heard[gpu]' on a GPU machine)")
    from heard.classify import Classifier

    gpu = Classifier.load(device="cuda")
    cpu_labels, gpu_labels = classifier.label_posts(POSTS * 4), gpu.label_posts(POSTS * 4)
    same = sum(a.act == b.act for a, b in zip(cpu_labels, gpu_labels))
    assert same >= 0.95 * len(cpu_labels)


# -- Dask --------------------------------------------------------------------------------------

distributed = pytest.importorskip("distributed", reason="pip install 'heard[scale]'")


@pytest.mark.slow
def test_dask_labels_equal_one_process_even_when_a_worker_dies(classifier, sandbox: Path) -> None:
    from heard.execution.cluster import ClassifierPlugin, dask_client, run_on_cluster
    from heard.execution.manifest import Manifest
    from heard.execution.partitions import plan_partitions

    _parts(sandbox / "in", [6, 5, 7, 4, 6, 5])
    classify_partitioned(sandbox / "in", sandbox / "one", classifier=classifier)
    partitions = plan_partitions(sandbox / "in", sandbox / "dask")
    manifest = Manifest.open(sandbox / "dask", classifier.version)
    killed: list[int] = []
    with dask_client("local:2", ClassifierPlugin(None, None, 1, "cpu")) as client:
        pids = client.run(os.getpid)

        def done(part, result) -> None:
            manifest.record(part.name, result)
            if not killed:  # two partitions per worker are in flight: one worker dies holding some
                victim = next(iter(pids.values()))
                os.kill(victim, signal.SIGKILL)
                killed.append(victim)

        run_on_cluster(client, partitions, 100_000, done)
    assert killed and len(manifest.finished) == 6
    assert _read(sandbox / "dask") == _read(sandbox / "one")
    # Through the command's path, the killed worker's temporary file is cleared away and
    # the output stays the one-process output. (Once in ~10 runs a re-run here labelled one
    # partition again instead of skipping it, with the same result: see the branch's report.)
    assert classify_partitioned(sandbox / "in", sandbox / "dask", cluster="local:2").skipped >= 5
    assert not list((sandbox / "dask").rglob(".heard-*"))
    assert _read(sandbox / "dask") == _read(sandbox / "one")


@pytest.mark.slow
def test_kill_9_of_the_client_then_a_rerun_gives_the_one_run_output(classifier, sandbox: Path) -> None:
    _parts(sandbox / "in", [8] * 6)
    classify_partitioned(sandbox / "in", sandbox / "one", classifier=classifier)
    command = [sys.executable, "-m", "heard", "classify", "in", "-o", "out", "--cluster", "local:2"]
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    # Its own process group, so the client and the workers it started die together.
    proc = subprocess.Popen(command, cwd=sandbox, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    manifest = sandbox / "out" / MANIFEST_FILE
    deadline = time.monotonic() + 240
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if manifest.is_file() and len(json.loads(manifest.read_text())["partitions"]) >= 1:
                break
            time.sleep(0.05)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    finished = len(json.loads(manifest.read_text())["partitions"])
    rerun = subprocess.run(command, cwd=sandbox, env=env, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert f"{finished:,} partitions already done" in rerun.stderr or finished == 6
    assert _read(sandbox / "out") == _read(sandbox / "one")
    assert not list((sandbox / "out").rglob(".heard-*"))
