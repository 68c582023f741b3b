"""SFT on the teacher trajectories (`cot`): the paper's SFT baseline, and the warm start a randomly
initialised tiny model needs before GRPO can earn any reward. Thin wiring over TRL's `SFTTrainer`:
the prompt is the GRPO prompt (same system prompt and image), the completion is the `cot`, and the loss
covers the completion only (TRL's prompt-completion format)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .config import MethodArgs, resolve_model
from .dataset import ensure_dataset, load_records_limited, sft_dataset
from .run import run


def datasets_for(method: MethodArgs) -> tuple[Any, Any]:
    path = ensure_dataset(method.dataset, method.synth_n, method.synth_seed, method.synth_options)
    train_ds = sft_dataset(load_records_limited(path, method.max_samples), method.min_pixels, method.max_pixels,
                           method.prompt_preset)
    eval_ds = (sft_dataset(load_records_limited(method.eval_dataset), method.min_pixels, method.max_pixels,
                           method.prompt_preset)
               if method.eval_dataset else None)
    return train_ds, eval_ds


def make_trainer(method: MethodArgs, args, train_ds, eval_ds):
    from trl import SFTTrainer

    from .callbacks import MetricsJsonl
    from .checkpoint import strict_resume
    from .lora import peft_config, quantized_init_kwargs

    args.model_init_kwargs = quantized_init_kwargs(method, args.model_init_kwargs)
    return strict_resume(SFTTrainer)(model=resolve_model(method), args=args, train_dataset=train_ds,
                                     eval_dataset=eval_ds, peft_config=peft_config(method),
                                     callbacks=[MetricsJsonl(Path(args.output_dir) / "metrics.jsonl")])


def train(method: MethodArgs, args, *, resume: bool = False):
    """Run SFT (`run.run`: with `resume`, from the newest checkpoint in `output_dir`)."""
    train_ds, eval_ds = datasets_for(method)
    return run(method, args, lambda: make_trainer(method, args, train_ds, eval_ds), resume=resume)
