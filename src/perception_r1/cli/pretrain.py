"""`perception-r1 pretrain --config configs/demo_pretrain.yaml [--key value …] [--keys]`: pretrain the tiny
base VLM (read the figure's facts, then reason over them in the paper's format) on a stream of fresh
synthetic problems with transformers' Trainer. Every YAML key (ours in `train.pretrain.PretrainArgs`,
transformers' in `TrainingArguments`) can be overridden on the command line, e.g. `--max_steps 4`.
A rerun with the same output_dir resumes from its newest checkpoint.

`perception-r1 pretrain --ship runs/pretrain/checkpoint-N` copies a checkpoint's model and processor to the
shipped base (src/perception_r1/models/tiny_base) with its provenance.json: the reproducing command, steps,
wall time, sha256 and the figures measured on the fixed set."""

from __future__ import annotations

import argparse

ACCEPTS_EXTRA_ARGS = True


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", help="YAML file with PretrainArgs and TrainingArguments keys (configs/demo_pretrain.yaml)")
    p.add_argument("--keys", action="store_true", help="list every --key the config and command line accept")
    p.add_argument("--ship", metavar="CHECKPOINT", help="copy this checkpoint to the shipped base with its provenance")
    p.epilog = "Any config key can follow as --key value; --keys lists them. See docs/demo.md."


def parser():
    from transformers import TrainingArguments

    from perception_r1.data.synth import LETTERS, MAX_IMAGE_SIZE
    from perception_r1.train.config import AT_LEAST_1, POSITIVE, SEED, TRAINING_BOUNDS, Bound, checked_parser
    from perception_r1.train.pretrain import PretrainArgs

    # PretrainArgs' own numbers: a bad one would otherwise surface minutes into the run (or never).
    bounds = {**TRAINING_BOUNDS, "image_size": Bound(28, MAX_IMAGE_SIZE), "font_scale": POSITIVE,
              "choices": Bound(2, len(LETTERS)), "model_seed": SEED, "data_seed_stream": SEED,
              "num_threads": AT_LEAST_1, "system_prompt_every": AT_LEAST_1}
    return checked_parser((PretrainArgs, TrainingArguments), bounds, "perception-r1 pretrain")


def run(args: argparse.Namespace) -> int:
    if args.keys:
        parser().print_help()
        return 0
    if args.ship:
        return ship(args)
    argv = (["--config", args.config] if args.config else []) + list(getattr(args, "extra", []))
    try:
        pargs, targs = parser().parse_args_and_config(args=argv)
    except TypeError as e:  # a dataclass given a value of the wrong shape: the config's mistake
        raise ValueError(str(e)) from e
    from perception_r1.train.pretrain import pretrain

    final = pretrain(pargs, targs)  # a bad value or an occupied output raises; cli.errors prints one line
    print(f"pretrained base model in {final}")
    return 0


def ship(args: argparse.Namespace) -> int:
    import json
    from pathlib import Path

    from perception_r1.demo.base import BASE_DIR, ship as ship_base

    if not (Path(args.ship) / "trainer_state.json").exists():
        raise ValueError(f"{args.ship} is not a pretraining checkpoint (no trainer_state.json)")
    info = ship_base(args.ship, config=args.config or "configs/demo_pretrain.yaml")
    m = info["measured"]
    print(f"shipped {args.ship} to {BASE_DIR}: step {info['steps']}, sha256 {info['sha256'][:12]}…, accuracy "
          f"{m['accuracy']:.1%}, perception {m['perception']:.1%}, perception_ok {m['perception_ok']:.1%}")
    print(json.dumps(m["diagnosis"]))
    return 0
