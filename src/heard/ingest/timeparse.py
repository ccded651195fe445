"""Timestamps from every format heard reads, normalised to UTC.

ISO 8601, epoch seconds (or milliseconds), RFC 2822 and Twitter's v1 format
are read directly; other spellings go to ``dateutil`` and are kept only when
they are complete and unambiguous ("March 2, 2026 2:05 PM" is; "03/02/2026",
day-first or month-first, is not). Times before 1990 or more than a day in the
future are refused: epoch 0 or -1 usually stands for "unknown", and year 5138
is a misread millisecond value.

Example:
    >>> parse_time("2026-03-02T14:05:00+01:00").isoformat()
    '2026-03-02T13:05:00+00:00'
    >>> parse_time(1772460300).isoformat()
    '2026-03-02T14:05:00+00:00'
    >>> parse_time("March 2, 2026 2:05 PM").isoformat()
    '2026-03-02T14:05:00+00:00'
"""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime, timedelta, tzinfo

from dateutil import parser as _dateutil
from dateutil import tz as _tz

EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
"""Times before this are refused (epoch 0 or -1 usually means "unknown")."""

FUTURE_SLACK = timedelta(days=1)
"""Times later than now plus this are refused (a misread value, not a post)."""

_EPOCH = re.compile(r"[+-]?[0-9]+(?:\.[0-9]*)?", re.ASCII)
_MAX_TIME_CHARS = 64
_UTC_NAMES = frozenset({"UTC", "GMT", "UT", "Z"})
# Defaults that differ in every date field: a spelling that leaves one out parses differently.
_DEFAULT_A = datetime(2000, 1, 1)
_DEFAULT_B = datetime(2001, 2, 2)


class TimeFormatError(ValueError):
    """A value that is not a timestamp heard understands (the message never quotes post text)."""


def parse_time(value: object, *, now: datetime | None = None) -> datetime | None:
    """Parse a timestamp into aware UTC, or refuse it.

    Naive timestamps are taken to be UTC. ``None`` and "" give ``None``.

    Args:
        value: a string, an int or float (epoch seconds, or milliseconds
            above 10^11), a ``datetime`` or a ``date``.
        now: the present, for the "not in the future" check (default: the clock).

    Raises:
        TimeFormatError: the value is not a timestamp, is ambiguous, or lies
            before 1990 or more than a day in the future.

    Example:
        >>> parse_time(0)
        Traceback (most recent call last):
        ...
        heard.ingest.timeparse.TimeFormatError: 1970-01-01, before 1990 (epoch 0 or a negative number usually stands for an unknown time)
    """
    if value is None or value == "":
        return None
    moment = _parse(value)
    try:
        moment = (moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)).astimezone(UTC)
    except (OverflowError, ValueError):
        raise TimeFormatError("a date out of range (near year 1 or 9999)") from None
    if moment < EARLIEST:
        raise TimeFormatError(f"{moment:%Y-%m-%d}, before {EARLIEST:%Y} (epoch 0 or a negative number usually stands for an unknown time)")
    if moment > (now or datetime.now(UTC)) + FUTURE_SLACK:
        raise TimeFormatError(f"{moment:%Y-%m-%d}, in the future (a misread value, for example milliseconds taken for seconds?)")
    return moment


def _parse(value: object) -> datetime:
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, bool):
        raise TimeFormatError(f"a boolean ({value})")
    if isinstance(value, (int, float)):
        return _epoch(value)
    if isinstance(value, str):
        return _parse_text(value.strip())
    raise TimeFormatError(f"a value of type {type(value).__name__}")


def _epoch(value: float) -> datetime:
    try:
        seconds = float(value)
    except OverflowError:
        raise TimeFormatError("an epoch value out of range") from None
    if not math.isfinite(seconds):
        raise TimeFormatError(f"an epoch value that is not a number ({value})")
    if abs(seconds) > 1e11:  # milliseconds since the epoch
        seconds /= 1000.0
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise TimeFormatError(f"an epoch value out of range ({seconds:.0f} seconds)") from None


def _parse_text(text: str) -> datetime:
    if len(text) > _MAX_TIME_CHARS:
        raise TimeFormatError(f"a text of {len(text):,} characters, not a timestamp")
    if _EPOCH.fullmatch(text):
        return _epoch(float(text))
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00").replace(" UTC", "+00:00"))
    except ValueError:
        pass
    try:
        return datetime.strptime(text, "%a %b %d %H:%M:%S %z %Y")  # Twitter v1
    except ValueError:
        pass
    return _dateutil_parse(text)


SHAPE_CHARS = 25
"""Longer refused values are described by their length only: their shape would show a sentence's rhythm."""


def _shape(text: str) -> str:
    """What a refused value looks like without what it says: 'March 2' -> 'Aaaaa 9';
    a value longer than :data:`SHAPE_CHARS` is only 'a 36-character text'."""
    if len(text) > SHAPE_CHARS:
        return f"a {len(text):,}-character text"
    return re.sub(r"[^\W\d]", lambda m: "A" if m.group().isupper() else "a", re.sub(r"\d", "9", text))


def _zone(name: str | None, offset: int | None) -> tzinfo | None:
    if name is not None and name.upper() in _UTC_NAMES:
        return UTC
    if offset is not None:
        return _tz.tzoffset(name, offset)
    if name is None:
        return None
    raise TimeFormatError(f"a time zone abbreviation ({_shape(name)!r}) that names no single offset")


def _dateutil_parse(text: str) -> datetime:
    """Odd spellings, through dateutil: only when every reading of the day/month order agrees."""
    year_first = re.match(r"\d{4}\b", text) is not None
    readings = [(False, False, _DEFAULT_A), (False, True, _DEFAULT_B)]
    if not year_first:  # nobody writes year/day/month; dateutil would read 2026/03/02 so
        readings.append((True, False, _DEFAULT_B))
    found: set[datetime] = set()
    for dayfirst, yearfirst, default in readings:
        try:
            found.add(_dateutil.parse(text, default=default, dayfirst=dayfirst, yearfirst=yearfirst, tzinfos=_zone))
        except TimeFormatError:
            raise
        except (ValueError, OverflowError, TypeError):
            raise TimeFormatError(f"{_shape(text)!r}, not a timestamp heard reads (9 stands for a digit, a/A for a letter)") from None
    if len(found) > 1:
        raise TimeFormatError(f"{_shape(text)!r}, which reads as more than one date (day-first or month-first?) or lacks the day, month or year")
    return found.pop()
