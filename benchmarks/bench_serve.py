"""Benchmark: ``heard serve`` from outside, against a real server process.

Measures, each against a fresh ``heard serve`` child process on a free loopback port:

1. ``POST /v1/classify`` with one post: latency p50/p95/p99 with 1 client and with 8 concurrent clients
   (rate limit off), and the requests/s the 8 clients reach;
2. ``POST /v1/classify`` with batches of 100 posts: posts/s;
3. ``GET /v1/posts`` on a 1,000,000-post store (generated as in ``bench_report.py``): p50/p95/p99 for
   the first page, a filtered page, a page deep in the keyset, a thread, and a text search;
4. a 10x overload burst: ten times the requests the 8 clients managed in ``--burst-seconds``, sent
   over 128 connections at once, with the default rate limit and with none (then the classifier's
   waiting-room bound answers): counts by status (only 200 and 429 allowed) and the server's peak RSS.

Targets (issue 13): p99 <= 30 ms for one post with one client on 2 cores; filtered post queries
p99 <= 100 ms on 1M posts.

Usage:
    python benchmarks/bench_serve.py [--posts 1000000] [--dir /tmp/heard-bench-serve] [--requests 300]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from _synthetic import post_text
from bench_report import generate


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def server(db: Path, *flags: str) -> Iterator[tuple[str, int]]:
    """``heard serve`` in a child process; yields (base URL, pid)."""
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "heard", "serve", "--db", str(db), "--port", str(port), *flags],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            if httpx.get(url + "/healthz", timeout=5).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("heard serve did not start")
        time.sleep(0.2)
    try:
        yield url, proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def rss(pid: int, field: str = "VmHWM") -> int:
    """Peak (VmHWM) or current (VmRSS) resident memory of ``pid`` in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    return 0


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def timed(clients: int, requests: int, call: Callable[[httpx.Client, int], httpx.Response]) -> tuple[list[float], float]:
    """Run ``requests`` calls over ``clients`` threads; (latencies in ms, wall seconds). Every answer must be 200."""
    latencies: list[float] = []
    lock = threading.Lock()
    counter = iter(range(requests))

    def worker() -> None:
        with httpx.Client(timeout=60) as client:
            while True:
                with lock:
                    i = next(counter, None)
                if i is None:
                    return
                start = time.perf_counter()
                response = call(client, i)
                ms = (time.perf_counter() - start) * 1000
                if response.status_code != 200:
                    raise SystemExit(f"expected 200, got {response.status_code}: {response.text[:200]}")
                with lock:
                    latencies.append(ms)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, time.perf_counter() - started


def row(name: str, latencies: list[float], extra: str = "") -> None:
    print(f"| {name} | {len(latencies)} | {pct(latencies, 50):.1f} | {pct(latencies, 95):.1f} | {pct(latencies, 99):.1f} | {extra} |")


