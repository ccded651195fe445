"""The coding page in a real browser (Debian's chromium through Playwright) over a real uvicorn server."""

from __future__ import annotations

import json
import re
import shutil
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from heard.records import Post
from heard.store import Store
from heard.store import codes as code_store

CHROMIUM = "/usr/bin/chromium"
HOSTILE = 'I said it <img src=x onerror="document.title=\'pwned\'"> and <b>nothing</b> happened'


def _store(path: Path) -> None:
    posts = [
        Post(id="t:root", text="A thread opener about speaking up.", platform="jsonl", thread_root="t:root"),
        Post(id="t:1", text=HOSTILE, platform="jsonl", parent_id="t:root", thread_root="t:root"),
        Post(id="t:2", text="Second reply in the thread.", platform="jsonl", parent_id="t:root", thread_root="t:root"),
        Post(id="t:3", text="Third reply in the thread.", platform="jsonl", parent_id="t:1", thread_root="t:root"),
    ]
    with Store.open(path) as store:
        store.add_posts(posts, [])
        code_store.replace_sample(store, [code_store.Draw(p, 0.75, "all") for p in ("t:1", "t:2", "t:3")], seed=0, model=None)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    import uvicorn

    from heard.web.coding import coding_app

    db = tmp_path / "c.duckdb"
    _store(db)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(coding_app(db), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(100):
        if srv.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/", db
    srv.should_exit = True
    thread.join(timeout=10)


def _post(url: str, body: dict[str, object], origin: str | None = None) -> tuple[int, dict[str, object]]:
    headers = {"Content-Type": "application/json"} | ({"Origin": origin} if origin else {})
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_the_api_refuses_other_sites_and_values_outside_the_codebook(server: tuple[str, Path]) -> None:
    url, db = server
    with urllib.request.urlopen(url) as response:
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert _post(url + "api/code", {"coder": "ana", "post_id": "t:1", "fields": {"act": "other"}}, origin="http://evil.example")[0] == 403
    status, body = _post(url + "api/code", {"coder": "ana", "post_id": "t:1", "fields": {"act": "trolling"}})
    assert status == 400 and "codebook" in str(body["detail"])
    assert _post(url + "api/code", {"coder": "", "post_id": "t:1", "fields": {"act": "other"}})[0] == 400
    assert _post(url + "api/code", {"coder": "ana", "post_id": "t:1", "fields": {"act": "other"}})[0] == 200
    with Store.open(db, read_only=True) as store:
        assert [(c.post_id, c.act, c.source) for c in code_store.all_codes(store)] == [("t:1", "other", "page")]


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (scripts/test installs it)")
def test_keyboard_coding_skip_undo_and_resume_in_chromium(server: tuple[str, Path]) -> None:
    from playwright.sync_api import expect, sync_playwright

    url, db = server
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium") or CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        context = browser.new_context()
        page = context.new_page()
        page.goto(url)
        page.fill("#coder", "ana")
        page.press("#coder", "Enter")
        page.wait_for_selector("#work:not([hidden])")
        expect(page.locator("#progress")).to_contain_text("0 of 3")
        seen = [page.text_content("#post-id")]
        assert page.text_content("#thread-text") == "A thread opener about speaking up."

        # Keyboard: 6 = silencing, o = oppose, b = abusive, Enter saves.
        page.keyboard.press("6")
        page.keyboard.press("o")
        page.keyboard.press("b")
        assert page.is_checked("#f-act-silencing") and page.is_checked("#f-stance-oppose") and page.is_checked("#f-abusive")
        page.keyboard.press("Enter")
        expect(page.locator("#progress")).to_contain_text("1 of 3")
        seen.append(page.text_content("#post-id"))
        assert seen[1] != seen[0]

        # Skip, then code the next with 8 = other; undo brings it back.
        page.keyboard.press("ArrowRight")
        expect(page.locator("#progress")).to_contain_text("1 skipped")
        third = page.text_content("#post-id")
        assert third not in seen
        page.keyboard.press("8")
        page.keyboard.press("Enter")
        expect(page.locator("#progress")).to_have_text(re.compile("^2 of 3"))
        page.keyboard.press("z")
        expect(page.locator("#progress")).to_have_text(re.compile("^1 of 3"))
        assert page.text_content("#post-id") == third
        assert "Undone" in (page.text_content("#status") or "")

        # The hostile post is shown as text: no element was made from it, no script ran.
        with Store.open(db, read_only=True) as store:
            hostile_coded = any(c.post_id == "t:1" for c in code_store.all_codes(store))
        if not hostile_coded:
            assert page.text_content("#post-text") in (HOSTILE, "Third reply in the thread.", "Second reply in the thread.")
        assert page.locator("#post img, #post b").count() == 0
        assert page.title() != "pwned"

        # Resume: a fresh page for the same coder picks up where the coder stopped.
        page.close()
        page2 = context.new_page()
        page2.goto(url)
        expect(page2.locator("#progress")).to_have_text(re.compile("^1 of 3"))
        assert page2.input_value("#coder") == "ana"
        assert page2.text_content("#post-id") != seen[0]
        browser.close()
    with Store.open(db, read_only=True) as store:
        codes = code_store.all_codes(store)
    assert [(c.post_id, c.coder, c.act, c.stance, c.abusive) for c in codes] == [(seen[0], "ana", "silencing", "oppose", True)]


def test_heard_code_serves_the_page_on_the_loopback(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    db = tmp_path / "c.duckdb"
    _store(db)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "heard", "code", "--db", str(db), "--port", str(port), "--no-browser"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    try:
        body = ""
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/next?coder=ana") as response:
                    body = response.read().decode()
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        data = json.loads(body)
        assert data["progress"] == {"coder": "ana", "done": 0, "total": 3, "skipped": 0}
        assert data["post"]["id"] in {"t:1", "t:2", "t:3"}
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=10)
    assert f"http://127.0.0.1:{port}/" in out
