"""Benchmark: ``heard report`` on 1,000,000 posts in 100,000 threads.

Generates a store with synthetic posts and post labels straight in DuckDB
(``generate_series``; a few seconds), then builds the full report in a fresh
child process and prints its wall time and peak resident memory (from
``os.wait4``, the child's own rusage). Target: peak RSS under 2 GiB.

The synthetic corpus has reply trees 10 posts deep at most, 1% orphans
(replies to posts missing from the store), two reply loops, testimonies by
women, men and unstated disclosers, every act, derailing frames and cue
phrases.

Usage:
    python benchmarks/bench_report.py [--posts 1000000] [--threads 100000] [--dir /tmp/heard-bench]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

TEXTS = [
    "Me too. I was 15 and he was my coach. #MeToo",
    "As a guy I never told anyone what my roommate did to me. Me too.",
    "I believe you. Thank you for trusting us with this.",
    "Not all men are like that, you know. #NotAllMen",
    "What about the men who get falsely accused? #HimToo",
    "Men get raped too, so stop pretending this is a women's issue. #MenToo",
    "Nobody asked for your sob story. Contact me at someone@example.com",
    "If it was that bad she would have gone to the police.",
    "Studios that paid for silence should lose their public funding.",
    "Answering a survivor with 'what about false accusations' is exactly the problem.",
    "All lives matter, everyone suffers. Call 555-123-4567",
    "The producer resigned on Tuesday, the company said. @newsdesk",
]


def generate(db: Path, posts: int, threads: int) -> None:
    """Write the synthetic store at ``db``."""
    from heard.store import Store

    per = posts // threads
    texts = "[" + ", ".join("'" + t.replace("'", "''") + "'" for t in TEXTS) + "]"
    with Store.open(db) as store:
        con = store.con
        con.execute(f"""
            INSERT INTO posts (id, text, author, created_at, parent_id, thread_root, platform, source, meta)
            SELECT 'p' || i,
                   {texts}[1 + (hash(i, 1) % {len(TEXTS)})::INT] || ' #' || (i % 997)::VARCHAR,
                   'a_' || (hash(i, 2) % 200000)::VARCHAR,
                   TIMESTAMP '2026-03-02 08:00:00' + to_seconds((i // {per}) * 20 + (i % {per}) * 600),
                   CASE WHEN i % {per} = 0 THEN NULL
                        WHEN hash(i, 3) % 100 = 0 THEN 'gone' || (i // {per})::VARCHAR
                        ELSE 'p' || ((i // {per}) * {per} + hash(i, 4) % (i % {per}))::VARCHAR END,
                   NULL, 'bench', 'bench', NULL
            FROM range({posts}) r(i)
        """)
        # Two reply loops: a -> b -> a, and a post answering itself.
        con.execute("UPDATE posts SET parent_id = 'p11' WHERE id = 'p10'")
        con.execute("UPDATE posts SET parent_id = 'p10' WHERE id = 'p11'")
        con.execute("UPDATE posts SET parent_id = 'p25' WHERE id = 'p25'")
        con.execute(f"""
            INSERT INTO post_labels
            SELECT id, 'bench-v1', act, CASE WHEN act IN ('derailing', 'silencing', 'disbelief') THEN 'oppose'
                                            WHEN act = 'other' THEN 'neutral' ELSE 'support' END,
                   hash(k, 5) % 50 = 0, 'own',
                   CASE WHEN act = 'derailing' THEN ['whatabout', 'not_all_men', 'false_equivalence',
                        'universalising', 'recentring'][1 + (hash(k, 6) % 5)::INT] END,
                   CASE WHEN act = 'testimony' THEN ['woman', 'woman', 'man', 'unstated'][1 + (hash(k, 7) % 4)::INT] END,
                   CASE WHEN hash(k, 8) % 3 = 0 THEN ['men'] ELSE [] END::VARCHAR[],
                   0.5 + (hash(k, 9) % 50) / 100.0
            FROM (SELECT id, k, CASE WHEN k % {per} = 0 THEN 'testimony'
                          ELSE ['testimony', 'solidarity', 'solidarity', 'accountability', 'pushback', 'derailing',
                                'silencing', 'disbelief', 'other', 'other'][1 + (hash(k, 10) % 10)::INT] END AS act
                  FROM (SELECT id, CAST(substr(id, 2) AS BIGINT) AS k FROM posts))
        """)


def child_report(db: Path, out: Path) -> None:
    """Build the report (run in the child process)."""
    from heard.report import build_report
    from heard.store import Store

    start = time.perf_counter()
    with Store.open(db, read_only=True) as store:
        result = build_report(store, out, progress=lambda m: print(f"  {time.perf_counter() - start:6.1f}s  {m}",
                                                                     file=sys.stderr, flush=True))
    print(f"{time.perf_counter() - start:.2f} {len(result.files)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--threads", type=int, default=100_000)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/heard-bench"))
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_report(Path(args.child[0]), Path(args.child[1]))
        return 0
    args.dir.mkdir(parents=True, exist_ok=True)
    db = args.dir / f"bench-{args.posts}.duckdb"
    if not db.exists():
        start = time.perf_counter()
        generate(db, args.posts, args.threads)
        print(f"generated {args.posts:,} posts in {time.perf_counter() - start:.1f} s: {db}", file=sys.stderr)
    proc = subprocess.Popen([sys.executable, __file__, "--child", str(db), str(args.dir / "report")],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        print("report failed", file=sys.stderr)
        return 1
    seconds, files = output.split()[-2:]
    peak = usage.ru_maxrss * 1024  # kilobytes on Linux
    print(f"| posts | threads | seconds | peak RSS | files |\n|---|---|---|---|---|\n"
          f"| {args.posts:,} | {args.threads:,} | {float(seconds):.1f} | {peak / 2**30:.2f} GiB | {files} |")
    return 0 if peak < 2 * 2**30 else 2


if __name__ == "__main__":
    sys.exit(main())
