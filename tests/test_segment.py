"""Segmentation: short posts, sentences, and quoted or reported speech."""

from __future__ import annotations

from heard.segment import segment_text
from heard.segment.segmenter import is_mainly_quoted, unit_hash


def units(text: str, long_form: bool | None = None) -> list[tuple[str, str]]:
    return [(u.voice, u.text) for u in segment_text(text, post_id="p", long_form=long_form)]


def test_a_short_post_is_one_own_unit() -> None:
    assert units("Me too. I was fourteen and he was my coach.") == [("own", "Me too. I was fourteen and he was my coach.")]


def test_a_short_post_carried_by_the_authors_comment_stays_own() -> None:
    text = "Someone told me 'it was just a joke'. That's how they keep us quiet."
    assert units(text) == [("own", text)]


def test_a_short_post_that_is_mainly_a_quote_is_quoted() -> None:
    assert units('"women lie about this for attention" - a reply I got') == [("quoted", '"women lie about this for attention" - a reply I got')]
    assert is_mainly_quoted("> not all men")
    assert is_mainly_quoted("He said: you are making this up for clicks")


def test_a_single_quoted_quote_may_hold_contractions() -> None:
    # The apostrophe of "you're" is inside the quote, not its closing mark.
    assert is_mainly_quoted("Reply I got: 'You're making it up for attention.'")
    assert is_mainly_quoted("'If it really happened she'd have called the police.' \u2014 top comment")
    assert not is_mainly_quoted("I can't believe it's 2018 and we're still explaining this.")
    assert not is_mainly_quoted("Someone told me 'it's just a joke, you're too sensitive'. That is how they keep us quiet for years.")
    text = " ".join(["I posted about it last year and it still hurts to think about."] * 3) + " A man replied: 'you're lying for attention.' I logged off."
    assert ("quoted", "you're lying for attention.") in units(text, long_form=True)
    assert not is_mainly_quoted("I don't think it's fair, and I'm saying so.")


def test_essay_sentences_quotes_block_quotes_and_reported_speech() -> None:
    essay = (
        "The backlash came fast. A man commented: 'women lie about this for attention'.\n\n"
        "> This isn't about you, guys.\n> Log off.\n\n"
        "Another wrote: men have it just as bad. I call that a false equivalence."
    )
    got = units(essay, long_form=True)
    assert got == [
        ("own", "The backlash came fast."),
        ("own", "A man commented:"),
        ("quoted", "women lie about this for attention"),
        ("quoted", "This isn't about you, guys."),
        ("quoted", "Log off."),
        ("own", "Another wrote:"),
        ("quoted", "men have it just as bad."),
        ("own", "I call that a false equivalence."),
    ]


def test_offsets_point_into_the_text_and_hashes_include_voice() -> None:
    essay = "First sentence here. " * 40 + 'She said "stop talking about it" and left.'
    for unit in segment_text(essay, post_id="p"):
        assert essay[unit.start : unit.end] == unit.text
    assert unit_hash("not all men", "own") != unit_hash("not all men", "quoted")


def test_apostrophes_are_not_quotes() -> None:
    got = units("It's the men's room they're worried about, isn't it? " * 15)
    assert {v for v, _ in got} == {"own"}


def test_empty_and_whitespace_posts_keep_one_unit() -> None:
    assert units("") == [("own", "")]
    assert units("   \n ") == [("own", "")]
