"""Numbers as the words a report prints: shares, differences, durations, intervals.

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

from heard.threads.bootstrap import Interval


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
