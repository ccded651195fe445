"""The terminal table of ``heard estimate``.

Example:
    >>> from heard.estimate.corrected import Estimates
    >>> render_estimates(Estimates("m", 0, 0, {}, {})).splitlines()[0]
    '0 posts labelled by m; 0 hand-coded'
"""

from __future__ import annotations

from heard.estimate.corrected import Estimates
from heard.estimate.ppi import ShareEstimate


def _row(name: str, e: ShareEstimate) -> str:
    interval = f"[{e.low:6.1%}, {e.high:6.1%}]"
    eff = f"{e.n_effective:8.0f}" if e.method == "ppi" else f"{'-':>8}"
    return f"  {name:<15}{e.model_share:>8.1%}{e.estimate:>10.1%}  {interval}  {e.method:<10}{eff}"


def render_estimates(result: Estimates) -> str:
    """Model share, estimate, 95% interval, method and effective coded posts, per act and stance."""
    lines = [f"{result.n_posts:,} posts labelled by {result.model}; {result.n_coded:,} hand-coded"]
    header = f"  {'':<15}{'model':>8}{'estimate':>10}  {'95% interval':<18}  {'method':<10}{'eff. n':>8}"
    for title, group in (("acts", result.acts), ("stance", result.stance)):
        if not group:
            continue
        lines += ["", title, header] + [_row(k, v) for k, v in group.items()]
    if result.includes_classifier_error:
        lines += ["", "ppi: prediction-powered (PPI++) — the interval includes the classifier's errors, measured on the codes."]
    lines += [""] + result.notes if result.notes else []
    return "\n".join(lines)
