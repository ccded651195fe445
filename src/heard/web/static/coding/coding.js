// The coding page: every post text goes in with textContent, never as HTML.
// URLs are relative, so the page works wherever it is mounted (/ or /code/).
"use strict";

const base = location.pathname.endsWith("/") ? location.pathname : location.pathname + "/";
const state = { codebook: null, keys: null, coder: "", post: null, values: {}, busy: false };

function $(id) { return document.getElementById(id); }

function el(tag, text, attrs) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = text;
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  return node;
}

async function call(path, body) {
  const options = body === undefined ? {} : {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  };
  const response = await fetch(base + path, options);
  const data = await response.json();
  if (!response.ok) throw new Error(data.detail || ("HTTP " + response.status));
  return data;
}

function say(text) { $("status").textContent = text || ""; }

function fieldActive(field) {
  if (!field.only_if) return true;
  return Object.entries(field.only_if).every(([k, v]) => state.values[k] === v);
}

function render() {
  const form = $("fields");
  form.replaceChildren();
  for (const field of state.codebook) {
    const set = el("fieldset", null, { "data-field": field.field });
    if (!fieldActive(field)) set.classList.add("off");
    set.append(el("legend", field.field + (field.required ? " (required)" : "")));
    if (field.kind === "flag") {
      const id = "f-" + field.field;
      const box = el("input", null, { type: "checkbox", id: id, "data-key": field.key });
      box.checked = field.field === "voice" ? state.values.voice === "quoted" : state.values[field.field] === true;
      box.addEventListener("change", () => { toggleFlag(field); });
      const label = el("label", null, { for: id, class: "choice" });
      label.append(box, " " + (field.on || "yes") + " ", el("kbd", field.key));
      set.append(label);
    } else {
      for (const v of field.values) {
        const id = "f-" + field.field + "-" + v.value;
        const input = el("input", null, {
          type: field.kind === "many" ? "checkbox" : "radio", name: field.field, id: id, value: v.value, "data-key": v.key,
        });
        input.checked = field.kind === "many" ? (state.values.centres || []).includes(v.value) : state.values[field.field] === v.value;
        input.addEventListener("change", () => { choose(field, v.value); });
        const label = el("label", null, { for: id, class: "choice" });
        label.append(input, " " + v.value + " ", el("kbd", v.key));
        set.append(label);
      }
    }
    form.append(set);
  }
}

function choose(field, value) {
  if (!fieldActive(field)) return;
  if (field.kind === "many") {
    const list = state.values.centres || [];
    state.values.centres = list.includes(value) ? list.filter((x) => x !== value) : list.concat([value]);
  } else {
    state.values[field.field] = state.values[field.field] === value && !field.required ? null : value;
  }
  render();
}

function toggleFlag(field) {
  if (field.field === "voice") state.values.voice = state.values.voice === "quoted" ? "own" : "quoted";
  else state.values[field.field] = !state.values[field.field];
  render();
}

function renderCodebook() {
  const body = $("codebook-body");
  body.replaceChildren();
  for (const field of state.codebook) {
    body.append(el("h3", field.field), el("p", field.help));
    if (!field.values) continue;
    const list = el("dl");
    for (const v of field.values) {
      list.append(el("dt", v.key + " · " + v.value));
      if (v.help) list.append(el("dd", v.help));
    }
    body.append(list);
  }
  const keys = el("p", "Enter saves and moves on; → skips; z undoes your last code.");
  body.append(keys);
}

function showProgress(p) {
  $("progress").textContent = p.done + " of " + p.total + " coded" + (p.skipped ? " · " + p.skipped + " skipped" : "");
}

function showPost(post) {
  state.post = post;
  if (!post) { $("work").hidden = true; $("done").hidden = false; return; }
  $("done").hidden = true; $("work").hidden = false;
  $("post-id").textContent = post.id;
  $("post-text").textContent = post.text;
  $("parent").hidden = !post.parent; $("parent-text").textContent = post.parent || "";
  $("thread").hidden = !post.thread; $("thread-text").textContent = post.thread || "";
  const c = post.code || {};
  state.values = { act: c.act || null, stance: c.stance || null, abusive: c.abusive === true, voice: c.voice || "own",
                   frame: c.frame || null, discloser: c.discloser || null, centres: c.centres || [] };
  render();
}

async function next() {
  const data = await call("api/next?coder=" + encodeURIComponent(state.coder));
  showProgress(data.progress);
  showPost(data.post);
}

async function act(what) {
  if (state.busy || !state.coder) return;
  state.busy = true;
  try {
    if (what === "save") {
      if (!state.post) return;
      if (!state.values.act) { say("Pick an act first (keys 1-8)."); return; }
      const fields = Object.assign({}, state.values);
      for (const field of state.codebook) if (!fieldActive(field)) fields[field.field] = null;
      await call("api/code", { coder: state.coder, post_id: state.post.id, fields: fields });
      say("");
    } else if (what === "skip") {
      if (!state.post) return;
      await call("api/skip", { coder: state.coder, post_id: state.post.id });
    } else if (what === "undo") {
      const data = await call("api/undo", { coder: state.coder });
      say(data.undone ? "Undone: your last code was removed." : "Nothing to undo.");
    }
    await next();
  } catch (err) {
    say(err.message);
  } finally {
    state.busy = false;
  }
}

function onKey(event) {
  if (!state.coder || event.target === $("coder") || event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.key === state.keys.save) { event.preventDefault(); act("save"); return; }
  if (event.key === state.keys.skip) { event.preventDefault(); act("skip"); return; }
  if (event.key === state.keys.undo) { event.preventDefault(); act("undo"); return; }
  if (!state.post) return;
  for (const field of state.codebook) {
    if (field.kind === "flag" && field.key === event.key) { event.preventDefault(); toggleFlag(field); return; }
    for (const v of field.values || []) {
      if (v.key === event.key) { event.preventDefault(); choose(field, v.value); return; }
    }
  }
}

async function start() {
  const name = $("coder").value.trim();
  if (!name) { say("Type your name as a coder first."); $("work").hidden = false; return; }
  state.coder = name;
  try { localStorage.setItem("heard-coder", name); } catch (e) { /* private mode */ }
  $("coder").blur();
  try { await next(); } catch (err) { say(err.message); }
}

async function init() {
  const book = await call("api/codebook");
  state.codebook = book.fields;
  state.keys = book.keys;
  renderCodebook();
  let saved = "";
  try { saved = localStorage.getItem("heard-coder") || ""; } catch (e) { /* private mode */ }
  $("coder").value = book.coder || saved;
  $("start").addEventListener("click", start);
  $("coder").addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); start(); } });
  $("save").addEventListener("click", () => act("save"));
  $("skip").addEventListener("click", () => act("skip"));
  $("undo").addEventListener("click", () => act("undo"));
  document.addEventListener("keydown", onKey);
  if ($("coder").value) start();
}

document.addEventListener("DOMContentLoaded", () => { init().catch((err) => say(err.message)); });
