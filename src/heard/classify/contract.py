"""The classify contract other tools rely on.

Input: JSONL, one ``{"id", "text", "context"?, ...}`` per line (other keys
ignored). ``context`` is optional: what the post answers (its parent post or
the thread's title), a string or null; the model reads it as its heads say
(:attr:`Classifier.context_mode`).
Output: exactly one line per input line, same order::

    {"id", "act", "stance", "abusive", "voice", "frame", "discloser", "centres", "scores"}

The output is written to a temporary file and moved into place at the end,
so a bad input line leaves no half-written output. A text may hold at most
``MAX_LINE_CHARS`` (100,000) characters, as ingest's default ``--max-chars``;
the output path is checked before any work, and it may not be the input.

Example:
    >>> classify_jsonl("in.jsonl", "out.jsonl", Classifier.load())   # doctest: +SKIP
    3
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections import deque
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from heard.classify.classifier import Classifier
from heard.errors import ConfigError, InputError
from heard.jsonl import read_jsonl

_PROGRESS_EVERY = 1024
_SURROGATE = re.compile("[\ud800-\udfff]")

MAX_LINE_CHARS = 100_000
"""Longest text ``heard classify`` accepts on one line (ingest's default ``--max-chars``)."""


def _line(row: Any) -> tuple[Any, str, str | None]:
    """(id, text, context) of one input line."""
    if not isinstance(row, dict):
        raise ValueError(f"a JSON {type(row).__name__}")
    if "text" not in row or row["text"] is None:
        raise ValueError("no 'text' key" if "text" not in row else "a null 'text'")
    text = row["text"] if isinstance(row["text"], str) else json.dumps(row["text"])
    context = row.get("context")
    if context is not None and not isinstance(context, str):
        raise ValueError(f"a {type(context).__name__} 'context' (expected a string or null: the parent post or thread title)")
    for key, value in (("id", json.dumps(row.get("id"), ensure_ascii=False)), ("text", text), ("context", context or "")):
        half = _SURROGATE.search(value)
        if half:
            raise ValueError(f"a lone surrogate \\u{ord(half.group()):04x} in {key!r} (half of an emoji, cut off?)")
    return row.get("id"), text, context


def _rows(path: Path, max_chars: int) -> Iterator[tuple[int, Any, str, str | None]]:
    """(line number, id, text, context) for every line; raises on a bad, blank or too long one."""
    number = 0
    try:
        for number, (post_id, text, context) in read_jsonl(path, _line, "expected a JSON object with id and text", blank_lines=False,
                                                  fix='write it as {"id": ..., "text": ...} (an empty text is fine)'):
            if len(text) > max_chars:
                raise InputError(str(path), f"expected a text of at most {max_chars:,} characters (heard classify's limit per line)",
                                 f"found {len(text):,}", "split the text over several lines, or ingest it (`heard ingest --max-chars N`) and `heard label`",
                                 line=number)
            if context is not None and len(context) > max_chars:
                raise InputError(str(path), f"expected a context of at most {max_chars:,} characters",
                                 f"found {len(context):,}", "pass the start of the parent post or the thread title only", line=number)
            yield number, post_id, text, context
    except (RecursionError, ValueError) as exc:  # json.loads: nesting too deep, an integer of over 4,300 digits
        why = "lists or objects nested too deep to read" if isinstance(exc, RecursionError) else f"a value JSON cannot hold ({str(exc).split(':')[0]})"
        raise InputError(str(path), "expected one JSON object per line", f"found {why}", "fix the line", line=number + 1) from None


def check_paths(in_path: str | Path, out_path: str | Path) -> None:
    """Refuse, before any work, an output that cannot be written or that would replace the input.

    Raises:
        ConfigError: the output's folder is missing or not writable, the output is a
            folder, or it is the input file.

    Example:
        >>> check_paths("posts.jsonl", "posts.jsonl")
        Traceback (most recent call last):
        ...
        heard.errors.ConfigError: -o posts.jsonl: expected an output file other than the input, found the input itself. Fix: write the labels to another file (for example -o labels.jsonl); heard classify would replace its input
    """
    source, target = Path(in_path), Path(out_path)
    folder = target.parent
    same = os.path.abspath(source) == os.path.abspath(target) or (target.exists() and source.exists() and os.path.samefile(source, target))
    if same:
        raise ConfigError(f"-o {target}: expected an output file other than the input, found the input itself. "
                          "Fix: write the labels to another file (for example -o labels.jsonl); heard classify would replace its input")
    if target.is_dir():
        raise ConfigError(f"-o {target}: expected an output file, found a folder. Fix: name a file, for example -o {target / 'labels.jsonl'}")
    if not folder.is_dir():
        raise ConfigError(f"-o {target}: expected an existing folder for the output, found none at {folder}. Fix: create it first (mkdir -p {folder})")
    if not os.access(folder, os.W_OK):
        raise ConfigError(f"-o {target}: expected a folder heard may write to, found {folder} read-only. Fix: choose another folder")


def classify_jsonl(
    in_path: str | Path,
    out_path: str | Path,
    classifier: Classifier,
    progress: Callable[[int], None] | None = None,
    *,
    max_chars: int = MAX_LINE_CHARS,
) -> int:
    """Classify every line of ``in_path`` into ``out_path``; return the number of lines.

    Raises:
        InputError: the input is missing, empty, or has a bad line or a text longer
            than ``max_chars`` (nothing is written).
        ConfigError: the output cannot be written or is the input (see :func:`check_paths`).
    """
    source, target = Path(in_path), Path(out_path)
    if not source.is_file():
        raise InputError(str(source), "expected a JSONL file", "found no file", "check the path")
    if source.stat().st_size == 0:
        raise InputError(str(source), "expected at least one line", "found an empty file", "check the path")
    check_paths(source, target)
    fd, tmp_name = tempfile.mkstemp(prefix=".heard-", suffix=".jsonl", dir=target.parent)
    count = 0
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            ids: deque[Any] = deque()
            contexts: deque[str | None] = deque()

            def texts() -> Iterator[str]:
                for _, post_id, text, context in _rows(source, max_chars):
                    ids.append(post_id)
                    contexts.append(context)
                    yield text

            def context_of_each() -> Iterator[str | None]:
                # Drawn by the classifier right after the text of the same line.
                while contexts:
                    yield contexts.popleft()

            # The classifier reads a batch ahead, so ids waits here for its label.
            for label in classifier.iter_labels(texts(), contexts=context_of_each()):
                out.write(json.dumps({"id": ids.popleft(), **label.to_dict()}, ensure_ascii=False) + "\n")
                count += 1
                if progress and count % _PROGRESS_EVERY == 0:
                    progress(count)
            if progress:
                progress(count)
        os.replace(tmp_name, target)
    except BaseException:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
        raise
    return count
