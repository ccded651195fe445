"""Coverage of prediction-powered vs naive 95% intervals on synthetic corpora with a biased classifier.

Each scenario: a corpus of known truth (a share of all posts, or, in the last four, a share
*among* some posts, the way claims b and c state frames among derails), a classifier that finds only part of the
true class and flags part of the rest, a hand-coded sample; 200 repetitions.
Prints coverage (share of repetitions whose interval holds the corpus's true
share) and mean interval width for the PPI++ interval, the naive model-only
interval and the codes-only interval.

    python benchmarks/bench_ppi.py [--repetitions 200]
"""

from __future__ import annotations

import argparse
import time

from heard.estimate.simulation import simulate, simulate_ratio

SCENARIOS = [
    ("over-calls a common class (20% true, model 28%)", {"share": 0.2, "recall": 0.6, "false_positive_rate": 0.2}),
    ("same, stratified sample (flagged oversampled)", {"share": 0.2, "recall": 0.6, "false_positive_rate": 0.2, "stratified": True}),
    ("under-calls a rare class (5% true, model 2.3%)", {"share": 0.05, "recall": 0.3, "false_positive_rate": 0.008}),
    ("a good classifier (20% true, recall 0.9, fpr 0.03)", {"share": 0.2, "recall": 0.9, "false_positive_rate": 0.03}),
]

RATIO_SCENARIOS = [
    ("frame among derails (12% derail, 40% framed)", {}),
    ("same, 150 coded", {"coded": 150}),
    ("rare derails (5%), 40% framed", {"base": 0.05}),
    ("a good classifier on both parts", {"recall": 0.9, "false_positive_rate": 0.01, "frame_recall": 0.9,
                                         "frame_false_rate": 0.1}),
]
"""Shares among some posts (:func:`heard.estimate.simulation.simulate_ratio`): claims b and c's frame shares."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repetitions", type=int, default=200)
    parser.add_argument("--posts", type=int, default=5000)
    parser.add_argument("--coded", type=int, default=300)
    args = parser.parse_args()
    print(f"{args.posts} posts, {args.coded} coded, {args.repetitions} repetitions, 95% nominal\n")
    print(f"{'scenario':<52}{'PPI cover':>10}{'width':>8}{'naive cover':>13}{'width':>8}{'codes cover':>13}{'width':>8}{'bias':>8}")
    started = time.perf_counter()
    runs = [(name, simulate, params) for name, params in SCENARIOS]
    runs += [(name, simulate_ratio, params) for name, params in RATIO_SCENARIOS]
    for name, run, params in runs:
        options = {"coded": args.coded, **params}
        r = run(repetitions=args.repetitions, posts=args.posts, **options)  # type: ignore[operator]
        print(f"{name:<52}{r.ppi_coverage:>10.1%}{r.ppi_width:>8.3f}{r.naive_coverage:>13.1%}{r.naive_width:>8.3f}"
              f"{r.codes_only_coverage:>13.1%}{r.codes_only_width:>8.3f}{r.mean_bias_model:>+8.3f}")
    print(f"\n{time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
