"""The judge interface: for one response and its annotations, one 0/1 verdict per annotation.

Every judge (symbolic, openai, hybrid, mllm) implements `ajudge_batch`; `judge` and `judge_batch`
are the synchronous conveniences. A failed judgment is `None` (under the skip policy) or raises
JudgeError (under the raise policy) — never a silent 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..llm.client import run_sync

ON_ERROR_POLICIES = ("raise", "skip")


class JudgeError(RuntimeError):
    """A judgment that could not be obtained or parsed (after retries)."""


@dataclass
class JudgeStats:
    requests: int = 0
    cache_hits: int = 0
    failures: int = 0
    latency_total: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"requests": self.requests, "cache_hits": self.cache_hits, "failures": self.failures,
                "latency_mean": self.latency_total / self.requests if self.requests else 0.0, **self.extra}


class Judge:
    """Base class. Subclasses override `ajudge_batch`."""

    name = "base"

    def __init__(self, on_error: str = "raise"):
        if on_error not in ON_ERROR_POLICIES:
            raise ValueError(f"on_error must be one of {ON_ERROR_POLICIES}, got {on_error!r}")
        self.on_error = on_error
        self.stats = JudgeStats()

    async def ajudge_batch(self, items: list[tuple[str, list[str]]],
                           images: list[Any] | None = None) -> list[list[int] | None]:
        """Verdicts for each (response, annotations); `None` marks a failed judgment (skip policy)."""
        raise NotImplementedError

    def judge_batch(self, items: list[tuple[str, list[str]]], images: list[Any] | None = None) -> list[list[int] | None]:
        return run_sync(self.ajudge_batch(items, images))

    def judge(self, response: str, annotations: list[str], image: Any = None) -> list[int] | None:
        return self.judge_batch([(response, annotations)], [image] if image is not None else None)[0]
