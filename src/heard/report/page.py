"""The self-contained HTML report: one file, no network, every user text escaped.

The page opens with a content warning, then answers the three claims, then
shows reception, the timeline, derailing, threads, examples and the method.
It is rendered from ``templates/report.html`` (which extends
``templates/base.html`` and inlines ``templates/heard.css``) with Jinja2
autoescaping on, so a post containing ``<script>`` shows as text. Charts
are the same Vega-Lite specs as the PNG/SVG files, drawn in the browser by
the Vega JavaScript that vl-convert bundles; it is embedded **once**,
inline, after the text (about 900 KB), and a Content-Security-Policy
forbids the page any network request. The chart specs are embedded as JSON
with ``<``, ``>`` and ``&`` escaped.

Example:
    >>> write_html(Path("out/report.html"), findings, examples, figs, files)   # doctest: +SKIP
    PosixPath('out/report.html')
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import vl_convert as vlc

from heard.estimate.report import Correction
from heard.records import ACTS
from heard.report.charts import GROUP_LABELS, Figure, bin_words
from heard.report.claims import claim_texts
from heard.report.examples import Example, Examples
from heard.report.numbers import thresholds
from heard.report.templating import render_page
from heard.report.trust import trust_text
from heard.report.wording import NO_TEXTS, duration, percent, share_of, when
from heard.threads.analysis import Findings
from heard.threads.timeline import Onset, to_datetime

CONTENT_WARNING = (
    "Content warning: this report quotes posts about sexual violence, abuse and harassment, including hostile "
    "replies to people who disclosed it."
)


def _vega_javascript() -> str:
    """Vega, Vega-Lite and vega-embed as one inline script that sets ``window.vegaEmbed``."""
    return str(vlc.javascript_bundle())  # type: ignore[call-arg]  # the stub omits snippet's default


def later(reply: Example, head: Example) -> str:
    """How long after ``head`` the ``reply`` came, in words ("" when either time is unknown).

    Example:
        >>> later(reply, testimony)                               # doctest: +SKIP
        '15 min'
    """
    if reply.created_at is None or head.created_at is None:
        return ""
    return duration(max((reply.created_at - head.created_at).total_seconds(), 0) / 3600)


def onset_sentence(onset: Onset) -> str:
    """The backlash onset in one or two sentences.

    Example:
        >>> onset_sentence(findings.onset)[:32]                  # doctest: +SKIP
        'Backlash onset: the hostile share'
    """
    if onset.first_testimony is None:
        return "No dated testimony, so no backlash onset can be placed."
    if onset.at is None:
        return (f"After the first testimony ({when(onset.first_testimony)}) the hostile share never passed "
                f"{share_of(onset.threshold)} in a bin of at least {onset.min_posts} labelled posts: no backlash onset.")
    return (f"Backlash onset: the hostile share first passed {share_of(onset.threshold)} in the bin starting "
            f"{when(onset.bin_start)} ({percent(onset.hostile_share)} of {onset.bin_posts} labelled posts); its first "
            f"hostile post came {duration(onset.hours_after_first_testimony)} after the first testimony "
            f"({when(onset.first_testimony)}).")


def chart_specs(figs: Sequence[Figure]) -> str:
    """The charts' Vega-Lite specs as one JSON object for an inline script: ``<``, ``>`` and ``&`` escaped.

    Example:
        >>> chart_specs([])
        '{}'
    """
    specs = {f"fig-{f.name}": f.spec for f in figs}
    return json.dumps(specs).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def write_html(path: Path, findings: Findings, examples: Examples, figs: Sequence[Figure], files: dict[str, str],
               generated: datetime | None = None, correction: Correction | None = None) -> Path:
    """Write the report page to ``path``.

    Args:
        path: where to write (``report.html``).
        findings: what was measured.
        examples: redacted example posts.
        figs: the charts, embedded as Vega-Lite specs.
        files: file name -> path relative to ``path`` for every chart and table written.
        generated: time stamp printed on the page (default: now, UTC).
        correction: hand codes and corrected shares (``None``: the page says its intervals ignore classifier error).
    """
    generated = generated or datetime.now(UTC).replace(tzinfo=None)
    corpus = findings.corpus
    dated = corpus.time[: corpus.posts]
    dated = dated[np.isfinite(dated)]
    page = render_page(
        "report.html",
        warning=CONTENT_WARNING,
        generated=generated,
        corpus=corpus,
        labelled=int((corpus.act[: corpus.posts] >= 0).sum()),
        first_post=to_datetime(float(dated.min())) if dated.size else None,
        last_post=to_datetime(float(dated.max())) if dated.size else None,
        model=findings.model,
        claims=claim_texts(findings.claims),
        trust=trust_text(correction),
        figures={f.name: f for f in figs},
        files=files,
        groups=findings.groups,
        group_labels=GROUP_LABELS,
        onset_sentence=onset_sentence(findings.onset),
        frames=findings.frames,
        cues=findings.cues,
        phrases=findings.phrases,
        no_texts=None if findings.texts else NO_TEXTS,
        examples=examples,
        acts=ACTS,
        later=later,
        t=thresholds(),
        bin_unit=bin_words(findings.timeline.unit),
        table_files=[(name, rel) for name, rel in sorted(files.items()) if name.endswith((".csv", ".parquet"))],
        vega_javascript=_vega_javascript(),
        chart_specs=chart_specs(figs),
    )
    path.write_text(page, encoding="utf-8")
    return path
