"""Personal data out of example posts: handles, emails, phones, links; authors renamed.

Every post text a report quotes goes through :func:`redact` first:

* links to social-media profiles or posts (``twitter.com/…``, ``x.com``,
  ``facebook.com``, ``instagram.com``, ``tiktok.com``, ``linkedin.com``,
  ``reddit.com``, ``bsky.app``, ``threads.net``, ``youtube.com``, and any
  path with ``/@name``, ``/u/``, ``/user/``, ``/users/`` or ``/profile/``)
  become ``[profile link]``; other links keep only their site:
  ``[link: example.org]``;
* e-mail addresses become ``[email]``;
* AT Protocol URIs (``at://did:plc:…/app.bsky.feed.post/…``) become
  ``[profile link]``;
* handles (``@name``, ``@name@instance.social``, ``@name.bsky.social``,
  custom-domain Bluesky handles written ``@name.example.com``, bare
  Bluesky handles ``name.bsky.social``, DIDs ``did:plc:…``/``did:web:…``,
  ``u/name``) become ``[handle]``;
* phone numbers (7 or more digits in groups, optionally with a ``+``
  country code or brackets, or a run of 10 to 15 digits; dates and year
  ranges are left alone) become ``[phone]``.

Authors are already keyed-hash pseudonyms in the store; a report renames
them once more to ``person 1``, ``person 2``… (:class:`Pseudonyms`), in the
order they appear, so a report never prints a store's pseudonym.

Redaction is pattern-based: names written in plain words ("thanks, Maya")
are not found. Reports quote only short examples for this reason.

Example:
    >>> redact("mail me: jo.doe@example.com or call +44 20 7946 0958, @jo_doe")
    'mail me: [email] or call [phone], [handle]'
    >>> redact("see https://twitter.com/jo_doe/status/1 and https://news.example.org/a?b=1")
    'see [profile link] and [link: news.example.org]'
    >>> redact("thanks jo.bsky.social and @jo.example.com (did:plc:z72i7hdynmk6r22z27h6tvur)")
    'thanks [handle] and [handle] ([handle])'
"""

from __future__ import annotations

import re

_SOCIAL = (
    r"(?:[a-z0-9-]+\.)*(?:twitter\.com|x\.com|t\.co|facebook\.com|fb\.com|fb\.me|instagram\.com|tiktok\.com|"
    r"linkedin\.com|reddit\.com|redd\.it|bsky\.app|threads\.net|youtube\.com|youtu\.be|snapchat\.com|"
    r"tumblr\.com|pinterest\.com|medium\.com|substack\.com|onlyfans\.com|vk\.com|t\.me|mastodon\.[a-z.]+)"
)
_URL = re.compile(
    r"(?:https?://|www\.)[^\s<>\"'()\[\]]+"
    r"|\b" + _SOCIAL + r"/[^\s<>\"'()\[\]]*",
    re.IGNORECASE,
)
_AT_URI = re.compile(r"\bat://[^\s<>\"'()\[\]]+", re.IGNORECASE)
_DID = re.compile(r"\bdid:(?:plc|web|key):[A-Za-z0-9._:%-]*[A-Za-z0-9]", re.IGNORECASE)
_BSKY_HANDLE = re.compile(r"(?<![\w@./-])(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+bsky\.social\b", re.IGNORECASE)
_SOCIAL_HOST = re.compile(r"^" + _SOCIAL + r"$", re.IGNORECASE)
_PROFILE_PATH = re.compile(r"/(?:@|u/|user/|users/|profile/|in/|people/)", re.IGNORECASE)
_FEDIVERSE = re.compile(r"(?<![\w@])@[A-Za-z0-9_.-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_HANDLE = re.compile(r"(?<![\w@])@[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?")
_REDDIT_USER = re.compile(r"(?<![\w/])/?u/[A-Za-z0-9_-]{3,20}\b")
_PHONE = re.compile(
    r"(?<![\w+])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,5}\)[\s.-]?)?\d{1,5}(?:[\s.-]?\d{2,5}){1,4}(?![\w])"
    r"|(?<![\w+])\+?\d{10,15}(?![\w])"
)
_DATE = re.compile(r"^(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})$")
_TRAILING = ".,;:!?"


def _url(match: re.Match[str]) -> str:
    url = match.group(0)
    tail = ""
    while url and url[-1] in _TRAILING:  # sentence punctuation after a link is not part of it
        url, tail = url[:-1], url[-1] + tail
    host = re.sub(r"^(?:https?://)?(?:www\.)?", "", url, flags=re.IGNORECASE).split("/", 1)[0].split("?", 1)[0]
    host = host.split("@")[-1].split(":", 1)[0].lower()
    if _SOCIAL_HOST.match(host) or _PROFILE_PATH.search(url):
        return "[profile link]" + tail
    return f"[link: {host}]" + tail if host else "[link]" + tail


def _at_uri(match: re.Match[str]) -> str:
    uri = match.group(0)
    stripped = uri.rstrip(_TRAILING)
    return "[profile link]" + uri[len(stripped):]


def _phone(match: re.Match[str]) -> str:
    text = match.group(0)
    digits = sum(c.isdigit() for c in text)
    if digits < 7 or _DATE.match(text.strip()):
        return text
    if digits == 8 and re.fullmatch(r"\d{4}\s*-\s*\d{4}", text.strip()):
        return text  # a range of years, "2009-2012"
    return "[phone]"


def redact(text: str) -> str:
    """Replace links, emails, handles and phone numbers in ``text`` (see the module docs)."""
    text = _AT_URI.sub(_at_uri, text)
    text = _URL.sub(_url, text)
    text = _DID.sub("[handle]", text)
    text = _BSKY_HANDLE.sub("[handle]", text)
    text = _FEDIVERSE.sub("[handle]", text)
    text = _EMAIL.sub("[email]", text)
    text = _HANDLE.sub("[handle]", text)
    text = _REDDIT_USER.sub("[handle]", text)
    return _PHONE.sub(_phone, text)


def shorten(text: str, limit: int = 400) -> str:
    """One line of at most ``limit`` characters, cut at a word with an ellipsis.

    Example:
        >>> shorten("one  two\\nthree four", 12)
        'one two…'
    """
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1].rsplit(" ", 1)[0] if " " in flat[: limit - 1] else flat[: limit - 1]
    return cut.rstrip(_TRAILING + " ") + "…"


class Pseudonyms:
    """Report-local names for authors: ``person 1``, ``person 2``… in order of first mention.

    Example:
        >>> names = Pseudonyms()
        >>> names("a_9f2c"), names("a_11aa"), names("a_9f2c"), names(None)
        ('person 1', 'person 2', 'person 1', 'unknown author')
    """

    def __init__(self) -> None:
        self._names: dict[str, str] = {}

    def __call__(self, author: str | None) -> str:
        if not author:
            return "unknown author"
        if author not in self._names:
            self._names[author] = f"person {len(self._names) + 1}"
        return self._names[author]
