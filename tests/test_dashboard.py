"""The dashboard in Debian's chromium (Playwright): load, filter, open a post and a thread, the blur,
keyboard use, phone width, and hostile post texts from which nothing may execute."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from heard.web.app import create_app
from heard.web.limits import Limits
from tests.serving import XSS, XSS_ID, make_store, serving

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium (scripts/test installs it)")


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory, classifier) -> Iterator[str]:
    db = make_store(tmp_path_factory.mktemp("dash") / "t.duckdb")
    with serving(create_app(db, classifier=classifier, limits=Limits(rate=0))) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, base: str):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.events = []  # console errors, dialogs and page errors seen
    page.on("dialog", lambda d: (page.events.append("dialog: " + d.message), d.dismiss()))
    page.on("pageerror", lambda e: page.events.append("pageerror: " + str(e)))
    page.on("console", lambda m: page.events.append("console: " + m.text) if m.type == "error" else None)
    page.base = base
    yield page
    context.close()


def until(page, expression: str, timeout: float = 15.0) -> None:
    """Wait until ``expression`` is true in the page (polled: the CSP forbids the eval that wait_for_function uses)."""
    import time

    deadline = time.monotonic() + timeout
    while not page.evaluate(f"() => Boolean({expression})"):
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        page.wait_for_timeout(50)


def enter(page, hash_: str = "") -> None:
    """Open the dashboard, pass the content warning, go to ``hash_`` and wait for the view."""
    page.goto(page.base + "/")
    if page.is_visible("#cw"):  # once per browser session
        page.click("#cw-continue")
    page.wait_for_selector("main[data-ready=true]")
    if hash_:
        page.evaluate("document.getElementById('main').dataset.ready = ''")
        page.evaluate("h => { location.hash = h }", hash_)
        page.wait_for_selector("main[data-ready=true]")


def test_the_content_warning_comes_first_then_the_overview(page) -> None:
    page.goto(page.base + "/")
    assert page.is_visible("#cw") and page.is_hidden("main")
    assert "Content warning" in page.inner_text("body").split("\n")[1] + page.inner_text("#cw")
    page.click("#cw-continue")
    page.wait_for_selector("main[data-ready=true]")
    assert page.locator("svg.chart").count() >= 5
    assert page.locator("section.claim").count() == 3
    assert "Hostile share of replies to testimony" in page.inner_text("main")
    assert page.events == []


def test_filter_and_search_the_posts(page) -> None:
    enter(page, "#/posts")
    page.select_option("#f-act", "derailing")
    until(page, "location.hash.includes('act=derailing') && document.querySelector('main').dataset.ready")
    page.wait_for_selector("table.posts tbody tr")
    chips = page.locator("table.posts tbody .chip").all_inner_texts()
    assert chips and set(chips) == {"derailing"}
    page.fill("#f-q", "coach, story 3")
    page.select_option("#f-act", "")
    until(page, "location.hash.includes('q=') && document.querySelectorAll('table.posts tbody tr').length === 1")
    assert page.locator("table.posts tbody tr").get_attribute("data-id") == "w3"
    assert page.events == []


def test_open_a_post_then_its_thread_and_fold_it(page) -> None:
    enter(page, "#/posts?act=silencing")
    page.wait_for_selector("table.posts tbody tr")
    page.click("table.posts tbody tr[data-id=m1x] a")
    page.wait_for_selector("#open-thread")
    text = page.inner_text("main")
    assert "silencing" in text and "Why this label" in text and "Nearest training units" in text
    page.click("#open-thread")
    page.wait_for_selector("details.node")
    assert page.locator("details.node").count() == 3
    root = page.locator("details.node[data-id=m1]")
    assert "1 replies from others: 0 supportive, 1 hostile" in root.locator("summary").first.inner_text()
    assert "hostile" in page.locator("details.node[data-id=m1x] > summary .treat").inner_text()
    focused = page.locator("details.node.focus")
    assert focused.get_attribute("data-id") == "m1x"
    page.locator("details.node[data-id=m1x] > summary").click()
    assert page.locator("details.node[data-id=m1x]").get_attribute("open") is None
    page.locator("details.node[data-id=m1x] > summary").focus()
    page.keyboard.press("Enter")
    assert page.locator("details.node[data-id=m1x]").get_attribute("open") is not None
    assert page.events == []


def test_testimony_is_blurred_until_clicked_and_the_blur_can_be_turned_off(page) -> None:
    enter(page, "#/posts?act=testimony")
    page.wait_for_selector("table.posts tbody tr")
    first = page.locator("table.posts tbody tr").first.locator(".post-text")
    assert "blurred" in first.get_attribute("class")
    first.click()
    assert "blurred" not in first.get_attribute("class")
    second = page.locator("table.posts tbody tr").nth(1).locator(".post-text")
    second.focus()
    page.keyboard.press("Enter")
    assert "blurred" not in second.get_attribute("class")
    assert "blurred" in page.locator("table.posts tbody tr").nth(2).locator(".post-text").get_attribute("class")
    page.uncheck("#blur-setting")
    page.wait_for_selector("table.posts tbody tr")
    until(page, "document.querySelectorAll('.blurred').length === 0 && document.querySelectorAll('table.posts tbody tr').length > 0")
    page.reload()
    page.wait_for_selector("main[data-ready=true]")
    assert not page.is_checked("#blur-setting")


def test_keyboard_reaches_the_views(page) -> None:
    page.goto(page.base + "/")
    assert page.evaluate("document.activeElement.id") == "cw-continue"
    page.keyboard.press("Enter")
    page.wait_for_selector("main[data-ready=true]")
    page.evaluate("document.getElementById('main').dataset.ready = ''")
    page.locator("#nav-posts").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("table.posts tbody tr")
    assert page.locator("#nav-posts").get_attribute("aria-current") == "page"


@pytest.mark.parametrize("width", [1280, 390])
def test_readable_at_desktop_and_phone_width(page, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    for view in ("", "#/posts", "#/thread/w0"):
        enter(page, view)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, f"{view or 'overview'} is {overflow}px wider than {width}px"


def test_hostile_texts_execute_nothing(page) -> None:
    views = ["#/posts?limit=500", "#/posts?act=silencing", "#/post/" + quote(XSS_ID, safe=""), "#/thread/" + quote(XSS_ID, safe="")]
    views += [f"#/post/m{i}x" for i in range(6)] + [f"#/thread/m{i}" for i in range(6)]
    page.goto(page.base + "/")
    page.click("#cw-continue")
    page.uncheck("#blur-setting")
    for view in views:
        page.evaluate("document.getElementById('main').dataset.ready = ''")
        page.evaluate("h => { location.hash = h }", view)
        page.wait_for_selector("main[data-ready=true]")
        assert page.evaluate("window.__xss") is None, view
        assert page.locator("main script, main img, main svg[onload], main iframe, main a[href^='javascript'], main [onerror]").count() == 0
    page.evaluate("h => { location.hash = h }", "#/posts?act=silencing")
    page.wait_for_selector("table.posts tbody tr")
    shown = page.inner_text("table.posts")
    for text in XSS:
        assert text[:30] in shown  # shown as text, character for character
    page.wait_for_timeout(300)  # give any onerror/onload a chance to fire
    assert page.evaluate("window.__xss") is None
    assert [e for e in page.events if "dialog" in e or "pageerror" in e] == []
