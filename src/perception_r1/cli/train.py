"""`perception-r1 train --config FILE.yaml [--key value …] [--resume] [--dry-run]`: GRPO with the
Perception-R1 reward on TRL. Every YAML key (ours in `train.config.MethodArgs`, TRL's in `GRPOConfig`)
can be overridden on the command line, e.g. `--max_steps 4 --output_dir runs/x --reward_gamma 0.5`.
Example: `perception-r1 train --config configs/demo_cpu.yaml`."""

from __future__ import annotations

import argparse
import sys

ACCEPTS_EXTRA_ARGS = True


def add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", help="YAML file with MethodArgs and TRL config keys (see configs/)")
    p.add_argument("--resume", action="store_true",
                   help="continue from the newest checkpoint-N in output_dir (model, optimizer, scheduler, step)")
    p.add_argument("--dry-run", action="store_true",
                   help="build and check everything but the model (config, data, judge, rewards); no GPU needed")
    p.add_argument("--keys", action="store_true", help="list every --key the config and command line accept")
    p.epilog = "Any config key can follow as --key value (ours and TRL's); --keys lists them. See docs/training.md."


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_common(p)


def trl_argv(args: argparse.Namespace) -> list[str]:
    """Arguments for TrlParser; a dry run forces `use_cpu` so a bf16 GPU config validates on a laptop."""
    argv = (["--config", args.config] if args.config else []) + list(getattr(args, "extra", []))
    return argv + (["--use_cpu", "True"] if args.dry_run else [])


def parse_or_report(kind: str, args: argparse.Namespace):
    """(MethodArgs, TRL config), or None after printing the keys (--keys) or a one-line error."""
    import logging

    from perception_r1.train.config import parse, parser_for

    if args.keys:
        parser_for(kind).print_help()
        return None
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        return parse(kind, trl_argv(args))
    except (ValueError, TypeError, FileNotFoundError) as e:
        print(f"perception-r1 {'train' if kind == 'grpo' else 'sft'}: {e}", file=sys.stderr)
        return None


def run(args: argparse.Namespace) -> int:
    parsed = parse_or_report("grpo", args)
    if parsed is None:
        return 0 if args.keys else 2
    method, targs = parsed
    if args.dry_run:
        from perception_r1.train.grpo import plan

        p = plan(method, targs, num_processes=method.expected_num_processes or 1, require_data=False)
        print(p.summary(method, targs))
        checked = "data, " if p.train_dataset is not None else ""
        print(f"dry run OK: config, {checked}judge and reward functions built; model not loaded"
              + ("" if checked else f" (data not checked: {method.dataset} does not exist here)"))
        return 0
    from perception_r1.data import RecordError
    from perception_r1.train.grpo import train

    try:
        train(method, targs, resume=args.resume)
    except (FileNotFoundError, RecordError) as e:  # missing data or a record that breaks the contract
        print(f"perception-r1 train: {e}", file=sys.stderr)
        return 2
    return 0
