"""Ingest benchmark: N synthetic posts into a new store, then the same file again.

Each run is a separate `heard ingest` process so peak RSS is that command's own.

    python benchmarks/bench_ingest.py            # 1,000,000 posts
    python benchmarks/bench_ingest.py --posts 200000
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _measure import run_heard
from _synthetic import write_jsonl


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
            seconds, peak, out = run_heard("ingest", str(src), "--db", str(db), "--json")
            summary = json.loads(out)
            rows.append((label, summary["read"], summary["added"], seconds, summary["read"] / seconds, peak))
    print(f"ingest benchmark: {args.posts:,} synthetic posts ({size / 1e6:.0f} MB JSONL), threads of 10\n")
    print("| run | posts read | added | seconds | posts/s | peak RSS |")
    print("|---|---|---|---|---|---|")
    for label, read, added, seconds, rate, peak in rows:
        print(f"| {label} | {read:,} | {added:,} | {seconds:.1f} | {rate:,.0f} | {peak / 2**20:,.0f} MiB |")


if __name__ == "__main__":
    main()
