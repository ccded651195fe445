"""The OpenAPI 3.1 document of the ``/v1`` API, served at ``/openapi.json``, with examples.

Written by hand next to the handlers (no model layer): the tests fuzz the
running server against it (schemathesis), so a handler that answers outside
it fails there.

Example:
    >>> sorted(openapi_document()["paths"])[:2]
    ['/healthz', '/v1/activity']
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from heard.records import ACTS, CENTRES, DISCLOSERS, FRAMES, STANCES, VOICES

_NULLABLE_STR = {"type": ["string", "null"]}


def _problem(description: str, *, retry: bool = False, auth: bool = False) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": description,
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
    headers: dict[str, Any] = {}
    if retry:
        headers["Retry-After"] = {"description": "seconds to wait", "schema": {"type": "string"}}
    if auth:
        headers["WWW-Authenticate"] = {"description": "Bearer", "schema": {"type": "string"}}
    if headers:
        response["headers"] = headers
    return response


def _common(*extra: int) -> dict[str, Any]:
    out: dict[str, Any] = {
        "401": _problem("a token is set and the request has none or another", auth=True),
        "429": _problem("too many requests from this client, or the classifier is busy", retry=True),
        "503": _problem("the store cannot be read"),
    }
    for code in extra:
        out[str(code)] = _problem({400: "a malformed query or body", 404: "no such post", 409: "the store has no labels yet",
                                   413: "the body, the batch or a text is too large", 422: "a value is out of range"}[code])
    return out


def _ok(ref: str, example: Any | None = None) -> dict[str, Any]:
    content: dict[str, Any] = {"schema": {"$ref": f"#/components/schemas/{ref}"}}
    if example is not None:
        content["example"] = example
    return {"200": {"description": "OK", "content": {"application/json": content}}}


_LABEL_EXAMPLE = {"act": "derailing", "stance": "oppose", "abusive": False, "voice": "own", "frame": "not_all_men",
                  "discloser": None, "centres": ["men"], "scores": {a: (0.81 if a == "derailing" else 0.03) for a in ACTS}}
_POST_EXAMPLE = {"id": "forum:812", "text": "I believe you. Thank you for saying it.", "author": "u:3f9a0c1e",
                 "created_at": "2026-03-02T08:05:00Z", "parent_id": "forum:800", "thread_root": "forum:800", "platform": "forum",
                 "label": {"act": "solidarity", "stance": "support", "abusive": False, "frame": None, "discloser": None,
                           "centres": ["survivor"], "score": 0.91}}


def _query(name: str, schema: dict[str, Any], description: str, example: Any = None) -> dict[str, Any]:
    param: dict[str, Any] = {"name": name, "in": "query", "required": False, "schema": schema, "description": description}
    if example is not None:
        param["example"] = example
    return param


@lru_cache(maxsize=1)
def openapi_document() -> dict[str, Any]:
    """The OpenAPI document (the same dict every call)."""
    label_fields = {
        "act": {"enum": list(ACTS)}, "stance": {"enum": list(STANCES)}, "abusive": {"type": "boolean"},
        "frame": {"enum": [*FRAMES, None]}, "discloser": {"enum": [*DISCLOSERS, None]},
        "centres": {"type": "array", "items": {"enum": list(CENTRES)}},
    }
    schemas: dict[str, Any] = {
        "Problem": {
            "type": "object", "required": ["title", "status", "detail", "fix"],
            "properties": {"type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
                           "detail": {"type": "string"}, "fix": {"type": "string"}},
        },
        "ClassifyRequest": {
            "type": "object", "required": ["posts"],
            "properties": {"posts": {"type": "array", "minItems": 1, "maxItems": 1000, "items": {
                "type": "object", "required": ["id", "text"],
                "properties": {
                    "id": {"oneOf": [{"type": "string", "maxLength": 1000}, {"type": "integer", "minimum": -(2**63) + 1, "maximum": 2**63 - 1}]},
                    "text": {"type": "string", "maxLength": 100_000},
                    "context": {"type": ["string", "null"], "description": "the parent post's text; accepted and not used yet"},
                },
            }}},
            "example": {"posts": [{"id": "1", "text": "Me too. I was fourteen and told no one."},
                                  {"id": "2", "text": "Not all men are like that.", "context": "Me too. I was fourteen."}]},
        },
        "Label": {
            "type": "object", "required": ["id", "act", "stance", "abusive", "voice", "frame", "discloser", "centres", "scores"],
            "properties": {"id": {"type": ["string", "integer"]}, **label_fields, "voice": {"enum": list(VOICES)},
                           "scores": {"type": "object", "additionalProperties": {"type": "number"}},
                           "explanation": {"$ref": "#/components/schemas/Explanation"}},
        },
        "Explanation": {
            "type": "object", "required": ["cues", "cue_weights", "neighbours"],
            "properties": {
                "cues": {"type": "array", "items": {"type": "string"}},
                "cue_weights": {"type": "object", "additionalProperties": {"type": "number"}},
                "neighbours": {"type": "array", "items": {"type": "object", "properties": {
                    "similarity": {"type": "number"}, "text": {"type": "string"}, "act": {"type": "string"},
                    "stance": {"type": "string"}, "abusive": {"type": "boolean"}}}},
            },
        },
        "ClassifyResponse": {
            "type": "object", "required": ["model", "labels"],
            "properties": {"model": {"type": "string"}, "labels": {"type": "array", "items": {"$ref": "#/components/schemas/Label"}}},
        },
        "PostLabel": {
            "type": ["object", "null"], "required": ["act", "stance", "abusive", "frame", "discloser", "centres", "score"],
            "properties": {**label_fields, "score": {"type": "number"}},
        },
        "Post": {
            "type": "object", "required": ["id", "text", "author", "created_at", "parent_id", "thread_root", "platform", "label"],
            "properties": {"id": {"type": "string"}, "text": {"type": "string"}, "author": _NULLABLE_STR,
                           "created_at": {"type": ["string", "null"], "format": "date-time"}, "parent_id": _NULLABLE_STR,
                           "thread_root": _NULLABLE_STR, "platform": {"type": "string"},
                           "label": {"$ref": "#/components/schemas/PostLabel"},
                           "explanation": {"$ref": "#/components/schemas/Explanation"}},
        },
        "PostPage": {
            "type": "object", "required": ["model", "posts", "next"],
            "properties": {"model": {"type": "string"}, "posts": {"type": "array", "items": {"$ref": "#/components/schemas/Post"}},
                           "next": {"type": ["string", "null"], "description": "pass as cursor for the next page; null on the last"}},
        },
        "Reception": {
            "type": "object", "required": ["replies", "own_replies", "acts", "supportive", "hostile", "abusive"],
            "properties": {"replies": {"type": "integer"}, "own_replies": {"type": "integer"},
                           "acts": {"type": "object", "additionalProperties": {"type": "integer"}},
                           "supportive": {"type": "integer"}, "hostile": {"type": "integer"}, "abusive": {"type": "integer"}},
        },
        "Thread": {
            "type": "object", "required": ["model", "root", "total", "truncated", "posts", "reception"],
            "properties": {
                "model": {"type": "string"}, "root": {"type": "string"}, "total": {"type": "integer"}, "truncated": {"type": "boolean"},
                "posts": {"type": "array", "items": {"allOf": [{"$ref": "#/components/schemas/Post"}, {
                    "type": "object", "required": ["children"], "properties": {"children": {"type": "array", "items": {"type": "string"}}}}]}},
                "reception": {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/Reception"},
                              "description": "how the direct replies by others treated each testimony, by post id"},
            },
        },
        "Report": {"type": "object", "required": ["schema", "model", "corpus", "claims"],
                   "description": "the numbers of `heard report --format json`"},
        "Activity": {
            "type": "object", "required": ["unit", "bins"],
            "properties": {"unit": {"enum": ["hour", "day", "week", "month"]}, "bins": {"type": "array", "items": {
                "type": "object", "required": ["start", "posts", "threads"],
                "properties": {"start": {"type": "string"}, "posts": {"type": "integer"}, "threads": {"type": "integer"}}}}},
        },
        "Health": {"type": "object", "required": ["status", "posts", "model"],
                   "properties": {"status": {"const": "ok"}, "posts": {"type": "integer"}, "model": _NULLABLE_STR}},
    }
    post_id = {"name": "id", "in": "path", "required": True, "schema": {"type": "string", "minLength": 1, "maxLength": 1000},
               "example": "forum:800"}
    explain = _query("explain", {"type": "boolean", "default": False}, "add the cues and the nearest training units", True)
    filters = [
        _query("act", {"enum": list(ACTS)}, "the post's act", "testimony"),
        _query("stance", {"enum": list(STANCES)}, "the post's stance"),
        _query("abusive", {"type": "boolean"}, "abusive posts only (true) or none (false)"),
        _query("frame", {"enum": list(FRAMES)}, "the derailing frame"),
        _query("discloser", {"enum": list(DISCLOSERS)}, "who disclosed (testimonies)"),
        _query("since", {"type": "string", "format": "date-time"}, "created at or after (UTC)", "2026-03-01T00:00:00Z"),
        _query("until", {"type": "string", "format": "date-time"}, "created before (UTC)"),
        _query("thread", {"type": "string", "maxLength": 1000}, "the thread root's id (posts whose thread ingest resolved)"),
        _query("q", {"type": "string", "maxLength": 200}, "a case-insensitive substring of the text", "believe"),
        _query("limit", {"type": "integer", "minimum": 1, "maximum": 500, "default": 50}, "posts per page"),
        _query("cursor", {"type": "string", "pattern": "^[A-Za-z0-9_-]+$"}, "the previous page's next"),
    ]
    return {
        "openapi": "3.1.0",
        "info": {"title": "heard", "version": "1",
                 "description": "A local moderation API and the numbers of one heard store. Nothing leaves this machine; "
                                "the store is read-only while served. Errors are application/problem+json."},
        "components": {"schemas": schemas, "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "security": [{}, {"bearer": []}],
        "paths": {
            "/v1/classify": {"post": {
                "summary": "Label 1 to 1,000 posts, same order: the `heard classify` contract per post",
                "parameters": [explain],
                "requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ClassifyRequest"}}}},
                "responses": {**_ok("ClassifyResponse", {"model": "heads@1a2b+heard-minilm@3c4d", "labels": [{"id": "2", **_LABEL_EXAMPLE}]}),
                              **_common(400, 413, 422)},
            }},
            "/v1/posts": {"get": {
                "summary": "Stored posts with their labels, filtered, earliest first, one page at a time",
                "parameters": filters,
                "responses": {**_ok("PostPage", {"model": "heads@1a2b+heard-minilm@3c4d", "posts": [_POST_EXAMPLE], "next": None}),
                              **_common(400, 409, 422)},
            }},
            "/v1/posts/{id}": {"get": {
                "summary": "One stored post with its label; explain=true adds why",
                "parameters": [post_id, explain],
                "responses": {**_ok("Post", _POST_EXAMPLE), **_common(404, 409, 422)},
            }},
            "/v1/threads/{id}": {"get": {
                "summary": "The reply tree holding a post (id: any post of the thread), labels, and each testimony's reception",
                "parameters": [post_id],
                "responses": {**_ok("Thread"), **_common(404, 409, 422)},
            }},
            "/v1/report": {"get": {"summary": "The numbers of `heard report --format json`",
                                   "responses": {**_ok("Report"), **_common(409)}}},
            "/v1/activity": {"get": {"summary": "Posts written and threads started per time bin",
                                     "responses": {**_ok("Activity", {"unit": "day", "bins": [{"start": "2026-03-02T00:00:00Z", "posts": 40, "threads": 6}]}),
                                                   **_common(409)}}},
            "/healthz": {"get": {"summary": "The server answers and the store is readable", "security": [{}],
                                 "responses": {**_ok("Health", {"status": "ok", "posts": 420, "model": "heads@1a2b+heard-minilm@3c4d"}),
                                               "503": _problem("the store cannot be read")}}},
        },
    }
