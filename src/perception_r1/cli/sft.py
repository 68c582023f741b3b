"""`perception-r1 sft --config FILE.yaml [--key value …] [--resume] [--dry-run]`: supervised fine-tuning
on the `cot` field with TRL's SFTTrainer (the paper's SFT baseline, and the tiny model's warm start).
Every YAML key (ours in `train.config.MethodArgs`, TRL's in `SFTConfig`) can be overridden on the command
line. Example: `perception-r1 sft --config configs/demo_cpu_sft.yaml`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .train import add_common, parse_or_report

ACCEPTS_EXTRA_ARGS = True


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_common(p)


def run(args: argparse.Namespace) -> int:
    parsed = parse_or_report("sft", args)
    if parsed is None:
        return 0 if args.keys else 2
    method, targs = parsed
    from perception_r1.data import RecordError
    from perception_r1.train.dataset import NoCotError

    if args.dry_run:
        from perception_r1.train.sft import datasets_for

        have_data = bool(method.synth_n) or Path(method.dataset).exists()
        if have_data:
            try:
                train_ds, _ = datasets_for(method)
            except (RecordError, NoCotError) as e:
                print(f"perception-r1 sft: {method.dataset}: {e}", file=sys.stderr)
                return 2
        print(f"model        {method.model_name_or_path}")
        print(f"data         {method.dataset}: "
              + (f"{len(train_ds)} examples with a cot" if have_data else "MISSING (not checked)"))
        print(f"optimizer    lr {targs.learning_rate}, epochs {targs.num_train_epochs}, max_steps {targs.max_steps}, "
              f"bf16={targs.bf16}")
        print("dry run OK: config " + ("and data built" if have_data else "built (data not checked)")
              + "; model not loaded")
        return 0
    from perception_r1.train.sft import train

    try:
        train(method, targs, resume=args.resume)
    except (FileNotFoundError, RecordError, NoCotError) as e:  # missing data, a contract-breaking record, no cot
        where = f"{method.dataset}: " if isinstance(e, NoCotError) else ""
        print(f"perception-r1 sft: {where}{e}", file=sys.stderr)
        return 2
    return 0
