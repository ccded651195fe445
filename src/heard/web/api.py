"""The ``/v1`` handlers: classify, posts, one post, one thread, the report's numbers, activity.

Each handler checks its input (a :class:`~heard.web.problems.Problem` names
what was wrong and how to fix it), calls one library function in a worker
thread, and shapes the JSON. Classification is one request at a time (the
encoder already uses every core); at most ``Limits.max_waiting`` requests
wait for it, later ones get 429 with ``Retry-After``.

Example:
    >>> routes = api_routes(service, Limits())                   # doctest: +SKIP
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import anyio
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from heard.errors import HeardError
from heard.records import ACTS, DISCLOSERS, FRAMES, STANCES
from heard.store import reads
from heard.store.reads import PostFilter, PostKey, PostRecord
from heard.threads.tree import reply_tree
from heard.web.limits import Limits
from heard.web.problems import Problem
from heard.web.service import Service

T = TypeVar("T")
_SURROGATE = re.compile("[\ud800-\udfff]")
_MAX_ID = 1_000
_MAX_Q = 200
_FILTERS = {"act": ACTS, "stance": STANCES, "frame": FRAMES, "discloser": DISCLOSERS}
_QUERY_KEYS = frozenset({"act", "stance", "abusive", "frame", "discloser", "since", "until", "thread", "q", "limit", "cursor"})


def json_response(data: object, status: int = 200) -> Response:
    """``data`` as JSON (non-ASCII kept; post text never contains lone surrogates, the input checks refuse them)."""
    return Response(json.dumps(data, ensure_ascii=False, allow_nan=False).encode("utf-8"), status_code=status,
                    media_type="application/json")


# -- input checks --------------------------------------------------------------------------------------------------
def _bad(detail: str, fix: str, status: int = 422, title: str = "invalid request") -> Problem:
    return Problem(status, title, detail, fix)


def _flag(request: Request, name: str) -> bool:
    value = request.query_params.get(name)
    if value is None:
        return False
    if value.lower() in ("true", "1"):
        return True
    if value.lower() in ("false", "0"):
        return False
    raise _bad(f"expected {name}=true or {name}=false, found {name}={_shown(value)}", f"pass {name}=true or leave it out")


def _shown(value: str, limit: int = 40) -> str:
    """A query value for an error message: short values as given, long ones by length (they may be text)."""
    return repr(value) if len(value) <= limit else f"a value of {len(value)} characters"


def _clean(value: str, name: str, limit: int) -> str:
    if len(value) > limit:
        raise _bad(f"expected {name} of at most {limit} characters, found {len(value):,}", f"shorten {name}")
    if _SURROGATE.search(value):
        raise _bad(f"expected {name} as text, found a lone surrogate (half of an emoji, cut off?)", f"send whole characters in {name}")
    return value


def _time(value: str, name: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise _bad(f"expected {name} as an ISO 8601 time such as 2026-03-02T08:00:00Z, found {_shown(value)}",
                   f"write {name} as YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ") from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def encode_cursor(post: PostRecord) -> str:
    """The opaque cursor that continues after ``post``."""
    raw = json.dumps([post.created_at.isoformat() if post.created_at else None, post.id], ensure_ascii=False)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> PostKey:
    """The page end a cursor names (a :class:`Problem` when it is not one of ours)."""
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode())
        when, post_id = raw
        if not isinstance(post_id, str) or not (when is None or isinstance(when, str)):
            raise ValueError("bad cursor")
        return PostKey(datetime.fromisoformat(when) if when else None, _clean(post_id, "cursor", _MAX_ID))
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError, RecursionError):
        raise _bad("expected a cursor from a previous page's 'next', found something else",
                   "pass the 'next' value of the previous response, or leave cursor out for the first page", 400) from None


def post_filter(request: Request) -> PostFilter:
    """The filters of ``GET /v1/posts`` from the query string."""
    params = request.query_params
    unknown = sorted(set(params.keys()) - _QUERY_KEYS)
    if unknown:
        raise _bad(f"expected query parameters among {', '.join(sorted(_QUERY_KEYS))}, found {_shown(unknown[0])}",
                   "remove or rename it", 400)
    values: dict[str, Any] = {}
    for name, allowed in _FILTERS.items():
        value = params.get(name)
        if value is not None:
            if value not in allowed:
                raise _bad(f"expected {name} among {', '.join(allowed)}, found {_shown(value)}", f"use one of the codebook's {name} values")
            values[name] = value
    if "abusive" in params:
        values["abusive"] = _flag(request, "abusive")
    for name in ("since", "until"):
        if name in params:
            values[name] = _time(params[name], name)
    if "thread" in params:
        values["thread"] = _clean(params["thread"], "thread", _MAX_ID)
    if params.get("q"):
        values["q"] = _clean(params["q"], "q", _MAX_Q)
    return PostFilter(**values)


def _limit(request: Request, limits: Limits) -> int:
    value = request.query_params.get("limit", "50")
    if not value.isdigit() or not 1 <= int(value) <= limits.max_page:
        raise _bad(f"expected limit between 1 and {limits.max_page}, found {_shown(value)}", f"pass limit=1 … {limits.max_page}")
    return int(value)


# -- shaping ------------------------------------------------------------------------------------------------------
def post_json(post: PostRecord) -> dict[str, object]:
    """A stored post as the API shows it: fields, then its label (``null`` when unlabelled)."""
    label = None if post.act is None else {
        "act": post.act, "stance": post.stance, "abusive": post.abusive, "frame": post.frame,
        "discloser": post.discloser, "centres": list(post.centres), "score": round(post.score or 0.0, 4),
    }
    return {
        "id": post.id, "text": post.text, "author": post.author,
        "created_at": post.created_at.isoformat() + "Z" if post.created_at else None,
        "parent_id": post.parent_id, "thread_root": post.thread_root, "platform": post.platform, "label": label,
    }


# -- handlers -----------------------------------------------------------------------------------------------------
class Api:
    """The ``/v1`` handlers over one :class:`Service`."""

    def __init__(self, service: Service, limits: Limits) -> None:
        self.service = service
        self.limits = limits
        self._classifying = anyio.CapacityLimiter(1)
        self._waiting = 0

    async def _read(self, fn: Callable[..., T], *args: Any) -> T:
        try:
            return await run_in_threadpool(fn, *args)
        except HeardError as exc:
            raise Problem(503, "store unavailable", str(exc), "check the store with `heard query --db STORE`") from None

    def _model(self) -> str:
        if self.service.model is None:
            raise Problem(409, "no labels", "expected post labels in the store, found none",
                          "run `heard label --db STORE`, then restart heard serve")
        return self.service.model

    async def classify(self, request: Request) -> Response:
        """``POST /v1/classify``: the classify contract per post, same order."""
        explain = _flag(request, "explain")
        unknown = sorted(set(request.query_params.keys()) - {"explain"})
        if unknown:
            raise _bad(f"expected no query parameter but explain, found {_shown(unknown[0])}", "remove it", 400)
        ids, texts = self._posts(await request.body(), explain)
        if self._waiting >= self.limits.max_waiting:
            raise Problem(429, "classifier busy", f"expected at most {self.limits.max_waiting} waiting classification requests, found more",
                          "retry after the number of seconds in Retry-After, or send posts in batches", {"Retry-After": "1"})
        self._waiting += 1
        try:
            async with self._classifying:
                classifier = await run_in_threadpool(self.service.classifier)
                if explain:
                    results = await run_in_threadpool(lambda: [classifier.explain(t).to_dict() for t in texts])
                    rows = [{"id": i, **r["label"], "explanation": {k: v for k, v in r.items() if k != "label"}}  # type: ignore[dict-item]
                            for i, r in zip(ids, results)]
                else:
                    labels = await run_in_threadpool(classifier.label_posts, texts)
                    rows = [{"id": i, **label.to_dict()} for i, label in zip(ids, labels)]
        finally:
            self._waiting -= 1
        return json_response({"model": classifier.version, "labels": rows})

    def _posts(self, body: bytes, explain: bool) -> tuple[list[object], list[str]]:
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):
            raise _bad("expected a JSON body {\"posts\": [{\"id\": ..., \"text\": ...}]}, found a body that is not JSON",
                       "send JSON with Content-Type: application/json", 400, "invalid JSON") from None
        if not isinstance(data, dict) or not isinstance(data.get("posts"), list):
            raise _bad("expected an object with a 'posts' list, found " + ("no 'posts' list" if isinstance(data, dict) else f"a JSON {type(data).__name__}"),
                       'send {"posts": [{"id": "1", "text": "..."}]}')
        posts = data["posts"]
        most = self.limits.max_explain if explain else self.limits.max_posts
        if not posts:
            raise _bad("expected 1 or more posts, found none", "send at least one post")
        if len(posts) > most:
            raise Problem(413, "too many posts", f"expected at most {most:,} posts per request{' with explain=true' if explain else ''}, found {len(posts):,}",
                          f"split the posts into batches of {most:,}")
        ids: list[object] = []
        texts: list[str] = []
        for n, post in enumerate(posts):
            where = f"posts[{n}]"
            if not isinstance(post, dict):
                raise _bad(f"expected {where} to be an object with id and text, found a JSON {type(post).__name__}", 'write it as {"id": "1", "text": "..."}')
            post_id, text, context = post.get("id"), post.get("text"), post.get("context")
            if isinstance(post_id, float) and post_id.is_integer():  # JSON has one number type: 7.0 is the integer 7
                post_id = int(post_id)
            if not isinstance(post_id, str | int) or isinstance(post_id, bool):
                found = type(post_id).__name__ if "id" in post else "none"
                raise _bad(f"expected {where}.id to be a string or an integer, found {found}", "give every post an id")
            if not isinstance(text, str):
                found = type(text).__name__ if "text" in post else "none"
                raise _bad(f"expected {where}.text to be a string, found {found}", "give every post a text (an empty one is fine)")
            if context is not None and not isinstance(context, str):
                raise _bad(f"expected {where}.context to be a string or null, found {type(context).__name__}",
                           "send the parent's text as a string, or leave context out")
            if isinstance(post_id, str):
                _clean(post_id, f"{where}.id", _MAX_ID)
            elif abs(post_id) >= 2**63:
                raise _bad(f"expected {where}.id to be an integer of at most 64 bits, found a larger one", "send the id as a string")
            if len(text) > self.limits.max_text:
                raise Problem(413, "text too long", f"expected {where}.text of at most {self.limits.max_text:,} characters, found {len(text):,}",
                              "split the text into several posts, or ingest it with `heard ingest`")
            if _SURROGATE.search(text):
                raise _bad(f"expected {where}.text as text, found a lone surrogate (half of an emoji, cut off?)", "send whole characters")
            ids.append(post_id)
            texts.append(text)
        return ids, texts

    async def posts(self, request: Request) -> Response:
        """``GET /v1/posts``: filtered posts, one page in time order, with the cursor of the next."""
        where = post_filter(request)
        limit = _limit(request, self.limits)
        after = decode_cursor(request.query_params["cursor"]) if "cursor" in request.query_params else None
        model = self._model()
        page = await self._read(lambda: reads.find_posts(self.service.reader(), model, where, after=after, limit=limit + 1))
        more = len(page) > limit
        page = page[:limit]
        return json_response({"model": model, "posts": [post_json(p) for p in page],
                              "next": encode_cursor(page[-1]) if more and page else None})

    async def post(self, request: Request) -> Response:
        """``GET /v1/posts/{id}``: one post; ``?explain=true`` adds the cues and nearest training units."""
        post_id = _clean(request.path_params["id"], "the post id", _MAX_ID)
        explain = _flag(request, "explain")
        model = self._model()
        found = await self._read(lambda: reads.post_record(self.service.reader(), model, post_id))
        if found is None:
            raise Problem(404, "post not found", "expected the id of a stored post, found no post with this id",
                          "list posts with GET /v1/posts to find ids")
        body = post_json(found)
        if explain:
            async with self._classifying:
                explanation = await run_in_threadpool(lambda: self.service.classifier().explain(found.text).to_dict())
            body["explanation"] = {k: v for k, v in explanation.items() if k != "label"}
        return json_response(body)

    async def thread(self, request: Request) -> Response:
        """``GET /v1/threads/{id}``: the reply tree that holds a post, with labels and each testimony's reception."""
        post_id = _clean(request.path_params["id"], "the thread id", _MAX_ID)
        model = self._model()

        def read() -> tuple[str | None, list[PostRecord], int]:
            store = self.service.reader()
            root = reads.thread_root_of(store, post_id)
            if root is None:
                return None, [], 0
            posts, total = reads.thread_records(store, model, root)
            return root, posts, total

        root, posts, total = await self._read(read)
        if root is None:
            raise Problem(404, "thread not found", "expected the id of a stored post, found no post with this id",
                          "pass a post id from GET /v1/posts")
        tree = reply_tree(posts, root)
        return json_response({
            "model": model, "root": root, "total": total, "truncated": total > len(posts),
            "posts": [post_json(p) | {"children": tree.children.get(p.id, [])} for p in posts],
            "reception": {k: v.to_dict() for k, v in tree.reception.items()},
        })

    async def report(self, request: Request) -> Response:
        """``GET /v1/report``: the numbers of ``heard report --format json``."""
        self._model()
        return json_response(await self._read(self.service.report))

    async def activity(self, request: Request) -> Response:
        """``GET /v1/activity``: posts written and threads started per time bin (the report's bin, rounded to hour/day/week/month)."""
        self._model()
        numbers = await self._read(self.service.report)
        unit = _calendar_unit(str(numbers["timeline"]["unit"]))
        rows = await self._read(lambda: reads.activity(self.service.reader(), unit))
        return json_response({"unit": unit, "bins": [{"start": r.start.isoformat() + "Z", "posts": r.posts, "threads": r.threads} for r in rows]})

    async def health(self, request: Request) -> Response:
        """``GET /healthz``: the server answers and the store is readable."""
        count = await self._read(lambda: self.service.reader().count("posts"))
        return json_response({"status": "ok", "posts": count, "model": self.service.model})


def _calendar_unit(unit: str) -> str:
    if unit.endswith("hours") or unit == "hour":
        return "hour"
    return {"day": "day", "week": "week"}.get(unit, "month")


def api_routes(service: Service, limits: Limits) -> list[Route]:
    """The ``/v1`` routes and ``/healthz``."""
    api = Api(service, limits)
    return [
        Route("/v1/classify", api.classify, methods=["POST"]),
        Route("/v1/posts", api.posts, methods=["GET"]),
        Route("/v1/posts/{id:path}", api.post, methods=["GET"]),
        Route("/v1/threads/{id:path}", api.thread, methods=["GET"]),
        Route("/v1/report", api.report, methods=["GET"]),
        Route("/v1/activity", api.activity, methods=["GET"]),
        Route("/healthz", api.health, methods=["GET"]),
    ]
