"""The classify contract other tools rely on.

Input: JSONL, one ``{"id", "text", ...}`` per line (other keys ignored).
Output: exactly one line per input line, same order::

    {"id", "act", "stance", "abusive", "voice", "frame", "discloser", "centres", "scores"}

The output is written to a temporary file and moved into place at the end,
so a bad input line leaves no half-written output.

Example:
    >>> classify_jsonl("in.jsonl", "out.jsonl", Classifier.load())   # doctest: +SKIP
    3
"""

from __future__ import annotations

import json
import os
import tempfile
from collections import deque
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from heard.classify.classifier import Classifier
from heard.errors import InputError
from heard.jsonl import read_jsonl

_PROGRESS_EVERY = 1024


def _line(row: Any) -> tuple[Any, str]:
    """(id, text) of one input line."""
    if not isinstance(row, dict):
        raise ValueError(f"a JSON {type(row).__name__}")
    if "text" not in row or row["text"] is None:
        raise ValueError("no 'text' key" if "text" not in row else "a null 'text'")
    return row.get("id"), row["text"] if isinstance(row["text"], str) else json.dumps(row["text"])


def _rows(path: Path) -> Iterator[tuple[int, Any, str]]:
    """(line number, id, text) for every line; raises on a bad or blank one."""
    for number, (post_id, text) in read_jsonl(path, _line, "expected a JSON object with id and text", blank_lines=False,
                                              fix='write it as {"id": ..., "text": ...} (an empty text is fine)'):
        yield number, post_id, text


def classify_jsonl(
    in_path: str | Path,
    out_path: str | Path,
    classifier: Classifier,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Classify every line of ``in_path`` into ``out_path``; return the number of lines.

    Raises:
        InputError: the input is missing, empty, or has a bad line (nothing is written).
    """
    source, target = Path(in_path), Path(out_path)
    if not source.is_file():
        raise InputError(str(source), "expected a JSONL file", "found no file", "check the path")
    if source.stat().st_size == 0:
        raise InputError(str(source), "expected at least one line", "found an empty file", "check the path")
    fd, tmp_name = tempfile.mkstemp(prefix=".heard-", suffix=".jsonl", dir=target.parent if target.parent.exists() else None)
    count = 0
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            ids: deque[Any] = deque()

            def texts() -> Iterator[str]:
                for _, post_id, text in _rows(source):
                    ids.append(post_id)
                    yield text

            # The classifier reads a batch ahead, so ids waits here for its label.
            for label in classifier.iter_labels(texts()):
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
