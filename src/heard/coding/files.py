"""Codes from and to other tools: heard's ``dev.jsonl`` format and Label Studio's JSON export.

``dev.jsonl``: one object per line with ``id`` (the post's id; ``text`` may
come too) and any of the codebook fields ``act, stance, abusive, voice, frame,
discloser, centres``. Label Studio: the JSON export (a list of tasks), each
task's ``data`` holding ``id`` and/or ``text`` and each annotation's results
naming a codebook field in ``from_name`` (``choices``: ``{"choices": [...]}``).
Rows are matched to stored posts by id (as stored, or without the source
scope ingest put in front), then by exact text (:func:`heard.store.codes.match_posts`).

Example:
    >>> parse_fields({"act": "silencing", "abusive": "false"})
    {'act': 'silencing', 'abusive': False}
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from heard.errors import InputError
from heard.jsonl import read_jsonl
from heard.records import ACTS, CENTRES, DISCLOSERS, FRAMES, STANCES, VOICES
from heard.store import Store
from heard.store import codes as code_store

CHOICES: dict[str, tuple[str, ...]] = {
    "act": ACTS, "stance": STANCES, "voice": VOICES, "frame": FRAMES, "discloser": DISCLOSERS,
}
"""Single-choice codebook fields and their values."""

MAX_UNMATCHED_SHOWN = 5


@dataclass(frozen=True)
class Row:
    """One imported code before it is matched to a post."""

    line: int
    id: str
    text: str | None
    coder_suffix: str
    fields: dict[str, Any]


@dataclass(frozen=True)
class ImportResult:
    """What ``heard code import`` did."""

    rows: int
    imported: int
    unmatched: int
    coders: list[str]


def parse_fields(row: dict[str, Any]) -> dict[str, Any]:
    """The codebook fields present in ``row``, checked against the codebook.

    Raises:
        ValueError: a value the codebook does not have, or no codebook field at all.
    """
    out: dict[str, Any] = {}
    for name, allowed in CHOICES.items():
        if name in row and row[name] is not None:
            if row[name] not in allowed:
                raise ValueError(f"expected {name} in {', '.join(allowed)}, found {str(row[name])[:40]!r}")
            out[name] = str(row[name])
    if "abusive" in row and row["abusive"] is not None:
        value = row["abusive"]
        if isinstance(value, str) and value.lower() in ("true", "false"):
            value = value.lower() == "true"
        if not isinstance(value, bool):
            raise ValueError(f"expected abusive true or false, found {str(value)[:40]!r}")
        out["abusive"] = value
    if "centres" in row and row["centres"] is not None:
        centres = row["centres"]
        if not isinstance(centres, list) or any(c not in CENTRES for c in centres):
            raise ValueError(f"expected centres as a list among {', '.join(CENTRES)}, found {str(centres)[:60]!r}")
        out["centres"] = tuple(str(c) for c in centres)
    if not out:
        raise ValueError("no codebook field (act, stance, abusive, voice, frame, discloser, centres)")
    return out


def _jsonl_row(value: Any) -> tuple[str, str | None, dict[str, Any]]:
    if not isinstance(value, dict):
        raise ValueError(f"expected an object, found {type(value).__name__}")
    post_id, text = value.get("id"), value.get("text")
    if not isinstance(post_id, str | int) or isinstance(post_id, bool) or str(post_id) == "":
        if not isinstance(text, str):
            raise ValueError("no 'id' (or 'text') to match the post by")
        post_id = ""
    return str(post_id), text if isinstance(text, str) else None, parse_fields(value)


def read_jsonl_codes(path: Path) -> list[Row]:
    """Rows of a ``dev.jsonl``-format file.

    Raises:
        InputError: a line is not JSON, has no id, or breaks the codebook (names the line).
    """
    return [Row(line, pid, text, "", fields) for line, (pid, text, fields) in
            read_jsonl(path, _jsonl_row, "expected a line with 'id' and codebook fields",
                       fix="use one of the values the message names, or remove the line")]


def _ls_fields(results: list[Any]) -> dict[str, Any]:
    raw: dict[str, Any] = {}
    for result in results:
        if not isinstance(result, dict):
            continue
        name = result.get("from_name")
        value = result.get("value") or {}
        choices = value.get("choices") if isinstance(value, dict) else None
        if name not in (*CHOICES, "abusive", "centres") or not isinstance(choices, list):
            continue
        raw[name] = choices if name == "centres" else (choices[0] if choices else None)
    return parse_fields(raw)


def read_label_studio(path: Path) -> list[Row]:
    """Rows of a Label Studio JSON export (every non-cancelled annotation; several annotators
    become several coders).

    Raises:
        InputError: the file is not a Label Studio JSON export or a result breaks the codebook.
    """
    try:
        tasks = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(str(path), "expected a Label Studio JSON export", f"found {type(exc).__name__}",
                         "export the project as JSON from Label Studio") from None
    if not isinstance(tasks, list):
        raise InputError(str(path), "expected a Label Studio JSON export (a list of tasks)", f"found a JSON {type(tasks).__name__}",
                         "export the project as JSON (not JSON-MIN or CSV)")
    rows = []
    for number, task in enumerate(tasks, start=1):
        data = task.get("data") if isinstance(task, dict) else None
        if not isinstance(data, dict):
            raise InputError(str(path), "expected each task to have a 'data' object", "found none", "export as JSON", line=number)
        post_id, text = data.get("id"), data.get("text")
        annotations = [a for a in task.get("annotations") or [] if isinstance(a, dict) and not a.get("was_cancelled")]
        several = len(annotations) > 1
        for annotation in annotations:
            who = annotation.get("completed_by")
            who = who.get("email", who.get("id")) if isinstance(who, dict) else who
            try:
                fields = _ls_fields(annotation.get("result") or [])
            except ValueError as exc:
                raise InputError(str(path), "expected results named after codebook fields", f"found: {exc}",
                                 "name the choices after heard's fields: act, stance, abusive, voice, frame, discloser, centres", line=number) from None
            rows.append(Row(number, "" if post_id is None else str(post_id), text if isinstance(text, str) else None,
                            f"/{who}" if several and who is not None else "", fields))
    return rows


def detect_format(path: Path) -> str:
    """``"label-studio"`` for a JSON file that starts with ``[``, else ``"jsonl"``."""
    try:
        with path.open("rb") as fh:
            head = fh.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
    except OSError:
        raise InputError(str(path), "expected a file of codes", "found no readable file", "check the path") from None
    return "label-studio" if head.startswith(b"[") else "jsonl"


def import_codes(store: Store, path: Path, coder: str, *, skip_unmatched: bool = False, fmt: str | None = None) -> ImportResult:
    """Read codes from ``path`` and store them as ``coder``'s, all or nothing.

    Raises:
        InputError: the file breaks its format, the coder name is empty, or a row matches no
            stored post (unless ``skip_unmatched``, which counts them).
    """
    coder = coder.strip()
    if not coder:
        raise InputError("--coder", "expected a coder name", "found an empty one", "pass --coder YOUR_NAME")
    fmt = fmt or detect_format(path)
    rows = read_label_studio(path) if fmt == "label-studio" else read_jsonl_codes(path)
    found = code_store.match_posts(store, [r.id for r in rows], [r.text for r in rows])
    unmatched = [r for r, post_id in zip(rows, found) if post_id is None]
    if unmatched and not skip_unmatched:
        shown = ", ".join(f"line {r.line}" + (f" (id {r.id[:60]!r})" if r.id else "") for r in unmatched[:MAX_UNMATCHED_SHOWN])
        raise InputError(str(path), "expected every code to name a stored post (by id, or by exact text)",
                         f"found {len(unmatched)} that match none: {shown}",
                         "ingest those posts first, fix the ids, or pass --skip-unmatched to import the rest")
    now = datetime.now(UTC).replace(tzinfo=None)
    source = f"import:{path.name}"
    codes = [code_store.Code(post_id, coder + r.coder_suffix, coded_at=now, source=source, **r.fields)
             for r, post_id in zip(rows, found) if post_id is not None]
    code_store.save_codes(store, codes)
    return ImportResult(len(rows), len(codes), len(unmatched), sorted({c.coder for c in codes}))


def _fields(code: code_store.Code) -> dict[str, Any]:
    return {"act": code.act, "stance": code.stance, "abusive": code.abusive, "voice": code.voice, "frame": code.frame,
            "discloser": code.discloser, "centres": list(code.centres) if code.centres is not None else None}


def export_codes(store: Store, output: Path, fmt: str = "jsonl", coder: str | None = None) -> int:
    """Write the store's codes to ``output`` (``jsonl``: one line per code with ``id, text, coder``
    and the fields; ``label-studio``: one task per post, one annotation per coder). Returns codes written.

    Raises:
        InputError: ``output`` is a folder or its folder does not exist.
    """
    if output.is_dir() or not output.parent.is_dir():
        raise InputError(str(output), "expected a file path in an existing folder", "found a folder or a missing folder",
                         "pass a file name such as codes.jsonl")
    codes = code_store.all_codes(store, coder)
    texts = code_store.post_texts(store, sorted({c.post_id for c in codes}))
    tmp = output.with_name(output.name + ".part")
    try:
        with tmp.open("w", encoding="utf-8") as fh:
            if fmt == "jsonl":
                for c in codes:
                    row = {"id": c.post_id, "text": texts.get(c.post_id), **_fields(c), "coder": c.coder,
                           "coded_at": c.coded_at.isoformat() if c.coded_at else None}
                    fh.write(json.dumps(row, ensure_ascii=False) + "\n")
            else:
                json.dump(_label_studio(codes, texts), fh, ensure_ascii=False, indent=1)
        tmp.replace(output)
    finally:
        tmp.unlink(missing_ok=True)
    return len(codes)


def _label_studio(codes: Sequence[code_store.Code], texts: dict[str, str]) -> list[dict[str, Any]]:
    tasks: dict[str, dict[str, Any]] = {}
    for c in codes:
        task = tasks.setdefault(c.post_id, {"id": len(tasks) + 1, "data": {"id": c.post_id, "text": texts.get(c.post_id)},
                                            "annotations": []})
        result = []
        for name, value in _fields(c).items():
            if value is None:
                continue
            choices = value if isinstance(value, list) else [str(value).lower() if isinstance(value, bool) else value]
            result.append({"from_name": name, "to_name": "text", "type": "choices", "value": {"choices": choices}})
        task["annotations"].append({"completed_by": c.coder, "result": result,
                                    "created_at": c.coded_at.isoformat() if c.coded_at else None})
    return list(tasks.values())
