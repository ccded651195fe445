"""Throughput on real text: the 6,654 MeTooMA #MeToo tweets and 6,000 Reddit comments
of ../shared/data/public through `heard classify` (the contract), read at run time.

Synthetic posts flatter: real tweets carry hashtags, links and emoji, and real
Reddit comments are long enough to be split into many units. Start-up (imports,
loading the encoder and heads) is measured apart and left out of posts/s.

    python benchmarks/bench_real.py
    python benchmarks/bench_real.py --public ../shared/data/public --reddit 6000
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _measure import run_heard

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--public", type=Path, default=ROOT.parent / "shared" / "data" / "public")
    parser.add_argument("--reddit", type=int, default=6000, help="Reddit comments (the first N of the file)")
    parser.add_argument("--heads", help="heads folder (default: bundled)")
    parser.add_argument("--encoder", help="encoder folder (default: the one the heads name)")
    args = parser.parse_args()
    csv.field_size_limit(1 << 30)
    tweets = [row["text"] for row in csv.DictReader((args.public / "metooma" / "metooma.csv").open(encoding="utf-8"))]
    with (args.public / "reddit_gender_2025" / "comments.csv").open(encoding="utf-8") as fh:
        comments = [row["body"] for _, row in zip(range(args.reddit), csv.DictReader(fh))]
    model = [*(["--heads", args.heads] if args.heads else []), *(["--encoder", args.encoder] if args.encoder else [])]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        one = Path(tmp) / "one.jsonl"
        one.write_text(json.dumps({"id": 0, "text": "me too"}) + "\n")
        startup, _, _ = run_heard("classify", str(one), "-o", str(Path(tmp) / "o1.jsonl"), *model)
        for name, texts in (("MeTooMA tweets", tweets), ("Reddit comments", comments)):
            src = Path(tmp) / "in.jsonl"
            src.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate(texts)))
            seconds, peak, _ = run_heard("classify", str(src), "-o", str(Path(tmp) / "out.jsonl"), *model)
            words = sum(len(t.split()) for t in texts) / len(texts)
            rows.append((name, len(texts), words, seconds, len(texts) / max(seconds - startup, 1e-9), peak))
    print(f"real-text classify benchmark, {os.cpu_count()} cores, start-up {startup:.1f} s (left out of posts/s)\n")
    print("| input | posts | mean words | seconds (incl. start-up) | posts/s | peak RSS |")
    print("|---|---|---|---|---|---|")
    for name, n, words, secs, rate, peak in rows:
        print(f"| {name} | {n:,} | {words:.0f} | {secs:.1f} | {rate:,.0f} | {peak / 2**20:,.0f} MiB |")


if __name__ == "__main__":
    main()
