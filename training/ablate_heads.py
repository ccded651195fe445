"""Ablations for heard's heads: train with options on cached embeddings, score everywhere.

Each run trains twice: on 80% of heard's own units (+ the weak units outside a
fixed 20% weak hold-out) to score the held-out own and weak units, then on
everything but the weak hold-out to score dev.jsonl (evaluation only), the
functional suite and TweetEval feminist stance (train and val splits, never
trained on). One JSON line per run (and per extra ``--shifts`` value) is
appended to ``$ABLATION_DIR/results.jsonl``; embeddings are cached in
``$ABLATION_DIR`` (default ``/tmp/heard-ablation``), keyed by text and encoder.
The options build a :class:`heard.classify.train.TrainConfig` (nothing is patched).

    python -m training.ablate_heads --name chosen --weak 0.1 --limit 3000 --balanced act --l2 0.3 --shifts 0,0.75,1.0

Needs ``../shared/data`` (public datasets and labelled/dev.jsonl).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

import heard.classify.heads as H
from heard.classify import cues
from heard.classify.classifier import Classifier
from heard.classify.coded import load_coded
from heard.classify.evaluation import evaluate_functional, evaluate_gold
from heard.classify.linear import LinearHead
from heard.classify.metrics import macro_f1
from heard.classify.train import HeadConfig, TrainConfig, train_heads
from heard.encode import load_encoder
from heard.records import ACTS, STANCES
from training.corpus import training_units_dir
from training.tweeteval import evaluate_tweeteval
from training.weak import gold_exclusions, weak_units

REPO = Path(__file__).resolve().parents[1]
OUT = Path(os.environ.get("ABLATION_DIR", "/tmp/heard-ablation"))
OUT.mkdir(parents=True, exist_ok=True)

SHARED = Path(os.environ.get("HEARD_SHARED", REPO.parent / "shared" / "data"))
PUB = SHARED / "public"
DEV = str(SHARED / "labelled" / "dev.jsonl")
TW = PUB / "tweeteval/stance/feminist"

# Every run starts from the settings the heads had before the weak-supervision
# work (so the options below mean the same in every row of docs/model.md):
BASE_L2 = {"act": 1e-3, "stance": 3e-4, "abusive": 3e-4, "frame": 1e-3, "discloser": 1e-3, "centre": 1e-3}
BASE_BALANCED = {"act": False, "stance": False, "abusive": False, "frame": True, "discloser": True, "centre": False}


class CachedEncoder:
    """Wraps an encoder; vectors are cached on disk by sha1 of the text."""

    def __init__(self, path=None, tag=""):
        self.base = load_encoder(path)
        self.name = self.base.name
        self.dim = self.base.dim
        safe = self.name.replace("/", "_").replace("@", "_")
        self.file = OUT / f"emb_{safe}{tag}.npz"
        self.cache: dict[str, np.ndarray] = {}
        if self.file.exists():
            z = np.load(self.file, allow_pickle=False)
            for k, v in zip(z["keys"], z["vecs"]):
                self.cache[str(k)] = v
        self.dirty = False

    @staticmethod
    def key(t: str) -> str:
        return hashlib.sha1(t.encode("utf-8", "surrogatepass")).hexdigest()

    def encode(self, texts, batch_size=32):
        keys = [self.key(t) for t in texts]
        missing = sorted({k: t for k, t in zip(keys, texts) if k not in self.cache}.items())
        if missing:
            ks, ts = zip(*missing)
            for start in range(0, len(ts), 2048):
                vecs = self.base.encode(list(ts[start:start + 2048]))
                for k, v in zip(ks[start:start + 2048], vecs):
                    self.cache[k] = v.astype(np.float32)
                self.dirty = True
                if len(ts) > 4096:
                    print(f"encoded {min(start + 2048, len(ts))}/{len(ts)}", flush=True)
                    self.save()
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self.cache[k] for k in keys]).astype(np.float32)

    def save(self):
        if self.dirty:
            ks = np.array(list(self.cache.keys()))
            vs = np.stack(list(self.cache.values())).astype(np.float32)
            tmp = str(self.file) + ".tmp.npz"
            np.savez(tmp, keys=ks, vecs=vs)
            os.replace(tmp, self.file)
            self.dirty = False


def holdout_split(n, frac, seed):
    rng = np.random.default_rng(seed); idx = rng.permutation(n); k = int(n * frac)
    return set(idx[:k].tolist())

def field_f1(units, labels, field, classes):
    pairs = [(getattr(u, field), getattr(l, field)) for u, l in zip(units, labels) if getattr(u, field) is not None]
    if not pairs: return None
    conv = lambda v: str(v).lower() if isinstance(v, bool) else v
    y = np.array([classes.index(conv(a)) for a, _ in pairs]); p = np.array([classes.index(conv(b)) for _, b in pairs])
    return round(macro_f1(y, p, len(classes)), 4), round(float((y == p).mean()), 4), len(pairs)

def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--name", required=True)
    ap.add_argument("--weak", type=float, default=0.0, help="weak_weight (0: own units only)")
    ap.add_argument("--limit", type=int, default=None, help="weak units per source")
    ap.add_argument("--sources", default=None, help="comma list of weak sources (default all)")
    ap.add_argument("--l2", type=float, default=None, help="scale on every BASE_L2 value")
    ap.add_argument("--balanced", default=None, help="comma list of heads to balance (act,stance,abusive) or 'none'")
    ap.add_argument("--other", type=float, default=0.0, help="other_shift at training time")
    ap.add_argument("--nocues", action="store_true", help="zero the cue features (embedding only)")
    ap.add_argument("--folds", type=int, default=3)
    ap.add_argument("--holdout", type=float, default=0.2)
    ap.add_argument("--encoder", default=None, help="encoder folder (default bundled)")
    ap.add_argument("--save", default=None, help="write the heads of the full training here")
    ap.add_argument("--full", action="store_true", help="train on all (no holdout) for dev/functional/tweeteval")
    ap.add_argument("--shifts", default="0", help="comma list of extra 'other' logit shifts to score post hoc")
    a = ap.parse_args()
    shifts = [float(x) for x in a.shifts.split(",")]
    if a.nocues:
        orig = cues.cue_matrix
        cues.cue_matrix = lambda texts: np.zeros_like(orig(texts))
    config = ablation_config(a)
    enc = CachedEncoder(a.encoder, os.environ.get("CACHE_TAG", ""))
    own = load_coded([training_units_dir()])
    ids, texts = gold_exclusions(SHARED / "labelled")
    srcs = set(a.sources.split(",")) if a.sources else None
    allweak = weak_units(PUB, ids, None, exclude_texts=texts)
    ho_weak = holdout_split(len(allweak), a.holdout, 2)
    te_weak = [x[0] for i, x in enumerate(allweak) if i in ho_weak]
    pool = [x for i, x in enumerate(allweak) if i not in ho_weak and (srcs is None or x[0].id.split(":")[0].split("_")[0] in srcs)]
    if a.limit:
        by = {}
        for x in pool: by.setdefault(x[0].id.split(":")[0].split("_")[0], []).append(x)
        pool = [x for k in sorted(by) for x in (random.Random(k).sample(by[k], a.limit) if len(by[k]) > a.limit else by[k])]
    weak_train = pool if a.weak > 0 else []
    weak = weak_train
    res = {"name": a.name, "args": vars(a), "n_own": len(own), "n_weak": len(weak)}
    t0 = time.time()
    # 1) held-out split of the training data
    if a.holdout > 0 and not a.full:
        ho_own = holdout_split(len(own), a.holdout, 1)
        tr_own = [u for i, u in enumerate(own) if i not in ho_own]; te_own = [u for i, u in enumerate(own) if i in ho_own]
        tr_weak = weak_train
        heads0 = train_heads(tr_own, enc, weak=tr_weak, config=config)
        for sh in shifts:
            clf = Classifier(enc, shifted(heads0, sh)); tag = "" if sh == 0 else f"@{sh}"
            lo = clf.label_units([u.text for u in te_own]); res["ho_own" + tag] = {}
            for f, cl in (("act", ACTS), ("stance", STANCES), ("abusive", ("false", "true"))):
                res["ho_own" + tag][f] = field_f1(te_own, lo, f, cl)
            if te_weak:
                lw = clf.label_units([u.text for u in te_weak]); res["ho_weak" + tag] = {}
                for f, cl in (("act", ACTS), ("stance", STANCES), ("abusive", ("false", "true"))):
                    res["ho_weak" + tag][f] = field_f1(te_weak, lw, f, cl)
    # 2) full training -> dev, functional, tweeteval
    heads = train_heads(own, enc, weak=weak, config=config)
    base = dict(res)
    for sh in shifts:
      if sh != 0:
        res = dict(base); res["name"] = f"{a.name}@{sh}"
        for k in list(res):
            if k.startswith("ho_") and k.endswith(f"@{sh}"): res[k[: -len(f"@{sh}")]] = res[k]
        res = {k: v for k, v in res.items() if "@" not in k or k == "name"}; res["name"] = f"{a.name}@{sh}"
      else:
        res = {k: v for k, v in base.items() if "@" not in k}
      clf = Classifier(enc, shifted(heads, sh))
      score_all(res, clf, heads, a, t0)
    if a.save:
        heads.save(a.save)
    enc.save()

def ablation_config(a) -> TrainConfig:
    """The run's settings: BASE_L2 (scaled by --l2) and BASE_BALANCED (act/stance/abusive
    from --balanced), the weak weight, the ``other`` shift and the folds."""
    on = None if a.balanced is None else (set() if a.balanced == "none" else set(a.balanced.split(",")))
    heads = {}
    for name, l2 in BASE_L2.items():
        balanced = BASE_BALANCED[name] if on is None or name not in ("act", "stance", "abusive") else name in on
        heads[name] = HeadConfig(l2 * (a.l2 if a.l2 is not None else 1.0), balanced)
    return replace(TrainConfig(), **heads, weak_weight=a.weak, other_shift=a.other, folds=a.folds)


def shifted(heads, sh):
    if sh == 0: return heads
    act = heads.heads["act"]
    bias = act.bias.copy(); bias[act.classes.index("other")] += sh
    hs = dict(heads.heads); hs["act"] = LinearHead(act.classes, act.weight, bias, act.temperature)
    return H.Heads(heads.encoder, hs, heads.centres, heads.examples, heads.neighbours, heads.metrics, heads.version)

def score_all(res, clf, heads, a, t0):
    g = evaluate_gold(DEV, clf)
    res["dev"] = {f: g[f]["macro_f1"]["value"] for f in ("act", "stance", "abusive")}
    res["dev_abusive_f1_true"] = g["abusive"]["f1_true"]
    res["dev_act_per_class"] = {c: v["f1"] for c, v in g["act"]["per_class"].items()}
    fn = evaluate_functional(clf)
    res["func"] = {"pass": fn["pass_rate"], "caps90": fn["capabilities_at_90"], "ncaps": len(fn["capabilities"])}
    res["tw_train"] = evaluate_tweeteval(clf, TW, "train")["mean_f1_favor_against"]["value"]
    res["tw_val"] = evaluate_tweeteval(clf, TW, "val")["mean_f1_favor_against"]["value"]
    res["cv"] = {k: heads.metrics[k] for k in ("act", "stance", "abusive")}
    res["secs"] = round(time.time() - t0)
    print(json.dumps(res))
    with open(OUT / "results.jsonl", "a") as fh:
        fh.write(json.dumps(res) + "\n")

if __name__ == "__main__":
    main()
