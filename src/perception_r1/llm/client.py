"""The one OpenAI-protocol chat client (judges, annotation, LLM answer extraction).

Speaks `POST {base_url}/chat/completions` over httpx, so vLLM, SGLang or a hosted API all work.
Bounded concurrency, connection reuse, a per-request timeout, and retries with exponential
backoff on 429 (honouring Retry-After), 5xx, timeouts and dropped connections.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import random
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

RETRYABLE_STATUS = {408, 409, 425, 429, 500, 502, 503, 504}
# Connections per httpx pool. httpcore scans its whole pool on every request event (quadratic in
# the pool size): one pool of 64 connections spends more CPU than a judge's latency allows, so
# high concurrency is spread over several small pools.
POOL_SIZE = 4


class LLMError(RuntimeError):
    """A request that failed for good (after retries, or with a non-retryable status)."""


@dataclass
class ChatResult:
    texts: list[str]
    usage: dict[str, int]
    latency: float
    attempts: int

    @property
    def text(self) -> str:
        return self.texts[0]


@dataclass
class ClientStats:
    requests: int = 0
    retries: int = 0
    failures: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_total: float = 0.0
    errors: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        d = self.__dict__.copy()
        d["errors"] = dict(self.errors)
        d["latency_mean"] = self.latency_total / self.requests if self.requests else 0.0
        return d


@dataclass
class _Session:
    """One event loop's connections (httpx clients cannot cross loops) and concurrency bound."""

    pools: list[httpx.AsyncClient]
    busy: list[int]
    sem: asyncio.Semaphore


class LLMClient:
    """Async chat-completions client.

    Args:
        base_url: server root including `/v1`, e.g. `http://localhost:8000/v1`.
        model: model name sent in each request.
        api_key_env: environment variable holding the key (never logged or cached).
        timeout: seconds per request.
        max_retries: retries after the first attempt.
        concurrency: requests in flight at once.
    """

    def __init__(self, base_url: str, model: str, *, api_key_env: str = "OPENAI_API_KEY",
                 timeout: float = 60.0, max_retries: int = 4, concurrency: int = 64,
                 backoff: float = 0.5, max_backoff: float = 30.0):
        self.base_url = base_url.rstrip("/")
        self.model = model
        self._api_key = os.environ.get(api_key_env, "")
        self.timeout = timeout
        self.max_retries = max_retries
        self.concurrency = concurrency
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.stats = ClientStats()
        # Per event loop, so a judge used from TRL's loop and from a sync caller's loop at once
        # keeps two consistent sessions; a closed loop's session is dropped.
        self._sessions: dict[asyncio.AbstractEventLoop, _Session] = {}

    def _session(self) -> _Session:
        loop = asyncio.get_running_loop()
        session = self._sessions.get(loop)
        if session is None:
            for old in [lp for lp in self._sessions if lp.is_closed()]:
                del self._sessions[old]
            headers = {"Authorization": f"Bearer {self._api_key}"} if self._api_key else {}
            size = min(POOL_SIZE, self.concurrency)
            limits = httpx.Limits(max_connections=size, max_keepalive_connections=size)
            # One TLS context for all pools: building one loads the CA bundle (~0.1 s each).
            tls = httpx.create_ssl_context()
            pools = [httpx.AsyncClient(headers=headers, limits=limits, timeout=self.timeout, verify=tls)
                     for _ in range(-(-self.concurrency // size))]
            session = self._sessions[loop] = _Session(pools, [0] * len(pools), asyncio.Semaphore(self.concurrency))
        return session

    async def chat(self, messages: list[dict[str, Any]], *, n: int = 1, temperature: float = 0.0,
                   max_tokens: int | None = None, **params: Any) -> ChatResult:
        """Send one chat request; return all `n` choices' texts, or raise LLMError."""
        body: dict[str, Any] = {"model": self.model, "messages": messages, "temperature": temperature, **params}
        if n != 1:
            body["n"] = n
        if max_tokens is not None:
            body["max_tokens"] = max_tokens
        session = self._session()
        async with session.sem:
            # The least busy pool has a free connection: the semaphore caps the total in flight.
            shard = min(range(len(session.pools)), key=session.busy.__getitem__)
            session.busy[shard] += 1
            try:
                return await self._attempts(session.pools[shard], body)
            finally:
                session.busy[shard] -= 1

    async def _attempts(self, http: httpx.AsyncClient, body: dict[str, Any]) -> ChatResult:
        """The request with retries and backoff; the last failure's kind goes into the LLMError."""
        last = "no attempt"
        for attempt in range(self.max_retries + 1):
            t0 = time.perf_counter()
            wait = None
            try:
                resp = await http.post(f"{self.base_url}/chat/completions", json=body)
                if resp.status_code == 200:
                    result = self._parse(resp, time.perf_counter() - t0, attempt + 1)
                    if result is not None:
                        return result
                    last = "malformed reply body"
                elif resp.status_code in RETRYABLE_STATUS:
                    last = f"HTTP {resp.status_code}"
                    wait = _retry_after(resp)
                else:
                    self._count_error(f"HTTP {resp.status_code}")
                    self.stats.failures += 1
                    raise LLMError(f"{self.base_url}: HTTP {resp.status_code}: {resp.text[:200]}")
            except (httpx.TimeoutException, httpx.TransportError) as e:
                last = type(e).__name__
            self._count_error(last)
            if attempt < self.max_retries:
                self.stats.retries += 1
                delay = wait if wait is not None else min(self.max_backoff, self.backoff * 2 ** attempt)
                await asyncio.sleep(delay * (1 + 0.1 * random.random()))
        self.stats.failures += 1
        raise LLMError(f"{self.base_url}: gave up after {self.max_retries + 1} attempts: {last}")

    def _parse(self, resp: httpx.Response, latency: float, attempts: int) -> ChatResult | None:
        try:
            data = resp.json()
            texts = [c["message"]["content"] or "" for c in data["choices"]]
        except (ValueError, KeyError, TypeError):
            return None
        if not texts:
            return None
        usage = data.get("usage") or {}
        self.stats.requests += 1
        self.stats.latency_total += latency
        self.stats.prompt_tokens += int(usage.get("prompt_tokens") or 0)
        self.stats.completion_tokens += int(usage.get("completion_tokens") or 0)
        return ChatResult(texts=texts, usage=usage, latency=latency, attempts=attempts)

    def _count_error(self, kind: str) -> None:
        self.stats.errors[kind] = self.stats.errors.get(kind, 0) + 1

    async def aclose(self) -> None:
        """Close this event loop's connections."""
        session = self._sessions.pop(asyncio.get_running_loop(), None)
        for http in session.pools if session else []:
            await http.aclose()


def _retry_after(resp: httpx.Response) -> float | None:
    value = resp.headers.get("retry-after")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def run_sync(coro):
    """Run a coroutine from synchronous code, also when called inside a running loop's thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with concurrent.futures.ThreadPoolExecutor(1) as ex:
        return ex.submit(asyncio.run, coro).result()


class LoopThread:
    """One event loop kept alive in a daemon thread, for synchronous callers (TRL reward functions)
    that call an async client step after step: its pooled connections and concurrency bound survive
    across calls, and the caller's thread stays free while a batch is in flight."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = threading.Lock()

    def submit(self, coro) -> concurrent.futures.Future:
        with self._lock:
            if self._loop is None:
                self._loop = asyncio.new_event_loop()
                threading.Thread(target=self._loop.run_forever, daemon=True, name="perception-r1-loop").start()
        return asyncio.run_coroutine_threadsafe(coro, self._loop)

    def run(self, coro):
        return self.submit(coro).result()
