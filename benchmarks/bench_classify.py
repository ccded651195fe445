"""Classify benchmark: 5,000 varied posts through `heard classify` (the contract),
and the same posts labelled in a store with `heard label`.

Posts mix short replies, tweets and long comments (10% over 60 words, some
split into sentences), written from word lists in _synthetic.py. Start-up
(imports, loading the encoder and heads) is measured apart and left out of
posts/s; the store is filled with `heard ingest` before `heard label` is timed.

    python benchmarks/bench_classify.py
    python benchmarks/bench_classify.py --posts 20000
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _measure import run_heard
from _synthetic import post_text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=5000)
    args = parser.parse_args()
    rng = random.Random(1)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.jsonl"
        texts = [post_text(rng) for _ in range(args.posts)]
        src.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate(texts)))
        out = Path(tmp) / "out.jsonl"
        # Start-up (imports, loading the encoder) measured apart from throughput.
        one = Path(tmp) / "one.jsonl"
        one.write_text(json.dumps({"id": 0, "text": "me too"}) + "\n")
        startup, _, _ = run_heard("classify", str(one), "-o", str(Path(tmp) / "o1.jsonl"))
        seconds, peak, _ = run_heard("classify", str(src), "-o", str(out))
        lines = out.read_text().count("\n")
        db = str(Path(tmp) / "bench.duckdb")
        run_heard("ingest", str(src), "--db", db)
        label_seconds, label_peak, _ = run_heard("label", "--db", db)
    words = sum(len(t.split()) for t in texts) / len(texts)
    print(f"classify benchmark: {args.posts:,} posts, mean {words:.0f} words, {os.cpu_count()} cores\n")
    print("| command | posts | seconds (incl. start-up) | start-up | posts/s (excl. start-up) | peak RSS |")
    print("|---|---|---|---|---|---|")
    for command, n, secs, rss in (("heard classify", lines, seconds, peak), ("heard label", args.posts, label_seconds, label_peak)):
        rate = n / max(secs - startup, 1e-9)
        print(f"| `{command}` | {n:,} | {secs:.1f} | {startup:.1f} s | {rate:,.0f} | {rss / 2**20:,.0f} MiB |")


if __name__ == "__main__":
    main()
