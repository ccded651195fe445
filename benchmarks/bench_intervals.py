"""Coverage of the report's share and difference intervals on clustered synthetic replies.

Each repetition draws testimonies (clusters) of a known true silencing rate: each
testimony gets a Poisson number of replies (mean 4, at least 1) and its own
silencing probability from a Beta around the true rate (replies to one testimony
are alike: intra-cluster correlation about 0.1). It then computes the share of
silencing replies with :func:`heard.intervals.share` twice, bootstrap alone
(``proportion=False``) and as the report does (with Wilson's floor), and the
difference between two such groups (men, women) with :func:`heard.intervals.difference`,
with and without the MOVER floor. Prints, per number of testimonies, how often the
interval held the truth (the rate the replies were drawn from) and its mean width.

    python benchmarks/bench_intervals.py [--repetitions 400]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from heard.intervals import Interval, difference, interval_from, resampled_totals, share, share_draws

RATES = (0.05, 0.25)
"""True silencing rates of the two groups compared (women, men)."""
CONCENTRATION = 9.0
"""Beta(a, b) with a + b = 9: intra-cluster correlation 1 / (1 + 9) = 0.1."""


def _group(rng: np.random.Generator, testimonies: int, rate: float) -> np.ndarray:
    replies = np.maximum(1, rng.poisson(4, testimonies))
    chance = rng.beta(rate * CONCENTRATION, (1 - rate) * CONCENTRATION, testimonies)
    return np.column_stack([rng.binomial(replies, chance), replies]).astype(np.float64)


def _covers(est: Interval, truth: float) -> bool:
    return est.low is not None and est.high is not None and est.low <= truth <= est.high


def run(testimonies: int, repetitions: int, seed: int) -> dict[str, tuple[float, float]]:
    rng = np.random.default_rng(seed)
    hits: dict[str, list[tuple[bool, float]]] = {k: [] for k in ("share, bootstrap", "share, with Wilson",
                                                                  "difference, bootstrap", "difference, with MOVER")}
    for rep in range(repetitions):
        groups = [_group(rng, testimonies, rate) for rate in RATES]
        floored, alone, draws = [], [], []
        for i, rows in enumerate(groups):
            totals = resampled_totals(rows, seed=rep * 2 + i)
            floored.append(share(rows, 0, 1, seed=0, totals=totals))
            alone.append(share(rows, 0, 1, seed=0, totals=totals, proportion=False))
            draws.append(share_draws(totals, 0, 1))
        truth = RATES[1]
        hits["share, bootstrap"].append((_covers(alone[1], truth), _width(alone[1])))
        hits["share, with Wilson"].append((_covers(floored[1], truth), _width(floored[1])))
        gap = RATES[1] - RATES[0]
        boot = interval_from(alone[1].value - alone[0].value if alone[1].value is not None and alone[0].value is not None
                             else None, draws[1] - draws[0], testimonies * 2)
        hits["difference, bootstrap"].append((_covers(boot, gap), _width(boot)))
        mover = difference(floored[1], draws[1], floored[0], draws[0])
        hits["difference, with MOVER"].append((_covers(mover, gap), _width(mover)))
    return {k: (float(np.mean([c for c, _ in v])), float(np.nanmean([w for _, w in v]))) for k, v in hits.items()}


def _width(est: Interval) -> float:
    return float("nan") if est.low is None or est.high is None else est.high - est.low


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repetitions", type=int, default=400)
    args = parser.parse_args()
    print(f"true silencing rates: women {RATES[0]:.0%}, men {RATES[1]:.0%}; intra-cluster correlation 0.1; "
          f"{args.repetitions} repetitions; nominal coverage 95%")
    print(f"{'testimonies per group':>22} {'interval':<24} {'coverage':>9} {'mean width':>11}")
    started = time.perf_counter()
    for testimonies in (3, 5, 10, 30, 100):
        for name, (coverage, width) in run(testimonies, args.repetitions, seed=testimonies).items():
            print(f"{testimonies:>22} {name:<24} {coverage:>8.1%} {width:>11.3f}")
    print(f"({time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
