"""The ASGI app of ``heard serve``: the API, the dashboard, and one guard in front of both.

The guard (pure ASGI, in front of every route and mounted sub-app) does, in order:

1. **access log** — method, path (never the query string), status, milliseconds,
   on the ``heard.web.access`` logger; never a body;
2. **security headers** — a Content-Security-Policy that allows scripts and styles
   from this origin only (no inline script, no eval, no other host),
   ``X-Content-Type-Options: nosniff``, no framing, no referrer;
3. **auth** — with a token, every request but ``/healthz``, ``/login`` and ``/static/`` needs
   ``Authorization: Bearer TOKEN`` (or the cookie that ``/login`` sets for the dashboard);
4. **rate limit** — per client address, on ``/v1``: 429 with ``Retry-After``;
5. **body limit** — a body over ``Limits.max_body`` bytes: 413, read no further.

:func:`check_bind` refuses a non-loopback address without a token.

Example:
    >>> app = create_app("corpus.duckdb", token=None)                    # doctest: +SKIP
    >>> app = create_app("corpus.duckdb", mounts=[Mount("/code", coding_app("corpus.duckdb"))])  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import errno
import hmac
import ipaddress
import logging
import math
import socket
import time
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from heard.classify.classifier import Classifier
from heard.errors import ConfigError
from heard.web.api import api_routes, json_response
from heard.web.dashboard import dashboard_routes
from heard.web.limits import Limits, RateLimiter
from heard.web.openapi import openapi_document
from heard.web.problems import Problem, problem_bytes, problem_response
from heard.web.service import Service

access_log = logging.getLogger("heard.web.access")
log = logging.getLogger(__name__)

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "font-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
"""The Content-Security-Policy of every response: this origin only, no inline script, no eval."""

_SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
]
COOKIE = "heard_token"
_OPEN_PATHS = ("/healthz", "/login")
_OPEN_PREFIXES = ("/static/",)  # the dashboard's own JS and CSS: no data, needed by the login page


def is_loopback(host: str) -> bool:
    """``host`` is a loopback address or ``localhost``.

    Example:
        >>> is_loopback("127.0.0.1"), is_loopback("::1"), is_loopback("0.0.0.0")
        (True, True, False)
    """
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_bind(host: str, token: str | None) -> None:
    """Refuse to listen beyond this machine without a token.

    Raises:
        ConfigError: ``host`` is not loopback and ``token`` is empty, or the token is too short.

    Example:
        >>> check_bind("0.0.0.0", None)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        heard.errors.ConfigError: --host 0.0.0.0: expected --token (or HEARD_TOKEN) when binding beyond this machine, ...
    """
    if token is not None and len(token) < 16:
        raise ConfigError(f"--token: expected a secret of at least 16 characters, found {len(token)}. "
                          "Fix: use a long random one, for example `python -c 'import secrets; print(secrets.token_urlsafe(24))'`")
    if not is_loopback(host) and not token:
        raise ConfigError(f"--host {host}: expected --token (or HEARD_TOKEN) when binding beyond this machine, found none. "
                          "Fix: pass --token with a long random secret, or bind 127.0.0.1")


def check_port(host: str, port: int, flag: str = "--port") -> None:
    """Refuse, before the banner and the model, a port that another program is listening on.

    The port is bound once, as uvicorn binds it (``SO_REUSEADDR``, so a port left in TIME_WAIT is
    free), and let go at once.

    Raises:
        ConfigError: ``port`` is in use on ``host``, or ``host`` cannot be bound at all.

    Example:
        >>> check_port("127.0.0.1", 0)  # port 0: the system picks a free one
    """
    try:
        addresses = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except OSError as exc:
        raise ConfigError(f"--host {host}: expected an address this machine can listen on, found that it cannot "
                          f"({exc.strerror or exc}). Fix: pass --host 127.0.0.1 or an address of this machine") from None
    for family, kind, proto, _, address in addresses:  # uvicorn binds every address the host resolves to
        try:
            with socket.socket(family, kind, proto) as probe:
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise ConfigError(f"{flag} {port}: expected a free port on {host}, found port {port} in use (by another server, "
                                  f"or an earlier heard still running). Fix: pass {flag} {port + 1 if port < 65535 else 8000} "
                                  "or another free port, or stop the program using it") from None
            if exc.errno in (errno.EACCES, errno.EPERM):
                raise ConfigError(f"{flag} {port}: expected a port this user may listen on, found it refused "
                                  f"({exc.strerror or exc}; ports below 1024 need privileges). Fix: pass {flag} 8000 "
                                  "or another port above 1023") from None
            raise ConfigError(f"--host {host}: expected an address this machine can listen on, found that it cannot "
                              f"({exc.strerror or exc}). Fix: pass --host 127.0.0.1 or an address of this machine") from None


class Guard:
    """The ASGI middleware described in the module docs."""

    def __init__(self, app: ASGIApp, token: str | None, limits: Limits) -> None:
        self.app = app
        self.token = token
        self.limits = limits
        self.rates = RateLimiter(limits.rate, limits.burst)

    def _authorised(self, scope: Scope) -> bool:
        if not self.token or scope["path"] in _OPEN_PATHS or scope["path"].startswith(_OPEN_PREFIXES):
            return True
        headers = dict(scope.get("headers") or [])
        given = ""
        auth = headers.get(b"authorization", b"").decode("latin-1")
        if auth[:7].lower() == "bearer ":
            given = auth[7:].strip()
        else:
            for part in headers.get(b"cookie", b"").decode("latin-1").split(";"):
                name, _, value = part.strip().partition("=")
                if name == COOKIE:
                    given = value
        return hmac.compare_digest(given.encode("utf-8", "replace"), self.token.encode())

    def _refusal(self, scope: Scope) -> Problem | None:
        if not self._authorised(scope):
            return Problem(401, "unauthorised", "expected an Authorization: Bearer header with the server's token, found none or another",
                           "send Authorization: Bearer TOKEN (the dashboard: open /login)", {"WWW-Authenticate": "Bearer"})
        if scope["path"].startswith("/v1/"):
            client = (scope.get("client") or ("unknown", 0))[0]
            wait = self.rates.take(str(client))
            if wait > 0:
                return Problem(429, "too many requests", f"expected at most {self.limits.rate:g} requests a second from one client, found more",
                               "wait the seconds in Retry-After, or send posts in batches", {"Retry-After": str(max(1, math.ceil(wait)))})
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.limits.max_body:
            return _too_large(self.limits.max_body)
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_secured(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                names = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in _SECURITY_HEADERS if k not in names]
                if scope["path"].startswith("/v1/"):
                    extra.append((b"cache-control", b"no-store"))
                message = {**message, "headers": list(message.get("headers", [])) + extra}
            await send(message)

        try:
            problem = self._refusal(scope)
            if problem is None and scope["method"] in ("POST", "PUT", "PATCH"):
                body, too_large = await _read_body(receive, self.limits.max_body)
                if too_large:
                    problem = _too_large(self.limits.max_body)
                else:
                    receive = _replay(body)
            if problem is not None:
                code, headers, payload = problem_bytes(problem)
                await send_secured({"type": "http.response.start", "status": code, "headers": headers})
                await send_secured({"type": "http.response.body", "body": payload})
                return
            await self.app(scope, receive, send_secured)
        finally:
            access_log.info("%s %s %d %.1fms", scope["method"], scope["path"], status, (time.perf_counter() - started) * 1000)


def _too_large(limit: int) -> Problem:
    return Problem(413, "request too large", f"expected a body of at most {limit:,} bytes, found more",
                   "send fewer or shorter posts per request")


async def _read_body(receive: Receive, limit: int) -> tuple[bytes, bool]:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return b"", True
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks), False


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive


async def _problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Problem)
    return problem_response(exc)


async def _http_error(request: Request, exc: Exception) -> Response:
    from starlette.exceptions import HTTPException

    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        problem = Problem(404, "not found", "expected a path of this API or the dashboard, found none here", "see /openapi.json for the paths")
    elif exc.status_code == 405:
        problem = Problem(405, "method not allowed", "expected another method for this path", "see /openapi.json for the methods",
                          dict(exc.headers or {}))
    else:
        problem = Problem(exc.status_code, "request refused", str(exc.detail), "see /openapi.json")
    return problem_response(problem)


async def _crash(request: Request, exc: Exception) -> Response:
    log.error("internal error on %s %s: %s", request.method, request.url.path, type(exc).__name__)
    return problem_response(Problem(500, "internal error", "expected to answer, found a bug in heard", "report it with the method and path"))


def create_app(db_path: str | Path, *, token: str | None = None, model: str | None = None, classifier: Classifier | None = None,
               limits: Limits | None = None, mounts: Sequence[BaseRoute] = (), preload: bool = True,
               coding: bool = False) -> Starlette:
    """The app over the store at ``db_path`` (opened read-only now, closed at shutdown).

    Args:
        db_path: an existing heard store.
        token: when set, every request but ``/healthz`` needs it (see :class:`Guard`).
        model: label model to show; default: the one that labelled most posts.
        classifier: default: heard's bundled classifier.
        limits: the server's limits.
        mounts: more routes or sub-apps (``Mount("/code", app)``), behind the same guard.
        preload: load the classifier at startup, so the first classification is not slow.
        coding: also serve the coding page (:func:`heard.web.coding.coding_app`) at ``/code/``;
            the store is then opened for writing, and codes are all the server writes.

    Raises:
        StoreError: the store is missing, locked by a writer, or ``model`` has no labels in it.
    """
    limits = limits or Limits()
    service = Service.open(db_path, model, classifier, writable=coding)
    if coding:
        from heard.web.coding import coding_app

        mounts = [*mounts, Mount("/code", coding_app(Path(db_path), open_store=service.writer))]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if preload:
            from starlette.concurrency import run_in_threadpool

            await run_in_threadpool(service.classifier)
        try:
            yield
        finally:
            service.close()

    async def openapi(request: Request) -> Response:
        return json_response(openapi_document())

    routes: list[BaseRoute] = [*api_routes(service, limits), Route("/openapi.json", openapi, methods=["GET"]), *mounts,
                               *dashboard_routes(token is not None)]
    handlers: dict[Any, Any] = {Problem: _problem, 404: _http_error, 405: _http_error, Exception: _crash}
    app = Starlette(routes=routes, exception_handlers=handlers, lifespan=lifespan)
    app.add_middleware(Guard, token=token, limits=limits)
    app.state.service = service
    return app
