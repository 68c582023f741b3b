"""What `train` and `sft` share: their flags, config parsing, the dry-run sandbox and the run-and-report
step (a user's mistake ends in one line and exit 2, never a traceback)."""

from __future__ import annotations

import argparse
import dataclasses
import logging
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


def add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", help="YAML file with MethodArgs and TRL config keys (see configs/)")
    p.add_argument("--resume", action="store_true",
                   help="continue from the newest checkpoint-N in output_dir (model, optimizer, scheduler, RNG, "
                        "step); a checkpoint that does not match the model is an error")
    p.add_argument("--dry-run", action="store_true",
                   help="build and check everything but the model (config, data, judge, rewards) and write no "
                        "file; no GPU needed")
    p.add_argument("--overwrite", action="store_true",
                   help="start over in an output_dir that holds a previous run (without it, or --resume, a run's "
                        "checkpoints and model are never replaced)")
    p.add_argument("--keys", action="store_true", help="list every --key the config and command line accept")
    p.epilog = "Any config key can follow as --key value (ours and TRL's); --keys lists them. See docs/training.md."


def trl_argv(args: argparse.Namespace) -> list[str]:
    """Arguments for TrlParser; a dry run forces `use_cpu` so a bf16 GPU config validates on a laptop."""
    argv = (["--config", args.config] if args.config else []) + list(getattr(args, "extra", []))
    return argv + (["--use_cpu", "True"] if args.dry_run else [])


def parse_or_report(kind: str, args: argparse.Namespace):
    """(MethodArgs, TRL config), or None after printing the keys (--keys). A bad key or value raises
    ValueError naming it (the CLI's boundary prints the one line)."""
    from perception_r1.train.config import parse, parser_for

    if args.keys:
        parser_for(kind).print_help()
        return None
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        return parse(kind, trl_argv(args))
    except TypeError as e:  # a dataclass given a value of the wrong shape: the config's mistake
        raise ValueError(str(e)) from e


@contextmanager
def sandbox(method: Any) -> Iterator[Any]:
    """`method` as a dry run uses it, writing nothing: first-use synthetic data is generated (and so
    checked) in a temporary folder that is deleted afterwards, and the judge's cache stays in memory."""
    with tempfile.TemporaryDirectory(prefix="perception-r1-dry-run-") as tmp:
        changes: dict[str, Any] = {"judge_cache": None}
        if method.synth_n and not Path(method.dataset).exists():
            changes["dataset"] = str(Path(tmp) / "synth")
        yield dataclasses.replace(method, **changes)


def check_run(method: Any, targs: Any, *, resume: bool, overwrite: bool) -> None:
    """ValueError, before any data or model, when the run could not finish or would lose work: an
    output_dir that is a file or the dataset itself, one that holds a previous run (its checkpoints or
    saved model) without --resume or --overwrite, a judge API key variable that is not set."""
    import os

    if resume and overwrite:
        raise ValueError("--resume continues the run in output_dir, --overwrite starts it over: give one")
    from .errors import check_folder_target

    out = Path(targs.output_dir)
    check_folder_target(out, "output_dir")
    for name in ("dataset", "eval_dataset"):
        data = getattr(method, name)
        if data is not None and Path(data).exists() and Path(data).resolve() == out.resolve():
            raise ValueError(f"output_dir {out} is the {name}; choose another folder")
    if out.is_dir() and not (resume or overwrite):
        checkpoints = [p for p in out.glob("checkpoint-*") if p.is_dir()]
        previous = ([f"{len(checkpoints)} checkpoint(s)"] if checkpoints else []) + \
            [n for n in ("config.json", "adapter_config.json") if (out / n).is_file()]
        if previous:
            raise ValueError(f"output_dir {out} holds a previous run ({', '.join(previous)}): --resume continues it, "
                             "--overwrite starts over")
    key = getattr(method, "judge_api_key_env", None)
    if method.use_perception and key and not os.environ.get(key):
        raise ValueError(f"judge_api_key_env: the variable {key} is not set (or empty) in this environment")


def run_command(kind: str, args: argparse.Namespace, dry_run: Callable[[Any, Any, Any], None],
                train: Callable[..., Any]) -> int:
    """Parse, then either `dry_run(method, sandboxed_method, targs)` or `train(method, targs, resume=…)`.
    A bad key or value, missing data, a record that breaks the contract, SFT data without a `cot`, and a
    checkpoint that does not match the model end in one line naming it and exit 2 (`cli.errors`)."""
    parsed = parse_or_report(kind, args)
    if parsed is None:
        return 0
    method, targs = parsed
    check_run(method, targs, resume=args.resume, overwrite=args.overwrite)  # the dry run refuses what the run would
    from perception_r1.train.checkpoint import CheckpointMismatch
    from perception_r1.train.dataset import NoCotError

    try:
        if args.dry_run:
            with sandbox(method) as checked:
                dry_run(method, checked, targs)
        else:
            train(method, targs, resume=args.resume)
    except NoCotError as e:
        raise ValueError(f"{method.dataset}: {e}") from e
    except CheckpointMismatch as e:
        raise ValueError(str(e)) from e
    return 0
