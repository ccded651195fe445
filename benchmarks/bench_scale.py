"""heard classify at scale: one process against 1 and 2 local Dask workers, resume after
kill -9, and the GPU path, on synthetic Parquet parts with repeated texts.

Each row runs `heard classify IN -o OUT` in a fresh process and reports wall time
(start-up included), posts/s, the client's peak RSS and the largest child's (a Dask
worker) peak RSS. The corpus: --posts synthetic posts in --parts Parquet files,
--repeat of them copies of earlier texts (retweets, copy-paste campaigns).

    python benchmarks/bench_scale.py                         # 20,000 posts, 8 parts: a few minutes on 2 cores
    python benchmarks/bench_scale.py --posts 10000000 --parts 400 --only local2   # the 10M run (hours on 2 cores)
    pip install 'heard[gpu]' && pip install --force-reinstall --no-deps onnxruntime-gpu
    python benchmarks/bench_scale.py --device cuda --only gpu --posts 200000      # on a GPU machine
    python benchmarks/bench_scale.py --report-posts 1000000 --parts 40   # heard report --parquet on 1M labelled posts

With --report-posts N it writes N synthetic labelled posts (as heard classify writes them, with
thread columns; replies in other parts than their parents) and their texts, then times
`heard report --parquet labels -o report`, without and with `--posts`, reporting peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).parent))
from _labelled import write_labelled
from _synthetic import post_text

_CHILD = (
    "import resource, sys\n"
    "from heard.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "print(f'PEAK_RSS_KB={me.ru_maxrss} CHILD_PEAK_RSS_KB={kids.ru_maxrss}', file=sys.stderr)\n"
    "sys.exit(code)\n"
)
MANIFEST = "_heard_manifest.json"


def write_corpus(folder: Path, n: int, parts: int, repeat: float, seed: int = 0) -> None:
    """``n`` posts in ``parts`` Parquet files; a share ``repeat`` repeats an earlier text."""
    rng = random.Random(seed)
    folder.mkdir(parents=True)
    pool: list[str] = []
    per = -(-n // parts)
    for k in range(parts):
        ids, texts = [], []
        for i in range(k * per, min(n, (k + 1) * per)):
            if pool and rng.random() < repeat:
                text = pool[rng.randrange(len(pool))]
            else:
                text = post_text(rng)
                if len(pool) < 50_000:
                    pool.append(text)
            ids.append(f"p{i}")
            texts.append(text)
        pq.write_table(pa.table({"id": ids, "text": texts}), folder / f"part-{k:05d}.parquet")


def run(args: list[str], cwd: Path) -> tuple[float, int, int, str]:
    """(seconds, client peak RSS, largest child peak RSS, stderr) of one heard command."""
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", _CHILD, *args], capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, "PYTHONWARNINGS": "ignore"})
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"heard {' '.join(args)} failed: {proc.stderr.strip().splitlines()[-3:]}")
    line = next(x for x in proc.stderr.splitlines() if x.startswith("PEAK_RSS_KB="))
    me, kids = (int(part.split("=")[1]) * 1024 for part in line.split())
    return seconds, me, kids, proc.stderr


def killed_then_resumed(cwd: Path, out: str, cluster: str) -> tuple[float, int, float]:
    """Start a run, kill -9 its process group once a third of the parts are done, run it again:
    (seconds before the kill, parts done then, seconds of the re-run)."""
    command = [sys.executable, "-m", "heard", "classify", "in", "-o", out, "--cluster", cluster]
    started = time.perf_counter()
    proc = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    parts = len(list((cwd / "in").glob("*.parquet")))
    manifest = cwd / out / MANIFEST
    done = 0
    while proc.poll() is None:
        if manifest.is_file():
            try:
                done = len(json.loads(manifest.read_text())["partitions"])
            except ValueError:
                done = 0
            if done >= max(1, parts // 3):
                break
        time.sleep(0.05)
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    before = time.perf_counter() - started
    seconds, _, _, _ = run(["classify", "in", "-o", out, "--cluster", cluster], cwd)
    return before, done, seconds


def checksums(folder: Path) -> dict[str, str]:
    return {k: v["output_sha256"] for k, v in json.loads((folder / MANIFEST).read_text())["partitions"].items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=20_000)
    parser.add_argument("--parts", type=int, default=8)
    parser.add_argument("--repeat", type=float, default=0.4, help="share of posts that repeat an earlier text")
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu")
    parser.add_argument("--only", choices=("all", "single", "local1", "local2", "resume", "gpu"), default="all")
    parser.add_argument("--report-posts", type=int, help="instead: time heard report --parquet on this many labelled posts")
    args = parser.parse_args()
    if args.report_posts:
        report_at_scale(args.report_posts, args.parts, args.repeat)
        return
    rows: list[tuple[str, float, float, int, int, str]] = []
    with tempfile.TemporaryDirectory(prefix="heard-bench-scale-") as tmp:
        cwd = Path(tmp)
        write_corpus(cwd / "in", args.posts, args.parts, args.repeat)
        n = args.posts

        def row(name: str, extra: list[str], out: str, note: str = "") -> float:
            seconds, me, kids, _ = run(["classify", "in", "-o", out, *extra], cwd)
            rows.append((name, seconds, n / seconds, me, kids, note))
            return seconds

        single = local1 = None
        if args.only in ("all", "single"):
            single = row("one process", [], "single")
        if args.only in ("all", "local1"):
            local1 = row("--cluster local:1", ["--cluster", "local:1"], "local1")
        if args.only in ("all", "local2"):
            local2 = row("--cluster local:2", ["--cluster", "local:2"], "local2")
            notes = []
            if local1:
                notes.append(f"speed-up over local:1 {local1 / local2:.2f}x")
            if single is not None:
                notes.append("labels = one process" if checksums(cwd / "local2") == checksums(cwd / "single") else "LABELS DIFFER")
            rows[-1] = (*rows[-1][:5], "; ".join(notes))
        if args.only in ("all", "resume"):
            before, done, again = killed_then_resumed(cwd, "resumed", "local:2")
            same = ""
            if single is not None:
                same = "; output = one uninterrupted run" if checksums(cwd / "resumed") == checksums(cwd / "single") else "; OUTPUT DIFFERS"
            rows.append((f"kill -9 after {before:.0f} s ({done}/{args.parts} parts), re-run", again, n / again, 0, 0,
                         f"re-run skipped {done} parts{same}"))
        if args.only == "gpu" or args.device == "cuda":
            seconds = row("one process, --device cuda", ["--device", "cuda"], "gpu")
            rows[-1] = (*rows[-1][:5], f"{n / seconds:,.0f} posts/s incl. start-up")
    print(f"heard classify at scale: {args.posts:,} synthetic posts in {args.parts} Parquet parts, {args.repeat:.0%} repeated texts, "
          f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}\n")
    print("| run | seconds (incl. start-up) | posts/s | client peak RSS | largest child peak RSS | note |")
    print("|---|---|---|---|---|---|")
    for name, seconds, rate, me, kids, note in rows:
        mem = f"{me / 2**20:,.0f} MiB" if me else "–"
        kid = f"{kids / 2**20:,.0f} MiB" if kids else "–"
        print(f"| {name} | {seconds:.1f} | {rate:,.0f} | {mem} | {kid} | {note} |")


def report_at_scale(n: int, parts: int, repeat: float) -> None:
    """Time ``heard report --parquet`` on ``n`` synthetic labelled posts, without and with their texts."""
    with tempfile.TemporaryDirectory(prefix="heard-bench-report-") as tmp:
        cwd = Path(tmp)
        started = time.perf_counter()
        write_labelled(cwd / "labels", cwd / "posts", n, parts, repeat)
        written = time.perf_counter() - started
        rows = []
        for name, extra in (("labels only", []), ("labels + --posts (texts)", ["--posts", "posts"])):
            seconds, me, kids, _ = run(["report", "--parquet", "labels", *extra, "-o", f"report-{len(extra)}"], cwd)
            rows.append((name, seconds, me, kids))
        numbers = json.loads((cwd / "report-2" / "numbers.json").read_text(encoding="utf-8"))
    print(f"heard report --parquet: {n:,} synthetic labelled posts in {parts} parts, {repeat:.0%} repeated texts "
          f"(written in {written:.0f} s), {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; "
          f"{numbers['threads']['threads']:,} threads, largest {numbers['threads']['largest_thread']:,} posts\n")
    print("| run | seconds (incl. start-up) | posts/s | peak RSS | children's peak RSS |")
    print("|---|---|---|---|---|")
    for name, seconds, me, kids in rows:
        print(f"| {name} | {seconds:.1f} | {n / seconds:,.0f} | {me / 2**20:,.0f} MiB | {kids / 2**20:,.0f} MiB |")


if __name__ == "__main__":
    main()
