"""The judge interface: for one response and its annotations, one 0/1 verdict per annotation.

Every judge (symbolic, openai, hybrid, mllm) implements `ajudge_batch`; `judge` and `judge_batch`
are the synchronous conveniences. A failed judgment is `None` (under the skip policy) or raises
JudgeError (under the raise policy) — never a silent 0.
"""

from __future__ import annotations

import concurrent.futures
import logging
from dataclasses import dataclass, field
from typing import Any

from ..llm.client import LoopThread, run_sync

ON_ERROR_POLICIES = ("raise", "skip")
log = logging.getLogger("perception_r1.judges")


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
    # Network judges set this: sync calls then run on one event loop kept alive across calls, so
    # connections are reused from one GRPO step to the next.
    background = False
    # A scoring judge (mllm) gives r_v directly as a 0-1 score per response through `ascore_batch` /
    # `scores`, not per-annotation verdicts; reward code checks this flag.
    returns_scores = False
    warn_every = 100  # under on_error="skip", log the 1st failure and every warn_every-th

    def __init__(self, on_error: str = "raise"):
        if on_error not in ON_ERROR_POLICIES:
            raise ValueError(f"on_error must be one of {ON_ERROR_POLICIES}, got {on_error!r}")
        self.on_error = on_error
        self.stats = JudgeStats()
        self._loop_thread: LoopThread | None = None

    def _failed(self, message: str) -> None:
        """The failure policy for one item, after retries: raise JudgeError naming the problem, or
        count it, log it (first and every `warn_every`-th) and return None — never a 0."""
        self.stats.failures += 1
        if self.on_error == "raise":
            raise JudgeError(f"{self.name} judge: {message}")
        if self.stats.failures == 1 or self.stats.failures % self.warn_every == 0:
            log.warning("%s judge: judgment skipped (%d so far, on_error=skip): %s",
                        self.name, self.stats.failures, message)
        return None

    async def ajudge_batch(self, items: list[tuple[str, list[str]]],
                           images: list[Any] | None = None) -> list[list[int] | None]:
        """Verdicts for each (response, annotations); `None` marks a failed judgment (skip policy)."""
        raise NotImplementedError

    def submit_batch(self, items: list[tuple[str, list[str]]],
                     images: list[Any] | None = None) -> concurrent.futures.Future:
        """Start a batch and return a Future: a background judge works while the caller does other
        work (e.g. math-verify); any other judge has finished by the time this returns."""
        if self.background:
            if self._loop_thread is None:
                self._loop_thread = LoopThread()
            return self._loop_thread.submit(self.ajudge_batch(items, images))
        fut: concurrent.futures.Future = concurrent.futures.Future()
        try:
            fut.set_result(run_sync(self.ajudge_batch(items, images)))
        except Exception as e:  # noqa: BLE001 — handed to the caller through the Future
            fut.set_exception(e)
        return fut

    def judge_batch(self, items: list[tuple[str, list[str]]],
                    images: list[Any] | None = None) -> list[list[int] | None]:
        if self.background:
            return self.submit_batch(items, images).result()
        return run_sync(self.ajudge_batch(items, images))

    def judge(self, response: str, annotations: list[str], image: Any = None) -> list[int] | None:
        return self.judge_batch([(response, annotations)], [image] if image is not None else None)[0]
