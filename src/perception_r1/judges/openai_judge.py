"""The `openai` perception judge: any OpenAI-compatible chat server (vLLM, SGLang, a hosted API).

Perception-R1 (arXiv 2506.07218) §3: all annotations of one response go in ONE request as numbered tags
`<info1>…</info1>`, …; the judge answers one verdict tag per annotation; temperature 0; `r_v` is
the hit ratio. A reply with a missing, extra, duplicated or non-0/1 verdict is re-asked up to
`parse_retries` times and then handled by the failure policy — never read as a 0. HTTP-level retries
(429/5xx/timeouts/dropped connections), connection reuse and bounded concurrency are the client's.
Verdicts are cached on disk by (server, model, sampling parameters, PROMPT_VERSION, annotations, response), and identical items
inside one batch are sent once.
"""

from __future__ import annotations

import asyncio
import functools
import json
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from ..llm import DiskCache, LLMClient, LLMError, cache_key
from .base import Judge
from .prompts import PROMPT_VERSION, VerdictParseError, judge_messages, parse_verdicts

DEFAULT_URL = "http://localhost:8000/v1"  # scripts/serve_judge.sh and the configs
DEFAULT_MODEL = "Qwen/Qwen2.5-32B-Instruct-AWQ"
# Requests in flight by default: about twice a judge server's slots (vLLM serves 64-256 at once), so a
# slot that frees finds the next request already queued at the server instead of waiting for this
# client to read a reply and send another. The client's ~1 ms of CPU per reply, times a wave of 64
# replies arriving together, is then hidden behind the judge's latency instead of added to each wave.
DEFAULT_CONCURRENCY = 128

T = TypeVar("T")


async def gather_or_cancel(aws: Iterable[Awaitable[T]]) -> list[T]:
    """asyncio.gather that cancels the siblings when one raises (a JudgeError under the raise
    policy must not leave paid requests running)."""
    tasks = [asyncio.ensure_future(a) for a in aws]
    try:
        return await asyncio.gather(*tasks)
    except BaseException:
        for t in tasks:
            t.cancel()
        raise


def open_cache(cache: str | Path | DiskCache | None) -> DiskCache:
    """A DiskCache from a path, an existing cache, or None (in memory: this process only)."""
    if isinstance(cache, DiskCache):
        return cache
    return DiskCache(Path(cache).expanduser() if cache is not None else None)


class OpenAIJudge(Judge):
    """Args:
        url: server root including `/v1` (e.g. a local `vllm serve` on port 8000).
        model: model name the server serves.
        timeout: seconds per HTTP request; max_retries: HTTP retries after the first attempt.
        concurrency: requests in flight at once (about twice the server's slots; see DEFAULT_CONCURRENCY).
        parse_retries: re-asks after a reply that breaks the verdict format.
        cache: SQLite path (persistent), a DiskCache, or None (in memory).
        on_error: "raise" (JudgeError) or "skip" (None for that item, counted and logged).
        max_tokens: reply limit (None: the server's; raise it for a judge that thinks first).
    """

    name = "openai"
    background = True

    def __init__(self, url: str = DEFAULT_URL, model: str = DEFAULT_MODEL, *, api_key_env: str = "OPENAI_API_KEY",
                 timeout: float = 60.0, concurrency: int = DEFAULT_CONCURRENCY, max_retries: int = 4, parse_retries: int = 2,
                 cache: str | Path | DiskCache | None = None, on_error: str = "raise",
                 max_tokens: int | None = None, backoff: float = 0.5):
        super().__init__(on_error)
        self.client = LLMClient(url, model, api_key_env=api_key_env, timeout=timeout, max_retries=max_retries,
                                concurrency=concurrency, backoff=backoff)
        self.cache = open_cache(cache)
        self.parse_retries = parse_retries
        self.max_tokens = max_tokens
        self.stats.extra.update(bad_replies=0, deduplicated=0, http_retries=0)

    def key(self, response: str, annotations: list[str]) -> str:
        """The cache key: the server and every sampling parameter too, so a verdict from one server
        (or at another max_tokens) is never served for another."""
        return cache_key("openai-judge", self.client.base_url, self.client.model, self.sampling(), PROMPT_VERSION,
                         list(annotations), response)

    def sampling(self) -> dict[str, Any]:
        """The sampling parameters of every request (part of each cache key)."""
        return {"temperature": 0.0, "max_tokens": self.max_tokens}

    async def ajudge_batch(self, items: list[tuple[str, list[str]]],
                           images: list[Any] | None = None) -> list[list[int] | None]:
        """Verdicts per item; an item without annotations gets `[]` and costs no request."""
        results: list[list[int] | None] = [None] * len(items)
        groups: dict[str, list[int]] = {}
        for i, (response, annotations) in enumerate(items):
            if not annotations:
                results[i] = []
                continue
            groups.setdefault(self.key(response, annotations), []).append(i)
        todo = []
        hits = self.cache.get_many(list(groups))
        for key, idx in groups.items():
            self.stats.extra["deduplicated"] += len(idx) - 1
            hit = hits.get(key)
            if hit is None:
                todo.append((key, idx))
                continue
            self.stats.cache_hits += len(idx)
            for i in idx:
                results[i] = json.loads(hit)
        try:
            verdicts = await gather_or_cancel(self._judge_one(key, *items[idx[0]]) for key, idx in todo)
        finally:
            self.stats.extra["http_retries"] = self.client.stats.retries
            self.cache.flush()  # the batch's verdicts in one transaction (DiskCache batches commits)
        for (_, idx), v in zip(todo, verdicts):
            for i in idx:
                results[i] = None if v is None else list(v)
        return results

    async def _judge_one(self, key: str, response: str, annotations: list[str]) -> list[int] | None:
        # Built once the request has a slot (see LLMClient.chat), and once for its parse retries.
        messages = functools.cache(lambda: judge_messages(response, list(annotations)))
        return await self._ask(key, messages,
                               lambda text: parse_verdicts(text, len(annotations)), response,
                               f"verdict reply {{n}} time(s) for {len(annotations)} annotation(s)")

    async def _ask(self, key: str, messages: list[dict[str, Any]] | Callable[[], list[dict[str, Any]]],
                   parse: Callable[[str], Any], response: str, what: str) -> Any:
        """Ask until `parse` accepts the reply (re-asking up to `parse_retries` times), cache the parsed
        value under `key` and return it; else the failure policy. `what` names the reply in the error
        (`{n}` is filled with the number of attempts)."""
        problem = ""
        for _ in range(self.parse_retries + 1):
            try:
                result = await self.client.chat(messages, **self.sampling())
            except LLMError as e:  # the client has already retried
                return self._failed(f"{e} (response {response[:60]!r})")
            self.stats.requests += 1
            self.stats.latency_total += result.latency
            try:
                value = parse(result.text)
            except VerdictParseError as e:
                self.stats.extra["bad_replies"] += 1
                problem = f"{e}; reply {result.text[:120]!r}"
                continue
            self.cache.put(key, json.dumps(value))
            return value
        return self._failed(f"bad {what.format(n=self.parse_retries + 1)}: {problem} (response {response[:60]!r})")

    async def aclose(self) -> None:
        await self.client.aclose()
