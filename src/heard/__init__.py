"""heard: make the conversation around survivors' movements measurable.

For every post, reply or essay sentence heard tells what the text does (a
testimony, solidarity, a call for accountability, pushback, a derail, a
silencing, disbelief), whom it centres, and how replies treat people who
speak up. Importing heard has no side effects.

Example:
    >>> import heard
    >>> with heard.Store.open(":memory:") as store:
    ...     store.count("posts")
    0
"""

from __future__ import annotations

from heard.errors import ConfigError, HeardError, InputError, ModelError, StoreError, UsageError
from heard.records import ACTS, Label, Post, Unit
from heard.store import Store

__all__ = [
    "ACTS",
    "ConfigError",
    "HeardError",
    "InputError",
    "Label",
    "ModelError",
    "Post",
    "Store",
    "StoreError",
    "Unit",
    "UsageError",
    "__version__",
]
__version__ = "0.1.0"
