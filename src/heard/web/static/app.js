// heard dashboard: draws the overview, the posts table, a post and a thread from the /v1 API.
// Every text from the store is written with textContent (never innerHTML), every link is built
// by this script from encoded ids, and the page's CSP forbids inline script and other origins.
"use strict";

// The codebook's values come from the API's own schema (/openapi.json), so they never drift from heard.records.
let ACTS = ["testimony", "solidarity", "accountability", "pushback", "derailing", "silencing", "disbelief", "other"];
let STANCES = ["support", "oppose", "neutral"];
let FRAMES = [];
let DISCLOSERS = [];
async function loadCodebook() {
  if (FRAMES.length) return;
  const doc = await api("/openapi.json");
  const label = doc.components.schemas.Label.properties;
  ACTS = label.act.enum; STANCES = label.stance.enum;
  FRAMES = label.frame.enum.filter((v) => v !== null); DISCLOSERS = label.discloser.enum.filter((v) => v !== null);
}
const ACT_COLOURS = {testimony: "#7b3294", solidarity: "#1b9e77", accountability: "#2c7fb8", pushback: "#74c476",
  derailing: "#e6ab02", silencing: "#d95f02", disbelief: "#e7298a", other: "#9e9e9e", unlabelled: "#dddddd"};
const STANCE_COLOURS = {support: "#1b9e77", oppose: "#d95f02", neutral: "#bdbdbd"};
const HOSTILE = new Set(["derailing", "silencing", "disbelief"]);
const SUPPORTIVE = new Set(["solidarity", "pushback"]);
const SVG = "http://www.w3.org/2000/svg";

// -- building DOM safely -------------------------------------------------------------------------------------
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "text") node.textContent = String(v);
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}
function svg(tag, attrs, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}
function link(hash, text, attrs) { return el("a", Object.assign({href: hash}, attrs || {}), text); }
function postHash(id) { return "#/post/" + encodeURIComponent(id); }
function threadHash(id, focus) { return "#/thread/" + encodeURIComponent(id) + (focus ? "?focus=" + encodeURIComponent(focus) : ""); }
function chip(act) { const a = act || "unlabelled"; return el("span", {class: "chip act-" + (ACT_COLOURS[a] ? a : "unlabelled") + " " + a}, a); }
function pct(x) { return x === null || x === undefined ? "n/a" : (100 * x).toFixed(0) + "%"; }
function when(iso) { return iso ? iso.replace("T", " ").replace(/:00Z$/, "").replace("Z", "") + " UTC" : "undated"; }

// -- settings ------------------------------------------------------------------------------------------------
function blurOn() { return localStorage.getItem("heard-blur") !== "off"; }
function blurText(text, isTestimony, tag) {
  const node = el(tag || "span", {class: "post-text", text: text});
  if (!isTestimony || !blurOn()) return node;
  node.classList.add("blurred");
  node.setAttribute("tabindex", "0");
  node.setAttribute("role", "button");
  node.setAttribute("aria-label", "Testimony text hidden. Press Enter to read it.");
  node.setAttribute("title", "Testimony: click to read");
  const reveal = (ev) => {
    if (ev.type === "keydown" && ev.key !== "Enter" && ev.key !== " ") return;
    ev.preventDefault(); ev.stopPropagation();
    node.classList.remove("blurred"); node.removeAttribute("role"); node.removeAttribute("aria-label");
    node.removeAttribute("title"); node.setAttribute("tabindex", "-1"); node.dataset.revealed = "true";
    node.removeEventListener("click", reveal); node.removeEventListener("keydown", reveal);
  };
  node.addEventListener("click", reveal);
  node.addEventListener("keydown", reveal);
  return node;
}

// -- API -----------------------------------------------------------------------------------------------------
async function api(path) {
  const res = await fetch(path, {headers: {Accept: "application/json"}, credentials: "same-origin"});
  let body = null;
  try { body = await res.json(); } catch (e) { body = null; }
  if (!res.ok) {
    const err = new Error(body && body.detail ? body.detail + (body.fix ? ". Fix: " + body.fix : "") : "HTTP " + res.status);
    err.status = res.status;
    throw err;
  }
  return body;
}
function showError(main, err) {
  main.append(el("p", {class: "error", role: "alert"}, "Could not load this view: " + err.message));
}

