"""The `hybrid` judge: the symbolic judge decides every annotation it can parse, for free and
deterministically; only the annotations it cannot parse go to the OpenAI judge, all of one
response's leftovers in one request (Perception-R1 §3's one-request-per-response rule), and the
verdicts are merged back in annotation order. Symbolic runs chunk by chunk, each chunk's LLM
requests going out before the next chunk is parsed, so the two overlap."""

from __future__ import annotations

import asyncio
from typing import Any

from .base import Judge
from .openai_judge import OpenAIJudge, gather_or_cancel


class HybridJudge(Judge):
    """Args:
        llm: the OpenAI judge for what symbolic cannot parse; its failure policy, cache and stats
            are the hybrid's.
        symbolic: an object with `judge_parsed(response, annotations) -> list[0 | 1 | None] | None`
            (None in the list = could not parse; None for the list = failed, under the skip policy);
            default `SymbolicJudge` with the LLM judge's failure policy.
    """

    name = "hybrid"
    background = True
    chunk = 64  # items per symbolic pass; identical items inside one chunk share one LLM request

    def __init__(self, llm: OpenAIJudge, symbolic: Any = None):
        super().__init__(llm.on_error)
        if symbolic is None:
            from .symbolic import SymbolicJudge

            symbolic = SymbolicJudge(on_error=llm.on_error)
        self.llm = llm
        self.symbolic = symbolic
        self.stats = llm.stats  # one set of counters: requests, cache hits and failures are the LLM's
        self.stats.extra.update(symbolic_verdicts=0, llm_verdicts=0)

    async def ajudge_batch(self, items: list[tuple[str, list[str]]],
                           images: list[Any] | None = None) -> list[list[int] | None]:
        results: list[list[int] | None] = []
        asks: list[tuple[list[tuple[int, list[int]]], asyncio.Future]] = []
        for lo in range(0, len(items), self.chunk):
            ask = []
            for i in range(lo, min(lo + self.chunk, len(items))):
                response, anns = items[i]
                parsed = self.symbolic.judge_parsed(response, list(anns)) if anns else []
                if parsed is None:  # symbolic failed on it (past its deadline) under the skip policy
                    results.append(None)
                    continue
                partial = list(parsed)
                results.append(partial)
                js = [j for j, v in enumerate(partial) if v is None]
                if js:
                    ask.append((i, js))
                self.stats.extra["symbolic_verdicts"] += len(partial) - len(js)
                self.stats.extra["llm_verdicts"] += len(js)
            # Send this chunk's leftovers now, so requests are in flight while symbolic does the next.
            asks.append((ask, asyncio.ensure_future(
                self.llm.ajudge_batch([(items[i][0], [items[i][1][j] for j in js]) for i, js in ask]))))
            await asyncio.sleep(0)
        answers = await gather_or_cancel(fut for _, fut in asks)
        for (ask, _), chunk_answers in zip(asks, answers):
            for (i, js), verdicts in zip(ask, chunk_answers):
                if verdicts is None:  # the LLM part failed under the skip policy: no judgment at all
                    results[i] = None
                    continue
                for j, v in zip(js, verdicts):
                    results[i][j] = v
        return results

    async def aclose(self) -> None:
        await self.llm.aclose()
