"""The coding loop: draw a probability sample, code it (page or import), measure agreement.

Example:
    >>> from heard.coding import draw_sample               # doctest: +SKIP
    >>> draw_sample(store, 300, seed=1).drawn              # doctest: +SKIP
    300
"""

from __future__ import annotations

from heard.coding.sample import SampleResult, allocate, draw, draw_sample

__all__ = ["SampleResult", "allocate", "draw", "draw_sample"]
