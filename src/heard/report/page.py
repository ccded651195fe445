"""The self-contained HTML report: one file, no network, every user text escaped.

The page opens with a content warning, then answers the three claims, then
shows reception, the timeline, derailing, threads, examples and the method.
Charts are the same Vega-Lite specs as the PNG/SVG files, drawn in the
browser by the Vega JavaScript that vl-convert bundles; it is embedded
**once**, inline, after the text (about 900 KB), and a Content-Security-Policy
forbids the page any network request. Every string that comes from the
corpus or the store (post text, phrases, the model name) goes through
:func:`html.escape`, and the chart specs are embedded as JSON with ``<``,
``>`` and ``&`` escaped, so a post containing ``<script>`` shows as text.

Example:
    >>> write_html(Path("out/report.html"), findings, examples, figs, files)   # doctest: +SKIP
    PosixPath('out/report.html')
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from html import escape
from pathlib import Path

import numpy as np
import vl_convert as vlc

from heard.records import ACTS
from heard.report.charts import GROUP_LABELS, Figure, bin_words
from heard.report.claims import ClaimText, claim_texts
from heard.report.examples import Example, Examples
from heard.report.numbers import thresholds
from heard.report.wording import duration, interval, percent
from heard.threads.analysis import Findings
from heard.threads.bootstrap import Interval
from heard.threads.timeline import to_datetime

CONTENT_WARNING = (
    "Content warning: this report quotes posts about sexual violence, abuse and harassment, including hostile "
    "replies to people who disclosed it."
)

_CSP = ("default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; "
        "img-src data:; font-src data:")

_CSS = """
body{font:16px/1.55 system-ui,-apple-system,"Segoe UI",sans-serif;color:#222;max-width:62rem;margin:0 auto;padding:0 1rem 4rem}
h1{font-size:1.9rem;margin:1.2rem 0 .3rem}h2{margin-top:2.6rem;border-bottom:2px solid #eee;padding-bottom:.2rem}
h3{margin:.2rem 0 .5rem}.cw{background:#fff4e5;border-left:5px solid #e8a33d;padding:.7rem 1rem;margin:1rem 0;font-weight:600}
.meta{color:#555}nav a{margin-right:.9rem}table{border-collapse:collapse;width:100%;margin:.6rem 0 1rem;font-size:.93rem}
th,td{border-bottom:1px solid #e3e3e3;padding:.35rem .5rem;text-align:left;vertical-align:top}th{background:#fafafa}
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.claim{border:1px solid #ddd;border-radius:8px;padding:1rem 1.2rem;margin:1rem 0;background:#fcfcfc}
.claim .tag{color:#666;font-size:.9rem;margin:0}.answer{font-size:1.05rem}
.big{font-size:1.6rem;font-weight:700;margin-right:.5rem}.badge{display:inline-block;background:#fdecea;color:#8a1c1c;
border-radius:4px;padding:.1rem .5rem;font-size:.85rem;font-weight:600}.ok{background:#e8f5e9;color:#1b5e20}
.wide{overflow-x:auto}figure{margin:1.2rem 0}figcaption{color:#555;font-size:.9rem}.chart{overflow-x:auto;min-height:3rem}
blockquote.post{margin:.5rem 0;padding:.5rem .9rem;border-left:4px solid #ccc;background:#f8f8f8}
blockquote.post p{margin:0 0 .3rem;white-space:pre-wrap}blockquote.post footer{color:#666;font-size:.85rem}
.reply{margin-left:2rem}.act{font-weight:600}.note{color:#555;font-size:.92rem}code{background:#f3f3f3;padding:0 .2rem}
"""


def _vega_javascript() -> str:
    """Vega, Vega-Lite and vega-embed as one inline script that sets ``window.vegaEmbed``."""
    return str(vlc.javascript_bundle())  # type: ignore[call-arg]  # the stub omits snippet's default


def e(text: object) -> str:
    """HTML-escape anything for element text or a quoted attribute."""
    return escape(str(text), quote=True)


def _n(value: int) -> str:
    return f"{value:,}"


def _when(moment: datetime | None) -> str:
    return moment.strftime("%d %b %Y %H:%M UTC") if moment is not None else "time unknown"


def _interval_cell(est: Interval, unit: str = "share") -> str:
    """A table cell's short form: ``38% (30–49%)``, ``20 min (15 min–1.0 h)``."""
    if est.value is None:
        return "n/a"
    if unit == "hours":
        value = duration(est.value)
        ends = f"{duration(est.low)}–{duration(est.high)}" if est.low is not None else ""
    else:
        value = percent(est.value)
        ends = f"{percent(est.low)[:-1]}–{percent(est.high)}" if est.low is not None and est.high is not None else ""
    return e(f"{value} ({ends})" if ends else value)


def _claim(text: ClaimText) -> str:
    claim = text.numbers
    est = Interval(claim.estimate, claim.low, claim.high, claim.n)
    unit = claim.unit
    big = percent(claim.estimate) if unit == "share" else interval(Interval(claim.estimate, None, None, 0), unit)
    ci = ""
    if claim.low is not None and claim.high is not None:
        ci = e(interval(est, unit).split("(", 1)[1].rstrip(")"))
    badge = ('<span class="badge ok">enough data</span>' if claim.enough_data
             else '<span class="badge">not enough data</span>')
    rows = "".join(
        f"<tr><td>{e(m.label)}</td><td class=n>{e(interval(m.estimate, m.unit) if m.unit != 'count' else _count(m.estimate))}"
        f"</td><td class=n>{_n(m.estimate.n)}</td><td>{'yes' if m.enough_data else 'no'}</td></tr>"
        for m in text.measures
    )
    return f"""<article class="claim" id="claim-{e(text.key)}">
<p class="tag">Claim {e(text.key)} · {e(text.claim)}</p>
<h3>{e(text.question)}</h3>
<p>{badge}</p>
<p class="answer">{e(text.answer)}</p>
<p><span class="big">{e(big)}</span>{ci} · n = {_n(claim.n)}</p>
<details><summary>All numbers behind this answer</summary>
<table><tr><th>measure</th><th>estimate (95% CI)</th><th>n</th><th>enough data</th></tr>{rows}</table></details>
</article>"""


def _count(est: Interval) -> str:
    if est.value is None:
        return "n/a"
    if est.low is None or est.high is None:
        return f"{est.value:.2f}"
    return f"{est.value:.2f} (95% CI {est.low:.2f}–{est.high:.2f})"


def _figure(fig: Figure, files: dict[str, str]) -> str:
    links = " · ".join(f'<a href="{e(files[k])}">{k.split(".")[-1].upper()}</a>'
                       for k in (f"{fig.name}.png", f"{fig.name}.svg") if k in files)
    return (f'<figure><div class="chart" id="fig-{e(fig.name)}" role="img" aria-label="{e(fig.description)}">'
            f'<noscript>Charts need JavaScript; the same chart is in the PNG and SVG files.</noscript></div>'
            f'<figcaption>{e(fig.description)} {links}</figcaption></figure>')


def _post(example: Example, extra: str = "", css: str = "post") -> str:
    tag = e(example.act or "unlabelled")
    if example.frame:
        tag += f" ({e(example.frame.replace('_', ' '))})"
    if example.abusive:
        tag += ", abusive"
    return (f'<blockquote class="{css}"><p>{e(example.text)}</p><footer>{e(example.author)} · '
            f'<span class="act">{tag}</span>{extra}</footer></blockquote>')


def _delay(reply: Example, head: Example) -> str:
    if reply.created_at is None or head.created_at is None:
        return ""
    hours = max((reply.created_at - head.created_at).total_seconds(), 0) / 3600
    return f" · {e(duration(hours))} later"


def _reception(findings: Findings) -> str:
    rows = "".join(
        f"<tr><td>{e(GROUP_LABELS[g.discloser])}</td><td class=n>{_n(g.testimonies)}</td><td class=n>{_n(g.answered)}"
        f"</td><td class=n>{_n(g.replies)}</td><td class=n>{_interval_cell(g.supportive)}</td>"
        f"<td class=n>{_interval_cell(g.hostile)}</td><td class=n>{_interval_cell(g.silencing)}</td>"
        f"<td class=n>{_interval_cell(g.any_hostile)}</td><td class=n>{_interval_cell(g.hours_to_supportive, 'hours')}"
        f"</td><td class=n>{_interval_cell(g.hours_to_hostile, 'hours')}</td>"
        f"<td>{'yes' if g.enough_data else 'no'}</td></tr>"
        for g in findings.groups
    )
    return ("<div class=wide><table><tr><th>discloser</th><th>testimonies</th><th>answered</th><th>replies</th>"
            "<th>supportive</th><th>hostile</th><th>silencing</th><th>testimonies with a hostile reply</th>"
            "<th>to first supportive reply</th><th>to first hostile reply</th><th>enough data</th>"
            f"</tr>{rows}</table></div><p class=note>Shares of labelled direct replies by others, and of testimonies, "
            "with 95% intervals in brackets; times are medians over the testimonies that got such a reply. "
            "“Answered” testimonies got at least one labelled reply from someone else.</p>")


def _onset_text(findings: Findings) -> str:
    onset = findings.onset
    if onset.first_testimony is None:
        return "No dated testimony, so no backlash onset can be placed."
    if onset.at is None:
        return (f"After the first testimony ({_when(onset.first_testimony)}) the hostile share never passed "
                f"{onset.threshold:.0%} in a bin of at least {onset.min_posts} labelled posts: no backlash onset.")
    return (f"Backlash onset: the hostile share first passed {onset.threshold:.0%} in the bin starting "
            f"{_when(onset.bin_start)} ({percent(onset.hostile_share)} of {onset.bin_posts} labelled posts); its first "
            f"hostile post came {duration(onset.hours_after_first_testimony)} after the first testimony "
            f"({_when(onset.first_testimony)}).")


def _derailing(findings: Findings, examples: Examples) -> str:
    parts = []
    for count in findings.frames.counts:
        if count.posts == 0:
            continue
        quoted = "".join(_post(x) for x in examples.by_frame.get(count.frame, ()))
        parts.append(f"<h3>{e(count.frame.replace('_', ' '))}: {_n(count.posts)} posts, "
                     f"{e(interval(count.share))}</h3>{quoted}")
    cues = "".join(
        f"<tr><td>{e(c.label)}</td><td>{e(c.kind)}</td><td class=n>{_n(c.posts)}</td><td class=n>{_n(c.derailing)}"
        f"</td><td>{e(_when(c.first_seen)) if c.first_seen else '–'}</td></tr>" for c in findings.cues
    )
    phrases = "".join(f"<li>what about <b>{e(p.phrase)}</b> … ({_n(p.posts)} posts, {_n(p.derailing)} labelled "
                      f"derailing)</li>" for p in findings.phrases)
    phrases = f"<ul>{phrases}</ul>" if phrases else "<p class=note>No continuation was shared by enough posts.</p>"
    return ("".join(parts) + "<h3>Counter-hashtags and cue phrases</h3><table><tr><th>cue</th><th>kind</th>"
            f"<th>posts</th><th>labelled derailing</th><th>first seen</th></tr>{cues}</table>"
            f"<h3>What follows “what about”</h3>{phrases}")


def _threads(findings: Findings) -> str:
    s = findings.corpus.stats
    rows = [
        ("posts", s.posts), ("threads (a post without replies is a thread of one)", s.threads),
        ("threads with replies", s.threads_with_replies), ("largest thread (posts)", s.largest_thread),
        ("longest reply chain", s.max_depth), ("orphans: replies whose parent is not in the corpus", s.orphans),
        ("placeholder roots the orphans hang from (one per missing parent)", s.placeholder_roots),
        ("reply loops found and cut", s.cycles_cut), ("posts on such loops", s.posts_in_cycles),
    ]
    body = "".join(f"<tr><td>{e(k)}</td><td class=n>{_n(v)}</td></tr>" for k, v in rows)
    return f"<table>{body}</table>"


def _examples(examples: Examples) -> str:
    out = []
    for thread in examples.threads:
        replies = "".join(_post(r, _delay(r, thread.testimony), "post reply") for r in thread.replies)
        more = f"<p class='note reply'>… and {_n(thread.more_replies)} more replies.</p>" if thread.more_replies else ""
        out.append(f"<h3>A testimony by a {e(thread.discloser)} and its first replies</h3>"
                   f"{_post(thread.testimony)}{replies}{more}")
    for act in ACTS:
        posts = examples.by_act.get(act, ())
        if posts:
            out.append(f"<h3>{e(act)}</h3>" + "".join(_post(p) for p in posts))
    if examples.full:
        items = "".join(
            f'<div style="margin-left:{min(depth, 8) * 1.5}rem">'
            + (_post(post) if post is not None else '<p class="note">[a post that is not in the corpus]</p>')
            + "</div>"
            for depth, post in examples.full
        )
        out.append(f"<details><summary>Every thread in full ({_n(len(examples.full))} entries; replies are "
                   f"indented under what they answer)</summary>{items}</details>")
    return "".join(out)


def _method(findings: Findings) -> str:
    t = thresholds()
    return f"""<ul>
<li>Labels: one label per post by the model <code>{e(findings.model)}</code> (its own units combined; quoted words
are labelled apart and do not count as the author's act). Acts follow heard's codebook.</li>
<li><b>Supportive</b> reply: solidarity or pushback, not abusive. <b>Hostile</b> reply: derailing, silencing or
disbelief, or any abusive reply. Reception counts <b>direct replies by other people</b>; the discloser's own
follow-ups are counted apart. The tables also hold every testimony's whole subtree.</li>
<li>Intervals: 95% percentile bootstrap, {t['bootstrap_draws']:,} resamples, seeded ({t['bootstrap_seed']}).
Testimonies (reception) or threads (frames, accountability) are resampled, never single replies, because replies in
one thread are not independent. Differences resample each group on its own.</li>
<li>Enough data: at least {t['min_testimonies_per_group']} answered testimonies per discloser group (claim a),
{t['min_derails']} derailing posts (claims b and c), {t['min_threads_per_group']} threads with and without a derail
(claim c). Below that the report says "not enough data" and shows what it saw.</li>
<li>Time bins: the narrowest of {e(', '.join(t['bin_widths']))} giving at most {t['max_bins']} bins (here
{e(bin_words(findings.timeline.unit))}). Backlash onset: the first bin at or after the first testimony where more
than {t['onset_threshold']:.0%} of at least {t['onset_min_posts']} labelled posts are hostile.</li>
<li>Cues are matched in the text, case-insensitively; a match says the words occur, not what the post does.</li>
<li>Privacy: handles, e-mail addresses, phone numbers and links are replaced in every quoted post, and authors are
shown as "person 1", "person 2"… numbered for this report only. Names written in plain words are not detected.</li>
</ul>"""


def write_html(path: Path, findings: Findings, examples: Examples, figs: Sequence[Figure], files: dict[str, str],
               generated: datetime | None = None) -> Path:
    """Write the report page to ``path``.

    Args:
        path: where to write (``report.html``).
        findings: what was measured.
        examples: redacted example posts.
        figs: the charts, embedded as Vega-Lite specs.
        files: file name -> path relative to ``path`` for every chart and table written.
        generated: time stamp printed on the page (default: now, UTC).
    """
    generated = generated or datetime.now(UTC).replace(tzinfo=None)
    by_name = {f.name: f for f in figs}
    corpus = findings.corpus
    labelled = int((corpus.act[: corpus.posts] >= 0).sum())
    dated = corpus.time[: corpus.posts]
    dated = dated[np.isfinite(dated)]
    span = ""
    if dated.size:
        span = (f", posted between {e(_when(to_datetime(float(dated.min()))))} and "
                f"{e(_when(to_datetime(float(dated.max()))))}")
    specs = {f"fig-{f.name}": f.spec for f in figs}
    payload = json.dumps(specs).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    table_links = " · ".join(f'<a href="{e(rel)}">{e(name)}</a>' for name, rel in sorted(files.items())
                             if name.endswith((".csv", ".parquet")))

    def fig(name: str) -> str:
        return _figure(by_name[name], files) if name in by_name else ""

    claims = "".join(_claim(c) for c in claim_texts(findings.claims))
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{_CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>heard report: how testimony was received</title><style>{_CSS}</style></head>
<body>
<p class="cw" role="note">{e(CONTENT_WARNING)}</p>
<h1>How testimony was received</h1>
<p class="meta">{_n(corpus.posts)} posts ({_n(labelled)} labelled) in {_n(corpus.stats.threads)} threads{span}.
Labels by <code>{e(findings.model)}</code>. Report made by heard on {e(generated.strftime('%d %b %Y %H:%M'))} UTC.</p>
<nav><a href="#claims">The three questions</a><a href="#reception">Reception</a><a href="#time">Over time</a>
<a href="#derailing">Derailing</a><a href="#threads">Threads</a><a href="#examples">Examples</a>
<a href="#method">How this was measured</a></nav>
<h2 id="claims">The three questions</h2>
<p class="note">Three essays make claims about what replies do. Each is asked here as a question the corpus can
answer, with the number of cases (n) and a 95% interval.</p>
{claims}
<h2 id="reception">How testimony was received</h2>
{fig('reception_by_discloser')}{fig('time_to_first_reply')}
{_reception(findings)}
<h2 id="time">Over time</h2>
<p>{e(_onset_text(findings))}</p>
{fig('acts_over_time')}{fig('hostile_share_over_time')}{fig('stance_over_time')}
<h2 id="derailing">Derailing</h2>
<p>{_n(findings.frames.derails)} posts were labelled derailing, in {_n(findings.frames.threads)} threads;
{e(interval(findings.frames.centres_men))} of them centre men or male survivors.</p>
{fig('derail_frames')}{fig('cues')}
{_derailing(findings, examples)}
<h2 id="threads">Threads</h2>
{_threads(findings)}
{fig('accountability_by_derail')}
<h2 id="examples">Examples</h2>
<p class="note">Chosen by rule (the posts the model is surest of), with handles, e-mail addresses, phone numbers and
links removed and authors renamed.</p>
{_examples(examples)}
<h2 id="method">How this was measured</h2>
{_method(findings)}
<p>Tables: {table_links}</p>
<script>{_vega_javascript()}</script>
<script>
(function () {{
  var specs = {payload};
  Object.keys(specs).forEach(function (id) {{
    window.vegaEmbed("#" + id, specs[id], {{actions: false, renderer: "svg"}}).catch(function (err) {{
      document.getElementById(id).textContent = "This chart could not be drawn: " + err;
    }});
  }});
}})();
</script>
</body></html>
"""
    path.write_text(page, encoding="utf-8")
    return path
