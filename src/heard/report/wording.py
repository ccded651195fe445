"""Numbers as the words a report prints: shares, differences, durations, intervals, plurals, times.

Every writer of the report layer (HTML, Markdown, tables, the claim
answers) phrases numbers through these helpers, so a share reads the same
everywhere.

Example:
    >>> percent(0.3125), points(-0.062), duration(0.25), duration(30), duration(100)
    ('31%', '-6 points', '15 min', '30.0 h', '4.2 days')
    >>> interval(Interval(0.31, 0.12, 0.5, 8))
    '31% (95% CI 12–50%)'
    >>> interval(Interval(0.13, -0.003, 0.25, 38), "points")
    '+13 points (95% CI -0.3 to +25)'
    >>> plural(1, "thread"), plural(2, "reply", "replies")
    ('1 thread', '2 replies')
"""

from __future__ import annotations

from datetime import datetime

from heard.intervals import Interval


def percent(share: float | None) -> str:
    """A share as a whole percentage (one decimal below 1%); ``n/a`` when undefined."""
    if share is None:
        return "n/a"
    value = share * 100
    if 0 < abs(value) < 1:
        return f"{value:.1f}%"
    return f"{value:.0f}%"


def points(diff: float | None) -> str:
    """A difference of two shares in percentage points, signed."""
    if diff is None:
        return "n/a"
    value = diff * 100
    sign = "+" if value > 0.5 else ""
    word = "point" if f"{abs(value):.0f}" == "1" else "points"
    return f"{sign}{value:.0f} {word}"


def _signed(value: float) -> str:
    """A signed number of points; one decimal when it would round to 0, so a bound
    just below zero reads ``-0.3``, not ``-0``."""
    if round(value) == 0 and value != 0:
        return f"{value:+.1f}"
    return f"{value:+.0f}"


def duration(hours: float | None) -> str:
    """Hours as minutes, hours or days, whichever reads best."""
    if hours is None:
        return "n/a"
    if round(hours * 60) < 60:
        return f"{hours * 60:.0f} min"
    if hours < 48:
        return f"{hours:.1f} h"
    return f"{hours / 24:.1f} days"


def interval(est: Interval, unit: str = "share") -> str:
    """``value (95% CI low–high)`` in the unit's words (``share``, ``points`` or ``hours``)."""
    if est.value is None:
        return "n/a"
    if unit == "hours":
        value, low, high = duration(est.value), duration(est.low), duration(est.high)
        return f"{value} (95% CI {low}–{high})" if est.low is not None else value
    if unit == "points":
        value = points(est.value)
        if est.low is None or est.high is None:
            return value
        return f"{value} (95% CI {_signed(est.low * 100)} to {_signed(est.high * 100)})"
    value = percent(est.value)
    if est.low is None or est.high is None:
        return value
    return f"{value} (95% CI {percent(est.low)[:-1]}–{percent(est.high)})"


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """``count`` with the noun in the right number, thousands separated."""
    return f"{count:,} {noun if count == 1 else (nouns or noun + 's')}"


def interval_cell(est: Interval, unit: str = "share") -> str:
    """A table cell's short form of an interval: ``38% (30–49%)``, ``20 min (15 min–1.0 h)``.

    Example:
        >>> interval_cell(Interval(0.38, 0.3, 0.49, 20)), interval_cell(Interval(None, None, None, 0))
        ('38% (30–49%)', 'n/a')
    """
    if est.value is None:
        return "n/a"
    if unit == "hours":
        value = duration(est.value)
        ends = f"{duration(est.low)}–{duration(est.high)}" if est.low is not None else ""
    else:
        value = percent(est.value)
        ends = f"{percent(est.low)[:-1]}–{percent(est.high)}" if est.low is not None and est.high is not None else ""
    return f"{value} ({ends})" if ends else value


def per_thread(est: Interval) -> str:
    """A count per thread with two decimals and its interval.

    Example:
        >>> per_thread(Interval(0.8, 0.5, 1.25, 25))
        '0.80 (95% CI 0.50–1.25)'
    """
    if est.value is None:
        return "n/a"
    if est.low is None or est.high is None:
        return f"{est.value:.2f}"
    return f"{est.value:.2f} (95% CI {est.low:.2f}–{est.high:.2f})"


def estimate(est: Interval, unit: str) -> str:
    """An estimate in its unit's words: :func:`interval` for shares, points and hours, :func:`per_thread` for counts.

    Example:
        >>> estimate(Interval(0.8, None, None, 25), "count"), estimate(Interval(0.5, None, None, 4), "share")
        ('0.80', '50%')
    """
    return per_thread(est) if unit == "count" else interval(est, unit)


def when(moment: datetime | None) -> str:
    """A UTC time as the report prints it; ``time unknown`` when there is none.

    Example:
        >>> when(datetime(2026, 3, 2, 8, 10)), when(None)
        ('02 Mar 2026 08:10 UTC', 'time unknown')
    """
    return moment.strftime("%d %b %Y %H:%M UTC") if moment is not None else "time unknown"


def share_of(threshold: float) -> str:
    """A threshold share as a whole percentage, the way the report states rules: ``20%``.

    Example:
        >>> share_of(0.2)
        '20%'
    """
    return f"{threshold:.0%}"


def headline(value: float | None, unit: str) -> str:
    """A claim's headline estimate without its interval: ``23%`` for a share, ``+16 points``, ``4.5 h``.

    Example:
        >>> headline(0.234, "share"), headline(0.16, "points"), headline(None, "share")
        ('23%', '+16 points', 'n/a')
    """
    return percent(value) if unit == "share" else interval(Interval(value, None, None, 0), unit)


def bounds(est: Interval, unit: str) -> str:
    """Just the interval part of :func:`interval` (``95% CI 13–36%``); empty when there is none.

    Example:
        >>> bounds(Interval(0.23, 0.13, 0.36, 52), "share"), bounds(Interval(0.23, None, None, 52), "share")
        ('95% CI 13–36%', '')
    """
    if est.value is None or est.low is None or est.high is None:
        return ""
    return interval(est, unit).split("(", 1)[1].rstrip(")")


NO_TEXTS = ("Post texts were not read (labels from Parquet without --posts): counter-hashtags, cue phrases, "
            "“what about” continuations and example posts are left out, not counted as zero. "
            "Fix: pass the classified posts with --posts to include them.")
"""What the report says when it was built from labels without the posts' texts."""
