"""One table of settings: flags, ``HEARD_*`` environment variables and
``heard.toml`` all resolve through :class:`Settings`.

Precedence: a command-line flag, then the environment, then ``heard.toml`` in
the working folder, then the default here.

Example:
    >>> Settings.resolve(env={"HEARD_BATCH_SIZE": "100"}, toml_path=None).batch_size
    100
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from heard.errors import ConfigError


def _setting(default: Any, help: str, minimum: int | None = None) -> Any:
    return field(default=default, metadata={"help": help, "minimum": minimum})


@dataclass(frozen=True)
class Settings:
    """Every setting heard reads, with its help text."""

    db: str = _setting("corpus.duckdb", "the DuckDB store to read and write")
    batch_size: int = _setting(5000, "posts per committed ingest transaction", minimum=1)
    max_chars: int = _setting(100_000, "longest post ingest and heard classify accept, in characters", minimum=1)
    encoding: str = _setting("utf-8", "text encoding of the files heard ingest reads (heard classify reads UTF-8 only)")
    encoder: str | None = _setting(None, "encoder folder (ONNX or sentence-transformers); default: the bundled one the heads were trained on")
    heads: str | None = _setting(None, "heads folder written by `heard train`; default: the bundled one")

    @classmethod
    def resolve(
        cls,
        flags: Mapping[str, Any] | None = None,
        env: Mapping[str, str] | None = None,
        toml_path: str | Path | None = "heard.toml",
    ) -> Settings:
        """Combine defaults, ``heard.toml``, ``HEARD_*`` variables and flags (``None`` flags are unset).

        Raises:
            ConfigError: a value has the wrong type, is below its minimum (a batch of 0 posts), or names no setting.
        """
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        known = {f.name: f for f in fields(cls)}
        if toml_path is not None and Path(toml_path).is_file():
            try:
                table = tomllib.loads(Path(toml_path).read_text(encoding="utf-8"))
            except tomllib.TOMLDecodeError as exc:
                raise ConfigError(f"{toml_path}: expected TOML, found an error ({exc}). Fix: correct the file") from None
            for key, value in table.get("heard", table).items():
                if key not in known:
                    raise ConfigError(f"{toml_path}: expected one of {', '.join(known)}, found {key!r}. Fix: remove or rename it")
                values[key] = value
        for name in known:
            raw = env.get(f"HEARD_{name.upper()}")
            if raw is not None:
                values[name] = raw
        for name, value in (flags or {}).items():
            if name in known and value is not None:
                values[name] = value
        out = cls()
        for name, value in values.items():
            default = getattr(cls(), name)
            if isinstance(default, int) and not isinstance(value, int):
                try:
                    value = int(value)
                except (TypeError, ValueError):
                    raise ConfigError(f"expected an integer for {name}, found {value!r}. "
                                      f"Fix: set HEARD_{name.upper()} or --{name.replace('_', '-')} to a number") from None
            minimum = known[name].metadata["minimum"]
            if minimum is not None and value < minimum:
                raise ConfigError(f"expected {name} of at least {minimum}, found {value}. "
                                  f"Fix: set HEARD_{name.upper()} (or --{name.replace('_', '-')} where the command has it) "
                                  f"to {minimum} or more "
                                  f"(default {getattr(cls(), name):,})")
            out = replace(out, **{name: value})
        return out

    @classmethod
    def help_table(cls) -> list[tuple[str, str, str]]:
        """(name, environment variable, help): ``heard --help`` prints it.

        Example:
            >>> ("db", "HEARD_DB", "the DuckDB store to read and write") in Settings.help_table()
            True
        """
        return [(f.name, f"HEARD_{f.name.upper()}", f.metadata["help"]) for f in fields(cls)]
