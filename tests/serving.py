"""Helpers for the server tests: a labelled store with hostile texts, and uvicorn on a free loopback port."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

import uvicorn

from heard.store import Store

T0 = datetime(2026, 3, 2, 8, 0)
MODEL = "m1"
STANCE = {"testimony": "support", "solidarity": "support", "accountability": "support", "pushback": "support",
          "derailing": "oppose", "silencing": "oppose", "disbelief": "oppose", "other": "neutral"}

# Texts that would run script if any of them became markup; each sets window.__xss or opens a dialog.
XSS = [
    "<script>window.__xss = 1; alert(1)</script> you are lying",
    '<img src=x onerror="window.__xss = 2; alert(2)"> nobody asked',
    '<a href="javascript:window.__xss = 3">read my proof</a> not all men',
    '</script><script>window.__xss = 4</script> {"json": "</script><script>alert(4)</script>"}',
    '<svg onload="window.__xss = 5"></svg><iframe srcdoc="<script>parent.__xss = 6</script>"></iframe> stop whining',
    "\"'><details open ontoggle=\"window.__xss = 7\">calm down</details>",
]
XSS_ID = '<img src=x onerror="window.__xss=8">'


def rows() -> list[tuple]:
    """(id, parent, minutes after T0, author, text, act, discloser, frame, abusive) rows."""
    out: list[tuple] = []
    for i in range(6):
        out += [
            (f"w{i}", None, 60 * i, f"a_w{i}", f"Me too. He was my coach, story {i}. Writing it down at last.", "testimony", "woman", None, False),
            (f"w{i}s", f"w{i}", 60 * i + 5, "a_kind", "I believe you. Sending love 100% of the way.", "solidarity", None, None, False),
            (f"w{i}d", f"w{i}", 60 * i + 8, f"a_d{i}", "Not all men are like that", "derailing", None, "not_all_men", False),
            (f"w{i}o", f"w{i}", 60 * i + 9, f"a_w{i}", "Thank you all for reading.", "other", None, None, False),
            (f"m{i}", None, 60 * i + 20, f"a_m{i}", f"As a guy, me too, story {i}.", "testimony", "man", None, False),
            (f"m{i}x", f"m{i}", 60 * i + 25, "a_troll", XSS[i], "silencing", None, None, i % 2 == 0),
            (f"m{i}k", f"m{i}x", 60 * i + 30, "a_kind", "That reply was cruel, and wrong.", "pushback", None, None, False),
        ]
    out.append((XSS_ID, "m0", 400, "<b>author</b>", "an id that looks like markup", "disbelief", None, None, False))
    out.append(("undated", None, None, "a_u", "no time on this one", "other", None, None, False))
    return out


def make_store(path: Path) -> Path:
    """A store at ``path`` holding :func:`rows` with post labels of model ``m1`` (written, then closed)."""
    data = rows()
    with Store.open(path) as store:
        store.con.executemany(
            "INSERT INTO posts (id, text, author, created_at, parent_id, thread_root, platform, source) VALUES (?, ?, ?, ?, ?, NULL, 't', 't')",
            [(r[0], r[4], r[3], None if r[2] is None else T0 + timedelta(minutes=r[2]), r[1]) for r in data],
        )
        store.con.execute("UPDATE posts SET thread_root = id WHERE parent_id IS NULL")
        store.resolve_thread_roots()
        store.con.executemany(
            "INSERT INTO post_labels VALUES (?, 'm1', ?, ?, ?, 'own', ?, ?, [], 0.9)",
            [(r[0], r[5], STANCE[r[5]], r[8], r[7], r[6]) for r in data],
        )
    return path


@contextmanager
def serving(app: object) -> Iterator[str]:
    """Run ``app`` on uvicorn on a free loopback port in a thread; yield its base URL."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", access_log=False, lifespan="on")  # type: ignore[arg-type]
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
