"""The demo's knobs in one dataclass, with the quick preset the CI test uses.

The GRPO arms are not configured here: each runs from its YAML in `configs/` (`demo_cpu.yaml` for
Perception-R1, `demo_cpu_accuracy_only.yaml`), the same files `perception-r1 train --config …` takes, so a
user can rerun any stage by hand and get the same run. The demo only points them at its own folders,
seed and base model; `grpo` overrides keys of both (e.g. `--grpo "{'max_steps': 10}"`). The training
problems are the YAML's `synth_n` / `synth_options` with the run's seed; dev and held-out are drawn the
same way from fixed seeds.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

# The repository's configs/ (the demo runs from a clone; the recipes are the files a user edits).
CONFIGS = Path(__file__).resolve().parents[3] / "configs"
# Where `perception-r1 demo` (and `make demo`) keeps its stages unless --out says otherwise.
DEMO_OUT = "runs/demo"
ARM_CONFIGS = {"accuracy_only": "demo_cpu_accuracy_only.yaml", "perception_r1": "demo_cpu.yaml"}


class DemoError(ValueError):
    """A demo run that cannot go on as asked (a stage made with other settings, a changed base): one line."""


@dataclass
class DemoConfig:
    """One demo run. Every field can be set from the command line (`--key value`)."""

    seed: int = 0
    # The base policy: empty for the shipped pretrained tiny base (perception_r1/models/tiny_base), else a path.
    base: str = ""
    configs: str = str(CONFIGS)   # folder with the two arms' YAML recipes
    n_train: int | None = None    # training problems; None: the recipe's synth_n
    n_dev: int = 300              # for tuning: the held-out set is never looked at while tuning
    n_heldout: int = 300          # 300, not 200, so that a 10-point gap is a significant McNemar test per seed
    # Overrides of both arms' recipe keys (TRL's GRPOConfig and train.config.MethodArgs).
    grpo: dict[str, Any] = field(default_factory=dict)
    # Held-out evaluation (greedy).
    eval_max_new_tokens: int = 96
    eval_batch: int = 50
    # One torch thread: on a shared 2-core machine two threads spin against other jobs and a decoding
    # step of the tiny model got 4x slower (docs/demo_research.md).
    threads: int = 1
    # GRPO arms trained at once, one process each (`demo.arms`): 2 uses both cores of a 2-core machine and
    # halves the arms' wall time; 1 trains them one after the other in this process.
    arm_jobs: int = 2

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def field_names(cls) -> list[str]:
        return [f.name for f in fields(cls)]


# `--quick`: the CI smoke run (a couple of minutes): every stage, a step or two each.
QUICK = dict(n_train=8, n_dev=8, n_heldout=16, eval_max_new_tokens=24, eval_batch=16,
             grpo={"max_steps": 1, "per_device_train_batch_size": 4, "num_generations": 4,
                   "max_completion_length": 16, "save_strategy": "no"})


def make_config(quick: bool = False, **overrides: Any) -> DemoConfig:
    """The default run, or the quick one, with `overrides` applied (unknown keys are an error)."""
    unknown = sorted(set(overrides) - set(DemoConfig.field_names()))
    if unknown:
        raise ValueError(f"unknown demo settings {unknown}; known: {', '.join(DemoConfig.field_names())}")
    cfg = DemoConfig()
    if quick:
        cfg = replace(cfg, **QUICK)
    if quick and "grpo" in overrides:
        overrides["grpo"] = {**QUICK["grpo"], **overrides["grpo"]}
    return replace(cfg, **overrides)
