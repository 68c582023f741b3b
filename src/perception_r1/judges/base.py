"""The judge interface: one call, `ascore_batch(items, images)`, returns r_v for every
(response, annotations) item — a `Judgment` whose `score` is `None` where the item cannot be judged.

Two kinds of judge sit behind it. A verdict judge (symbolic, openai, hybrid) decides for each
annotation v_j whether the response states it (o_j ∈ {0, 1}) in `ajudge_batch`, and this base class
derives r_v = Σ o_j / m from those verdicts (Perception-R1, arXiv 2506.07218, §3, the visual
perception reward). A scoring judge (mllm, the paper's MLLM-as-reward-model baseline) overrides
`ascore_batch` and gives r_v directly. Callers never ask which kind they hold.

A failed judgment is `None` (under the skip policy, counted and logged) or raises JudgeError
(under the raise policy) — never a silent 0.
"""

from __future__ import annotations

import concurrent.futures
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..eventloop import LoopThread, run_sync

ON_ERROR_POLICIES = ("raise", "skip")
log = logging.getLogger("perception_r1.judges")

Item = tuple[str, Sequence[str]]  # (response, the record's visual annotations)


class JudgeError(RuntimeError):
    """A judgment that could not be obtained or parsed (after retries). `item` is the position of
    the offending item in the batch when known, so callers can name the record."""

    def __init__(self, message: str, item: int | None = None):
        super().__init__(message)
        self.item = item


@dataclass(frozen=True)
class Judgment:
    """One item's judgment. `score`: r_v in [0, 1], or None (no annotations for a verdict judge, no
    image for the mllm judge, or a failed judgment under the skip policy). `verdicts`: a verdict
    judge's o_j per annotation (None from a scoring judge, or when there is no judgment)."""

    score: float | None
    verdicts: list[int] | None = None


NO_JUDGMENT = Judgment(None)


def hit_ratio(verdicts: Sequence[int] | None, n_annotations: int) -> float | None:
    """r_v = Σ o_j / m (Perception-R1 §3). `m` is the record's number of annotations — never the
    number of verdicts a judge returned, so a judge that drops verdicts cannot inflate the ratio.
    `None` (no reward, not 0) without annotations or without verdicts. A verdict list of the wrong
    length, or with a value other than 0/1, is a JudgeError."""
    if n_annotations <= 0 or verdicts is None:
        return None
    if len(verdicts) != n_annotations:
        raise JudgeError(f"judge returned {len(verdicts)} verdicts for {n_annotations} annotations")
    if any(v not in (0, 1) for v in verdicts):
        raise JudgeError(f"verdicts must be 0 or 1, got {list(verdicts)}")
    return sum(verdicts) / n_annotations


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
    """Base class. A verdict judge overrides `ajudge_batch`; a scoring judge overrides `ascore_batch`."""

    name = "base"
    # Network judges set this: sync calls then run on one event loop kept alive across calls, so
    # connections are reused from one GRPO step to the next.
    background = False
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

    async def ascore_batch(self, items: Sequence[Item], images: Sequence[Any] | None = None) -> list[Judgment]:
        """r_v for each item, derived from `ajudge_batch`'s verdicts. Items without annotations cost
        nothing and get no r_v; all the others go to `ajudge_batch` in one call."""
        out = [NO_JUDGMENT] * len(items)
        idx = [i for i, (_, anns) in enumerate(items) if anns]
        if not idx:
            return out
        verdicts = await self.ajudge_batch([(items[i][0], list(items[i][1])) for i in idx],
                                           [images[i] for i in idx] if images is not None else None)
        if len(verdicts) != len(idx):
            raise JudgeError(f"{self.name} judge: {len(verdicts)} results for {len(idx)} items")
        for i, v in zip(idx, verdicts):
            try:
                out[i] = Judgment(hit_ratio(v, len(items[i][1])), None if v is None else list(v))
            except JudgeError as e:
                raise JudgeError(f"{self.name} judge: {e}", item=i) from e
        return out

    async def ajudge_batch(self, items: list[tuple[str, list[str]]],
                           images: list[Any] | None = None) -> list[list[int] | None]:
        """A verdict judge's o_j per annotation of each item; `None` marks a failed judgment (skip policy)."""
        raise NotImplementedError(f"the {self.name} judge gives no per-annotation verdicts; use ascore_batch")

    def submit(self, coro) -> concurrent.futures.Future:
        """Run a coroutine that uses this judge and return a Future: a background judge works on its
        persistent loop while the caller does other work (e.g. math-verify); any other judge has
        finished by the time this returns."""
        if self.background:
            if self._loop_thread is None:
                self._loop_thread = LoopThread()
            return self._loop_thread.submit(coro)
        fut: concurrent.futures.Future = concurrent.futures.Future()
        try:
            fut.set_result(run_sync(coro))
        except Exception as e:  # noqa: BLE001 — handed to the caller through the Future
            fut.set_exception(e)
        return fut

    def score_batch(self, items: Sequence[Item], images: Sequence[Any] | None = None) -> list[Judgment]:
        """Synchronous `ascore_batch`."""
        return self.submit(self.ascore_batch(items, images)).result()

    def submit_batch(self, items: list[tuple[str, list[str]]],
                     images: list[Any] | None = None) -> concurrent.futures.Future:
        """`ajudge_batch` as a Future (see `submit`)."""
        return self.submit(self.ajudge_batch(items, images))

    def judge_batch(self, items: list[tuple[str, list[str]]],
                    images: list[Any] | None = None) -> list[list[int] | None]:
        """Synchronous `ajudge_batch` (verdict judges)."""
        return self.submit_batch(items, images).result()

    def judge(self, response: str, annotations: list[str], image: Any = None) -> list[int] | None:
        return self.judge_batch([(response, annotations)], [image] if image is not None else None)[0]
