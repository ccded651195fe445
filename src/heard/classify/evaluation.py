"""``heard eval``: agreement with hand-coded gold units and the functional suite.

Example:
    >>> result = evaluate_gold("dev.jsonl", Classifier.load())   # doctest: +SKIP
    >>> result["act"]["macro_f1"]["value"]                        # doctest: +SKIP
    0.61
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from heard.classify.classifier import Classifier
from heard.classify.coded import load_coded
from heard.classify.linear import expected_calibration_error
from heard.classify.metrics import bootstrap_macro_f1, confusion, per_class
from heard.jsonl import read_jsonl
from heard.records import ACTS, STANCES, Label

FIELDS: dict[str, tuple[str, ...]] = {"act": ACTS, "stance": STANCES, "abusive": ("false", "true")}


def _value(obj: Any, field: str) -> str:
    value = getattr(obj, field)
    return str(value).lower() if isinstance(value, bool) else str(value)


def score_field(gold: Sequence[str], pred: Sequence[str], classes: tuple[str, ...], positive: str | None = None) -> dict[str, Any]:
    """Accuracy, macro-F1 (bootstrap 95% interval), per-class figures and the confusion matrix.

    For a binary field, ``positive`` names the class whose F1 is also reported.
    """
    index = {c: i for i, c in enumerate(classes)}
    y = np.array([index[g] for g in gold])
    p = np.array([index[v] for v in pred])
    precision, recall, f1, support = per_class(y, p, len(classes))
    # A class neither in the gold file nor predicted has no F1; averaging it in as 0 would
    # punish a small gold file for the classes it happens not to hold.
    predicted = np.bincount(p, minlength=len(classes))
    scored = [i for i in range(len(classes)) if support[i] > 0 or predicted[i] > 0]
    out: dict[str, Any] = {
        "n": len(y),
        "accuracy": round(float((y == p).mean()) if len(y) else 0.0, 4),
        "macro_f1": bootstrap_macro_f1(y, p, len(classes), scored).to_dict(digits=4),
        "macro_f1_classes": [classes[i] for i in scored],
        "per_class": {
            c: {"precision": round(float(precision[i]), 4), "recall": round(float(recall[i]), 4),
                "f1": round(float(f1[i]), 4), "support": int(support[i])}
            for i, c in enumerate(classes)
        },
        "confusion": {"labels": list(classes), "matrix": confusion(y, p, len(classes)).tolist()},
    }
    if positive is not None:
        out["f1_" + positive] = round(float(f1[index[positive]]), 4)
    return out


def evaluate_gold(path: str | Path, classifier: Classifier) -> dict[str, Any]:
    """Score ``classifier`` on a gold file in the ``dev.jsonl`` format."""
    gold = load_coded([path])
    labels = classifier.label_posts([g.text for g in gold], contexts=[g.context for g in gold])
    result: dict[str, Any] = {"gold": str(path), "model": classifier.version, "context": classifier.context_mode,
                              "with_context": sum(1 for g in gold if g.context)}
    for field, classes in FIELDS.items():
        result[field] = score_field(
            [_value(g, field) for g in gold], [_value(lb, field) for lb in labels], classes,
            positive="true" if field == "abusive" else None,
        )
    # Labels carry the act probabilities, so the act head's calibration can be checked here.
    proba = np.array([[lb.scores.get(a, 0.0) for a in ACTS] for lb in labels])
    truth = np.array([ACTS.index(g.act) for g in gold])
    result["act"]["ece"] = round(expected_calibration_error(proba, truth), 4)
    return result


def bundled_suite() -> Path:
    """The functional suite that ships with heard."""
    return Path(str(resources.files("heard") / "resources" / "functional" / "suite.jsonl"))


def load_suite(path: str | Path | None = None) -> list[dict[str, Any]]:
    """Read a functional suite: ``{"capability", "description", "text", "expect"}`` per line."""
    return [case for _, case in read_jsonl(Path(path) if path else bundled_suite(), _case,
                                           "expected {capability, description, text, expect}")]


def _case(row: Any) -> dict[str, Any]:
    if not isinstance(row, dict) or not isinstance(row.get("expect"), dict) or not isinstance(row.get("text"), str):
        raise ValueError("a line without them")
    return row


def case_passes(label: Label, expect: dict[str, Any]) -> bool:
    """True when every expected field matches the label."""
    return all(getattr(label, field) == value for field, value in expect.items())


def evaluate_functional(classifier: Classifier, path: str | Path | None = None) -> dict[str, Any]:
    """Pass rate per capability, with the failing cases' predictions."""
    cases = load_suite(path)
    labels = classifier.label_posts([c["text"] for c in cases])
    by_cap: dict[str, dict[str, Any]] = defaultdict(lambda: {"passed": 0, "total": 0, "failures": []})
    for case, label in zip(cases, labels):
        cap = by_cap[case["capability"]]
        cap["description"] = case.get("description", "")
        cap["total"] += 1
        if case_passes(label, case["expect"]):
            cap["passed"] += 1
        else:
            got = {f: getattr(label, f) for f in case["expect"]}
            cap["failures"].append({"text": case["text"], "expected": case["expect"], "got": got})
    for cap in by_cap.values():
        cap["pass_rate"] = round(cap["passed"] / cap["total"], 4)
    total = sum(c["total"] for c in by_cap.values())
    passed = sum(c["passed"] for c in by_cap.values())
    return {
        "model": classifier.version,
        "cases": total,
        "pass_rate": round(passed / total, 4) if total else 0.0,
        "capabilities_at_90": sum(1 for c in by_cap.values() if c["pass_rate"] >= 0.9),
        "capabilities": dict(sorted(by_cap.items())),
    }


def render(result: dict[str, Any]) -> str:
    """The evaluation as plain-text tables."""
    lines: list[str] = []
    gold = result.get("gold")
    if gold:
        lines.append(f"gold: {gold['gold']}  model: {gold['model']}")
        for field in FIELDS:
            r = gold[field]
            m = r["macro_f1"]
            extra = f"  F1(true) {r['f1_true']:.3f}" if "f1_true" in r else ""
            extra += f"  ECE {r['ece']:.3f}" if "ece" in r else ""
            lines.append(f"\n{field}: n={r['n']}  accuracy {r['accuracy']:.3f}  macro-F1 {m['value']:.3f} [{m['low']:.3f}, {m['high']:.3f}]{extra}")
            lines.append(f"  {'class':<16}{'precision':>10}{'recall':>8}{'F1':>7}{'support':>9}")
            for cls, v in r["per_class"].items():
                lines.append(f"  {cls:<16}{v['precision']:>10.3f}{v['recall']:>8.3f}{v['f1']:>7.3f}{v['support']:>9}")
            labels = r["confusion"]["labels"]
            short = [c[:6] for c in labels]
            lines.append("  confusion (rows gold, columns predicted): " + " ".join(f"{s:>6}" for s in short))
            for cls, row in zip(labels, r["confusion"]["matrix"]):
                lines.append(f"  {cls:<16}" + " ".join(f"{v:>6}" for v in row))
    functional = result.get("functional")
    if functional:
        lines.append(f"\nfunctional suite: {functional['cases']} cases, pass rate {functional['pass_rate']:.3f}, "
                     f"{functional['capabilities_at_90']}/{len(functional['capabilities'])} capabilities at >= 90%")
        for name, cap in functional["capabilities"].items():
            mark = "ok " if cap["pass_rate"] >= 0.9 else "LOW"
            lines.append(f"  {mark} {name:<40}{cap['passed']:>3}/{cap['total']:<3} {cap['pass_rate']:.2f}")
    return "\n".join(lines)
