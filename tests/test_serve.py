"""heard serve's API, from outside: a real store, the real classifier, uvicorn on a loopback port, httpx."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

import httpx
import pytest
from starlette.responses import PlainTextResponse
from starlette.routing import Mount, Route

from heard.errors import ConfigError
from heard.report import report_numbers
from heard.store import Store
from heard.web.app import check_bind, create_app
from heard.web.limits import Limits, RateLimiter
from tests.serving import XSS, XSS_ID, make_store, rows, serving

TOKEN = "s3cret-token-for-tests-only"


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_store(tmp_path_factory.mktemp("serve") / "t.duckdb")


@pytest.fixture(scope="module")
def base(db: Path, classifier) -> str:
    with serving(create_app(db, classifier=classifier, limits=Limits(rate=0))) as url:
        yield url


def get(base: str, path: str, **params: object) -> httpx.Response:
    return httpx.get(base + path, params=params, timeout=60)


def assert_problem(response: httpx.Response, status: int, *fragments: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["detail"] and body["fix"]
    for fragment in fragments:
        assert fragment in body["detail"] + body["fix"]
    return body


# -- classify ----------------------------------------------------------------------------------------------------
def test_classify_follows_the_contract_in_order(base: str, classifier) -> None:
    texts = ["Me too. I was fourteen and told nobody.", "Not all men are like that.", "", "I believe you."]
    posts = [{"id": i if i % 2 else str(i), "text": t} for i, t in enumerate(texts)]
    posts[1]["context"] = "Me too. I was fourteen."  # accepted; not used yet
    response = httpx.post(base + "/v1/classify", json={"posts": posts}, timeout=60)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["model"] == classifier.version
    assert [r["id"] for r in body["labels"]] == ["0", 1, "2", 3]
    expected = [label.to_dict() for label in classifier.label_posts(texts)]
    assert [{k: v for k, v in r.items() if k != "id"} for r in body["labels"]] == expected


def test_classify_explains_on_request(base: str) -> None:
    response = httpx.post(base + "/v1/classify?explain=true", json={"posts": [{"id": "a", "text": "I believe you, you are not alone."}]}, timeout=60)
    label = response.json()["labels"][0]
    assert {"cues", "cue_weights", "neighbours"} <= set(label["explanation"])
    assert len(label["explanation"]["neighbours"]) == 3


@pytest.mark.parametrize("body, status, fragment", [
    (b"{not json", 400, "not JSON"),
    (b'{"posts": []}', 422, "1 or more posts"),
    (b'{"items": []}', 422, "'posts' list"),
    (b'{"posts": [{"text": "x"}]}', 422, "posts[0].id"),
    (b'{"posts": [{"id": "1", "text": 5}]}', 422, "posts[0].text"),
    (b'{"posts": [{"id": "1", "text": "x", "context": 3}]}', 422, "context"),
    (b'{"posts": [{"id": "1", "text": "\\ud800"}]}', 422, "surrogate"),
    (json.dumps({"posts": [{"id": str(i), "text": "x"} for i in range(1001)]}).encode(), 413, "at most 1,000 posts"),
    (json.dumps({"posts": [{"id": "1", "text": "x" * 100_001}]}).encode(), 413, "at most 100,000 characters"),
])
def test_classify_refuses_bad_input_with_a_problem(base: str, body: bytes, status: int, fragment: str) -> None:
    response = httpx.post(base + "/v1/classify", content=body, headers={"content-type": "application/json"}, timeout=60)
    assert_problem(response, status, fragment)


def test_explain_batches_have_their_own_limit(db: Path, classifier) -> None:
    with serving(create_app(db, classifier=classifier, limits=Limits(rate=0, max_explain=2))) as url:
        body = {"posts": [{"id": str(i), "text": "x"} for i in range(3)]}
        assert_problem(httpx.post(url + "/v1/classify?explain=true", json=body, timeout=60), 413, "explain=true")
        assert httpx.post(url + "/v1/classify", json=body, timeout=60).status_code == 200


def test_a_body_over_the_limit_is_413_before_it_is_read(db: Path, classifier) -> None:
    with serving(create_app(db, classifier=classifier, limits=Limits(rate=0, max_body=1000))) as url:
        big = json.dumps({"posts": [{"id": "1", "text": "x" * 2000}]})
        assert_problem(httpx.post(url + "/v1/classify", content=big, timeout=60), 413, "1,000 bytes")

        def chunks():  # no Content-Length: counted as it arrives
            yield big[:600].encode()
            yield big[600:].encode()

        assert_problem(httpx.post(url + "/v1/classify", content=chunks(), timeout=60), 413)


# -- posts -------------------------------------------------------------------------------------------------------
def test_filters_select_the_matching_posts(base: str) -> None:
    every = rows()
    testimonies = get(base, "/v1/posts", act="testimony", limit=500).json()["posts"]
    assert {p["id"] for p in testimonies} == {r[0] for r in every if r[5] == "testimony"}
    men = get(base, "/v1/posts", act="testimony", discloser="man").json()["posts"]
    assert {p["id"] for p in men} == {f"m{i}" for i in range(6)}
    abusive = get(base, "/v1/posts", abusive="true").json()["posts"]
    assert {p["id"] for p in abusive} == {"m0x", "m2x", "m4x"}
    assert {p["id"] for p in get(base, "/v1/posts", frame="not_all_men").json()["posts"]} == {f"w{i}d" for i in range(6)}
    assert {p["id"] for p in get(base, "/v1/posts", stance="oppose", thread="m1").json()["posts"]} == {"m1x"}
    window = get(base, "/v1/posts", since="2026-03-02T09:00:00Z", until="2026-03-02T10:00:00+00:00").json()["posts"]
    assert {p["id"] for p in window} == {r[0] for r in every if r[2] is not None and 60 <= r[2] < 120}


def test_text_search_is_literal_and_case_insensitive(base: str) -> None:
    assert {p["id"] for p in get(base, "/v1/posts", q="100%").json()["posts"]} == {f"w{i}s" for i in range(6)}
    assert get(base, "/v1/posts", q="10_%").json()["posts"] == []
    assert {p["id"] for p in get(base, "/v1/posts", q="NOT ALL MEN").json()["posts"]} >= {f"w{i}d" for i in range(6)}


def test_keyset_pages_cover_every_post_once_in_time_order(base: str) -> None:
    seen: list[dict] = []
    cursor = None
    while True:
        params: dict[str, object] = {"limit": 7} | ({"cursor": cursor} if cursor else {})
        page = get(base, "/v1/posts", **params).json()
        seen += page["posts"]
        cursor = page["next"]
        if cursor is None:
            break
    ids = [p["id"] for p in seen]
    assert sorted(ids) == sorted(r[0] for r in rows())
    assert ids[-1] == "undated"  # undated posts come last
    dated = [p["created_at"] for p in seen if p["created_at"]]
    assert dated == sorted(dated)


@pytest.mark.parametrize("params, status, fragment", [
    ({"act": "shouting"}, 422, "expected act among"),
    ({"abusive": "maybe"}, 422, "abusive=true"),
    ({"since": "yesterday"}, 422, "ISO 8601"),
    ({"limit": "0"}, 422, "limit between 1 and 500"),
    ({"cursor": "bm90IGEgY3Vyc29y"}, 400, "cursor"),
    ({"colour": "red"}, 400, "query parameters"),
    ({"q": "x" * 201}, 422, "at most 200"),
])
def test_bad_queries_are_problems(base: str, params: dict, status: int, fragment: str) -> None:
    assert_problem(get(base, "/v1/posts", **params), status, fragment)


def test_one_post_and_its_explanation(base: str) -> None:
    post = get(base, "/v1/posts/w0d").json()
    assert post["label"]["act"] == "derailing" and post["label"]["frame"] == "not_all_men"
    assert post["parent_id"] == "w0" and post["thread_root"] == "w0" and post["created_at"] == "2026-03-02T08:08:00Z"
    assert "explanation" not in post
    assert len(get(base, "/v1/posts/w0d", explain="true").json()["explanation"]["neighbours"]) == 3
    assert get(base, "/v1/posts/" + httpx.URL(XSS_ID).raw_path.decode()).json()["text"] == "an id that looks like markup"
    assert_problem(get(base, "/v1/posts/no-such-post"), 404, "no post with this id")


def test_thread_tree_and_reception(base: str) -> None:
    thread = get(base, "/v1/threads/m0k").json()  # any post of the thread names it
    assert thread["root"] == "m0" and thread["total"] == 4 and not thread["truncated"]
    by_id = {p["id"]: p for p in thread["posts"]}
    assert by_id["m0"]["children"] == ["m0x", XSS_ID] and by_id["m0x"]["children"] == ["m0k"]
    assert thread["reception"]["m0"] == {"replies": 2, "own_replies": 0, "acts": {
        "testimony": 0, "solidarity": 0, "accountability": 0, "pushback": 0, "derailing": 0, "silencing": 1, "disbelief": 1, "other": 0},
        "supportive": 0, "hostile": 2, "abusive": 1}
    woman = get(base, "/v1/threads/w3").json()["reception"]["w3"]
    assert (woman["replies"], woman["own_replies"], woman["supportive"], woman["hostile"]) == (2, 1, 1, 1)
    assert_problem(get(base, "/v1/threads/nope"), 404)


def test_report_is_heard_report_json(base: str, db: Path) -> None:
    with Store.open(db, read_only=True) as store:
        expected = json.loads(json.dumps(report_numbers(store, "m1")))
    assert get(base, "/v1/report").json() == expected


def test_activity_counts_posts_and_thread_starts(base: str) -> None:
    body = get(base, "/v1/activity").json()
    assert sum(b["posts"] for b in body["bins"]) == len(rows()) - 1  # the undated post is left out
    assert sum(b["threads"] for b in body["bins"]) == 12


def test_health_openapi_and_headers(base: str) -> None:
    health = get(base, "/healthz")
    assert health.json() == {"status": "ok", "posts": len(rows()), "model": "m1"}
    doc = get(base, "/openapi.json").json()
    assert {"/v1/classify", "/v1/posts", "/v1/posts/{id}", "/v1/threads/{id}", "/v1/report", "/healthz"} <= set(doc["paths"])
    assert doc["components"]["schemas"]["ClassifyRequest"]["example"]["posts"]
    csp = health.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert health.headers["x-content-type-options"] == "nosniff"
    assert_problem(get(base, "/v2/nothing"), 404)
    assert_problem(httpx.delete(base + "/v1/posts"), 405)


def test_the_store_is_read_only_while_served(db: Path, classifier) -> None:
    app = create_app(db, classifier=classifier)
    with pytest.raises(Exception, match="read-only"):
        app.state.service.reader().con.execute("DELETE FROM posts")
    app.state.service.close()


# -- guard -------------------------------------------------------------------------------------------------------
def test_a_token_guards_every_route_but_health(db: Path, classifier) -> None:
    extra = Mount("/extra", routes=[Route("/", lambda request: PlainTextResponse("sub-app"))])
    with serving(create_app(db, classifier=classifier, token=TOKEN, mounts=[extra])) as url:
        for path in ("/v1/posts", "/v1/report", "/", "/openapi.json", "/extra/"):
            response = httpx.get(url + path, timeout=60)
            assert_problem(response, 401, "Bearer")
            assert response.headers["www-authenticate"] == "Bearer"
            assert httpx.get(url + path, headers={"Authorization": "Bearer wrong-token"}, timeout=60).status_code == 401
            assert httpx.get(url + path, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60).status_code == 200
        assert httpx.get(url + "/extra/", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60).text == "sub-app"
        assert httpx.get(url + "/healthz", timeout=60).status_code == 200
        assert httpx.get(url + "/static/app.js", timeout=60).status_code == 200  # no data in it; the login page needs the CSS
        login = httpx.post(url + "/login", data={"token": TOKEN}, timeout=60)
        assert login.status_code == 303 and "httponly" in login.headers["set-cookie"].lower()
        assert httpx.get(url + "/v1/posts", cookies={"heard_token": TOKEN}, timeout=60).status_code == 200


@pytest.mark.parametrize("host, token, ok", [
    ("127.0.0.1", None, True), ("::1", None, True), ("localhost", None, True),
    ("0.0.0.0", None, False), ("192.168.1.4", None, False), ("0.0.0.0", TOKEN, True), ("127.0.0.1", "short", False),
])
def test_binding_beyond_loopback_needs_a_token(host: str, token: str | None, ok: bool) -> None:
    if ok:
        check_bind(host, token)
    else:
        with pytest.raises(ConfigError, match="Fix:"):
            check_bind(host, token)


def test_serve_refuses_an_open_bind_without_a_token(heard, tmp_path: Path) -> None:
    make_store(tmp_path / "s.duckdb")
    result = heard("serve", "--db", str(tmp_path / "s.duckdb"), "--host", "0.0.0.0")
    assert result.code == 1 and "expected --token" in result.err and "Traceback" not in result.err


def test_rate_limit_answers_429_with_retry_after(db: Path, classifier) -> None:
    with serving(create_app(db, classifier=classifier, limits=Limits(rate=0.5, burst=3))) as url:
        codes = [httpx.get(url + "/v1/posts", params={"limit": 1}, timeout=60) for _ in range(5)]
        assert [r.status_code for r in codes] == [200, 200, 200, 429, 429]
        assert int(codes[-1].headers["retry-after"]) >= 1
        assert_problem(codes[-1], 429, "Retry-After")
        assert httpx.get(url + "/healthz", timeout=60).status_code == 200  # only /v1 is limited


def test_token_bucket_refills() -> None:
    now = [0.0]
    bucket = RateLimiter(rate=2.0, burst=2, clock=lambda: now[0])
    assert [bucket.take("a"), bucket.take("a")] == [0.0, 0.0]
    assert bucket.take("a") == pytest.approx(0.5)
    now[0] = 0.5
    assert bucket.take("a") == 0.0


def test_access_log_has_no_text_and_no_query(base: str, caplog: pytest.LogCaptureFixture) -> None:
    secret = "my private disclosure 4471"
    with caplog.at_level(logging.INFO, logger="heard.web.access"):
        httpx.post(base + "/v1/classify", json={"posts": [{"id": "1", "text": secret}]}, timeout=60)
        get(base, "/v1/posts", q=secret)
        # The server logs a request once its response is sent, so the client may be back first.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            lines = [r.getMessage() for r in caplog.records if r.name == "heard.web.access"]
            if any(line.startswith("GET /v1/posts 200 ") for line in lines):
                break
            time.sleep(0.02)
    assert any(line.startswith("POST /v1/classify 200 ") for line in lines)
    assert any(line.startswith("GET /v1/posts 200 ") for line in lines)
    assert not any("4471" in line or "private" in line or "?" in line for line in caplog.messages)


def test_hostile_texts_come_back_as_data(base: str) -> None:
    texts = {p["text"] for p in get(base, "/v1/posts", act="silencing", limit=50).json()["posts"]}
    assert texts == set(XSS)


def test_heard_serve_runs_and_logs_requests_without_text(tmp_path: Path) -> None:
    import os
    import socket
    import subprocess
    import sys
    import time

    db = make_store(tmp_path / "cli.duckdb")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "heard", "serve", "--db", str(db), "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(url + "/healthz", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, "heard serve did not start"
            time.sleep(0.2)
        assert httpx.get(url + "/v1/posts", params={"q": "coach, story 2"}, timeout=60).json()["posts"][0]["id"] == "w2"
        httpx.post(url + "/v1/classify", json={"posts": [{"id": "1", "text": "a private disclosure 9913"}]}, timeout=60)
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert f"http://127.0.0.1:{port}/" in err
    assert "GET /v1/posts 200" in err and "POST /v1/classify 200" in err
    assert "coach" not in err and "9913" not in err and "q=" not in err


def test_one_server_serves_the_dashboard_and_the_coding_page(tmp_path: Path, classifier) -> None:
    db = make_store(tmp_path / "coding.duckdb")
    app = create_app(db, classifier=classifier, preload=False, coding=True)
    with serving(app) as url:
        assert get(url, "/").status_code == 200
        page = httpx.get(f"{url}/code/", timeout=30)
        assert page.status_code == 200 and "content-security-policy" in page.headers
        post = httpx.get(f"{url}/code/api/next", params={"coder": "ana"}, timeout=30).json()["post"]
        saved = httpx.post(f"{url}/code/api/code", timeout=30, json={
            "coder": "ana", "post_id": post["id"], "fields": {"act": "other", "stance": "neutral", "abusive": False}})
        assert saved.status_code == 200, saved.text
        assert get(url, "/v1/posts").status_code == 200
    with Store.open(db, read_only=True, create=False) as store:
        assert store.query("SELECT post_id, coder FROM codes")[1] == [(post["id"], "ana")]
    # Read-only by default: without --coding there is no /code.
    with serving(create_app(db, classifier=classifier, preload=False)) as url:
        assert httpx.get(f"{url}/code/", timeout=30).status_code == 404


@pytest.mark.parametrize("command", ["serve", "code"])
def test_a_port_in_use_is_a_clear_error_before_the_banner(heard, db: Path, command: str) -> None:
    # was the banner, then uvicorn's "ERROR: [Errno 98] address already in use", exit 3
    import socket

    from tests.conftest import assert_user_error

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = heard(command, "--db", str(db), "--port", str(port), *(["--no-browser"] if command == "code" else []))
    assert_user_error(result, f"--port {port}: expected a free port on 127.0.0.1, found port {port} in use", "Fix: pass --port")
    assert "http://" not in result.err + result.out and "Errno" not in result.err


@pytest.mark.parametrize("command", ["serve", "code"])
def test_a_port_out_of_range_is_a_usage_error_naming_the_option(heard, db: Path, command: str) -> None:
    # heard code took any integer: 70000 wrapped around in the check and crashed in uvicorn
    result = heard(command, "--db", str(db), "--port", "70000", *(["--no-browser"] if command == "code" else []))
    assert result.code == 2 and "--port" in result.err and "70000" in result.err and "Traceback" not in result.err
