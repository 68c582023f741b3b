"""The `hybrid` judge: the symbolic judge decides every annotation it can parse, for free and
deterministically; only the annotations it cannot parse go to the OpenAI judge, all of one
response's leftovers in one request (Perception-R1 §3's one-request-per-response rule), and the
verdicts are merged back in annotation order."""

from __future__ import annotations

from typing import Any

from .base import Judge
from .openai_judge import OpenAIJudge


class HybridJudge(Judge):
    """Args:
        llm: the OpenAI judge for what symbolic cannot parse; its failure policy, cache and stats
            are the hybrid's.
        symbolic: an object with `judge_parsed(response, annotations) -> list[0 | 1 | None]`
            (None = could not parse); default `SymbolicJudge()`.
    """

    name = "hybrid"
    background = True

    def __init__(self, llm: OpenAIJudge, symbolic: Any = None):
        super().__init__(llm.on_error)
        if symbolic is None:
            from .symbolic import SymbolicJudge

            symbolic = SymbolicJudge()
        self.llm = llm
        self.symbolic = symbolic
        self.stats = llm.stats  # one set of counters: requests, cache hits and failures are the LLM's
        self.stats.extra.update(symbolic_verdicts=0, llm_verdicts=0)

    async def ajudge_batch(self, items: list[tuple[str, list[str]]],
                           images: list[Any] | None = None) -> list[list[int] | None]:
        partial = [list(self.symbolic.judge_parsed(resp, list(anns))) if anns else [] for resp, anns in items]
        ask = [(i, [j for j, v in enumerate(p) if v is None]) for i, p in enumerate(partial)]
        ask = [(i, js) for i, js in ask if js]
        self.stats.extra["symbolic_verdicts"] += sum(len(p) for p in partial) - sum(len(js) for _, js in ask)
        self.stats.extra["llm_verdicts"] += sum(len(js) for _, js in ask)
        answers = await self.llm.ajudge_batch([(items[i][0], [items[i][1][j] for j in js]) for i, js in ask])
        results: list[list[int] | None] = list(partial)
        for (i, js), verdicts in zip(ask, answers):
            if verdicts is None:  # the LLM part failed under the skip policy: no judgment at all
                results[i] = None
                continue
            for j, v in zip(js, verdicts):
                results[i][j] = v
        return results

    async def aclose(self) -> None:
        await self.llm.aclose()
