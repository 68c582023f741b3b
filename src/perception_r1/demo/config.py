"""The demo's knobs in one dataclass, with the two presets the CLI and the CI test use.

The defaults are the schedule that fits `make demo` on 2 CPU cores in about 15 minutes
(docs/demo_research.md says how they were found: mostly, a tiny ViT learns to read the synthetic
world's labels only with a low learning rate and a warm-up, so the SFT warm start gets most of the time).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

@dataclass
class DemoConfig:
    """One demo run. Every field can be set from the command line (`--key value`)."""

    seed: int = 0
    # The synthetic world: `data.synth` families with small integer facts the tiny model can learn to read.
    difficulty: str = "easy"
    families: str = "rectangle,segment_sum,circle"
    n_train: int = 1600
    n_dev: int = 100             # for tuning: the held-out set is never looked at while tuning
    n_heldout: int = 200
    image_size: int = 112        # the synth image side; the model sees it unresized (max_pixels = side²)
    font_scale: float = 1.5      # labels about 0.3 of the image: several 14-px patches per glyph
    # The policy: a `models.tiny` preset plus overrides.
    model_size: str = "tiny"
    model_overrides: dict[str, Any] = field(default_factory=lambda: {"fullatt_block_indexes": (0, 1)})
    # SFT warm start (TRL SFTTrainer): a low learning rate with warm-up is what lets the ViT learn to see.
    sft_steps: int = 400
    sft_lr: float = 5e-4
    sft_warmup: int = 30
    sft_batch: int = 16
    # GRPO arms (TRL GRPOTrainer), identical except for the reward terms.
    grpo_steps: int = 40
    grpo_lr: float = 3e-4
    grpo_prompts: int = 4        # prompts per optimizer step
    num_generations: int = 8     # G, completions per prompt
    # The paper samples at 1.0; the tiny warm start's tail is so wide there that 94% of its samples break
    # the format (0.7: about half keep it), so GRPO would see no reward at all.
    temperature: float = 0.7
    max_completion_length: int = 64
    # Held-out evaluation (greedy).
    eval_max_new_tokens: int = 64
    eval_batch: int = 50
    # One torch thread: on a shared 2-core machine two threads spin against other jobs and a decoding
    # step of the tiny model got 4x slower (docs/demo_research.md).
    threads: int = 1

    @property
    def max_pixels(self) -> int:
        return self.image_size * self.image_size

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def field_names(cls) -> list[str]:
        return [f.name for f in fields(cls)]


# `--quick`: the CI smoke run (a couple of minutes): every stage, a few steps each.
QUICK = dict(n_train=16, n_dev=8, n_heldout=16, sft_steps=2, sft_warmup=1, sft_batch=8, grpo_steps=1,
             grpo_prompts=1, num_generations=4, max_completion_length=16, eval_max_new_tokens=16, eval_batch=16)


def make_config(quick: bool = False, **overrides: Any) -> DemoConfig:
    """The default run, or the quick one, with `overrides` applied (unknown keys are an error)."""
    unknown = sorted(set(overrides) - set(DemoConfig.field_names()))
    if unknown:
        raise ValueError(f"unknown demo settings {unknown}; known: {', '.join(DemoConfig.field_names())}")
    cfg = DemoConfig()
    if quick:
        cfg = replace(cfg, **QUICK)
    return replace(cfg, **overrides)
