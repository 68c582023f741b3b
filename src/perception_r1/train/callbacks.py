"""Observability TRL lacks: `OUTPUT_DIR/metrics.jsonl` (every logged step), `OUTPUT_DIR/samples.jsonl`
(completions with each reward component), and per-step rates the reward functions see.

TRL already logs `rewards/<component>/mean|std`, `reward`, `frac_reward_zero_std` (the fraction of
groups whose rewards are all equal: no learning signal), `completions/mean_length`, and whatever the
reward functions report through `log_metric` (the judge's `perception/judge_*`). `RewardRecorder`
adds the repetition rate and the share of completions without an `r_v`; the callbacks copy every
logged dict to JSONL, so a run is inspectable without tensorboard or wandb.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from transformers import TrainerCallback
from trl.trainer.utils import is_async_callable

from perception_r1.rewards.trl import completion_text


class RewardRecorder:
    """Wraps TRL reward functions without changing what they return: keeps the latest batch's values per
    completion (for samples.jsonl) and logs, through TRL's `log_metric`, the rates TRL does not."""

    def __init__(self, weights: Sequence[float]):
        self.weights = list(weights)
        self.names: list[str] = []
        self.step: int | None = None
        self.batch: dict[str, Any] = {}

    def wrap(self, funcs: Sequence[Callable]) -> list[Callable]:
        self.names = [f.__name__ for f in funcs]
        return [self._wrap_one(f) for f in funcs]

    def _wrap_one(self, func: Callable) -> Callable:
        name = func.__name__
        if is_async_callable(func):  # TRL's own test, so the wrapper is dispatched as the original
            async def wrapped(*, completions: list, **kwargs: Any) -> list:
                out = await func(completions=completions, **kwargs)
                self._record(name, completions, out, kwargs)
                return out
        else:
            def wrapped(*, completions: list, **kwargs: Any) -> list:
                out = func(completions=completions, **kwargs)
                self._record(name, completions, out, kwargs)
                return out
        wrapped.__name__ = name
        wrapped.__wrapped__ = func
        return wrapped

    def _record(self, name: str, completions: list, values: list, kwargs: dict[str, Any]) -> None:
        state = kwargs.get("trainer_state")
        step = state.global_step + 1 if state is not None else None
        if step != self.step or not self.batch:
            self.step = step
            self.batch = {"ids": list(kwargs.get("id") or [None] * len(completions)),
                          "completions": [completion_text(c) for c in completions], "rewards": {}}
        self.batch["rewards"][name] = list(values)
        log_metric = kwargs.get("log_metric")
        if log_metric is None or not values:
            return
        if name == "repetition":
            log_metric("repetition/rate", sum(v is not None and v < 0 for v in values) / len(values))
        if name == "perception":
            log_metric("perception/no_value_frac", sum(v is None for v in values) / len(values))

    def samples(self, n: int) -> list[dict[str, Any]]:
        """The first `n` completions of the latest batch with each component and the weighted total
        (components without a value are left out of the total, as TRL's nansum does)."""
        if not self.batch:
            return []
        out = []
        for i, (rid, text) in enumerate(zip(self.batch["ids"], self.batch["completions"])):
            if i >= n:
                break
            comps = {k: v[i] for k, v in self.batch["rewards"].items()}
            total = sum(w * comps[k] for k, w in zip(self.names, self.weights)
                        if comps.get(k) is not None and not math.isnan(comps[k]))
            out.append({"step": self.step, "id": rid, "completion": text, "rewards": comps, "total": total})
        return out


def _append(path: Path, rows: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, default=str) + "\n")


def _drop_after(path: Path, step: int) -> None:
    """Remove lines past `step`: a run killed after its last checkpoint logged steps that a resume redoes."""
    if not path.exists():
        return
    lines = path.read_text(encoding="utf-8").splitlines()
    kept = [ln for ln in lines if ln.strip() and json.loads(ln).get("step", 0) <= step]
    if len(kept) != len(lines):
        path.write_text("".join(ln + "\n" for ln in kept), encoding="utf-8")


class _ResumableJsonl(TrainerCallback):
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._checked = False

    def on_step_begin(self, args, state, control, **kwargs):
        # The resumed step is known here (on_train_begin runs before the checkpoint's state is loaded).
        if not self._checked and state.is_world_process_zero:
            _drop_after(self.path, state.global_step)
        self._checked = True


class MetricsJsonl(_ResumableJsonl):
    """Every logged dict (TRL's metrics and ours) as one JSON object with `step` per line."""

    def on_log(self, args, state, control, logs=None, **kwargs):
        if state.is_world_process_zero and logs:
            _append(self.path, [{"step": state.global_step, **logs}])


class SamplesJsonl(_ResumableJsonl):
    """Every `every` steps, `n` completions of the step's batch with their reward components."""

    def __init__(self, path: str | Path, recorder: RewardRecorder, every: int, n: int):
        super().__init__(path)
        self.recorder, self.every, self.n = recorder, max(1, every), n

    def on_step_end(self, args, state, control, **kwargs):
        if state.is_world_process_zero and state.global_step % self.every == 0:
            _append(self.path, self.recorder.samples(self.n))
