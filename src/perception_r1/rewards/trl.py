"""TRL adapter: the Perception-R1 reward as TRL `GRPOTrainer` reward functions.

`make_reward_funcs(config, judge)` returns one function per enabled component of `REWARDS`, named
`format`, `accuracy`, `perception`, `repetition` (TRL logs `rewards/<name>/mean`), and the weights
[α, β, γ, 1] for `GRPOConfig.reward_weights`. TRL 1.16 (`GRPOTrainer._calculate_rewards`) calls
each as `f(prompts=…, completions=…, completion_ids=…, **columns, trainer_state=…, log_extra=…,
log_metric=…)` where every dataset column (`answer`, `choices`, `visual_annotations`, `id`, …) is a
list aligned with `completions`. It turns a `None` reward into NaN and sums the weighted components
with `nansum`, so a sample without annotations (or whose judgment or math-verify check could not be
done) simply has no such term; the adapters log how many (`perception/missing`, `accuracy/missing`; of the latter, `accuracy/timeouts`
ran out of time and `accuracy/failures` found no math-verify process to run in).

`accuracy` and `perception` are async: TRL runs its synchronous rewards first, then gathers all async
ones on its event loop, so math-verify (process pool) and the judge's requests overlap.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from typing import Any

from . import accuracy as _acc
from .composite import REWARDS, RewardConfig, ajudge_rows, row_answer
from .format import format_reward
from .repetition import repetition_penalty


def completion_text(completion: Any) -> str:
    """The text of one TRL completion: a string, or a message list (conversational datasets) whose
    last assistant message's `content` is a string or a list of parts (`{"type": "text", "text": …}`)."""
    if isinstance(completion, str):
        return completion
    if isinstance(completion, dict):
        completion = [completion]
    if isinstance(completion, Sequence):
        messages = [m for m in completion if isinstance(m, dict)]
        assistant = [m for m in messages if m.get("role", "assistant") == "assistant"] or messages
        if assistant:
            content = assistant[-1].get("content")
            if isinstance(content, str):
                return content
            if isinstance(content, Sequence):
                return "".join(p if isinstance(p, str) else str(p.get("text") or "") for p in content
                               if isinstance(p, (str, dict)))
            if content is None:
                return ""
    raise TypeError(f"cannot read a completion of type {type(completion).__name__}: {completion!r:.80}")


def _rows(n: int, kwargs: dict[str, Any], columns: Sequence[str]) -> list[dict[str, Any]]:
    """Per-completion rows from TRL's column lists (missing columns -> None)."""
    for c in columns:
        if c in kwargs and kwargs[c] is not None and len(kwargs[c]) != n:
            raise ValueError(f"column {c!r} has {len(kwargs[c])} values for {n} completions")
    return [{c: (kwargs[c][i] if kwargs.get(c) is not None else None) for c in columns} for i in range(n)]


def _log(kwargs: dict[str, Any], name: str, value: float) -> None:
    log_metric: Callable[[str, float], None] | None = kwargs.get("log_metric")
    if log_metric is not None:
        log_metric(name, float(value))


class _Reward:
    """A named reward function; TRL reads `__name__` for its logs (`rewards/<name>/mean`)."""

    name = ""

    def __init__(self, config: RewardConfig, judge=None):
        self.__name__ = self.name
        self.config = config

    def __repr__(self) -> str:
        return f"<perception-r1 reward {self.__name__}>"


class FormatReward(_Reward):
    name = "format"

    def __call__(self, completions: list, **kwargs: Any) -> list[float]:
        return [format_reward(completion_text(c), self.config.format_pattern) for c in completions]


class RepetitionReward(_Reward):
    name = "repetition"

    def __call__(self, completions: list, **kwargs: Any) -> list[float]:
        return [repetition_penalty(completion_text(c), self.config.ngram, self.config.max_penalty)
                for c in completions]


class AccuracyReward(_Reward):
    name = "accuracy"

    async def __call__(self, completions: list, **kwargs: Any) -> list[float | None]:
        texts = [completion_text(c) for c in completions]
        rows = _rows(len(texts), kwargs, ("id", "answer", "choices"))
        answers = [row_answer(r) for r in rows]
        timeouts, failures = _acc.STATS.timeouts, _acc.STATS.failures
        out = await asyncio.to_thread(_acc.accuracy_batch, texts, answers, [r["choices"] for r in rows],
                                      self.config.accuracy_timeout)
        _log(kwargs, "accuracy/timeouts", _acc.STATS.timeouts - timeouts)
        _log(kwargs, "accuracy/failures", _acc.STATS.failures - failures)  # no process could check them
        _log(kwargs, "accuracy/missing", sum(v is None for v in out))  # not computed: left out, not 0
        return out


class PerceptionReward(_Reward):
    name = "perception"

    def __init__(self, config: RewardConfig, judge=None):
        super().__init__(config)
        self.judge = judge

    async def __call__(self, completions: list, **kwargs: Any) -> list[float | None]:
        texts = [completion_text(c) for c in completions]
        rows = _rows(len(texts), kwargs, ("id", "visual_annotations", "images", "image"))
        before = self.judge.stats.as_dict()
        start = time.perf_counter()
        judgments = await ajudge_rows(texts, rows, self.judge)
        after = self.judge.stats.as_dict()
        _log(kwargs, "perception/judge_latency_s", time.perf_counter() - start)
        for key in ("requests", "cache_hits", "failures"):
            _log(kwargs, f"perception/judge_{key}", after[key] - before[key])
        scores = [j.score for j in judgments]
        # Rows without annotations have no r_v by design; a missing one elsewhere is a skipped judgment.
        _log(kwargs, "perception/missing",
             sum(v is None and bool(r["visual_annotations"]) for v, r in zip(scores, rows)))
        if kwargs.get("log_extra") is not None:
            kwargs["log_extra"]("judgments", [str(j.verdicts) if j.verdicts is not None else "" for j in judgments])
        return scores


# The TRL reward function of each component in `REWARDS`.
ADAPTERS: dict[str, type[_Reward]] = {c.name: c for c in (FormatReward, AccuracyReward, PerceptionReward,
                                                          RepetitionReward)}


def make_reward_funcs(config: RewardConfig | None = None, judge=None) -> tuple[list[Callable], list[float]]:
    """TRL reward functions for the enabled components and their weights, in `REWARDS` order. Pass
    both to `GRPOTrainer(reward_funcs=…)` and `GRPOConfig(reward_weights=…)`."""
    config = config or RewardConfig()
    if config.use_perception and judge is None:
        raise ValueError("use_perception is set but no judge was given")
    names = config.enabled()
    weights = config.weights()
    if config.use_accuracy:
        _acc.start_pool()
    return [ADAPTERS[n](config, judge) for n in names], [weights[n] for n in names]
