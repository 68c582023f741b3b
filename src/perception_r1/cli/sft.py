"""`perception-r1 sft --config FILE.yaml [--key value …] [--resume] [--dry-run]`: supervised fine-tuning
on the `cot` field with TRL's SFTTrainer (the paper's SFT baseline, and the tiny model's warm start).
Every YAML key (ours in `train.config.MethodArgs`, TRL's in `SFTConfig`) can be overridden on the command
line. Example: `perception-r1 sft --config configs/demo_cpu_sft.yaml`."""

from __future__ import annotations

import argparse
from pathlib import Path

from .training import add_common, run_command

ACCEPTS_EXTRA_ARGS = True


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_common(p)


def dry_run(method, checked, targs) -> None:
    from perception_r1.train.sft import datasets_for

    have = bool(checked.synth_n) or Path(checked.dataset).exists()
    train_ds = datasets_for(checked)[0] if have else None
    print(f"model        {method.model_name_or_path}")
    print(f"data         {method.dataset}: "
          + (f"{len(train_ds)} examples with a cot" if have else "MISSING (not checked)"))
    print(f"optimizer    lr {targs.learning_rate}, epochs {targs.num_train_epochs}, max_steps {targs.max_steps}, "
          f"bf16={targs.bf16}")
    print("dry run OK: config " + ("and data built" if have else "built (data not checked)")
          + "; model not loaded; no file written")


def run(args: argparse.Namespace) -> int:
    from perception_r1.train.sft import train

    return run_command("sft", args, dry_run, train)
