"""Coded units: text with codebook labels, as in training files and gold sets.

The format is the one of ``dev.jsonl``: ``text, act, stance, abusive, voice,
frame, discloser, centres`` (other keys such as ``id`` or ``note`` are kept
out of the way).

Example:
    >>> c = Coded.from_dict({"text": "me too", "act": "testimony", "stance": "support",
    ...     "abusive": False, "voice": "own", "frame": None, "discloser": "unstated", "centres": []})
    >>> c.act, c.discloser
    ('testimony', 'unstated')
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from heard.errors import InputError
from heard.jsonl import read_jsonl
from heard.records import ACTS, CENTRES, DISCLOSERS, FRAMES, STANCES, VOICES


@dataclass(frozen=True)
class Coded:
    """One hand-coded unit."""

    text: str
    act: str
    stance: str
    abusive: bool
    voice: str = "own"
    frame: str | None = None
    discloser: str | None = None
    centres: tuple[str, ...] = ()
    id: str = ""
    context: str | None = None
    """What the text answers (parent post or thread title), if the file gives it."""

    @classmethod
    def from_dict(cls, row: dict[str, Any]) -> Coded:
        """Validate one row against the codebook.

        Raises:
            ValueError: a field is missing or holds a value the codebook does not have.
        """
        def pick(name: str, allowed: tuple[str, ...], optional: bool = False) -> str | None:
            value = row.get(name)
            if value is None and optional:
                return None
            if value not in allowed:
                raise ValueError(f"expected {name} in {', '.join(allowed)}, found {value!r}")
            return str(value)

        text = row.get("text")
        if not isinstance(text, str):
            raise ValueError(f"expected a string 'text', found {type(text).__name__}")
        abusive = row.get("abusive")
        if isinstance(abusive, str):
            abusive = abusive.lower() == "true"
        if not isinstance(abusive, bool):
            raise ValueError(f"expected abusive true or false, found {abusive!r}")
        act = pick("act", ACTS)
        centres = row.get("centres") or []
        bad = [c for c in centres if c not in CENTRES]
        if bad:
            raise ValueError(f"expected centres among {', '.join(CENTRES)}, found {bad}")
        return cls(
            text=text,
            act=str(act),
            stance=str(pick("stance", STANCES)),
            abusive=abusive,
            voice=str(pick("voice", VOICES, optional=True) or "own"),
            frame=pick("frame", FRAMES, optional=True) if act == "derailing" else None,
            discloser=pick("discloser", DISCLOSERS, optional=True) if act == "testimony" else None,
            centres=tuple(centres),
            id=str(row.get("id", "")),
            context=row["context"] if isinstance(row.get("context"), str) else None,
        )


def load_coded(paths: Iterable[str | Path]) -> list[Coded]:
    """Read coded units from JSONL files (or folders of them).

    Raises:
        InputError: a line is not JSON or breaks the codebook; names file, line and fix.
    """
    out: list[Coded] = []
    for raw in paths:
        path = Path(raw)
        files = sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
        if not files or not all(f.exists() for f in files):
            raise InputError(str(path), "expected a JSONL file of coded units (or a folder of them)", "found nothing there", "check the path")
        for file in files:
            out.extend(unit for _, unit in read_jsonl(file, Coded.from_dict, "expected a unit coded to the codebook", fix="use a value the message names"))
    if not out:
        raise InputError(", ".join(str(p) for p in paths), "expected at least one coded unit", "found none", "check the files")
    return out
