"""Files heard writes for people: output folders that fail before the work.

Example:
    >>> output_folder(Path("report"), "the report")     # doctest: +SKIP
    PosixPath('report')
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from heard.errors import ConfigError


def output_folder(folder: Path, what: str) -> Path:
    """Create ``folder`` (and its parents) and check that files can be written in it.

    Called before the work, so a bad ``-o`` fails in a second, not after an analysis.

    Args:
        folder: the folder to write into.
        what: what goes there, for the message (``"the report"``, ``"the export"``).

    Raises:
        ConfigError: ``folder`` is a file, lies under a file, or cannot be written.
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ConfigError(f"{folder}: expected a folder for {what}, found a file. "
                          "Fix: pass -o a new or existing folder (heard does not overwrite the file)")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder, prefix=".heard-probe-"):
            pass
    except OSError as exc:
        raise ConfigError(f"{folder}: expected a folder heard can write {what} into, found that it cannot "
                          f"({exc.strerror or type(exc).__name__}). Fix: pass -o a folder you can write to") from None
    return folder

