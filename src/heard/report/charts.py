"""The report's charts: Vega-Lite specs built with altair, rendered offline.

Every chart is drawn from aggregated numbers only (counts, shares,
intervals), never from post text. :func:`figures` builds the specs;
:func:`render` writes each as PNG (2x scale, for papers and slides) and SVG
with vl-convert, which runs Vega in-process: nothing is fetched. The HTML
report embeds the same specs and the Vega JavaScript once
(:mod:`heard.report.page`).

A chart with nothing to show (no testimonies, no dated posts) is still
written, with a "not enough data" note, so every report has the same files.

Example:
    >>> figs = figures(findings)                           # doctest: +SKIP
    >>> [f.name for f in figs][:2]                         # doctest: +SKIP
    ['reception_by_discloser', 'time_to_first_reply']
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import altair as alt
import numpy as np
import vl_convert as vlc

from heard.intervals import Interval
from heard.records import ACTS, STANCES
from heard.threads.analysis import Findings

ACT_COLOURS: dict[str, str] = {
    "testimony": "#7b3294",
    "solidarity": "#1b9e77",
    "accountability": "#2c7fb8",
    "pushback": "#74c476",
    "derailing": "#e6ab02",
    "silencing": "#d95f02",
    "disbelief": "#e7298a",
    "other": "#9e9e9e",
    "unlabelled": "#dddddd",
}
"""One colour per act, the same in every chart."""

MEASURE_COLOURS = {"supportive": "#1b9e77", "hostile": "#d95f02", "silencing": "#7570b3"}
STANCE_COLOURS = {"support": "#1b9e77", "oppose": "#d95f02", "neutral": "#bdbdbd"}
GROUP_LABELS = {"woman": "women", "man": "men", "other": "other", "unstated": "unstated"}
WIDTH = 620


@dataclass(frozen=True)
class Figure:
    """One chart: a file name, a title, a one-sentence description and its Vega-Lite spec."""

    name: str
    title: str
    description: str
    spec: dict[str, Any]


def _finish(chart: alt.TopLevelMixin) -> dict[str, Any]:
    spec: dict[str, Any] = chart.configure_view(stroke=None).configure_axis(labelFontSize=12, titleFontSize=12).configure_legend(
        labelFontSize=12, titleFontSize=12, orient="bottom").to_dict()
    spec.pop("$schema", None)  # a URL the renderer never needs
    return spec


def _empty(note: str) -> dict[str, Any]:
    chart = alt.Chart(alt.Data(values=[{"note": note}])).mark_text(fontSize=14, color="#555").encode(
        text="note:N").properties(width=WIDTH, height=60)
    return _finish(chart)


def _iso(seconds: float) -> str:
    return np.datetime_as_string(np.datetime64(int(seconds), "s")) + "Z"


def _interval_rows(label: str, measure: str, est: Interval) -> list[dict[str, Any]]:
    if est.value is None:
        return []
    return [{"group": label, "measure": measure, "value": est.value, "low": est.low if est.low is not None else est.value,
             "high": est.high if est.high is not None else est.value, "n": est.n}]


def _dot_interval(rows: list[dict[str, Any]], x_title: str, colours: dict[str, str],
                  share: bool) -> alt.LayerChart | alt.FacetChart:
    base = alt.Chart(alt.Data(values=rows))
    fmt = ".0%" if share else ".1f"
    x = alt.X("value:Q", title=x_title, axis=alt.Axis(format=fmt),
              scale=alt.Scale(domain=[0, 1]) if share else alt.Scale(zero=True))
    colour = alt.Color("measure:N", title=None, scale=alt.Scale(domain=list(colours), range=list(colours.values())))
    y = alt.Y("group:N", title=None, sort=None, axis=alt.Axis(labelLimit=320))
    offset = alt.YOffset("measure:N", sort=list(colours))
    rules = base.mark_rule(strokeWidth=2).encode(x=alt.X("low:Q"), x2="high:Q", y=y, yOffset=offset, color=colour)
    dots = base.mark_point(filled=True, size=70).encode(x=x, y=y, yOffset=offset, color=colour,
                                                        tooltip=["group:N", "measure:N", alt.Tooltip("value:Q", format=fmt),
                                                                 alt.Tooltip("low:Q", format=fmt),
                                                                 alt.Tooltip("high:Q", format=fmt), "n:Q"])
    return alt.layer(rules, dots).properties(width=WIDTH, height=alt.Step(16))


def reception_chart(findings: Findings) -> Figure:
    """Supportive, hostile and silencing shares of replies per discloser group."""
    rows: list[dict[str, Any]] = []
    for g in findings.groups:
        if g.answered == 0:
            continue
        few = "" if g.enough_data else ", too few to say"
        label = f"{GROUP_LABELS[g.discloser]} ({g.answered} testimonies{few})"
        for measure in ("supportive", "hostile", "silencing"):
            rows += _interval_rows(label, measure, getattr(g, measure))
    title = "What replies to testimony did, by who disclosed"
    spec = (_finish(_dot_interval(rows, "share of direct replies by others (95% CI)", MEASURE_COLOURS, True)
                    .properties(title=title)) if rows else _empty("No testimony got a labelled reply."))
    return Figure("reception_by_discloser", title,
                  "Share of direct replies to testimonies that were supportive, hostile or silencing, per discloser "
                  "group, with bootstrap 95% intervals (never narrower than Wilson's for the same counts).", spec)


def first_reply_chart(findings: Findings) -> Figure:
    """Median hours to the first supportive and first hostile reply, per group."""
    colours = {"first supportive reply": MEASURE_COLOURS["supportive"], "first hostile reply": MEASURE_COLOURS["hostile"]}
    rows: list[dict[str, Any]] = []
    for g in findings.groups:
        label = GROUP_LABELS[g.discloser]
        rows += _interval_rows(label, "first supportive reply", g.hours_to_supportive)
        rows += _interval_rows(label, "first hostile reply", g.hours_to_hostile)
    title = "How fast the first supportive and the first hostile reply came"
    spec = (_finish(_dot_interval(rows, "median hours after the testimony (95% CI)", colours, False)
                    .properties(title=title)) if rows else _empty("No dated replies to testimonies."))
    return Figure("time_to_first_reply", title,
                  "Median hours from a testimony to its first supportive and its first hostile direct reply, per "
                  "discloser group, with bootstrap 95% intervals.", spec)


def _bins(findings: Findings) -> list[tuple[str, str, int]]:
    tl = findings.timeline
    width = tl.width
    return [(_iso(s), _iso(s + width), i) for i, s in enumerate(tl.starts.astype(np.int64).tolist())]


def bin_words(unit: str) -> str:
    """``3 hours`` -> ``3-hour bins``; ``day`` -> ``day bins``."""
    return unit.replace(" hours", "-hour").replace(" weeks", "-week") + " bins"


def _time_x(findings: Findings) -> alt.X:
    fmt = "%b %d %H:%M" if findings.timeline.width < 86400 else "%b %d, %Y"
    return alt.X("start:T", title=f"time (UTC, {bin_words(findings.timeline.unit)})", scale=alt.Scale(type="utc"),
                 axis=alt.Axis(format=fmt, labelAngle=-30, labelOverlap=True))


def acts_chart(findings: Findings) -> Figure:
    """Posts per act in each time bin, stacked."""
    tl = findings.timeline
    names = list(ACTS) + ["unlabelled"]
    rows = [{"start": a, "end": b, "act": names[j], "posts": int(tl.acts[i, j])}
            for a, b, i in _bins(findings) for j in range(len(names)) if tl.acts[i, j]]
    title = "What the conversation did, over time"
    if not rows:
        spec = _empty("No dated posts.")
    else:
        chart = alt.Chart(alt.Data(values=rows)).mark_bar().encode(
            x=_time_x(findings), x2="end:T", y=alt.Y("sum(posts):Q", title="posts", stack="zero"),
            color=alt.Color("act:N", title=None, scale=alt.Scale(domain=names, range=[ACT_COLOURS[n] for n in names])),
            order=alt.Order("order:Q"), tooltip=["act:N", "posts:Q", alt.Tooltip("start:T", format="%b %d %H:%M")],
        ).transform_calculate(order=f"indexof({names!r}, datum.act)").properties(width=WIDTH, height=260, title=title)
        spec = _finish(chart)
    return Figure("acts_over_time", title, "Posts per act in each time bin (UTC), stacked.", spec)


def hostile_chart(findings: Findings) -> Figure:
    """Hostile and supportive shares per bin, with the onset threshold and onset."""
    tl, onset = findings.timeline, findings.onset
    labelled = tl.labelled
    rows = []
    for a, _b, i in _bins(findings):
        if labelled[i] < onset.min_posts:  # the same rule as the onset: small bins are noise
            continue
        rows.append({"start": a, "measure": "hostile", "value": tl.hostile[i] / labelled[i], "posts": int(labelled[i])})
        rows.append({"start": a, "measure": "supportive", "value": tl.supportive[i] / labelled[i],
                     "posts": int(labelled[i])})
    title = "Share of posts that were hostile or supportive"
    if not rows:
        return Figure("hostile_share_over_time", title, "No time bin with enough labelled posts.",
                      _empty(f"No time bin with at least {onset.min_posts} labelled posts."))
    colours = {"supportive": MEASURE_COLOURS["supportive"], "hostile": MEASURE_COLOURS["hostile"]}
    lines = alt.Chart(alt.Data(values=rows)).mark_line(point=True).encode(
        x=_time_x(findings), y=alt.Y("value:Q", title="share of labelled posts", axis=alt.Axis(format=".0%"),
                                     scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("measure:N", title=None, scale=alt.Scale(domain=list(colours), range=list(colours.values()))),
        tooltip=["measure:N", alt.Tooltip("value:Q", format=".0%"), "posts:Q"],
    )
    threshold = alt.Chart(alt.Data(values=[{"y": onset.threshold, "label": f"onset threshold {onset.threshold:.0%}"}]))
    layers: list[alt.Chart] = [
        lines,
        threshold.mark_rule(strokeDash=[4, 4], color="#555").encode(y="y:Q"),
        threshold.mark_text(align="right", dy=-6, color="#555").encode(y="y:Q", text="label:N",
                                                                       x=alt.value(WIDTH)),
    ]
    marks: list[dict[str, Any]] = []
    if onset.first_testimony is not None:
        marks.append({"t": onset.first_testimony.isoformat() + "Z", "label": "first testimony", "colour": "#7b3294"})
    if onset.at is not None:
        marks.append({"t": onset.at.isoformat() + "Z", "label": "backlash onset", "colour": "#b2182b"})
    if marks:
        for row, mark in enumerate(marks):
            mark["ypos"] = 10 + 16 * row  # stack the labels: the two lines are often close
        base = alt.Chart(alt.Data(values=marks))
        layers.append(base.mark_rule(strokeWidth=2).encode(x=alt.X("t:T", scale=alt.Scale(type="utc")),
                                                           color=alt.Color("colour:N", scale=None)))
        layers.append(base.mark_text(align="left", dx=4, fontWeight="bold").encode(
            x=alt.X("t:T"), y=alt.Y("ypos:Q", scale=None), text="label:N", color=alt.Color("colour:N", scale=None)))
    chart = alt.layer(*layers).properties(width=WIDTH, height=260, title=title)
    return Figure("hostile_share_over_time", title,
                  f"Hostile and supportive shares of the labelled posts in each time bin of at least {onset.min_posts} "
                  "labelled posts, the onset threshold, the first testimony and the backlash onset.", _finish(chart))


def stance_chart(findings: Findings) -> Figure:
    """Stance mix per bin, as shares."""
    tl = findings.timeline
    rows = [{"start": a, "end": b, "stance": s, "posts": int(tl.stances[i, j])}
            for a, b, i in _bins(findings) for j, s in enumerate(STANCES) if tl.stances[i, j]]
    title = "Stance toward survivors speaking out, over time"
    if not rows:
        return Figure("stance_over_time", title, "No dated labelled posts.", _empty("No dated posts."))
    chart = alt.Chart(alt.Data(values=rows)).mark_bar().encode(
        x=_time_x(findings), x2="end:T",
        y=alt.Y("sum(posts):Q", stack="normalize", title="share of labelled posts", axis=alt.Axis(format=".0%")),
        color=alt.Color("stance:N", title=None, scale=alt.Scale(domain=list(STANCE_COLOURS),
                                                                range=list(STANCE_COLOURS.values()))),
        order=alt.Order("order:Q"), tooltip=["stance:N", "posts:Q"],
    ).transform_calculate(order="indexof(['support', 'neutral', 'oppose'], datum.stance)").properties(
        width=WIDTH, height=220, title=title)
    return Figure("stance_over_time", title, "Share of labelled posts per stance in each time bin.", _finish(chart))


def frames_chart(findings: Findings) -> Figure:
    """Share of derails per frame with intervals."""
    rows = [{"frame": c.frame.replace("_", " "), "value": c.share.value, "low": c.share.low, "high": c.share.high,
             "posts": c.posts} for c in findings.frames.counts if c.share.value is not None and c.posts > 0]
    title = f"How derailing derails ({findings.frames.derails} derailing posts)"
    if not rows:
        return Figure("derail_frames", title, "No derailing posts.", _empty("No derailing posts."))
    base = alt.Chart(alt.Data(values=rows)).encode(y=alt.Y("frame:N", title=None, sort="-x"))
    bars = base.mark_bar(color=ACT_COLOURS["derailing"]).encode(
        x=alt.X("value:Q", title="share of derailing posts (95% CI)", axis=alt.Axis(format=".0%"),
                scale=alt.Scale(domain=[0, 1])), tooltip=["frame:N", "posts:Q", alt.Tooltip("value:Q", format=".0%")])
    err = base.mark_rule(color="#333").encode(x="low:Q", x2="high:Q")
    text = base.mark_text(align="left", dx=4, dy=-7, color="#333").encode(x="high:Q", text="posts:Q")
    chart = alt.layer(bars, err, text).properties(width=WIDTH, height=alt.Step(26), title=title)
    return Figure("derail_frames", title, "Share of derailing posts per frame, with bootstrap 95% intervals that "
                  "resample threads (never narrower than Wilson's); numbers are posts.", _finish(chart))


def cues_chart(findings: Findings) -> Figure:
    """Posts per counter-hashtag and cue phrase, split by whether the post derails."""
    rows = []
    for c in findings.cues:
        rows.append({"cue": c.label, "kind": c.kind, "part": "labelled derailing", "posts": c.derailing})
        rows.append({"cue": c.label, "kind": c.kind, "part": "other acts", "posts": c.posts - c.derailing})
    title = "Counter-hashtags and cue phrases"
    if not any(r["posts"] for r in rows):
        return Figure("cues", title, "No cue matched.", _empty("No counter-hashtag or cue phrase found."))
    chart = alt.Chart(alt.Data(values=rows)).mark_bar().encode(
        y=alt.Y("cue:N", title=None, sort=[c.label for c in findings.cues]),
        x=alt.X("sum(posts):Q", title="posts containing it"),
        color=alt.Color("part:N", title=None, scale=alt.Scale(domain=["labelled derailing", "other acts"],
                                                               range=[ACT_COLOURS["derailing"], "#bdbdbd"])),
        tooltip=["cue:N", "kind:N", "part:N", "posts:Q"],
    ).properties(width=WIDTH, height=alt.Step(24), title=title)
    return Figure("cues", title, "Posts whose text contains each counter-hashtag or cue phrase, split by whether the "
                  "post was labelled derailing.", _finish(chart))


def accountability_chart(findings: Findings) -> Figure:
    """Accountability share in threads with and without a derail."""
    claim = findings.claims[2]
    rows = []
    for est, label in ((claim.share_with_derail, "threads with a derail"),
                       (claim.share_without_derail, "threads without")):
        if est.value is not None:
            rows.append({"group": f"{label} (n={est.n})", "value": est.value, "low": est.low, "high": est.high})
    title = "Accountability posts next to derailing"
    if not rows:
        return Figure("accountability_by_derail", title, "No threads to compare.", _empty("No threads to compare."))
    base = alt.Chart(alt.Data(values=rows)).encode(y=alt.Y("group:N", title=None, sort=None))
    bars = base.mark_bar(color=ACT_COLOURS["accountability"]).encode(
        x=alt.X("value:Q", title="accountability share of the other posts in the thread (95% CI)",
                axis=alt.Axis(format=".0%"), scale=alt.Scale(zero=True)))
    err = base.mark_rule(color="#333").encode(x="low:Q", x2="high:Q")
    chart = alt.layer(bars, err).properties(width=WIDTH, height=alt.Step(34), title=title)
    return Figure("accountability_by_derail", title, "Share of accountability posts among the non-derailing posts "
                  "of threads with a derail and without, with bootstrap 95% intervals that resample threads "
                  "(never narrower than Wilson's).",
                  _finish(chart))


def figures(findings: Findings) -> tuple[Figure, ...]:
    """All charts of a report, in reading order."""
    return (
        reception_chart(findings),
        first_reply_chart(findings),
        acts_chart(findings),
        hostile_chart(findings),
        stance_chart(findings),
        frames_chart(findings),
        cues_chart(findings),
        accountability_chart(findings),
    )


def render(figure: Figure, folder: Path) -> tuple[Path, Path]:
    """Write ``folder/<name>.png`` (2x) and ``folder/<name>.svg``; return both paths."""
    folder.mkdir(parents=True, exist_ok=True)
    png = folder / f"{figure.name}.png"
    svg = folder / f"{figure.name}.svg"
    png.write_bytes(vlc.vegalite_to_png(figure.spec, scale=2))
    svg.write_text(vlc.vegalite_to_svg(figure.spec), encoding="utf-8")
    return png, svg
