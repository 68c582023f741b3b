"""`perception-r1 mcnemar A.jsonl B.jsonl --field correct`: McNemar's test on paired outcomes.

Pairs the two results files by `id`; b = right in A and wrong in B, c = wrong in A and right in B;
exact two-sided binomial p-value (or chi-square with continuity correction with `--chi2`).
"""

from __future__ import annotations

import argparse
import json


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("a", help="results JSONL of system A (e.g. base/results.jsonl)")
    p.add_argument("b", help="results JSONL of system B (e.g. trained/results.jsonl)")
    p.add_argument("--field", default="correct", help="boolean field to compare (correct, perception_ok, ...)")
    p.add_argument("--chi2", action="store_true", help="chi-square with continuity correction instead of exact")
    p.add_argument("--json", action="store_true", help="print the result as JSON")


def run(args: argparse.Namespace) -> int:
    from ..stats.mcnemar import mcnemar_files

    res = mcnemar_files(args.a, args.b, args.field, chi2_correction=args.chi2)  # bad input: one line, exit 2
    if args.json:
        print(json.dumps(res.as_dict()))
        return 0
    print(f"field {args.field!r}: {res.n} paired items")
    print(f"  both right {res.both_right}, both wrong {res.both_wrong}")
    print(f"  b (right in A, wrong in B) = {res.b}")
    print(f"  c (wrong in A, right in B) = {res.c}")
    stat = f", chi2 = {res.statistic:.3f}" if res.statistic is not None else ""
    print(f"  McNemar {res.method} two-sided p = {res.p_value:.4f}{stat}")
    return 0
