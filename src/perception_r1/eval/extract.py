"""The optional LLM answer extractor (the rules live in `eval.rules`).

For responses where the rules find nothing usable, a text LLM over the OpenAI protocol is
asked for the final answer with a few-shot prompt in the style of MathVista's `ext_ans.py` /
MathVerse's extraction step (the official pipelines use GPT-4 for this). Temperature 0, one request
per item, results cached on disk when a cache is given.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from ..eventloop import run_sync
from ..llm import DiskCache, LLMClient, LLMError, cache_key

log = logging.getLogger(__name__)

NO_ANSWER = "[NO ANSWER]"

EXTRACTION_PROMPT = """Please read the following examples. Then extract the final answer from the model response and type it at the end of the prompt. If the response gives no final answer, type {none}.

Question: Which number is missing? Choices: (A) 12 (B) 14 (C) 16
Model response: The numbers increase by 2, so the missing number is 14, option B.
Extracted answer: B

Question: What is the length of side AC? (Unit: cm) Answer with one decimal place.
Model response: Using the Pythagorean theorem, AC = sqrt(3^2 + 4^2) = 5. So AC is 5.0 cm.
Extracted answer: 5.0

Question: How many dots are there?
Model response: I cannot see the image clearly.
Extracted answer: {none}

Question: {question}
Model response: {response}
Extracted answer:"""


@dataclass
class LLMExtractor:
    """Extract final answers with a text LLM.

    Args:
        client: the OpenAI-protocol client (base URL and model of the extractor).
        cache: optional disk cache keyed by (server, model, sampling parameters, prompt) so a rerun pays nothing.
        max_tokens: answers are short.
    """

    client: LLMClient
    cache: DiskCache | None = None
    max_tokens: int = 64
    failures: int = field(default=0, init=False)

    def prompt(self, question: str, response: str) -> str:
        return EXTRACTION_PROMPT.format(none=NO_ANSWER, question=question.strip(), response=response.strip())

    async def _one(self, question: str, response: str) -> str | None:
        text = self.prompt(question, response)
        # The server and the sampling parameters are in the key: another server's answer is not this one's.
        key = cache_key("extract", self.client.base_url, self.client.model, {"temperature": 0.0,
                                                                              "max_tokens": self.max_tokens}, text)
        if self.cache is not None and (hit := self.cache.get(key)) is not None:
            reply = hit
        else:
            try:
                result = await self.client.chat([{"role": "user", "content": text}], temperature=0.0,
                                                max_tokens=self.max_tokens)
            except LLMError as e:
                # Counted and logged; the item is scored as "no answer" (wrong), never crashes the run.
                self.failures += 1
                log.warning("LLM extraction failed: %s", e)
                return None
            reply = result.text
            if self.cache is not None:
                self.cache.put(key, reply)
        return parse_extraction(reply)

    async def aextract(self, items: list[tuple[str, str]]) -> list[str | None]:
        """Answers for (question, response) pairs; None where the LLM found none or failed."""
        return list(await asyncio.gather(*(self._one(q, r) for q, r in items)))

    def extract(self, items: list[tuple[str, str]]) -> list[str | None]:
        return run_sync(self.aextract(items))


def parse_extraction(reply: str) -> str | None:
    """The extractor's reply reduced to the answer: first line, without a repeated label."""
    text = (reply or "").strip()
    if text.lower().startswith("extracted answer:"):
        text = text.split(":", 1)[1].strip()
    text = text.splitlines()[0].strip() if text else ""
    if not text or text == NO_ANSWER:
        return None
    return text
