"""The run both trainers share: threads, the checkpoint to resume, train, save the final model."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .config import MethodArgs, set_threads

log = logging.getLogger("perception_r1.train")


def last_checkpoint(output_dir: str | Path) -> str | None:
    """The newest `checkpoint-N` in `output_dir`, or None."""
    from transformers.trainer_utils import get_last_checkpoint

    return get_last_checkpoint(str(output_dir)) if Path(output_dir).is_dir() else None


def run(method: MethodArgs, args: Any, build: Callable[[], Any], *, resume: bool = False) -> tuple[Any, Any]:
    """Build the trainer with `build()` and train it; with `resume`, continue from the newest checkpoint in
    `output_dir` (weights loaded strictly by `checkpoint.StrictResume`; optimizer, scheduler, RNG and step
    by the Trainer), or start fresh, saying so, when there is none. Returns (trainer, TrainOutput)."""
    set_threads(method)
    ckpt = last_checkpoint(args.output_dir) if resume else None
    if resume and ckpt is None:
        log.warning("--resume: no checkpoint in %s, starting from step 0", args.output_dir)
    elif ckpt is not None:
        log.info("resuming from %s", ckpt)
    trainer = build()
    result = trainer.train(resume_from_checkpoint=ckpt)
    trainer.save_model(args.output_dir)
    return trainer, result


__all__ = ["last_checkpoint", "run"]
