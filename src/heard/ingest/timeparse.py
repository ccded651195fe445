"""Timestamps from every format heard reads, normalised to UTC.

Example:
    >>> parse_time("2026-03-02T14:05:00+01:00").isoformat()
    '2026-03-02T13:05:00+00:00'
    >>> parse_time(1772460300).isoformat()
    '2026-03-02T14:05:00+00:00'
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime


class TimeFormatError(ValueError):
    """A value that is not a timestamp heard understands."""


def parse_time(value: object) -> datetime | None:
    """Parse ISO 8601, epoch seconds (int, float or digits) or RFC 2822 into aware UTC.

    Naive timestamps are taken to be UTC. ``None`` and "" give ``None``.

    Raises:
        TimeFormatError: the value is not a timestamp.
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, bool):
        raise TimeFormatError(f"a boolean ({value})")
    elif isinstance(value, (int, float)):
        seconds = float(value)
        if seconds > 1e11:  # milliseconds since the epoch
            seconds /= 1000.0
        try:
            moment = datetime.fromtimestamp(seconds, tz=UTC)
        except (OverflowError, OSError, ValueError):
            raise TimeFormatError(f"an epoch value out of range ({value})") from None
    elif isinstance(value, str):
        text = value.strip()
        if text.replace(".", "", 1).isdigit():
            return parse_time(float(text))
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace(" UTC", "+00:00"))
        except ValueError:
            try:
                moment = parsedate_to_datetime(text)  # RFC 2822 and Twitter v1 style
            except (TypeError, ValueError, IndexError):
                moment = _twitter_v1(text)
    else:
        raise TimeFormatError(f"a value of type {type(value).__name__}")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _twitter_v1(text: str) -> datetime:
    try:
        return datetime.strptime(text, "%a %b %d %H:%M:%S %z %Y")
    except ValueError:
        raise TimeFormatError(f"{text[:40]!r}") from None
