"""The hand-coding page (``heard code``): a Starlette sub-app of JSON endpoints and static files.

Routes (all relative, so the app can be mounted anywhere, e.g. ``/code`` in ``heard serve``):

* ``GET /`` — the page (``static/coding/index.html``; its script and styles are files, no inline code);
* ``GET /api/codebook`` — fields, values, one-key shortcuts and glosses;
* ``GET /api/next?coder=NAME`` — the coder's next post (text, parent, thread) and progress;
* ``POST /api/code`` ``{"coder", "post_id", "fields"}`` — save a code;
* ``POST /api/skip`` ``{"coder", "post_id"}`` and ``POST /api/undo`` ``{"coder"}``.

Every response carries a Content-Security-Policy allowing only this origin's script and
styles; the page inserts post text with ``textContent`` only. POSTs must be JSON, and a
request whose ``Origin`` is another site is refused, so another page cannot code for you.
Each request opens the store for writing and closes it, so ``heard estimate`` can read it
between codes; a lock held by another writer is answered 503 with the reason.

Example:
    >>> import uvicorn                                                     # doctest: +SKIP
    >>> uvicorn.run(coding_app(Path("corpus.duckdb")), host="127.0.0.1", port=8765)   # doctest: +SKIP
"""

from __future__ import annotations

import threading
import webbrowser
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from heard.coding.queue import CODEBOOK, KEYS, CodingSession, check_coder
from heard.errors import HeardError, InputError, StoreError
from heard.store import Store
from heard.web.problems import Problem, problem_response

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
       "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
"""Only this origin's files; no inline script or style, no framing."""

HEADERS = [(b"content-security-policy", CSP.encode()), (b"x-content-type-options", b"nosniff"),
           (b"referrer-policy", b"no-referrer"), (b"cache-control", b"no-store")]

STATIC = {"coding.js": "text/javascript", "coding.css": "text/css"}
"""The page's static files (besides index.html)."""

MAX_BODY = 64 * 1024


