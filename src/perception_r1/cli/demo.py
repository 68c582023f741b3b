"""`perception-r1 demo --out DIR [--seed N | --seeds 0,1,2] [--quick] [--key value …]`: the tiny end-to-end
Perception-R1 on a laptop (synthetic multiple-choice data, the shipped pretrained tiny base, two GRPO arms
from configs/demo_cpu*.yaml, held-out evaluation, McNemar). Any field of `demo.config.DemoConfig` can be
set, e.g. `--n_heldout 100 --grpo "{'max_steps': 10}"`."""

from __future__ import annotations

import argparse
import ast
import shlex
import sys

ACCEPTS_EXTRA_ARGS = True


def add_arguments(p: argparse.ArgumentParser) -> None:
    from perception_r1.demo.config import DEMO_OUT, DemoConfig

    p.add_argument("--out", default=DEMO_OUT, help="output folder (summary.json, report.md, plots, stages)")
    p.add_argument("--seed", type=int, default=0, help="seed of training data, model init and training")
    p.add_argument("--seeds", help="comma-separated seeds: one run each, report with mean ± spread")
    p.add_argument("--quick", action="store_true", help="a few steps per stage (the CI smoke run)")
    p.add_argument("--split", choices=("heldout", "dev"), default="heldout",
                   help="evaluate on the held-out set (default) or the dev set used for tuning")
    p.epilog = ("Any demo setting can follow as --<field> value: " + ", ".join(
        f for f in DemoConfig.field_names() if f != "seed") + ". Logs go to OUT/demo.log.")


def parse_overrides(extra: list[str]) -> dict:
    """`--key value` pairs; values are Python literals when they parse as one (numbers, tuples, dicts)."""
    out, i = {}, 0
    while i < len(extra):
        key = extra[i]
        if not key.startswith("--") or i + 1 >= len(extra):
            raise SystemExit(f"demo: expected `--key value`, got {' '.join(extra[i:])!r}")
        try:
            value = ast.literal_eval(extra[i + 1])
        except (ValueError, SyntaxError):
            value = extra[i + 1]
        out[key[2:].replace("-", "_")] = value
        i += 2
    return out


def run(args: argparse.Namespace) -> int:
    from perception_r1.demo import make_config, run_demo
    from perception_r1.demo.config import DemoError

    try:
        cfg = make_config(args.quick, seed=args.seed, **parse_overrides(getattr(args, "extra", [])))
        seeds = [int(s) for s in args.seeds.split(",")] if args.seeds else None
    except ValueError as e:
        raise SystemExit(f"demo: {e}") from None
    command = "perception-r1 " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    try:
        s = run_demo(cfg, args.out, seeds=seeds, split=args.split, command=command)
    except (DemoError, FileNotFoundError) as e:  # a stage made with other settings, a missing or changed base
        raise SystemExit(f"demo: {e}") from None
    print(open(f"{args.out}/report.md").read())
    print(f"wall time {s['wall_s']:.0f} s; outputs in {args.out}/")
    return 0
