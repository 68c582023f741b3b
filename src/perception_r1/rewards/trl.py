"""TRL adapter: the Perception-R1 reward as TRL `GRPOTrainer` reward functions.

`make_reward_funcs(config, judge)` returns one function per enabled component, named `format`,
`accuracy`, `perception`, `repetition` (TRL logs `rewards/<name>/mean`), and the weights
[α, β, γ, 1] for `GRPOConfig.reward_weights`. TRL 1.16 (`GRPOTrainer._calculate_rewards`) calls
each as `f(prompts=…, completions=…, completion_ids=…, **columns, trainer_state=…, log_extra=…,
log_metric=…)` where every dataset column (`answer`, `choices`, `visual_annotations`, `id`, …) is a
list aligned with `completions`. It turns a `None` reward into NaN and sums the weighted components
with `nansum`, so a sample without annotations simply has no perception term.

`accuracy` and `perception` are async: TRL runs its synchronous rewards first, then gathers all async
ones on its event loop, so math-verify (process pool) and the judge's requests overlap.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from typing import Any

from . import accuracy as _acc
from .composite import RewardConfig, row_answer, row_images, row_perception
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

    def __init__(self, name: str, config: RewardConfig):
        self.__name__ = name
        self.config = config

    def __repr__(self) -> str:
        return f"<perception-r1 reward {self.__name__}>"


class FormatReward(_Reward):
    def __call__(self, completions: list, **kwargs: Any) -> list[float]:
        return [format_reward(completion_text(c), self.config.format_pattern) for c in completions]


class RepetitionReward(_Reward):
    def __call__(self, completions: list, **kwargs: Any) -> list[float]:
        return [repetition_penalty(completion_text(c), self.config.ngram, self.config.max_penalty)
                for c in completions]


class AccuracyReward(_Reward):
    async def __call__(self, completions: list, **kwargs: Any) -> list[float]:
        texts = [completion_text(c) for c in completions]
        rows = _rows(len(texts), kwargs, ("id", "answer", "choices"))
        answers = [row_answer(r) for r in rows]
        timeouts = _acc.STATS.timeouts
        out = await asyncio.to_thread(_acc.accuracy_batch, texts, answers, [r["choices"] for r in rows],
                                      self.config.accuracy_timeout)
        _log(kwargs, "accuracy/timeouts", _acc.STATS.timeouts - timeouts)
        return out


class PerceptionReward(_Reward):
    def __init__(self, name: str, config: RewardConfig, judge):
        super().__init__(name, config)
        self.judge = judge

    async def __call__(self, completions: list, **kwargs: Any) -> list[float | None]:
        texts = [completion_text(c) for c in completions]
        rows = _rows(len(texts), kwargs, ("id", "visual_annotations", "images", "image"))
        images = row_images(rows)
        if getattr(self.judge, "returns_scores", False):  # mllm: a 0-1 score per response is r_v
            return await self._timed(kwargs, self.judge.ascore_batch(texts, images or [None] * len(texts)))
        anns = [list(r["visual_annotations"] or []) for r in rows]
        idx = [i for i, a in enumerate(anns) if a]
        judgments: list[list[int] | None] = [None] * len(texts)
        if idx:
            verdicts = await self._timed(kwargs, self.judge.ajudge_batch(
                [(texts[i], anns[i]) for i in idx], [images[i] for i in idx] if images is not None else None))
            for i, v in zip(idx, verdicts):
                judgments[i] = v
        if kwargs.get("log_extra") is not None:
            kwargs["log_extra"]("judgments", [str(j) if j is not None else "" for j in judgments])
        return [row_perception(r, j) for r, j in zip(rows, judgments)]

    async def _timed(self, kwargs: dict[str, Any], call) -> list:
        """Await one judge call and log its latency, requests, cache hits, failures and missing results."""
        before = self.judge.stats.as_dict()
        start = time.perf_counter()
        out = await call
        after = self.judge.stats.as_dict()
        _log(kwargs, "perception/judge_latency_s", time.perf_counter() - start)
        for key in ("requests", "cache_hits", "failures"):
            _log(kwargs, f"perception/judge_{key}", after[key] - before[key])
        _log(kwargs, "perception/missing", sum(v is None for v in out))
        return out


def make_reward_funcs(config: RewardConfig | None = None, judge=None) -> tuple[list[Callable], list[float]]:
    """TRL reward functions for the enabled components and their weights, in the order format,
    accuracy, perception, repetition. Pass both to `GRPOTrainer(reward_funcs=…)` and
    `GRPOConfig(reward_weights=…)`."""
    config = config or RewardConfig()
    if config.use_perception and judge is None:
        raise ValueError("use_perception is set but no judge was given")
    makers = {
        "format": lambda: FormatReward("format", config),
        "accuracy": lambda: AccuracyReward("accuracy", config),
        "perception": lambda: PerceptionReward("perception", config, judge),
        "repetition": lambda: RepetitionReward("repetition", config),
    }
    names = config.enabled()
    weights = config.weights()
    if config.use_accuracy:
        _acc.start_pool()
    return [makers[n]() for n in names], [weights[n] for n in names]
