"""Write the dashboard screenshots in docs/img/ from the demo store (Debian's chromium, Playwright).

Usage:
    python scripts/dashboard_screenshots.py [--db heard-demo/demo.duckdb] [--out docs/img]

Without --db, the demo is built first in a temporary folder (`heard demo`).
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import threading
import time
from pathlib import Path

import uvicorn
from playwright.sync_api import sync_playwright

from heard.web.app import create_app
from heard.web.limits import Limits

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path)
    parser.add_argument("--out", type=Path, default=Path("docs/img"))
    args = parser.parse_args()
    db = args.db
    if db is None:
        from heard.demo import run_demo

        db = run_demo(Path(tempfile.mkdtemp(prefix="heard-demo-"))).db
    args.out.mkdir(parents=True, exist_ok=True)
    server = uvicorn.Server(uvicorn.Config(create_app(db, limits=Limits(rate=0)), host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800})

        def show(hash_: str, name: str, full: bool = False) -> None:
            page.evaluate("document.getElementById('main').dataset.ready = ''")
            page.evaluate("h => { location.hash = h }", hash_)
            page.wait_for_selector("main[data-ready=true]")
            page.wait_for_timeout(200)
            page.screenshot(path=str(args.out / f"{name}.png"), full_page=full)

        page.goto(base + "/")
        page.screenshot(path=str(args.out / "content-warning.png"))
        page.click("#cw-continue")
        page.wait_for_selector("main[data-ready=true]")
        page.set_viewport_size({"width": 1280, "height": 1500})
        show("#/overview", "overview")
        page.set_viewport_size({"width": 1280, "height": 800})
        show("#/posts?act=derailing", "posts")
        show("#/post/posts%3Ap0030", "post", full=True)
        show("#/thread/posts%3Ap0001?focus=posts%3Ap0030", "thread")
        page.set_viewport_size({"width": 390, "height": 844})
        show("#/posts?act=testimony", "posts-phone")
        browser.close()
    server.should_exit = True
    thread.join(timeout=10)
    for path in sorted(args.out.glob("*.png")):
        print(f"{path}: {path.stat().st_size // 1024} KB")  # noqa: T201
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
