"""Reading JSONL strictly: one implementation for every file heard reads whole.

Coded units and gold sets, the functional suite, the heads' examples and
``heard classify``'s input all come through :func:`read_jsonl`: every problem
(undecodable bytes, invalid JSON, a line the caller's ``parse`` rejects) is an
:class:`~heard.errors.InputError` naming the file and line. Ingest is the one
reader that does not stop at a bad line: with ``--skip-bad`` it sets lines
aside instead (:mod:`heard.ingest.readers`).

Example:
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "a.jsonl"
    >>> _ = path.write_text('{"n": 1}\\n\\n{"n": 2}\\n')
    >>> [(line, row["n"]) for line, row in read_jsonl(path, dict, "expected an object")]
    [(1, 1), (3, 2)]
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from heard.errors import InputError

T = TypeVar("T")


class LineError(ValueError):
    """Raised by a :func:`read_jsonl` ``parse`` function for a problem that has its own fix.

    Args:
        found: what the line holds (never its text), the "found" part of the error.
        fix: how to fix this problem, in place of :func:`read_jsonl`'s ``fix``.
    """

    def __init__(self, found: str, fix: str) -> None:
        super().__init__(found)
        self.fix = fix


def kind_of(value: Any) -> str:
    """What a JSON value is, never what it says (a value may be someone's words).

    Example:
        >>> kind_of(42), kind_of({"a": 1}), kind_of([1]), kind_of(True)
        ('a number', 'an object', 'a list', 'a boolean')
    """
    kinds = ((bool, "a boolean"), ((int, float), "a number"), (dict, "an object"), ((list, tuple), "a list"))
    return next((name for kind, name in kinds if isinstance(value, kind)), f"a {type(value).__name__}")


def invalid_json(exc: json.JSONDecodeError) -> str:
    """The "found" part of an error for text that is not JSON: the parser's reason and the column.

    Some of the parser's reasons end in "at" ("Unterminated string starting at"); the column follows once.

    Example:
        >>> try:
        ...     json.loads('{"text": "cut off')
        ... except json.JSONDecodeError as exc:
        ...     invalid_json(exc)
        'found invalid JSON (Unterminated string starting at column 10)'
    """
    reason = exc.msg[:-3] if exc.msg.endswith(" at") else exc.msg
    return f"found invalid JSON ({reason} at column {exc.colno})"


def read_jsonl(
    path: str | Path,
    parse: Callable[[Any], T],
    expected: str,
    *,
    blank_lines: bool = True,
    fix: str = "fix the line",
) -> Iterator[tuple[int, T]]:
    """``(line number, parse(object))`` for each line of a UTF-8 JSONL file.

    Args:
        path: the file.
        parse: turns one decoded JSON value into a record; raises ``ValueError``
            (or ``AttributeError``/``KeyError``/``TypeError``) whose text becomes
            the "found" part of the error.
        expected: what a line should hold, for the error message.
        blank_lines: skip blank lines (``False``: a blank line is an error, for
            formats that promise one output line per input line).
        fix: the "Fix:" part of a rejected line's error (a :class:`LineError` brings its own).

    Raises:
        InputError: the file is missing, a line is not UTF-8 or not JSON, or
            ``parse`` rejects it; names file and line.
    """
    source = Path(path)
    if not source.is_file():
        raise InputError(str(source), "expected a JSONL file", "found no file", "check the path")
    with source.open("rb") as fh:
        for number, raw in enumerate(fh, start=1):
            if not raw.strip():
                if blank_lines:
                    continue
                raise InputError(str(source), "expected one JSON object per line (the output keeps one line per input line)",
                                 "found a blank line", "remove blank lines", line=number)
            try:
                line = raw.decode("utf-8").lstrip("\ufeff")
            except UnicodeDecodeError as exc:
                raise InputError(str(source), "expected UTF-8 text", f"found byte 0x{raw[exc.start]:02x} at column {exc.start + 1}",
                                 "re-save the file as UTF-8", line=number) from None
            try:
                value = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(str(source), "expected one JSON object per line", invalid_json(exc),
                                 "fix the line", line=number) from None
            except RecursionError:
                raise InputError(str(source), "expected one JSON object per line", "found lists or objects nested too deep to read",
                                 "flatten the line", line=number) from None
            except ValueError as exc:  # e.g. an integer of more than 4,300 digits
                raise InputError(str(source), "expected one JSON object per line", f"found a value JSON cannot hold ({exc})",
                                 "fix the line", line=number) from None
            try:
                record = parse(value)
            except (ValueError, AttributeError, KeyError, TypeError) as exc:
                raise InputError(str(source), expected, f"found: {exc}", exc.fix if isinstance(exc, LineError) else fix,
                                 line=number) from None
            yield number, record
