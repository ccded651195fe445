"""``heard estimate`` on real posts with hidden hand codes: do its intervals cover the coders' shares?

Ingests the posts of a gold file (``dev.jsonl`` format: id, text and codes) without
their codes into a temporary store, labels them with the bundled model, imports a
random half of the codes with ``heard code import``, and compares ``heard estimate
--json`` with the coders' shares on the whole set. Then repeats the draw of the
coded half (default 300 times, in memory) and prints each act's coverage, the
model-only figure's coverage and the mean widths.

    python benchmarks/bench_estimate_real.py ../shared/data/labelled/dev.jsonl [--fraction 0.5]
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import io
import json
import tempfile
from collections import Counter
from pathlib import Path

import numpy as np

from heard.cli import main as heard
from heard.estimate.corrected import load_truth, share_estimate
from heard.records import ACTS
from heard.store import Store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gold", type=Path)
    parser.add_argument("--fraction", type=float, default=0.5)
    parser.add_argument("--repetitions", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rows = [json.loads(line) for line in args.gold.read_text(encoding="utf-8").splitlines() if line.strip()]
    truth_share = {a: c / len(rows) for a, c in Counter(r["act"] for r in rows).items()}
    rng = np.random.default_rng(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        posts, codes, everything = folder / "posts.jsonl", folder / "codes.jsonl", folder / "all.jsonl"
        posts.write_text("".join(json.dumps({"id": r["id"], "text": r["text"]}) + "\n" for r in rows), encoding="utf-8")
        fields = ("id", "act", "stance", "abusive", "voice", "frame", "discloser", "centres")
        half = rng.choice(len(rows), int(len(rows) * args.fraction), replace=False)
        codes.write_text("".join(json.dumps({k: rows[i].get(k) for k in fields}) + "\n" for i in sorted(half)), encoding="utf-8")
        everything.write_text("".join(json.dumps({k: r.get(k) for k in fields}) + "\n" for r in rows), encoding="utf-8")
        db = str(folder / "gold.duckdb")
        for argv in (["ingest", str(posts), "--db", db], ["label", "--db", db],
                     ["code", "import", str(codes), "--db", db, "--coder", "coders"]):
            assert heard(argv) == 0, argv
        out = folder / "estimate.json"
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            heard(["estimate", "--db", db, "--json"])
        result = json.loads(buffer.getvalue())
        out.write_text(buffer.getvalue())
        print(f"{len(rows)} posts, {result['n_coded']} codes imported ({args.fraction:.0%}), one draw (seed {args.seed}):\n")
        print(f"{'act':<16}{'coders':>8}{'model':>8}{'estimate':>10}  {'95% interval':<18}{'covers':>7}")
        for act in ACTS:
            e, t = result["acts"][act], truth_share.get(act, 0.0)
            print(f"{act:<16}{t:>8.1%}{e['model_share']:>8.1%}{e['estimate']:>10.1%}  "
                  f"{'[' + format(e['low'], '.1%') + ', ' + format(e['high'], '.1%') + ']':<18}{'yes' if e['low'] <= t <= e['high'] else 'NO':>7}")
        # Repetitions: every code in the store, then random subsets of it in memory.
        assert heard(["code", "import", str(everything), "--db", db, "--coder", "coders"]) == 0
        with Store.open(db, read_only=True) as store:
            full = load_truth(store)
    n = len(full.coded["act"])
    hits: dict[str, list[bool]] = {a: [] for a in ACTS}
    naive: dict[str, list[bool]] = {a: [] for a in ACTS}
    widths, joint = [], []
    for _ in range(args.repetitions):
        pick = np.sort(rng.choice(n, int(n * args.fraction), replace=False))
        sub = dataclasses.replace(full, coded={k: v[pick] for k, v in full.coded.items()},
                                  weights={k: v[pick] for k, v in full.weights.items()},
                                  truth={k: {c: a[pick] for c, a in d.items()} for k, d in full.truth.items()})
        ok = True
        for act in ACTS:
            t = float(full.truth["act"][act].mean())
            e = share_estimate(sub, "act", act)
            hit = e.low <= t <= e.high
            ok &= hit
            hits[act].append(hit)
            widths.append(e.high - e.low)
            m = share_estimate(dataclasses.replace(sub, coded={"act": pick[:0], "stance": pick[:0]}), "act", act)
            naive[act].append(m.low <= t <= m.high)
        joint.append(ok)
    print(f"\n{args.repetitions} random {args.fraction:.0%} subsets of the codes: coverage of each act's full-set share")
    print(f"{'act':<16}{'PPI':>8}{'model-only':>12}")
    for act in ACTS:
        print(f"{act:<16}{np.mean(hits[act]):>8.1%}{np.mean(naive[act]):>12.1%}")
    print(f"all eight acts at once: {np.mean(joint):.1%}; mean PPI interval width {np.mean(widths):.3f}")


if __name__ == "__main__":
    main()
