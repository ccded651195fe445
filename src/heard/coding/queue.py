"""What the coding page does, without the web: the codebook it shows, the queue of posts
a coder has left, saving, skipping and undoing codes.

The queue is the latest ``heard sample`` draw when there is one, else every post,
in a fixed shuffled order (by a hash of the id, so every coder and every restart
sees the same order); posts the coder has coded are done, so closing the page and
coming back resumes where the coder stopped. Skipped posts go to the end of the
queue until the server stops.

Example:
    >>> from heard.store import Store
    >>> with Store.open(":memory:") as store:
    ...     CodingSession(store).progress("ana")
    {'coder': 'ana', 'done': 0, 'total': 0, 'skipped': 0}
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from heard.coding.files import parse_fields
from heard.errors import InputError
from heard.records import ACTS, CENTRES, DISCLOSERS, FRAMES, STANCES
from heard.store import Store
from heard.store import codes as code_store

MAX_CODER = 64
"""Longest coder name."""

CODEBOOK: list[dict[str, Any]] = [
    {"field": "act", "kind": "one", "required": True, "help": "What the post does (when two apply, the earlier one in this list wins).",
     "values": [
         {"value": "testimony", "key": "1", "help": "the author discloses harm done to them or someone close"},
         {"value": "silencing", "key": "6", "help": "tells someone to stop speaking, or punishes speaking"},
         {"value": "disbelief", "key": "7", "help": "doubts or denies a disclosure, or claims lying"},
         {"value": "derailing", "key": "5", "help": "moves attention elsewhere without rejecting outright"},
         {"value": "pushback", "key": "4", "help": "defends survivors against a hostile post"},
         {"value": "accountability", "key": "3", "help": "calls for or reports consequences for a perpetrator"},
         {"value": "solidarity", "key": "2", "help": "supports or believes someone who spoke"},
         {"value": "other", "key": "8", "help": "none of the above"},
     ]},
    {"field": "stance", "kind": "one", "required": False, "help": "Toward survivors speaking out and the movement.",
     "values": [{"value": "support", "key": "s", "help": ""}, {"value": "oppose", "key": "o", "help": ""},
                {"value": "neutral", "key": "n", "help": ""}]},
    {"field": "abusive", "kind": "flag", "required": False, "key": "b", "help": "Insults, slurs or threats at a person or group (b toggles)."},
    {"field": "voice", "kind": "flag", "required": False, "key": "q", "on": "quoted", "off": "own",
     "help": "Someone else's words reproduced (q toggles quoted)."},
    {"field": "frame", "kind": "one", "required": False, "only_if": {"act": "derailing"}, "help": "How a derail derails.",
     "values": [{"value": v, "key": k, "help": ""} for v, k in zip(FRAMES, "wmeur")]},
    {"field": "discloser", "kind": "one", "required": False, "only_if": {"act": "testimony"}, "help": "Who discloses, from the text itself.",
     "values": [{"value": v, "key": k, "help": ""} for v, k in zip(DISCLOSERS, "vhty")]},
    {"field": "centres", "kind": "many", "required": False, "help": "Whom the post is about (any number; keys toggle).",
     "values": [{"value": v, "key": k, "help": ""} for v, k in zip(CENTRES, "gjklpi")]},
]
"""The fields, values, one-key shortcuts and short glosses the page shows (see CODEBOOK.md for the full rules)."""

KEYS = {"save": "Enter", "skip": "ArrowRight", "undo": "z"}
"""Page-wide keys."""

assert {v["value"] for v in CODEBOOK[0]["values"]} == set(ACTS)
assert [v["value"] for v in CODEBOOK[1]["values"]] == list(STANCES)


def check_coder(coder: str | None) -> str:
    """A usable coder name.

    Raises:
        InputError: the name is empty or too long.
    """
    name = (coder or "").strip()
    if not name or len(name) > MAX_CODER or any(ord(ch) < 32 for ch in name):
        raise InputError("coder", f"expected a coder name of 1 to {MAX_CODER} printable characters",
                         "found an empty or unusable one", "type your name in the coder box")
    return name


def _order(post_id: str) -> str:
    return hashlib.sha256(post_id.encode("utf-8")).hexdigest()


@dataclass
class CodingSession:
    """The coding page's state over one store (skips are kept in memory only)."""

    store: Store
    skipped: dict[str, list[str]] = field(default_factory=dict)
    front: dict[str, str] = field(default_factory=dict)

    def _queue(self) -> list[str]:
        drawn = [d.post_id for d in code_store.sample(self.store)]
        return sorted(drawn or code_store.all_post_ids(self.store), key=_order)

    def progress(self, coder: str) -> dict[str, Any]:
        """How many posts of the queue ``coder`` has coded, of how many."""
        queue = set(self._queue())
        done = sum(p in queue for p in code_store.coded_ids(self.store, coder))
        return {"coder": coder, "done": done, "total": len(queue), "skipped": len(self.skipped.get(coder, []))}

    def next_post(self, coder: str) -> dict[str, Any] | None:
        """The next post ``coder`` has not coded (skipped ones last), with parent and thread; ``None`` when done."""
        coded = set(code_store.coded_ids(self.store, coder))
        skipped = [p for p in self.skipped.get(coder, []) if p not in coded]
        self.skipped[coder] = skipped
        todo = [p for p in self._queue() if p not in coded and p not in skipped] + skipped
        first = self.front.get(coder)
        if first is not None and first in todo:
            todo.insert(0, first)
        if not todo:
            return None
        post = code_store.post_to_code(self.store, todo[0])
        if post is None:
            return None
        current = {c.post_id: c for c in code_store.all_codes(self.store, coder)}.get(post.post_id)
        return {"id": post.post_id, "text": post.text, "parent": post.parent_text, "thread": post.thread_title,
                "platform": post.platform, "code": None if current is None else _fields(current)}

    def save(self, coder: str, post_id: str, fields: dict[str, Any]) -> dict[str, Any]:
        """Store ``coder``'s code of ``post_id``.

        Raises:
            InputError: no act, a value outside the codebook, or an unknown post.
        """
        if code_store.post_to_code(self.store, post_id) is None:
            raise InputError("post", "expected a stored post id", "found none with that id", "reload the page")
        try:
            clean = parse_fields({k: v for k, v in fields.items() if k in code_store.CODE_FIELDS})
        except ValueError as exc:
            raise InputError("code", "expected values from the codebook", f"found: {exc}", "pick a value on the page") from None
        if "act" not in clean:
            raise InputError("code", "expected an act", "found none", "press a number key 1-8 for the act")
        if clean["act"] != "derailing":
            clean.pop("frame", None)
        if clean["act"] != "testimony":
            clean.pop("discloser", None)
        code_store.save_codes(self.store, [code_store.Code(post_id, coder, coded_at=datetime.now(UTC).replace(tzinfo=None),
                                                           source="page", **clean)])
        return self.progress(coder)

    def skip(self, coder: str, post_id: str) -> dict[str, Any]:
        """Put ``post_id`` at the end of ``coder``'s queue (until the server stops)."""
        queue = [p for p in self.skipped.get(coder, []) if p != post_id]
        self.skipped[coder] = queue + [post_id]
        if self.front.get(coder) == post_id:
            del self.front[coder]
        return self.progress(coder)

    def undo(self, coder: str) -> str | None:
        """Remove ``coder``'s latest code and put that post first again; return its id (``None``: nothing to undo)."""
        done = code_store.coded_ids(self.store, coder)
        if not done:
            return None
        last = done[-1]
        code_store.delete_code(self.store, last, coder)
        self.skipped[coder] = [p for p in self.skipped.get(coder, []) if p != last]
        self.front[coder] = last
        return last


def _fields(code: code_store.Code) -> dict[str, Any]:
    return {"act": code.act, "stance": code.stance, "abusive": code.abusive, "voice": code.voice, "frame": code.frame,
            "discloser": code.discloser, "centres": list(code.centres or ())}
