"""Redaction of Bluesky identities in quoted post text (reports and examples)."""

from __future__ import annotations

import pytest

from heard.report import redact


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("thanks bob.bsky.social for listening", "thanks [handle] for listening"),
        ("cc @maya.example.com and @maya.bsky.social", "cc [handle] and [handle]"),
        ("my did is did:plc:z72i7hdynmk6r22z27h6tvur.", "my did is [handle]."),
        ("see at://did:plc:abc/app.bsky.feed.post/3k1 please", "see [profile link] please"),
        ("bsky.social is where I post", "bsky.social is where I post"),
    ],
)
def test_bluesky_handles_dids_and_at_uris_are_redacted(text: str, expected: str) -> None:
    assert redact(text) == expected
