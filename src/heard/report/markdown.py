"""The Markdown summary: the three answers, reception, onset and frames, with the PNG charts.

Meant for a README, an issue or a paper's notes. Every string from the
corpus is HTML-escaped (Markdown renderers pass raw HTML through) and table
cells have their pipes escaped.

Example:
    >>> write_markdown(Path("out/summary.md"), findings, figs, files)   # doctest: +SKIP
    PosixPath('out/summary.md')
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from html import escape
from pathlib import Path

from heard.estimate.report import Correction
from heard.report.charts import GROUP_LABELS, Figure
from heard.report.claims import claim_texts
from heard.report.page import CONTENT_WARNING
from heard.report.trust import trust_text
from heard.report.wording import NO_TEXTS, interval, per_thread, percent
from heard.threads.analysis import Findings


def md(text: object) -> str:
    """Escape text for Markdown: HTML special characters and table pipes."""
    return escape(str(text), quote=False).replace("|", "\\|")


def write_markdown(path: Path, findings: Findings, figs: Sequence[Figure], files: dict[str, str],
                   correction: Correction | None = None) -> Path:
    """Write the summary to ``path``; chart images are linked by their paths in ``files``;
    ``correction`` gives the classifier-error part (``None``: it says the intervals ignore it)."""
    corpus = findings.corpus
    trust = trust_text(correction)
    lines = [
        f"> {CONTENT_WARNING}",
        "",
        "# How testimony was received",
        "",
        f"{corpus.posts:,} posts in {corpus.stats.threads:,} threads, labelled by `{md(findings.model)}`.",
        "",
        "## The three questions",
        "",
        "These intervals cover sampling error only: they take the classifier's labels to be right."
        + (" The claims corrected for the classifier's errors follow them." if trust.claims else ""),
        "",
    ]
    for claim in claim_texts(findings.claims):
        flag = "" if claim.enough_data else " **(not enough data)**"
        lines += [f"### {claim.key}. {md(claim.question)}{flag}", "", md(claim.answer), ""]
        lines += ["| measure | estimate (95% CI) | n |", "|---|---|---|"]
        for m in claim.measures:
            # Counts per thread print without their interval here, to keep the table narrow.
            value = (per_thread(replace(m.estimate, low=None, high=None)) if m.unit == "count"
                     else interval(m.estimate, m.unit))
            lines.append(f"| {md(m.label)} | {md(value)} | {m.estimate.n:,} |")
        lines.append("")
    for sentence in trust.claims:
        lines += [md(sentence), ""]
    lines += ["## How far to trust these figures", "", md(trust.summary), ""]
    if trust.corrected:
        lines += ([md(trust.agreement), ""] if trust.agreement else []) + [
            "| act | model's share | estimate | 95% interval | interval includes classifier error |", "|---|---|---|---|---|"]
        lines += [f"| {r.name} | {r.model} | {r.estimate} | {r.interval} | {r.includes} |" for r in trust.rows]
        if trust.claim_rows:
            lines += ["", "| claim | measure | model's figure | estimate | 95% interval | hand-coded | interval includes "
                      "classifier error |", "|---|---|---|---|---|---|---|"]
            lines += [f"| {r.claim} | {md(r.measure)} | {r.model} | {r.estimate} | {r.interval} | {r.coded} | {r.includes} |"
                      for r in trust.claim_rows]
        lines += ["", md(trust.scope), ""]
    lines += ["## Reception by discloser", "",
              "| discloser | testimonies | answered | replies | supportive | hostile | silencing |",
              "|---|---|---|---|---|---|---|"]
    for g in findings.groups:
        lines.append(f"| {GROUP_LABELS[g.discloser]} | {g.testimonies:,} | {g.answered:,} | {g.replies:,} | "
                     f"{md(interval(g.supportive))} | {md(interval(g.hostile))} | {md(interval(g.silencing))} |")
    onset = findings.onset
    lines += ["", "## Backlash onset", ""]
    if onset.at is not None:
        lines.append(f"The hostile share first passed {onset.threshold:.0%} at {onset.at:%Y-%m-%d %H:%M} UTC, "
                     f"{onset.hours_after_first_testimony:.1f} hours after the first testimony "
                     f"({percent(onset.hostile_share)} of {onset.bin_posts} labelled posts in that bin).")
    else:
        lines.append("No backlash onset: the hostile share never passed the threshold after the first testimony.")
    lines += ["", "## Derailing frames", "", "| frame | posts | share of derails (95% CI) |", "|---|---|---|"]
    for c in findings.frames.counts:
        lines.append(f"| {c.frame} | {c.posts:,} | {md(interval(c.share))} |")
    lines += ["", "## Counter-hashtags and cue phrases", ""]
    if not findings.texts:
        lines += [md(NO_TEXTS), ""]
    lines += ["| cue | posts | labelled derailing |", "|---|---|---|"]
    for cue in findings.cues:
        lines.append(f"| {md(cue.label)} | {cue.posts:,} | {cue.derailing:,} |")
    lines += ["", "## Charts", ""]
    for fig in figs:
        png = files.get(f"{fig.name}.png")
        if png:
            lines += [f"![{md(fig.title)}]({png})", ""]
    lines += ["Tables: " + ", ".join(f"[{md(name)}]({rel})" for name, rel in sorted(files.items())
                                     if name.endswith(".csv")), ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
