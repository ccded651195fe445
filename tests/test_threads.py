"""Threads and reception: trees from parent links, reception per testimony, timeline, claims.

Stores are built by hand with SQL so every expected number can be read off
the test.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from heard.errors import StoreError
from heard.intervals import Interval, difference, median, median_draws, resampled_totals, share, share_draws, wilson
from heard.report.claims import claim_texts
from heard.store import Store
from heard.threads import analyse, build_forest, load_corpus, resolve_model
from heard.threads.claims import MIN_DERAILS
from heard.threads.forest import attach_orphans, subtree_sums
from heard.threads.reception import by_discloser, column, measure_reception
from heard.threads.timeline import backlash_onset, bin_unit, build_timeline

T0 = datetime(2026, 3, 2, 8, 0)
STANCE = {"testimony": "support", "solidarity": "support", "accountability": "support", "pushback": "support",
          "derailing": "oppose", "silencing": "oppose", "disbelief": "oppose", "other": "neutral"}


def add(store: Store, posts: list[tuple], model: str = "m1") -> None:
    """Insert posts and their labels.

    Each post is (id, parent_id, minutes after T0 or None, author, act or None, discloser, frame, abusive).
    """
    store.con.executemany(
        "INSERT INTO posts (id, text, author, created_at, parent_id, platform, source) VALUES (?, ?, ?, ?, ?, 't', 't')",
        [(p[0], f"post {p[0]}", p[3], None if p[2] is None else T0 + timedelta(minutes=p[2]), p[1]) for p in posts],
    )
    labelled = [p for p in posts if p[4] is not None]
    if labelled:
        store.con.executemany(
            "INSERT INTO post_labels VALUES (?, ?, ?, ?, ?, 'own', ?, ?, ?, 0.9)",
            [(p[0], model, p[4], STANCE[p[4]], bool(p[7]) if len(p) > 7 else False, p[6] if len(p) > 6 else None,
              p[5] if len(p) > 5 else None, []) for p in labelled],
        )


@pytest.fixture
def store(tmp_path: Path):
    with Store.open(tmp_path / "t.duckdb") as s:
        yield s


# -- trees -----------------------------------------------------------------------------
def test_forest_roots_depths_and_self_loop():
    forest = build_forest(np.array([-1, 0, 1, 1, 4]))  # 4 answers itself
    assert forest.root.tolist() == [0, 0, 0, 0, 4]
    assert forest.depth.tolist() == [0, 1, 2, 2, 0]
    assert (forest.cycles_cut, forest.posts_in_cycles) == (1, 1)


def test_forest_cuts_a_loop_at_its_earliest_post_and_keeps_what_hangs_below():
    # 2 -> 3 -> 4 -> 2 is a loop; 5 replies to 3; 0 <- 1 is a normal thread.
    forest = build_forest(np.array([-1, 0, 4, 2, 3, 3]))
    assert forest.cycles_cut == 1 and forest.posts_in_cycles == 3
    assert forest.parent[2] == -1
    assert forest.root.tolist() == [0, 0, 2, 2, 2, 2]
    assert forest.depth.tolist() == [0, 1, 0, 1, 2, 2]


def test_attach_orphans_one_placeholder_per_missing_parent():
    parent = attach_orphans(np.array([-1, -1, -1, -1]), np.array([-1, 0, 0, 1]), 2)
    assert parent.tolist() == [-1, 4, 4, 5, -1, -1]


def test_subtree_sums_count_every_descendant():
    forest = build_forest(np.array([-1, 0, 0, 1, 3, -1]))
    totals = subtree_sums(forest, np.ones((6, 2), dtype=np.int64))
    assert totals[:, 0].tolist() == [5, 3, 1, 2, 1, 1]


def test_orphans_cycles_and_counts_from_a_store(store: Store):
    add(store, [
        ("r", None, 0, "a", "testimony", "woman"),
        ("r1", "r", 5, "b", "solidarity"),
        ("o1", "gone-1", 10, "c", "derailing", None, "whatabout"),
        ("o2", "gone-1", 11, "d", "silencing"),
        ("o3", "gone-2", 12, "e", "other"),
        ("x", "y", 20, "f", "other"),  # x <-> y loop, z below it
        ("y", "x", 21, "g", "other"),
        ("z", "y", 22, "h", "other"),
    ])
    corpus = load_corpus(store)
    stats = corpus.stats
    assert (stats.posts, stats.orphans, stats.placeholder_roots) == (8, 3, 2)
    assert (stats.cycles_cut, stats.posts_in_cycles) == (1, 2)
    assert stats.threads == 4  # r, the two placeholders, and the loop cut at x (the earliest)
    assert stats.largest_thread == 3
    ids = corpus.node_id(corpus.forest.root[:8]).to_pylist()
    assert ids == ["r", "r", "missing:gone-1", "missing:gone-1", "missing:gone-2", "x", "x", "x"]


def test_deep_chain_of_ten_thousand_has_no_recursion_limit(store: Store):
    store.con.execute(
        "INSERT INTO posts (id, text, author, created_at, parent_id, platform, source) "
        "SELECT 'c' || i, 'x', 'a' || (i % 2), TIMESTAMP '2026-03-02' + to_seconds(i), "
        "CASE WHEN i = 0 THEN NULL ELSE 'c' || (i - 1) END, 't', 't' FROM range(10000) r(i)"
    )
    store.con.execute("INSERT INTO post_labels SELECT id, 'm1', CASE WHEN id = 'c0' THEN 'testimony' ELSE "
                      "'solidarity' END, 'support', false, 'own', NULL, NULL, [], 0.9 FROM posts")
    corpus = load_corpus(store)
    assert corpus.stats.max_depth == 9999 and corpus.stats.threads == 1
    table = measure_reception(corpus)
    assert table.subtree[0, column("solidarity")] == 9999
    assert table.direct[0, column("solidarity")] == 1


def test_thread_of_one_hundred_thousand_replies(store: Store):
    store.con.execute(
        "INSERT INTO posts (id, text, author, created_at, parent_id, platform, source) "
        "SELECT 'h' || i, 'x', 'a' || i, TIMESTAMP '2026-03-02' + to_seconds(i), "
        "CASE WHEN i = 0 THEN NULL WHEN i % 2 = 1 THEN 'h0' ELSE 'h' || (i - 1) END, 't', 't' "
        "FROM range(100001) r(i)"
    )
    store.con.execute("INSERT INTO post_labels SELECT id, 'm1', CASE WHEN id = 'h0' THEN 'testimony' WHEN "
                      "hash(id) % 2 = 0 THEN 'silencing' ELSE 'solidarity' END, 'support', false, 'own', NULL, "
                      "CASE WHEN id = 'h0' THEN 'man' END, [], 0.9 FROM posts")
    corpus = load_corpus(store)
    assert corpus.stats.largest_thread == 100_001 and corpus.stats.max_depth == 2
    table = measure_reception(corpus)
    assert table.labelled_replies[0] == 50_000
    assert table.subtree[0, : column("unlabelled")].sum() == 100_000


# -- reception ---------------------------------------------------------------------------
def test_reception_counts_and_times(store: Store):
    add(store, [
        ("t", None, 0, "ana", "testimony", "woman"),
        ("self", "t", 5, "ana", "solidarity"),       # the discloser's own follow-up: not reception
        ("s", "t", 10, "ben", "solidarity"),
        ("d", "t", 30, "cal", "derailing", None, "not_all_men"),
        ("p", "d", 40, "dee", "pushback"),           # below the derail: subtree only
        ("q", "t", 50, "eve", "pushback", None, None, True),  # abusive pushback counts as hostile
        ("x", "t", 60, "fay", "silencing"),
        ("u", "t", 70, "gus", None),                 # unlabelled reply
    ])
    table = measure_reception(load_corpus(store))
    assert len(table) == 1
    direct, subtree = table.direct[0], table.subtree[0]
    assert direct[column("solidarity")] == 1 and direct[column("derailing")] == 1
    assert direct[column("silencing")] == 1 and direct[column("pushback")] == 1
    assert direct[column("unlabelled")] == 1
    assert direct[column("supportive")] == 1 and direct[column("hostile")] == 3
    assert table.own_replies[0] == 1
    assert subtree[column("pushback")] == 2 and subtree[column("solidarity")] == 2
    assert table.labelled_replies[0] == 4
    assert table.seconds_to_supportive[0] == 600 and table.seconds_to_hostile[0] == 1800


def test_reception_groups_with_intervals(store: Store):
    posts = []
    for i in range(6):
        posts += [(f"m{i}", None, i, f"man{i}", "testimony", "man"),
                  (f"m{i}a", f"m{i}", i + 10, "x", "silencing"), (f"m{i}b", f"m{i}", i + 20, "y", "solidarity")]
        posts += [(f"w{i}", None, i, f"woman{i}", "testimony", "woman"),
                  (f"w{i}a", f"w{i}", i + 10, "x", "solidarity"), (f"w{i}b", f"w{i}", i + 30, "y", "solidarity")]
    posts.append(("u0", None, 0, "z", "testimony", None))  # no discloser label: unstated
    add(store, posts)
    groups = {g.discloser: g for g in by_discloser(measure_reception(load_corpus(store)))}
    men, women = groups["man"], groups["woman"]
    assert (men.testimonies, men.answered, men.replies, men.enough_data) == (6, 6, 12, True)
    # Every testimony got one silencing reply of two: resampling them never varies the share, but
    # 6 of 12 replies is no certainty; the interval is at least Wilson's.
    assert men.silencing.value == 0.5 and men.silencing.n == 6
    assert (men.silencing.low, men.silencing.high) == pytest.approx(wilson(6, 12))
    assert women.silencing.value == 0.0 and women.supportive.value == 1.0
    assert men.hours_to_supportive.value == pytest.approx(20 / 60)
    assert men.any_silencing.value == 1.0
    assert groups["unstated"].testimonies == 1 and not groups["unstated"].enough_data
    assert groups["other"].testimonies == 0 and groups["other"].silencing.value is None


# -- timeline ------------------------------------------------------------------------------
def test_bin_width_follows_the_span():
    assert bin_unit(5 * 3600) == "hour"
    assert bin_unit(5 * 86400) == "3 hours"
    assert bin_unit(60 * 86400) == "day"
    assert bin_unit(365 * 86400) == "week"
    assert bin_unit(3 * 365 * 86400) == "4 weeks"


def test_backlash_onset_is_the_first_bin_over_the_threshold(store: Store):
    posts = [("t", None, 0, "a", "testimony", "woman")]
    posts += [(f"h0-{i}", "t", 1 + i, f"s{i}", "solidarity") for i in range(5)]
    # hour 1: 1 of 5 hostile (20%, not above the threshold); hour 2: 2 of 5 (40%)
    posts += [(f"h1-{i}", "t", 60 + i, f"b{i}", "derailing" if i == 0 else "solidarity") for i in range(5)]
    posts += [(f"h2-{i}", "t", 125 + i, f"c{i}", "silencing" if i >= 3 else "solidarity") for i in range(5)]
    posts += [("late", "t", 300, "d", "other")]
    add(store, posts)
    corpus = load_corpus(store)
    timeline = build_timeline(corpus)
    assert timeline.unit == "hour" and timeline.labelled.tolist() == [6, 5, 5, 0, 0, 1]
    onset = backlash_onset(corpus, timeline)
    assert onset.bin_start == T0 + timedelta(hours=2)
    assert onset.at == T0 + timedelta(minutes=128)
    assert onset.hours_after_first_testimony == pytest.approx(128 / 60)
    assert onset.hostile_share == pytest.approx(0.4)


def test_no_dates_no_onset(store: Store):
    add(store, [("t", None, None, "a", "testimony", "man"), ("r", "t", None, "b", "derailing")])
    findings = analyse(store)
    assert findings.timeline.starts.size == 0 and findings.onset.at is None
    assert findings.claims[1].measures[1].estimate.value is None


# -- claims ----------------------------------------------------------------------------------
def _claims_corpus(men: int, derails: int) -> list[tuple]:
    posts = []
    for i in range(men):
        posts += [(f"m{i}", None, 60 * i, f"man{i}", "testimony", "man"),
                  (f"m{i}s", f"m{i}", 60 * i + 10, "x", "silencing"), (f"m{i}k", f"m{i}", 60 * i + 20, "y", "solidarity")]
    for i in range(6):
        posts += [(f"w{i}", None, 60 * i, f"woman{i}", "testimony", "woman"),
                  (f"w{i}k", f"w{i}", 60 * i + 10, "y", "solidarity"),
                  (f"w{i}a", f"w{i}", 60 * i + 15, "z", "accountability")]
    for i in range(derails):  # derails arrive 2 h after the first testimony, in their own threads
        frame = "false_equivalence" if i < 4 else ("not_all_men" if i < 7 else "whatabout")
        posts += [(f"d{i}", None, 120 + i, f"d{i}", "derailing", None, frame),
                  (f"d{i}p", f"d{i}", 130 + i, "p", "pushback")]
    return posts


def test_claims_with_known_answers(store: Store):
    add(store, _claims_corpus(men=6, derails=10))
    a, b, c = analyse(store).claims
    answer_a, _, _ = (t.answer for t in claim_texts((a, b, c)))
    assert a.enough_data and a.n == 12
    # Every man's testimony got one silencing reply of two, every woman's none: the bootstrap never
    # varies, but 6 and 6 testimonies are no certainty; the groups' Wilson intervals set the width.
    assert a.estimate == 0.5 and a.low is not None and a.high is not None and 0 < a.low < 0.5 < a.high
    assert answer_a.startswith("Yes") and a.direction == "above_zero"
    assert b.enough_data and b.n == 10 and b.estimate == pytest.approx(0.4)
    assert b.low is not None and b.high is not None and b.low <= 0.4 <= b.high
    first = {m.key: m for m in b.measures}["hours_to_first_derail"]
    assert first.estimate.value == pytest.approx(2.0)
    assert c.n == 10 and c.estimate == pytest.approx(0.3)
    measures = {m.key: m for m in c.measures}
    # with a derail: no accountability among the 10 other posts; without: 6 among 36 (12 threads of 3)
    assert measures["accountability_share_with_derail"].estimate.value == 0.0
    assert measures["accountability_share_without_derail"].estimate.value == pytest.approx(6 / 36)
    assert measures["difference_accountability_share"].estimate.value == pytest.approx(-6 / 36)
    assert c.enough_data


def test_claims_say_not_enough_data(store: Store):
    add(store, _claims_corpus(men=2, derails=MIN_DERAILS - 1))
    a, b, c = analyse(store).claims
    answer_a, answer_b, answer_c = (t.answer for t in claim_texts((a, b, c)))
    assert not a.enough_data and answer_a.startswith("Not enough data")
    assert not b.enough_data and "Not enough data" in answer_b and b.n == MIN_DERAILS - 1
    assert not c.enough_data and "Not enough data" in answer_c


# -- model choice and errors -------------------------------------------------------------------
def test_model_defaults_to_the_one_with_most_labels(store: Store):
    add(store, [("a", None, 0, "x", "other"), ("b", None, 1, "y", "other")], model="big")
    store.con.execute("INSERT INTO post_labels SELECT post_id, 'small', act, stance, abusive, voice, frame, "
                      "discloser, centres, score FROM post_labels WHERE post_id = 'a'")
    assert resolve_model(store) == "big"
    assert resolve_model(store, "small") == "small"
    with pytest.raises(StoreError, match="Fix: pass --model big"):
        resolve_model(store, "nope")


def test_no_labels_says_run_heard_label(store: Store):
    store.con.execute("INSERT INTO posts (id, text, platform, source) VALUES ('a', 'x', 't', 't')")
    with pytest.raises(StoreError, match="run `heard label --db"):
        load_corpus(store)


# -- intervals --------------------------------------------------------------------------------
def test_share_difference_and_median_intervals():
    rows = np.array([[1, 4], [0, 4], [2, 4], [1, 4]])
    est = share(rows, 0, 1, seed=1)
    assert est.value == 0.25 and est.n == 4 and est.low <= 0.25 <= est.high
    assert share(np.zeros((3, 2)), 0, 1, seed=0).value is None
    mid, draws = median(np.array([1.0, 2.0, 3.0, 100.0, np.nan]), seed=0)
    assert mid.value == 2.5 and mid.n == 4 and draws.shape == (1000,)
    diff = difference(Interval(0.5, 0.4, 0.6, 5), np.full(4, 0.5), Interval(0.1, 0.0, 0.2, 5), np.full(4, 0.1))
    assert diff.value == pytest.approx(0.4) and diff.n == 10


def test_median_draws_match_brute_force_resampling():
    rng = np.random.default_rng(3)
    values = np.sort(rng.exponential(size=9))
    exact = median_draws(values, seed=0, draws=50_000)
    brute = np.median(values[rng.integers(0, 9, size=(50_000, 9))], axis=1)
    assert np.percentile(exact, [2.5, 50, 97.5]) == pytest.approx(np.percentile(brute, [2.5, 50, 97.5]), rel=0.05)


def test_phrasing_of_points_and_bounds_near_zero():
    from heard.report.wording import interval, points

    assert [points(0.012), points(-0.01), points(0.2), points(0.0)] == ["+1 point", "-1 point", "+20 points", "0 points"]
    assert interval(Interval(0.13, -0.001, 0.25, 38), "points") == "+13 points (95% CI -0.1 to +25)"


def test_one_cluster_never_gives_a_zero_width_interval():
    # One derail, a 'not all men' one: the share is 1, but one post is no certainty.
    one = share(np.array([[1, 1]]), 0, 1, seed=0)
    assert one.value == 1.0 and one.high == 1.0 and one.low == pytest.approx(wilson(1, 1)[0]) and one.low < 0.25
    # Clusters that differ a lot: the bootstrap interval is wider than Wilson's and stands as it is.
    rows = np.array([[3, 3]] * 5 + [[0, 3]] * 5)
    spread = share(rows, 0, 1, seed=0)
    boot = np.percentile(share_draws(resampled_totals(rows, seed=0), 0, 1), [2.5, 97.5])
    assert spread.low < wilson(15, 30)[0] and (spread.low, spread.high) == pytest.approx(tuple(boot))
    # A rate that is not a share (posts per thread) gets no Wilson floor: three per thread is 3.
    per_thread = share(np.array([[3, 1]] * 12), 0, 1, seed=0, proportion=False)
    assert (per_thread.value, per_thread.low, per_thread.high) == (3.0, 3.0, 3.0)
    one_each = share(np.array([[1, 1]] * 12), 0, 1, seed=0, proportion=False)
    assert (one_each.low, one_each.high) == (1.0, 1.0)
    # Two one-thread groups, all silencing against none: the difference is not certain either.
    a, b = share(np.array([[1, 1]]), 0, 1, seed=0), share(np.array([[0, 1]]), 0, 1, seed=1)
    d = difference(a, np.ones(100), b, np.zeros(100))
    assert d.value == 1.0 and d.low < 0.5 and d.high >= 1.0
    # A median of one value has no interval.
    alone, _ = median(np.array([3600.0]), seed=0)
    assert alone.value == 3600.0 and alone.low is None and alone.high is None
