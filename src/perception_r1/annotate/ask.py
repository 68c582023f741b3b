"""One journaled request: look the key up, else journal it as pending, send it, journal the reply, return it.

This is the only place the annotation pipeline talks to a server, so "never pay twice" holds for every
stage: a reply is used only after it is committed to the journal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..llm import LLMClient, LLMError
from .journal import Entry, Journal, fingerprint, request_key


@dataclass
class StageCounters:
    """Requests of one stage in this run: answered from the journal, sent, failed for good."""

    reused: int = 0
    sent: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


class Asker:
    """Journaled requests of one stage to one client (model)."""

    def __init__(self, client: LLMClient, journal: Journal, stage: str, prompt_version: str,
                 **params: Any):
        self.client = client
        self.journal = journal
        self.stage = stage
        self.prompt_version = prompt_version
        self.params = params  # temperature, max_tokens … sent with every request of the stage
        self.counters = StageCounters()

    def key(self, record_id: str, sample: str | int, messages_fingerprint: str, n: int = 1) -> str:
        return request_key(self.stage, record_id, sample, self.prompt_version, self.client.model, messages_fingerprint,
                           server=self.client.base_url, params={**self.params, "n": n})

    async def ask(self, record_id: str, sample: str | int, messages: list[dict[str, Any]], n: int = 1,
                  note: str | None = None) -> Entry:
        """The reply to this request, from the journal if it was answered before; raises LLMError."""
        fp = fingerprint(messages)
        key = self.key(record_id, sample, fp, n)
        hit = self.journal.answered(key)
        if hit is not None:
            self.counters.reused += 1
            return hit
        body = {"model": self.client.model, "messages": messages, "n": n, **self.params}
        self.journal.pending(key, stage=self.stage, record_id=record_id, sample=sample,
                             prompt_version=self.prompt_version, model=self.client.model, body=body,
                             messages_fingerprint=fp)
        try:
            result = await self.client.chat(messages, n=n, **self.params)
        except LLMError as e:
            self.journal.fail(key, str(e))
            self.counters.failed += 1
            raise
        self.journal.answer(key, result.texts, result.usage, result.attempts, note)
        self.counters.sent += 1
        return Entry(key, result.texts, int(result.usage.get("prompt_tokens") or 0),
                     int(result.usage.get("completion_tokens") or 0), note)
