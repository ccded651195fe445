"""The dashboard: one page (``/``) and its own static files, same origin, nothing from the network.

The page is a shell (``static/index.html``): the content warning comes
first, then a script from ``/static/`` (no inline script; the CSP forbids
it) draws the overview, the posts table, a post and a thread from the
``/v1`` API. The script writes every text with ``textContent``, never as
HTML. heard's report stylesheet is served as ``/static/heard.css``, so the
dashboard looks like the report.

With a token, ``/login`` shows a form that sets an HttpOnly, SameSite=Strict
cookie, so a browser can use the dashboard without sending headers by hand.

Example:
    >>> [r.path for r in dashboard_routes(False)]
    ['/', '/static']
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

STATIC = Path(str(resources.files("heard.web") / "static"))
_REPORT_CSS = Path(str(resources.files("heard.report") / "templates" / "heard.css"))


async def index(request: Request) -> Response:
    """The dashboard shell."""
    return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8")


async def report_css(request: Request) -> Response:
    """heard's report stylesheet."""
    return FileResponse(_REPORT_CSS, media_type="text/css; charset=utf-8")


async def login_form(request: Request) -> Response:
    """The token form."""
    return FileResponse(STATIC / "login.html", media_type="text/html; charset=utf-8")


async def login(request: Request) -> Response:
    """Set the token cookie from the form (checked on the next request, like a header)."""
    from urllib.parse import parse_qs

    from heard.web.app import COOKIE

    body = (await request.body())[:4096].decode("utf-8", "replace")
    token = (parse_qs(body).get("token") or [""])[0].strip()
    response = RedirectResponse("/", status_code=303)
    if token.isascii() and token.isprintable() and ";" not in token:
        response.set_cookie(COOKIE, token, httponly=True, samesite="strict", secure=request.url.scheme == "https", path="/")
    return response


def dashboard_routes(with_login: bool) -> list[BaseRoute]:
    """The page, its static files, and (with a token) the login form."""
    routes: list[BaseRoute] = [
        Route("/", index, methods=["GET"]),
        Mount("/static", routes=[Route("/heard.css", report_css, methods=["GET"]), Mount("/", StaticFiles(directory=STATIC))]),
    ]
    if with_login:
        routes += [Route("/login", login_form, methods=["GET"]), Route("/login", login, methods=["POST"])]
    return routes
