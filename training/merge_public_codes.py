"""Merge coders' code files for public posts into heard's bundled codes, and measure agreement.

Each coder wrote ``codes_N.jsonl`` (``{"id", "act", "stance", "abusive",
"confidence"}`` per line, and from round 3 on ``frame`` and ``discloser``; no text). Posts coded by two coders keep a field where
they agree and get ``null`` where they do not (the post then leaves that head);
``confidence`` is ``low`` if either coder said so. Prints Cohen's kappa and raw
agreement per field over the doubly coded posts, and the label counts::

    python -m training.merge_public_codes /tmp/coding/codes_*.jsonl \\
        -o training/data/public_codes/round1.jsonl   # one file per coding round

``--draw FILE`` adds per-id fields recorded when the sample was drawn (a JSON
object ``{id: {"split": "train" | "heldout", "draw": "random" | "target:…"}}``):
held-out posts are never trained on (:mod:`training.public_codes`).
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

FIELDS = ("act", "stance", "abusive", "frame", "discloser")


def kappa(pairs: list[tuple[object, object]]) -> float:
    """Cohen's kappa of two coders' labels for the same items."""
    n = len(pairs)
    observed = sum(a == b for a, b in pairs) / n
    left, right = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    expected = sum(left[k] * right.get(k, 0) for k in left) / (n * n)
    return (observed - expected) / (1 - expected) if expected < 1 else 1.0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("codes", nargs="+", type=Path)
    parser.add_argument("-o", "--output", type=Path, required=True)
    parser.add_argument("--draw", type=Path, help="JSON object of per-id draw fields (split, draw) to keep")
    args = parser.parse_args(argv)

    by_id: dict[str, list[dict]] = {}
    order: list[str] = []
    for file in args.codes:
        for line in file.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            if row["id"] not in by_id:
                order.append(row["id"])
            by_id.setdefault(row["id"], []).append(row)

    fields = [f for f in FIELDS if any(f in rows[0] for rows in by_id.values())]
    draw = json.loads(args.draw.read_text(encoding="utf-8")) if args.draw else {}
    double = [rows[:2] for rows in by_id.values() if len(rows) >= 2]
    print(f"{len(order)} posts, {len(double)} coded twice")
    for field in fields:
        pairs = [(a.get(field), b.get(field)) for a, b in double]
        if pairs:
            agree = sum(x == y for x, y in pairs) / len(pairs)
            print(f"  {field:8} agreement {agree:.3f}  Cohen's kappa {kappa(pairs):.3f}")

    merged = []
    for uid in sorted(order):
        rows = by_id[uid]
        out = {"id": uid}
        for field in fields:
            values = {json.dumps(r.get(field)) for r in rows}
            out[field] = rows[0].get(field) if len(values) == 1 else None
        out["confidence"] = "low" if any(r.get("confidence") == "low" for r in rows) else "high"
        out.update(draw.get(uid, {}))
        merged.append(out)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text("".join(json.dumps(m) + "\n" for m in merged), encoding="utf-8")
    for field in fields:
        print(f"  {field:8} " + ", ".join(f"{k}: {v}" for k, v in Counter(json.dumps(m[field]) for m in merged).most_common()))
    print(f"  low confidence: {sum(m['confidence'] == 'low' for m in merged)}")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
