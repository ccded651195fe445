"""The Jinja2 environment of heard's HTML pages: templates, autoescaping and wording filters.

Templates live in ``heard/report/templates/``: ``base.html`` (content
warning, Content-Security-Policy, the one stylesheet ``heard.css`` inlined,
so every page is a single self-contained file), ``report.html`` and
``demo.html`` extend it. Autoescaping is on for every template, so any text
from the corpus or the store shows as text; the only values marked safe are
heard's own pre-rendered fragments (the Vega JavaScript and the escaped
chart specs), each with a comment saying why.

Numbers reach the page through the filters of :mod:`heard.report.wording`
(``{{ share|percent }}``, ``{{ est|interval("points") }}``,
``{{ count|n }}``), so the HTML words them like the Markdown and the
claim answers.

Example:
    >>> render_page("demo.html", warning="<b>hi</b>", posts=1, units=1, model="m", rows=[])[:15]
    '<!doctype html>'
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from heard.report import wording


def thousands(value: int) -> str:
    """An integer with thousands separated: ``12,345``."""
    return f"{value:,}"


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The shared environment: package templates, autoescape on, undefined names an error.

    Example:
        >>> environment().autoescape
        True
    """
    env = Environment(
        loader=PackageLoader("heard.report", "templates"),
        autoescape=True,  # every template is HTML; user text must never become markup
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        n=thousands,
        percent=wording.percent,
        points=wording.points,
        duration=wording.duration,
        interval=wording.interval,
        cell=wording.interval_cell,
        estimate=wording.estimate,
        headline=wording.headline,
        bounds=wording.bounds,
        when=wording.when,
        share_of=wording.share_of,
    )
    return env


def render_page(name: str, **context: Any) -> str:
    """Render the template ``name`` (``report.html``, ``demo.html``) with ``context``.

    Raises:
        jinja2.UndefinedError: the template uses a name missing from ``context`` (a bug in heard).
    """
    return environment().get_template(name).render(**context)
