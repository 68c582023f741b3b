"""The one OpenAI-protocol chat client (judges, annotation, LLM answer extraction).

Speaks `POST {base_url}/chat/completions` over httpx, so vLLM, SGLang or a hosted API all work.
Bounded concurrency, connection reuse, and retries with exponential backoff on 429 (honouring
Retry-After up to the timeout), 5xx, timeouts, dropped connections and replies of any other shape
than the protocol's. `timeout` bounds each attempt as a whole (connect, send, every byte of the
reply), not each read, so a server dripping bytes cannot hold a request past it. Every text the
client returns or raises has the API key (and any `Bearer` token) redacted, whatever the server
echoes.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import re
import ssl
import sys
import time
from dataclasses import dataclass, field
from typing import Any, Callable


def _import_httpx():
    """httpx (and httpcore), without two optional modules their imports pull in when installed that
    this client never uses: httpx's command-line tool (`httpx._main`: rich, click, pygments, ~70 ms)
    and trio (httpcore's trio backend, ~150 ms; the client runs on asyncio). Both were paid on every
    `score` start-up, before the first request. A module imported earlier is left as it is; trio
    imports normally afterwards (only running httpx under trio in this process would fail, cleanly)."""
    blocked = [name for name in ("httpx._main", "trio") if name not in sys.modules]
    for name in blocked:
        sys.modules[name] = None  # type: ignore[assignment] — makes `import name` raise ImportError
    try:
        import httpcore  # noqa: F401 — imported here so that its optional `import trio` is skipped
        import httpx
    finally:
        for name in blocked:
            if name in sys.modules and sys.modules[name] is None:
                del sys.modules[name]
    return httpx


httpx = _import_httpx()

RETRYABLE_STATUS = {408, 409, 425, 429, 500, 502, 503, 504}
# Connections per httpx pool. httpcore scans its whole pool on every request event (quadratic in
# the pool size): one pool of 64 connections spends more CPU than a judge's latency allows, so
# high concurrency is spread over several small pools.
POOL_SIZE = 4
# A reply body larger than this is not a chat completion we can use (a judge verdict is bytes, a
# teacher trajectory kilobytes); reading it would only spend the memory.
MAX_REPLY_BYTES = 32 * 2**20
_BEARER = re.compile(r"(Bearer\s+)[^\s\"',;]+", re.IGNORECASE)
REDACTED = "[redacted]"
# Placeholder keys (vLLM's "EMPTY", "x") are no secret, and replacing them in every reply would corrupt it.
MIN_SECRET_CHARS = 8


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


_TLS: ssl.SSLContext | None = None


def _tls_context(base_url: str) -> ssl.SSLContext:
    """One verifying TLS context per process (building one loads the CA bundle: ~25 ms, more under
    load). A plain-http server never uses it, so it gets a bare context without CA certificates,
    which verifies nothing and so fails closed should TLS ever be attempted through it (redirects
    are not followed)."""
    global _TLS
    if not base_url.lower().startswith("https:"):
        return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if _TLS is None:
        _TLS = httpx.create_ssl_context()
    return _TLS


class LLMClient:
    """Async chat-completions client.

    Args:
        base_url: server root including `/v1`, e.g. `http://localhost:8000/v1`.
        model: model name sent in each request.
        api_key_env: environment variable holding the key (never logged or cached).
        timeout: seconds per attempt, all of it (not per read); also caps a Retry-After wait.
        max_retries: retries after the first attempt.
        concurrency: requests in flight at once.
    """

    def __init__(self, base_url: str, model: str, *, api_key_env: str = "OPENAI_API_KEY",
                 timeout: float = 60.0, max_retries: int = 4, concurrency: int = 64,
                 backoff: float = 0.5, max_backoff: float = 30.0):
        self.base_url = base_url.rstrip("/")
        # Parsed once, not on every request (httpx parses a string URL each time); a URL httpx cannot
        # parse stays a string and fails at the request, retried and raised as an LLMError as before.
        self._url: httpx.URL | str = f"{self.base_url}/chat/completions"
        try:
            self._url = httpx.URL(self._url)
        except httpx.InvalidURL:
            pass
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
            tls = _tls_context(self.base_url)
            # No per-read timeout: `timeout` bounds each attempt as a whole (see `_attempts`).
            pools = [httpx.AsyncClient(headers=headers, limits=limits, timeout=None, verify=tls)
                     for _ in range(-(-self.concurrency // size))]
            session = self._sessions[loop] = _Session(pools, [0] * len(pools), asyncio.Semaphore(self.concurrency))
        return session

    async def chat(self, messages: list[dict[str, Any]] | Callable[[], list[dict[str, Any]]], *, n: int = 1,
                   temperature: float = 0.0, max_tokens: int | None = None, **params: Any) -> ChatResult:
        """Send one chat request; return all `n` choices' texts, or raise LLMError. `messages` may be a
        function that builds them: it is called once the request has a slot, so a batch larger than
        the concurrency does not build the prompts of its queued requests before the first ones are
        on the wire."""
        session = self._session()
        async with session.sem:
            body: dict[str, Any] = {"model": self.model, "messages": messages() if callable(messages) else messages,
                                    "temperature": temperature, **params}
            if n != 1:
                body["n"] = n
            if max_tokens is not None:
                body["max_tokens"] = max_tokens
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
                async with asyncio.timeout(self.timeout):
                    status, headers, raw = await self._post(http, body)
                if status == 200:
                    result = self._parse(raw, time.perf_counter() - t0, attempt + 1)
                    if result is not None:
                        return result
                    last = "malformed reply body"
                elif status in RETRYABLE_STATUS:
                    last = f"HTTP {status}"
                    wait = _retry_after(headers.get("retry-after"))
                else:
                    self._count_error(f"HTTP {status}")
                    self.stats.failures += 1
                    text = raw[:200].decode("utf-8", "replace")
                    raise LLMError(self.redact(f"{self.base_url}: HTTP {status}: {text}"))
            except TimeoutError:
                last = f"timeout (request over {self.timeout:g} s)"
            except _ReplyTooLarge:
                last = f"reply over {MAX_REPLY_BYTES // 2**20} MiB"
            except (httpx.TimeoutException, httpx.TransportError) as e:
                last = type(e).__name__
            self._count_error(last)
            if attempt < self.max_retries:
                self.stats.retries += 1
                delay = wait if wait is not None else min(self.max_backoff, self.backoff * 2 ** attempt)
                # A Retry-After longer than a whole request would be is not waited out in full.
                await asyncio.sleep(min(delay, self.timeout) * (1 + 0.1 * random.random()))
        self.stats.failures += 1
        raise LLMError(self.redact(f"{self.base_url}: gave up after {self.max_retries + 1} attempts: {last}"))

    async def _post(self, http: httpx.AsyncClient, body: dict[str, Any]) -> tuple[int, httpx.Headers, bytes]:
        """(status, headers, body bytes) of one POST, the body read up to MAX_REPLY_BYTES."""
        async with http.stream("POST", self._url, json=body) as resp:
            chunks, size = [], 0
            async for chunk in resp.aiter_bytes():
                size += len(chunk)
                if size > MAX_REPLY_BYTES:
                    raise _ReplyTooLarge
                chunks.append(chunk)
            return resp.status_code, resp.headers, b"".join(chunks)

    def _parse(self, raw: bytes, latency: float, attempts: int) -> ChatResult | None:
        """The reply's texts and usage, or None for any body that is not a chat completion (retried)."""
        try:
            data = json.loads(raw)
        except ValueError:
            return None
        texts = _choice_texts(data)
        if not texts:
            return None
        usage = _usage(data.get("usage"))
        self.stats.requests += 1
        self.stats.latency_total += latency
        self.stats.prompt_tokens += usage.get("prompt_tokens", 0)
        self.stats.completion_tokens += usage.get("completion_tokens", 0)
        return ChatResult(texts=[self.redact(t) for t in texts], usage=usage, latency=latency, attempts=attempts)

    def redact(self, text: str) -> str:
        """`text` with this client's API key and any `Bearer` token replaced by [redacted]."""
        if len(self._api_key) >= MIN_SECRET_CHARS:
            text = text.replace(self._api_key, REDACTED)
        return _BEARER.sub(rf"\g<1>{REDACTED}", text)

    def _count_error(self, kind: str) -> None:
        self.stats.errors[kind] = self.stats.errors.get(kind, 0) + 1

    async def aclose(self) -> None:
        """Close this event loop's connections."""
        session = self._sessions.pop(asyncio.get_running_loop(), None)
        for http in session.pools if session else []:
            await http.aclose()


class _ReplyTooLarge(Exception):
    """A reply body over MAX_REPLY_BYTES (retried like a malformed one)."""


def _choice_texts(data: Any) -> list[str] | None:
    """Every choice's message text, or None unless each choice has one. `content` may be a string,
    null (an empty reply) or a list of content parts (some servers); anything else is malformed."""
    choices = data.get("choices") if isinstance(data, dict) else None
    if not isinstance(choices, list) or not choices:
        return None
    texts = []
    for choice in choices:
        message = choice.get("message") if isinstance(choice, dict) else None
        content = message.get("content") if isinstance(message, dict) else False
        if content is None:
            content = ""
        elif isinstance(content, list):
            parts = [p if isinstance(p, str) else p.get("text") if isinstance(p, dict) else None for p in content]
            if not all(isinstance(p, str) for p in parts):
                return None
            content = "".join(parts)
        if not isinstance(content, str):
            return None
        texts.append(content)
    return texts


def _usage(usage: Any) -> dict[str, int]:
    """Token counts that are non-negative integers; a malformed `usage` (a string, floats, null)
    counts as unknown, not as a crash."""
    if not isinstance(usage, dict):
        return {}
    return {k: v for k, v in usage.items() if isinstance(v, int) and not isinstance(v, bool) and v >= 0}


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (a number; an HTTP date or garbage is ignored)."""
    try:
        seconds = float(value) if value is not None else None
    except ValueError:
        return None
    return max(0.0, seconds) if seconds is not None and seconds == seconds else None
