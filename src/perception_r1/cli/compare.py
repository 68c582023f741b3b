"""`perception-r1 compare DIR_A DIR_B [--out DIR]`: side-by-side report of two evaluated checkpoints
(accuracy per benchmark and category, McNemar on correctness and on perception, a bar chart)."""

from __future__ import annotations

import argparse
import sys


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("a", help="eval output folder of checkpoint A (or a folder of them, one per benchmark)")
    p.add_argument("b", help="eval output folder of checkpoint B")
    p.add_argument("--out", default="compare", help="where compare.md, compare.json, compare.png go")


def run(args: argparse.Namespace) -> int:
    from ..stats.compare import write_comparison

    try:
        report = write_comparison(args.a, args.b, args.out)
    except (FileNotFoundError, ValueError, KeyError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if not report["benchmarks"]:
        print("error: the two runs share no benchmark", file=sys.stderr)
        return 2
    print((open(f"{args.out}/compare.md", encoding="utf-8").read().split("\n\n## ")[0]))
    return 0