class _Headers:
    """Adds the security headers to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + HEADERS
            await send(message)

        await self.app(scope, receive, with_headers)


def _static(name: str) -> Path:
    """A file of the page."""
    return Path(str(resources.files("heard.web") / "static" / "coding" / name))


_TITLES = {400: "bad request", 403: "forbidden", 404: "not found", 413: "body too large",
           415: "unsupported media type", 503: "store busy"}


def _problem(status: int, detail: str) -> Response:
    """The API's one problem+json shape (:mod:`heard.web.problems`) for the coding page's errors."""
    return problem_response(Problem(status, _TITLES.get(status, "error"), detail, "reload the page and try again"))


def coding_app(db_path: Path, *, coder: str | None = None,
               open_store: Callable[[], AbstractContextManager[Store]] | None = None) -> Starlette:
    """The coding page over the store at ``db_path``.

    Args:
        db_path: an existing heard store.
        coder: a coder name to fill in on the page (each browser can change it).
        open_store: how to get a writable store per request (default: open ``db_path`` and close it
            after); ``heard serve`` can pass its own.

    Raises:
        StoreError: the store does not exist.
    """
    if not Path(db_path).is_file():
        raise StoreError(f"{db_path}: expected a heard store, found no such file. Fix: check the path, "
                         f"or create one with `heard ingest FILE --db {db_path}`")
    lock = threading.Lock()
    skipped: dict[str, list[str]] = {}
    front: dict[str, str] = {}

    @contextmanager
    def default_store() -> Iterator[Store]:
        with Store.open(db_path, create=False) as store:
            yield store

    opener = open_store or default_store

    @contextmanager
    def session() -> Iterator[CodingSession]:
        with lock, opener() as store:
            yield CodingSession(store, skipped, front)

    def guarded(handler: Callable[[Request, dict[str, Any]], Any]) -> Callable[[Request], Any]:
        async def run(request: Request) -> Response:
            if request.method == "POST":
                origin = request.headers.get("origin")
                if origin and urlsplit(origin).netloc != request.headers.get("host"):
                    return _problem(403, "expected a request from this page, found one from another site")
                if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
                    return _problem(415, "expected a JSON body (Content-Type: application/json)")
                body = await request.body()
                if len(body) > MAX_BODY:
                    return _problem(413, f"expected a body under {MAX_BODY} bytes")
            try:
                from starlette.concurrency import run_in_threadpool

                payload = await request.json() if request.method == "POST" else {}
                if not isinstance(payload, dict):
                    return _problem(400, "expected a JSON object")
                result = await run_in_threadpool(handler, request, payload)
            except ValueError:
                return _problem(400, "expected a JSON object, found invalid JSON")
            except StoreError as exc:
                return _problem(503, str(exc))
            except HeardError as exc:
                return _problem(400, str(exc))
            return result if isinstance(result, Response) else JSONResponse(result)

        return run

    def page(request: Request, _: dict[str, Any]) -> Response:
        if not request.url.path.endswith("/"):
            return RedirectResponse(request.url.path + "/")
        return FileResponse(_static("index.html"), media_type="text/html")

    def static(request: Request, _: dict[str, Any]) -> Response:
        name = request.path_params["name"]
        if name not in STATIC:
            return _problem(404, "no such file")
        return FileResponse(_static(name), media_type=STATIC[name])

    def codebook(request: Request, _: dict[str, Any]) -> dict[str, Any]:
        return {"fields": CODEBOOK, "keys": KEYS, "coder": coder}

    def next_post(request: Request, _: dict[str, Any]) -> dict[str, Any]:
        name = check_coder(request.query_params.get("coder"))
        with session() as s:
            return {"post": s.next_post(name), "progress": s.progress(name)}

    def save(request: Request, body: dict[str, Any]) -> dict[str, Any]:
        name = check_coder(body.get("coder"))
        fields = body.get("fields")
        if not isinstance(fields, dict) or not isinstance(body.get("post_id"), str):
            raise InputError("code", "expected post_id and a fields object", "found neither", "reload the page")
        with session() as s:
            return {"progress": s.save(name, body["post_id"], fields)}

    def skip(request: Request, body: dict[str, Any]) -> dict[str, Any]:
        name = check_coder(body.get("coder"))
        if not isinstance(body.get("post_id"), str):
            raise InputError("skip", "expected post_id", "found none", "reload the page")
        with session() as s:
            return {"progress": s.skip(name, body["post_id"])}

    def undo(request: Request, body: dict[str, Any]) -> dict[str, Any]:
        name = check_coder(body.get("coder"))
        with session() as s:
            return {"undone": s.undo(name)}

    routes = [
        Route("/", guarded(page)),
        Route("/static/{name}", guarded(static)),
        Route("/api/codebook", guarded(codebook)),
        Route("/api/next", guarded(next_post)),
        Route("/api/code", guarded(save), methods=["POST"]),
        Route("/api/skip", guarded(skip), methods=["POST"]),
        Route("/api/undo", guarded(undo), methods=["POST"]),
    ]
    return Starlette(routes=routes, middleware=[Middleware(_Headers)])


def serve_coding(db_path: Path, *, host: str = "127.0.0.1", port: int = 8765, coder: str | None = None,
                 open_browser: bool = True, say: Callable[[str], None] = print) -> None:
    """Serve the coding page with uvicorn until interrupted.

    Raises:
        StoreError: the store does not exist.
        ConfigError: the port is in use (checked before anything is printed).
    """
    import uvicorn

    from heard.web.app import check_port

    app = coding_app(Path(db_path), coder=coder)
    check_port(host, port)
    url = f"http://{host}:{port}/"
    say(f"coding page: {url}  (Ctrl+C stops; codes are saved as you go)")
    if host not in ("127.0.0.1", "localhost", "::1"):
        say(f"warning: bound to {host}, not the loopback: anyone who can reach this address can read the posts "
            "and add codes")
    if open_browser:
        threading.Timer(1.0, lambda: webbrowser.open(url)).start()
    uvicorn.run(app, host=host, port=port, log_level="warning")
