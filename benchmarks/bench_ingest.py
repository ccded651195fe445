"""Ingest benchmark: N synthetic posts into a new store, then the same file again.

Each run is a separate `heard ingest` process so peak RSS is that command's own.

    python benchmarks/bench_ingest.py            # 1,000,000 posts
    python benchmarks/bench_ingest.py --posts 200000
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _synthetic import write_jsonl  # noqa: E402


def run_ingest(src: Path, db: Path) -> tuple[float, int, dict]:
    """(seconds, peak RSS in bytes, summary) of one `heard ingest` child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "heard", "ingest", str(src), "--db", str(db), "--json"],
                          capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss of children is the max over all children so far: runs go from small to large.
    return seconds, max(peak, before) * 1024, json.loads(proc.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        src = write_jsonl(Path(tmp) / "posts.jsonl", args.posts)
        size = src.stat().st_size
        db = Path(tmp) / "bench.duckdb"
        rows = []
        for label in ("first ingest", "same file again"):
            seconds, peak, summary = run_ingest(src, db)
            rows.append((label, summary["read"], summary["added"], seconds, summary["read"] / seconds, peak))
    print(f"ingest benchmark: {args.posts:,} synthetic posts ({size / 1e6:.0f} MB JSONL), threads of 10\n")
    print(f"| run | posts read | added | seconds | posts/s | peak RSS |")
    print(f"|---|---|---|---|---|---|")
    for label, read, added, seconds, rate, peak in rows:
        print(f"| {label} | {read:,} | {added:,} | {seconds:.1f} | {rate:,.0f} | {peak / 2**20:,.0f} MiB |")


if __name__ == "__main__":
    main()
