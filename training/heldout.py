"""Write heard's in-domain held-out split as gold files for ``heard eval``.

The posts heard's coders coded in round 3 and later carry ``"split": "heldout"``
(MeTooMA by row, Reddit by thread, about a fifth; see ``data/DATASHEET.md``):
they never train the heads or the encoder. This joins them to their texts in
``../shared/data/public`` and writes three files outside the repository::

    python -m training.heldout --public ../shared/data/public -o /tmp/heldout
    heard eval /tmp/heldout/heldout.jsonl            # both sources
    heard eval /tmp/heldout/heldout_metooma.jsonl    # MeTooMA tweets only
    heard eval /tmp/heldout/heldout_reddit.jsonl     # Reddit comments only

and the same three restricted to the posts drawn at random (``*_random.jsonl``),
whose mix of acts is the collections' own (the others add posts drawn for rare acts).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from training.corpus import gold_dir_for
from training.public_codes import heldout_gold, write_gold
from training.weak import gold_exclusions


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--public", type=Path, default=Path("../shared/data/public"))
    parser.add_argument("-o", "--output", type=Path, required=True, help="folder to write (outside the repository)")
    args = parser.parse_args(argv)
    args.output.mkdir(parents=True, exist_ok=True)
    ids, texts = gold_exclusions(gold_dir_for(args.public))
    rows = heldout_gold(args.public, ids, texts)
    for random_only in (False, True):
        for name, sources in (("heldout", None), ("heldout_metooma", {"metooma"}), ("heldout_reddit", {"reddit_gender_2025"})):
            name += "_random" if random_only else ""
            n = write_gold((row for row, random in rows if (random or not random_only)
                            and (sources is None or row["id"].split(":")[0] in sources)), args.output / f"{name}.jsonl")
            print(f"{args.output / f'{name}.jsonl'}: {n} posts")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
