"""Segment: split posts into units and mark quoted or reported speech.

Short posts stay one unit; long texts (essays, long comments) become sentences,
and every quoted span — quotation marks, ``>`` block quotes, "X said: …" —
becomes its own unit with ``voice="quoted"``.

Example:
    >>> [(u.voice, u.text) for u in segment_text("me too", post_id="p1")]
    [('own', 'me too')]
"""

from __future__ import annotations

from heard.segment.segmenter import LONG_TEXT_CHARS, segment_text, unit_hash

__all__ = ["LONG_TEXT_CHARS", "segment_text", "unit_hash"]
