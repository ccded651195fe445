"""Errors as ``application/problem+json`` (RFC 9457): what was wrong and how to fix it.

Every error the API answers is a :class:`Problem`: a status, a short title,
a ``detail`` saying what was expected and what was found (never post text),
and a ``fix``. Handlers raise it; :func:`problem_response` renders it.

Example:
    >>> p = Problem(404, "post not found", "expected a stored post id, found none with this id", "check the id")
    >>> problem_response(p).headers["content-type"]
    'application/problem+json'
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from starlette.responses import Response

PROBLEM_TYPE = "application/problem+json"


class Problem(Exception):
    """An HTTP error with a problem+json body.

    Args:
        status: the HTTP status.
        title: a short summary of the kind of problem.
        detail: what was expected and what was found.
        fix: how the caller can fix it.
        headers: extra response headers (``Retry-After``, ``WWW-Authenticate``).
    """

    def __init__(self, status: int, title: str, detail: str, fix: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(f"{status} {title}: {detail}")
        self.status = status
        self.title = title
        self.detail = detail
        self.fix = fix
        self.headers = dict(headers or {})

    def to_dict(self) -> dict[str, object]:
        """The problem+json body."""
        return {"type": "about:blank", "title": self.title, "status": self.status, "detail": self.detail, "fix": self.fix}


def problem_response(problem: Problem) -> Response:
    """``problem`` as a response with its status, headers and problem+json body."""
    body = json.dumps(problem.to_dict(), ensure_ascii=True).encode()
    return Response(body, status_code=problem.status, headers=problem.headers, media_type=PROBLEM_TYPE)


def problem_bytes(problem: Problem) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """Status, raw headers and body of ``problem``, for ASGI middleware that answers without a handler."""
    body = json.dumps(problem.to_dict(), ensure_ascii=True).encode()
    headers = [(b"content-type", PROBLEM_TYPE.encode()), (b"content-length", str(len(body)).encode())]
    headers += [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in problem.headers.items()]
    return problem.status, headers, body
