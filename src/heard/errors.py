"""One exception tree for heard's library callers.

Every error a user can cause derives from :class:`HeardError`, with one
subclass per layer::

    HeardError
    ├── InputError   an input file cannot be read as posts (names file and line)
    ├── StoreError   the store is missing, locked, damaged, or lacks what was asked for
    ├── ModelError   an encoder or heads folder is missing or malformed
    └── ConfigError  a setting or argument has an invalid value

Messages say what was expected, what was found and how to fix it. The CLI
prints them on one line and exits with :attr:`HeardError.exit_code` (1),
never with a traceback; its own usage errors (exit 2) are the CLI's business.

Example:
    >>> from heard.errors import InputError
    >>> str(InputError("posts.jsonl", "expected a JSON object", "found '{oops'", "fix the line or pass --skip-bad", line=3))
    "posts.jsonl:3: expected a JSON object, found '{oops'. Fix: fix the line or pass --skip-bad"
"""

from __future__ import annotations


class HeardError(Exception):
    """Root of every error heard raises on purpose."""

    exit_code = 1


class InputError(HeardError):
    """An input file cannot be read as posts.

    Args:
        source: file name (or other origin) of the bad input.
        expected: what heard expected to find.
        found: what it found instead (never the post text itself).
        fix: how the user can fix it.
        line: 1-based line or row number, when known.
    """

    def __init__(self, source: str, expected: str, found: str, fix: str, line: int | None = None) -> None:
        self.source = source
        self.expected = expected
        self.found = found
        self.fix = fix
        self.line = line
        where = f"{source}:{line}" if line is not None else source
        super().__init__(f"{where}: {expected}, {found}. Fix: {fix}")


class StoreError(HeardError):
    """The DuckDB store is missing, locked, newer than this heard, or damaged."""


class ModelError(HeardError):
    """An encoder or classifier artefact is missing or malformed."""


class ConfigError(HeardError):
    """A setting (flag, HEARD_* variable, heard.toml) has an invalid value."""
