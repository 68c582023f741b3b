"""`perception-r1 compare DIR_A DIR_B [--out DIR]`: side-by-side report of two evaluated checkpoints
(accuracy per benchmark and category, McNemar on correctness and on perception, a bar chart)."""

from __future__ import annotations

import argparse


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("a", help="eval output folder of checkpoint A (or a folder of them, one per benchmark)")
    p.add_argument("b", help="eval output folder of checkpoint B")
    p.add_argument("--out", default="compare", help="where compare.md, compare.json, compare.png go")


def run(args: argparse.Namespace) -> int:
    from ..stats.compare import write_comparison
    from .errors import refuse_overwrite

    refuse_overwrite(args.out, True, inputs=(args.a, args.b))  # the report never lands in a run it reads
    report = write_comparison(args.a, args.b, args.out)  # bad input: one line, exit 2 (cli.errors)
    if not report["benchmarks"]:
        raise ValueError(f"{args.a} and {args.b} share no benchmark")
    print((open(f"{args.out}/compare.md", encoding="utf-8").read().split("\n\n## ")[0]))
    return 0