async def burst(url: str, total: int, texts: list[str], connections: int = 128) -> tuple[Counter[int], float]:
    """Send ``total`` single-post classify requests over ``connections`` at once, as fast as the client can;
    count answers by status (0: connection error) and return the seconds taken."""
    codes: Counter[int] = Counter()
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    gate = asyncio.Semaphore(connections)
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:
        async def one(i: int) -> None:
            async with gate:
                try:
                    r = await client.post(url + "/v1/classify", json={"posts": [{"id": i, "text": texts[i % len(texts)]}]})
                    codes[r.status_code] += 1
                except httpx.TransportError:
                    codes[0] += 1

        start = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(total)))
    return codes, time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--threads", type=int, default=100_000)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/heard-bench-serve"))
    parser.add_argument("--requests", type=int, default=300, help="requests per latency row")
    parser.add_argument("--burst-seconds", type=float, default=3.0)
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    db = args.dir / f"serve-{args.posts}.duckdb"
    if not db.exists():
        t0 = time.perf_counter()
        generate(db, args.posts, args.threads)
        from heard.store import Store

        per = args.posts // args.threads
        with Store.open(db) as store:
            store.con.execute(f"UPDATE posts SET thread_root = 'p' || ((CAST(substr(id, 2) AS BIGINT) // {per}) * {per})")
        print(f"generated {args.posts:,} posts in {time.perf_counter() - t0:.1f} s: {db}", file=sys.stderr)

    import random

    rng = random.Random(0)
    texts = [post_text(rng) for _ in range(2000)]
    print(f"heard serve on {os.cpu_count()} cores; {args.requests} requests per row; times in ms\n")
    print("| measure | requests | p50 | p95 | p99 | throughput |")
    print("|---|---:|---:|---:|---:|---|")
    with server(db, "--rate-limit", "0") as (url, pid):
        def single(client: httpx.Client, i: int) -> httpx.Response:
            return client.post(url + "/v1/classify", json={"posts": [{"id": i, "text": texts[i % len(texts)]}]})

        timed(1, 20, single)  # warm up
        lat, wall = timed(1, args.requests, single)
        row("classify 1 post, 1 client", lat, f"{len(lat) / wall:.0f} req/s")
        lat, wall = timed(8, args.requests, single)
        capacity = len(lat) / wall
        row("classify 1 post, 8 clients", lat, f"{capacity:.0f} req/s")

        def batch(client: httpx.Client, i: int) -> httpx.Response:
            return client.post(url + "/v1/classify", json={"posts": [{"id": j, "text": texts[(i * 100 + j) % len(texts)]} for j in range(100)]})

        lat, wall = timed(1, max(10, args.requests // 10), batch)
        row("classify batch of 100, 1 client", lat, f"{100 * len(lat) / wall:.0f} posts/s")

        queries: list[tuple[str, dict[str, object]]] = [
            ("posts: first page (50)", {}),
            ("posts: act=derailing", {"act": "derailing"}),
            ("posts: testimony by men, abusive=false", {"act": "testimony", "discloser": "man", "abusive": "false"}),
            ("posts: frame + time range", {"frame": "not_all_men", "since": "2026-03-10T00:00:00Z", "until": "2026-03-12T00:00:00Z"}),
            ("posts: one thread", {"thread": "p500000"}),
            ("posts: text search q", {"q": "coach"}),
        ]
        for name, params in queries:
            def get(client: httpx.Client, i: int, params: dict[str, object] = params) -> httpx.Response:
                return client.get(url + "/v1/posts", params=params)

            timed(1, 5, get)
            lat, _ = timed(1, max(20, args.requests // 3), get)
            row(name + f" ({args.posts:,} posts)", lat)
        # deep keyset page: follow the cursor 20 pages in, then time the next page
        cursor = None
        with httpx.Client(timeout=60) as client:
            for _ in range(20):
                cursor = client.get(url + "/v1/posts", params={"act": "solidarity", **({"cursor": cursor} if cursor else {})}).json()["next"]

        def deep(client: httpx.Client, i: int) -> httpx.Response:
            return client.get(url + "/v1/posts", params={"act": "solidarity", "cursor": cursor})

        lat, _ = timed(1, max(20, args.requests // 3), deep)
        row("posts: act=solidarity, page 21 (keyset)", lat)

        def thread(client: httpx.Client, i: int) -> httpx.Response:
            return client.get(url + f"/v1/threads/p{(i * 7919 % args.threads) * (args.posts // args.threads)}")

        lat, _ = timed(1, max(20, args.requests // 3), thread)
        row("thread tree with reception", lat)

    total = int(10 * capacity * args.burst_seconds)
    print(f"\n{total} single-post requests (10x the 8-client capacity for {args.burst_seconds:g} s) over 128 connections at once:\n")
    print("| overload | sent | seconds | 200 | 429 | 5xx/other | server peak RSS |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for label, flags in (("default rate limit (30/s per client)", ()), ("no rate limit (waiting-room bound)", ("--rate-limit", "0"))):
        with server(db, *flags) as (url, pid):
            codes, seconds = asyncio.run(burst(url, total, texts))
            other = sum(n for c, n in codes.items() if c not in (200, 429))
            print(f"| {label} | {sum(codes.values())} | {seconds:.1f} | {codes[200]} | {codes[429]} | {other} | {rss(pid) / 2**20:.0f} MiB |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