// -- charts (SVG drawn here; no chart library) ---------------------------------------------------------------
function stackedBars(bins, keys, colours, title, shares) {
  const W = 640, H = 220, L = 40, B = 28, T = 8, R = 8;
  const n = Math.max(bins.length, 1), bw = (W - L - R) / n;
  const totals = bins.map((b) => keys.reduce((s, k) => s + (b.values[k] || 0), 0));
  const top = shares ? 1 : Math.max(1, ...totals);
  const chart = svg("svg", {class: "chart", viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": title});
  chart.append(svg("title", {}, title));
  for (const f of [0, 0.5, 1]) {
    const y = H - B - f * (H - B - T);
    chart.append(svg("line", {x1: L, x2: W - R, y1: y, y2: y, stroke: "#eee"}));
    if (shares || f !== 0.5 || top >= 4) chart.append(svg("text", {x: L - 4, y: y + 4, "text-anchor": "end"}, shares ? pct(f) : Math.round(f * top)));
  }
  bins.forEach((b, i) => {
    let y = H - B;
    const total = totals[i] || 1;
    for (const k of keys) {
      const v = (b.values[k] || 0) / (shares ? total : 1);
      const h = (v / top) * (H - B - T);
      if (h > 0) {
        const r = svg("rect", {x: L + i * bw + 0.5, y: y - h, width: Math.max(bw - 1, 0.5), height: h, fill: colours[k] || "#999"});
        r.append(svg("title", {}, `${when(b.start)}: ${k} ${shares ? pct(v) : b.values[k]}`));
        chart.append(r);
        y -= h;
      }
    }
  });
  const step = Math.max(1, Math.ceil(n / 6));
  bins.forEach((b, i) => {
    if (i % step === 0) chart.append(svg("text", {x: L + i * bw, y: H - 8}, (b.start || "").slice(5, 16).replace("T", " ")));
  });
  return chart;
}
function legend(keys, colours) {
  return el("div", {class: "legend"}, ...keys.map((k) => {
    const swatch = el("span", {class: "swatch"});
    swatch.style.background = colours[k];  // CSSOM, not a style attribute: allowed by the CSP
    return el("span", {}, swatch, k);
  }));
}
function intervalRows(rows, title, unit) {
  // rows: [{label, value, low, high}] drawn as a dot with its interval on one scale.
  const W = 760, rowH = 30, L = 340, R = 60, T = 20;
  const H = T + rows.length * rowH + 10;
  const vals = rows.flatMap((r) => [r.low, r.high, r.value]).filter((v) => v !== null && v !== undefined);
  let lo = unit === "points" ? Math.min(0, ...vals) : 0, hi = unit === "points" ? Math.max(0, ...vals) : Math.max(0.05, ...vals);
  if (unit === "hours") { lo = 0; hi = Math.max(1, ...vals); }
  if (hi === lo) hi = lo + 1;
  const x = (v) => L + ((v - lo) / (hi - lo)) * (W - L - R);
  const fmt = (v) => unit === "hours" ? v.toFixed(1) + " h" : unit === "points" ? (v >= 0 ? "+" : "") + (100 * v).toFixed(0) + " pts" : pct(v);
  const chart = svg("svg", {class: "chart", viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": title});
  chart.append(svg("title", {}, title));
  if (unit === "points") chart.append(svg("line", {x1: x(0), x2: x(0), y1: T - 10, y2: H - 5, stroke: "#999", "stroke-dasharray": "3 3"}));
  rows.forEach((r, i) => {
    const y = T + i * rowH + rowH / 2;
    chart.append(svg("text", {x: 4, y: y + 4}, r.label.length > 56 ? r.label.slice(0, 55) + "…" : r.label));
    if (r.value === null || r.value === undefined) { chart.append(svg("text", {x: L, y: y + 4}, "not enough data")); return; }
    if (r.low !== null && r.high !== null) chart.append(svg("line", {x1: x(r.low), x2: x(r.high), y1: y, y2: y, stroke: r.colour || "#555", "stroke-width": 3}));
    chart.append(svg("circle", {cx: x(r.value), cy: y, r: 6, fill: r.colour || "#222"}));
    chart.append(svg("text", {x: Math.min(x(r.high === null ? r.value : r.high) + 8, W - R + 4), y: y + 4}, fmt(r.value)));
  });
  return chart;
}

// -- views ---------------------------------------------------------------------------------------------------
async function overview(main) {
  const [numbers, activity] = await Promise.all([api("/v1/report"), api("/v1/activity")]);
  main.append(el("h1", {}, "Overview"));
  const c = numbers.corpus;
  main.append(el("p", {class: "meta"}, `${c.posts.toLocaleString()} posts (${c.labelled_posts.toLocaleString()} labelled), ` +
    `${numbers.threads.threads.toLocaleString()} threads, ${when(c.first_post)} to ${when(c.last_post)}. Labels: `, el("code", {}, numbers.model)));
  const grid = el("div", {class: "grid"});
  main.append(grid);
  const card = (title, ...body) => { const s = el("section", {class: "card"}, el("h2", {}, title), ...body); grid.append(s); return s; };
  const act = activity.bins;
  card(`Posts per ${activity.unit}`, stackedBars(act.map((b) => ({start: b.start, values: {posts: b.posts}})), ["posts"], {posts: "#2c7fb8"}, `Posts per ${activity.unit}`, false));
  card(`Threads started per ${activity.unit}`, stackedBars(act.map((b) => ({start: b.start, values: {threads: b.threads}})), ["threads"], {threads: "#7b3294"}, `Threads started per ${activity.unit}`, false));
  const tl = numbers.timeline.bins;
  const actKeys = ACTS.concat(["unlabelled"]);
  card(`Mix of acts per ${numbers.timeline.unit}`, stackedBars(tl.map((b) => ({start: b.start, values: b.acts})), actKeys, ACT_COLOURS, "Share of posts by act over time", true), legend(actKeys, ACT_COLOURS));
  card(`Mix of stances per ${numbers.timeline.unit}`, stackedBars(tl.map((b) => ({start: b.start, values: b.stances})), STANCES, STANCE_COLOURS, "Share of posts by stance over time", true), legend(STANCES, STANCE_COLOURS));
  const hostile = numbers.reception.map((g) => ({label: `${g.discloser} (${g.testimonies} testimonies)`, value: g.hostile.value, low: g.hostile.low, high: g.hostile.high, colour: "#d95f02"}));
  card("Hostile share of replies to testimony", intervalRows(hostile, "Hostile share of direct replies by others, per discloser, with 95% intervals", "share"),
    el("p", {class: "note"}, "Hostile: derailing, silencing, disbelief, or abusive whatever the act. Lines are 95% intervals (bootstrap over testimonies, never narrower than Wilson's for the same counts)."));
  main.append(el("h2", {}, "The three claims"));
  for (const claim of numbers.claims) {
    main.append(el("section", {class: "claim"},
      el("p", {class: "tag"}, "Claim " + claim.key + ": " + claim.claim),
      el("h3", {}, claim.question),
      el("p", {class: "answer"}, claim.answer),
      el("div", {class: "wide"}, ...groupByUnit(claim.measures).map(([unit, ms]) => intervalRows(ms.map((m) => ({label: m.label, value: m.value, low: m.low, high: m.high, colour: "#2c7fb8"})), claim.question, unit))),
    ));
  }
}
function groupByUnit(measures) {
  const out = new Map();
  for (const m of measures) { if (!out.has(m.unit)) out.set(m.unit, []); out.get(m.unit).push(m); }
  return [...out.entries()];
}

function select(name, values, current) {
  return el("label", {}, name, el("select", {name: name, id: "f-" + name},
    el("option", {value: ""}, "any"), ...values.map((v) => el("option", {value: v, selected: v === current}, v))));
}
async function postsView(main, params) {
  main.append(el("h1", {}, "Posts"));
  const form = el("form", {class: "filters", role: "search", "aria-label": "Filter posts"},
    select("act", ACTS, params.get("act")), select("stance", STANCES, params.get("stance")),
    select("abusive", ["true", "false"], params.get("abusive")), select("frame", FRAMES, params.get("frame")),
    select("discloser", DISCLOSERS, params.get("discloser")),
    el("label", {}, "from", el("input", {type: "date", name: "since", id: "f-since", value: (params.get("since") || "").slice(0, 10)})),
    el("label", {}, "before", el("input", {type: "date", name: "until", id: "f-until", value: (params.get("until") || "").slice(0, 10)})),
    el("label", {}, "text contains", el("input", {type: "search", name: "q", id: "f-q", maxlength: "200", value: params.get("q") || ""})),
    el("button", {type: "submit"}, "Filter"));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const p = new URLSearchParams();
    for (const [k, v] of new FormData(form).entries()) if (v) p.set(k, v);
    location.hash = "#/posts" + (p.toString() ? "?" + p.toString() : "");
  });
  form.addEventListener("change", (ev) => { if (ev.target.tagName === "SELECT") form.requestSubmit(); });
  main.append(form);
  const query = new URLSearchParams();
  for (const k of ["act", "stance", "abusive", "frame", "discloser", "q", "thread"]) if (params.get(k)) query.set(k, params.get(k));
  if (params.get("since")) query.set("since", params.get("since").slice(0, 10) + "T00:00:00Z");
  if (params.get("until")) query.set("until", params.get("until").slice(0, 10) + "T00:00:00Z");
  query.set("limit", "50");
  const body = el("tbody");
  const table = el("table", {class: "posts"}, el("caption", {class: "note"}, "Posts, earliest first"),
    el("thead", {}, el("tr", {}, el("th", {scope: "col"}, "time"), el("th", {scope: "col"}, "act"), el("th", {scope: "col", class: "stance"}, "stance"),
      el("th", {scope: "col", class: "abusive"}, "abusive"), el("th", {scope: "col"}, "text"), el("th", {scope: "col"}, ""))), body);
  const status = el("p", {class: "note", role: "status", "aria-live": "polite"});
  const more = el("button", {type: "button", hidden: true}, "Load more");
  main.append(el("div", {class: "wide"}, table), status, more);
  let next = null, shown = 0;
  async function page() {
    const q = new URLSearchParams(query);
    if (next) q.set("cursor", next);
    const data = await api("/v1/posts?" + q.toString());
    for (const p of data.posts) {
      const a = p.label ? p.label.act : null;
      body.append(el("tr", {"data-id": p.id},
        el("td", {class: "when"}, when(p.created_at)), el("td", {}, chip(a)),
        el("td", {class: "stance"}, p.label ? p.label.stance : ""), el("td", {class: "abusive"}, p.label && p.label.abusive ? "yes" : ""),
        el("td", {class: "text"}, blurText(p.text.length > 300 ? p.text.slice(0, 300) + "…" : p.text, a === "testimony")),
        el("td", {}, link(postHash(p.id), "open", {"aria-label": "open post " + p.id}))));
    }
    shown += data.posts.length;
    next = data.next;
    more.hidden = !next;
    status.textContent = shown ? `${shown} posts shown${next ? "; more below" : ""}.` : "No posts match these filters.";
  }
  more.addEventListener("click", () => page().catch((e) => showError(main, e)));
  await page();
}

function labelTable(p) {
  const l = p.label;
  const rows = [["id", p.id], ["time", when(p.created_at)], ["author (pseudonym)", p.author || "unknown"], ["platform", p.platform]];
  if (l) rows.push(["stance", l.stance], ["abusive", l.abusive ? "yes" : "no"], ["frame", l.frame || "—"], ["discloser", l.discloser || "—"],
    ["centres", l.centres.join(", ") || "—"], ["score", l.score.toFixed(2)]);
  return el("table", {class: "labels"}, el("tbody", {}, ...rows.map(([k, v]) => el("tr", {}, el("th", {scope: "row"}, k), el("td", {}, v)))));
}
async function postView(main, id) {
  const p = await api("/v1/posts/" + encodeURIComponent(id) + "?explain=true");
  const a = p.label ? p.label.act : null;
  main.append(el("h1", {}, "Post ", chip(a)));
  main.append(el("blockquote", {class: "post"}, blurText(p.text, a === "testimony", "p")));
  main.append(labelTable(p));
  main.append(el("p", {}, link(threadHash(p.id, p.id), "Open its thread", {id: "open-thread"}),
    p.parent_id ? el("span", {}, " · ", link(postHash(p.parent_id), "its parent")) : null));
  const ex = p.explanation;
  if (ex) {
    main.append(el("h2", {}, "Why this label"));
    main.append(ex.cues.length ? el("ul", {class: "cues"}, ...ex.cues.map((c) => el("li", {}, el("code", {}, c), ` weight toward ${a}: ${ex.cue_weights[c]}`)))
      : el("p", {class: "note"}, "No cue pattern found; the label comes from the encoder alone."));
    main.append(el("h3", {}, "Nearest training units"));
    main.append(el("ul", {class: "neighbours"}, ...ex.neighbours.map((n) => el("li", {}, chip(n.act), ` similarity ${n.similarity}: `,
      blurText(n.text, n.act === "testimony")))));
  }
}

function treatment(post, parent) {
  if (!parent || !parent.label || parent.label.act !== "testimony" || !post.label || post.author === parent.author) return null;
  const l = post.label;
  const kind = HOSTILE.has(l.act) || l.abusive ? "hostile" : SUPPORTIVE.has(l.act) ? "supportive" : "neutral";
  return el("span", {class: "treat " + kind, title: "how this reply treated the testimony"}, kind);
}
async function threadView(main, id, params) {
  const t = await api("/v1/threads/" + encodeURIComponent(id));
  const byId = new Map(t.posts.map((p) => [p.id, p]));
  main.append(el("h1", {}, "Thread"));
  main.append(el("p", {class: "meta"}, `${t.total} posts` + (t.truncated ? ` (the first ${t.posts.length} shown)` : "") +
    ". Each reply is coloured by its act; replies to a testimony say how they treated it. Use Enter or Space on a line to fold it."));
  main.append(legend(ACTS, ACT_COLOURS));
  const focus = params.get("focus");
  const controls = el("p", {}, el("button", {type: "button", id: "collapse-all"}, "Fold all"), " ", el("button", {type: "button", id: "expand-all"}, "Unfold all"));
  main.append(controls);
  const tree = el("div", {class: "tree", role: "group", "aria-label": "reply tree"});
  main.append(tree);
  // Iterative depth-first build (threads can be deep).
  const stack = [[t.root, tree, 0]];
  while (stack.length) {
    const [pid, host, depth] = stack.pop();
    const p = byId.get(pid);
    if (!p) continue;
    const a = p.label ? p.label.act : null;
    const parent = p.parent_id ? byId.get(p.parent_id) : null;
    const rec = t.reception[p.id];
    const summary = el("summary", {}, chip(a), " ", a === "testimony" ? el("strong", {class: "marker", title: "a testimony"}, "⚑ ") : null,
      el("span", {class: "meta"}, `${p.author || "unknown"} · ${when(p.created_at)}`), treatment(p, parent),
      rec ? el("span", {class: "meta"}, ` · ${rec.replies} replies from others: ${rec.supportive} supportive, ${rec.hostile} hostile`) : null);
    const node = el("details", {class: "node" + (a === "testimony" ? " testimony" : "") + (depth > 8 ? " deep" : "") + (p.id === focus ? " focus" : ""), open: true, "data-id": p.id},
      summary, el("p", {}, blurText(p.text, a === "testimony")), el("p", {class: "note"}, link(postHash(p.id), "post details")));
    node.style.borderLeftColor = ACT_COLOURS[a || "unlabelled"];
    host.append(node);
    const kids = p.children || [];
    for (let i = kids.length - 1; i >= 0; i--) stack.push([kids[i], node, depth + 1]);
  }
  controls.querySelector("#collapse-all").addEventListener("click", () => tree.querySelectorAll("details").forEach((d) => { d.open = false; }));
  controls.querySelector("#expand-all").addEventListener("click", () => tree.querySelectorAll("details").forEach((d) => { d.open = true; }));
  const target = tree.querySelector("details.focus > summary");
  if (target) target.focus();
}

// -- routing -------------------------------------------------------------------------------------------------
async function route() {
  const main = document.getElementById("main");
  main.replaceChildren();
  const hash = location.hash || "#/overview";
  const [path, query] = hash.slice(1).split("?");
  const params = new URLSearchParams(query || "");
  const parts = path.split("/").filter(Boolean);
  for (const a of document.querySelectorAll("header nav a")) a.removeAttribute("aria-current");
  const current = parts[0] === "overview" || !parts[0] ? "nav-overview" : "nav-posts";
  document.getElementById(current).setAttribute("aria-current", "page");
  try {
    await loadCodebook();
    if (!parts[0] || parts[0] === "overview") { document.title = "heard: overview"; await overview(main); }
    else if (parts[0] === "posts") { document.title = "heard: posts"; await postsView(main, params); }
    else if (parts[0] === "post") { document.title = "heard: post"; await postView(main, decodeURIComponent(parts.slice(1).join("/"))); }
    else if (parts[0] === "thread") { document.title = "heard: thread"; await threadView(main, decodeURIComponent(parts.slice(1).join("/")), params); }
    else main.append(el("p", {}, "No such view. ", link("#/overview", "Back to the overview")));
  } catch (err) {
    showError(main, err);
  }
  main.dataset.ready = "true";
}

function start() {
  const gate = document.getElementById("cw");
  const open = () => {
    gate.hidden = true;
    document.getElementById("top").hidden = false;
    document.getElementById("main").hidden = false;
    sessionStorage.setItem("heard-cw", "seen");
    route();
  };
  const setting = document.getElementById("blur-setting");
  setting.checked = blurOn();
  setting.addEventListener("change", () => { localStorage.setItem("heard-blur", setting.checked ? "on" : "off"); route(); });
  window.addEventListener("hashchange", () => { if (gate.hidden) route(); });
  document.getElementById("cw-continue").addEventListener("click", () => { open(); document.getElementById("main").focus(); });
  if (sessionStorage.getItem("heard-cw") === "seen") open();
  else document.getElementById("cw-continue").focus();
}
document.addEventListener("DOMContentLoaded", start);
