"""`perception-r1 train --config FILE.yaml [--key value …] [--resume] [--dry-run]`: GRPO with the
Perception-R1 reward on TRL. Every YAML key (ours in `train.config.MethodArgs`, TRL's in `GRPOConfig`)
can be overridden on the command line, e.g. `--max_steps 4 --output_dir runs/x --reward_gamma 0.5`.
Example: `perception-r1 train --config configs/demo_cpu.yaml`."""

from __future__ import annotations

import argparse
from pathlib import Path

from .training import add_common, run_command

ACCEPTS_EXTRA_ARGS = True


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_common(p)


def dry_run(method, checked, targs) -> None:
    from perception_r1.train.grpo import plan

    p = plan(checked, targs, num_processes=method.expected_num_processes or 1, require_data=False)
    print(p.summary(method, targs))
    have = p.train_dataset is not None
    generated = have and not Path(method.dataset).exists()
    print(f"dry run OK: config, {'data, ' if have else ''}judge and reward functions built; model not loaded; "
          "no file written"
          + (f" (the {method.synth_n} synthetic records were generated in a temporary folder)" if generated else "")
          + ("" if have else f" (data not checked: {method.dataset} does not exist here)"))


def run(args: argparse.Namespace) -> int:
    from perception_r1.train.grpo import train

    return run_command("grpo", args, dry_run, train)
