"""The OpenAI-protocol client against a real loopback HTTP server with injected faults."""

import asyncio
import time

import pytest

from perception_r1.llm import DiskCache, LLMClient, LLMError, cache_key
from perception_r1.llm.loopback import LoopbackServer

MSG = [{"role": "user", "content": "hi"}]


def _echo(body):
    return "reply:" + body["messages"][-1]["content"]


def _faults_first(kind, times=1):
    return lambda i, body: kind if i < times else None


@pytest.mark.parametrize("fault", ["500", "429", "garbage", "nochoices", "drop", "timeout"])
def test_retry_recovers_from_each_fault(fault):
    # The timeout bounds a whole attempt: leave a loaded CI machine room for the good one.
    with LoopbackServer(_echo, faults=_faults_first(fault), timeout_sleep=2.5) as srv:
        client = LLMClient(srv.url, "m", timeout=1.5, max_retries=2, backoff=0.01)
        result = asyncio.run(client.chat(MSG))
    assert result.text == "reply:hi"
    assert result.attempts == 2
    assert client.stats.retries == 1 and client.stats.failures == 0
    assert len(srv.requests) == 2


def test_gives_up_with_clear_error_after_retries():
    with LoopbackServer(_echo, faults=lambda i, b: "500") as srv:
        client = LLMClient(srv.url, "m", max_retries=2, backoff=0.01)
        with pytest.raises(LLMError, match="3 attempts: HTTP 500"):
            asyncio.run(client.chat(MSG))
    assert client.stats.failures == 1 and len(srv.requests) == 3


def test_non_retryable_status_fails_at_once():
    with LoopbackServer(_echo) as srv:
        client = LLMClient(srv.url.replace("/v1", "/nope"), "m", max_retries=3, backoff=0.01)
        with pytest.raises(LLMError, match="HTTP 404"):
            asyncio.run(client.chat(MSG))


def test_retry_after_header_is_honoured():
    with LoopbackServer(_echo, faults=_faults_first("429"), retry_after=0.3) as srv:
        client = LLMClient(srv.url, "m", max_retries=1, backoff=0.0)
        t0 = time.perf_counter()
        asyncio.run(client.chat(MSG))
    assert time.perf_counter() - t0 >= 0.3


def test_n_choices_and_usage():
    with LoopbackServer(lambda body: ["a", "b", "c"]) as srv:
        client = LLMClient(srv.url, "m")
        result = asyncio.run(client.chat(MSG, n=3, temperature=1.0))
    assert result.texts == ["a", "b", "c"]
    assert srv.requests[0]["n"] == 3 and srv.requests[0]["temperature"] == 1.0
    assert client.stats.prompt_tokens > 0


def test_concurrency_is_bounded_and_used():
    with LoopbackServer(_echo, latency=0.2, capacity=64) as srv:
        client = LLMClient(srv.url, "m", concurrency=8)

        async def many():
            return await asyncio.gather(*(client.chat(MSG) for _ in range(16)))

        asyncio.run(many())
    # 16 requests, at most 8 at a time: the bound holds and is used.
    assert srv.max_in_flight == 8


def test_api_key_sent_but_never_in_body(monkeypatch):
    monkeypatch.setenv("MY_KEY", "sk-secret")
    with LoopbackServer(_echo) as srv:
        client = LLMClient(srv.url, "m", api_key_env="MY_KEY")
        asyncio.run(client.chat(MSG))
    assert "sk-secret" not in str(srv.requests)


def test_disk_cache_persists(tmp_path):
    key = cache_key("model", 1, ["AB = 3"], "response")
    cache = DiskCache(tmp_path / "c.sqlite")
    assert cache.get(key) is None
    cache.put(key, "[1]")
    cache.close()
    again = DiskCache(tmp_path / "c.sqlite")
    assert again.get(key) == "[1]" and again.hits == 1
    assert cache_key("model", 1, ["AB = 3"], "other") != key


def test_disk_cache_commits_in_batches_and_at_exit(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "b.sqlite"
    cache = DiskCache(path)
    cache.COMMIT_AFTER = 3600
    for k in range(3):
        cache.put(f"k{k}", "[1]")
    other = DiskCache(path)
    assert other.get("k0") is None  # not committed yet…
    cache.flush()
    assert other.get("k0") == "[1]"  # …until flushed
    cache.put("k3", "[0]")
    cache.close()
    assert other.get("k3") == "[0]"  # close commits the rest
    cache.put("k4", "[1]")  # a reply landing after the exit handler closed the cache: dropped, no error
    assert cache.get("k4") is None and cache.get_many(["k3"]) == {}
    # A process that ends without closing (a Ctrl-C in `score`) still commits at exit.
    code = (f"from perception_r1.llm import DiskCache\nc = DiskCache({str(path)!r})\nc.COMMIT_AFTER = 3600\n"
            "c.put('late', '[1]')\nraise KeyboardInterrupt")
    subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60)
    assert other.get("late") == "[1]"


@pytest.mark.parametrize("kind", ["not sqlite", "a folder"])
def test_unreadable_disk_cache_is_one_clear_error(tmp_path, kind):
    from perception_r1.llm.cache import CacheError

    path = tmp_path / "c.sqlite"
    if kind == "a folder":
        path.mkdir()
    else:
        path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(CacheError, match=f"cache {path}: cannot be used as a SQLite cache"):
        DiskCache(path)


def test_disk_cache_get_many(tmp_path):
    cache = DiskCache(tmp_path / "m.sqlite")
    for k in range(1200):
        cache.put(f"k{k}", str(k))
    keys = [f"k{k}" for k in range(0, 2400, 2)]  # 600 present, 600 absent, over several queries
    assert cache.get_many(keys) == {f"k{k}": str(k) for k in range(0, 1200, 2)}
    assert cache.get_many([]) == {}


def test_unwritten_puts_do_not_lock_out_another_process(tmp_path):
    import time

    path = tmp_path / "shared.sqlite"
    a, b = DiskCache(path), DiskCache(path)  # two GRPO processes on one cache file
    a.COMMIT_AFTER = b.COMMIT_AFTER = 3600
    a.put("from-a", "[1]")
    assert a.get("from-a") == "[1]" and a.get_many(["from-a", "x"]) == {"from-a": "[1]"}  # served before written
    t0 = time.perf_counter()
    b.put("from-b", "[0]")
    b.flush()  # would wait for a's open transaction (5 s, then "database is locked") if puts held one
    assert time.perf_counter() - t0 < 1.0
    a.flush()
    assert b.get("from-a") == "[1]" and a.get("from-b") == "[0]"
