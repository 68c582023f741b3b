"""The client's bounds and reply shapes against a server that writes raw bytes: the timeout bounds the
whole request, Retry-After is capped by it, and every reply shape ends in a text, a retry or an LLMError."""

import asyncio
import json
import time

import pytest
from rawserver import RawServer, completion

from perception_r1.llm import LLMClient, LLMError

MSG = [{"role": "user", "content": "hi"}]


def _chat(srv, **kw):
    kw = {"timeout": 2.0, "max_retries": 1, "backoff": 0.01, **kw}
    client = LLMClient(srv.url, "m", **kw)
    return client, asyncio.run(client.chat(MSG))


def test_retry_after_is_capped_by_the_timeout():
    def reply(i, body, h):
        if i == 0:
            return h.send(429, b'{"error": "slow down"}', {"Retry-After": "100000"})
        h.send(200, completion("ok"))

    with RawServer(reply) as srv:
        t0 = time.perf_counter()
        client, result = _chat(srv, timeout=0.5)
    assert result.text == "ok" and result.attempts == 2
    assert time.perf_counter() - t0 < 2.0  # 0.5 s (+10 % jitter), not 100000 s


@pytest.mark.parametrize("retry_after", ["100000", "inf", "nan", "-5", "Wed, 21 Oct 2099 07:28:00 GMT", "x"])
def test_any_retry_after_value_waits_at_most_the_timeout(retry_after):
    def reply(i, body, h):
        h.send(429, b"{}", {"Retry-After": retry_after})

    with RawServer(reply) as srv:
        client = LLMClient(srv.url, "m", timeout=0.3, max_retries=2, backoff=0.01)
        t0 = time.perf_counter()
        with pytest.raises(LLMError, match="3 attempts: HTTP 429"):
            asyncio.run(client.chat(MSG))
    assert time.perf_counter() - t0 < 1.5


def test_timeout_bounds_the_whole_request_not_each_read():
    data = completion("a reply dripped one byte at a time")

    def reply(i, body, h):
        h.drip(data, every=0.05)  # each read is quick; the whole reply takes ~5 s

    with RawServer(reply) as srv:
        client = LLMClient(srv.url, "m", timeout=0.5, max_retries=1, backoff=0.01)
        t0 = time.perf_counter()
        with pytest.raises(LLMError, match=r"2 attempts: timeout \(request over 0.5 s\)"):
            asyncio.run(client.chat(MSG))
        elapsed = time.perf_counter() - t0
    assert elapsed < 2.0  # two attempts of 0.5 s and one short backoff
    assert client.stats.errors == {"timeout (request over 0.5 s)": 2}


@pytest.mark.parametrize("content, text", [
    ([{"type": "text", "text": "<info1>1</info1>"}], "<info1>1</info1>"),
    ([{"type": "text", "text": "a"}, {"type": "text", "text": "b"}], "ab"),
    (["a", "b"], "ab"),
    (None, ""),
])
def test_content_shapes_that_carry_text_are_read(content, text):
    with RawServer(lambda i, b, h: h.send(200, completion(content))) as srv:
        _, result = _chat(srv)
    assert result.text == text


BAD_BODIES = {
    "not json": b"<html>",
    "truncated json": completion("ok")[:-7],
    "a list": b"[1, 2]",
    "a number": b"3",
    "choices not a list": b'{"choices": "abc"}',
    "choice not an object": b'{"choices": ["abc"]}',
    "message not an object": b'{"choices": [{"message": "abc"}]}',
    "no message": b'{"choices": [{"text": "abc"}]}',
    "content a number": completion(7),
    "content an object": completion({"text": "x"}),
    "content parts without text": completion([{"type": "image_url", "image_url": {"url": "x"}}]),
    "content parts of numbers": completion([1, 2]),
    "empty": b"",
    "null": b"null",
}


@pytest.mark.parametrize("kind", list(BAD_BODIES))
def test_malformed_reply_is_retried_then_raises(kind):
    def reply(i, body, h):
        h.send(200, BAD_BODIES[kind] if i < 2 else completion("ok"))

    with RawServer(reply) as srv:
        client = LLMClient(srv.url, "m", timeout=2.0, max_retries=2, backoff=0.01)
        assert asyncio.run(client.chat(MSG)).text == "ok"  # retried, then the good reply
        client = LLMClient(srv.url, "m", timeout=2.0, max_retries=0, backoff=0.01)
        srv.reply = lambda i, b, h: h.send(200, BAD_BODIES[kind])
        with pytest.raises(LLMError, match="malformed reply body"):
            asyncio.run(client.chat(MSG))


@pytest.mark.parametrize("usage", ["n/a", None, 3, [1], {"prompt_tokens": "12", "completion_tokens": -4},
                                   {"prompt_tokens": 1.5, "completion_tokens": True}])
def test_malformed_usage_counts_as_unknown(usage):
    body = json.loads(completion("ok"))
    body["usage"] = usage
    with RawServer(lambda i, b, h: h.send(200, json.dumps(body).encode())) as srv:
        client, result = _chat(srv)
    assert result.text == "ok" and client.stats.prompt_tokens == 0 and client.stats.completion_tokens == 0
    assert all(isinstance(v, int) for v in result.usage.values())


def test_oversized_reply_is_not_read_into_memory(monkeypatch):
    import perception_r1.llm.client as client_mod

    monkeypatch.setattr(client_mod, "MAX_REPLY_BYTES", 1000)
    with RawServer(lambda i, b, h: h.send(200, completion("x" * 5000))) as srv:
        client = LLMClient(srv.url, "m", timeout=2.0, max_retries=1, backoff=0.01)
        with pytest.raises(LLMError, match="reply over"):
            asyncio.run(client.chat(MSG))


def test_api_key_echoed_by_the_server_is_redacted(monkeypatch):
    monkeypatch.setenv("MY_KEY", "sk-live-0123456789abcdef")

    def reply(i, body, h):
        auth = next(v for k, v in h.headers.items() if k.lower() == "authorization")
        if i == 0:
            return h.send(401, json.dumps({"error": f"bad header {auth!r}, key sk-live-0123456789abcdef"}).encode())
        h.send(200, completion(f"you sent {auth} and Bearer other-token-xyz"))

    with RawServer(reply) as srv:
        client = LLMClient(srv.url, "m", api_key_env="MY_KEY", max_retries=0)
        with pytest.raises(LLMError) as err:
            asyncio.run(client.chat(MSG))
        assert "HTTP 401" in str(err.value) and "sk-live" not in str(err.value)
        result = asyncio.run(client.chat(MSG))
    assert srv.headers[0]["Authorization"] == "Bearer sk-live-0123456789abcdef"  # the key is sent…
    assert "sk-live" not in result.text and "other-token" not in result.text  # …never handed back
    assert result.text == "you sent Bearer [redacted] and Bearer [redacted]"


def test_placeholder_key_is_not_redacted_from_replies(monkeypatch):
    monkeypatch.setenv("MY_KEY", "EMPTY")  # vLLM's usual placeholder: no secret, and common in text
    with RawServer(lambda i, b, h: h.send(200, completion("EMPTY set: {} is EMPTY"))) as srv:
        client = LLMClient(srv.url, "m", api_key_env="MY_KEY")
        assert asyncio.run(client.chat(MSG)).text == "EMPTY set: {} is EMPTY"
