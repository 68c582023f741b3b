"""Every paid reply is cached under a key that names the server and every sampling parameter: a verdict
or an answer from one server (or at another max_tokens) is never served for another."""

import asyncio

from perception_r1.eval.extract import LLMExtractor
from perception_r1.judges import build_judge
from perception_r1.judges.prompts import loopback_judge_reply
from perception_r1.llm import DiskCache, LLMClient
from perception_r1.llm.loopback import LoopbackServer


def test_judge_cache_is_per_server_and_sampling(tmp_path):
    cache = DiskCache(tmp_path / "c.sqlite")
    with LoopbackServer(loopback_judge_reply) as a, LoopbackServer(lambda b: "<info1>0</info1>") as b:
        assert build_judge("openai", url=a.url, model="m", cache=cache).judge("AB = 3", ["AB = 3"]) == [1]
        assert build_judge("openai", url=b.url, model="m", cache=cache).judge("AB = 3", ["AB = 3"]) == [0]
        assert len(b.requests) == 1  # asked, not served server a's verdict
        build_judge("openai", url=a.url, model="m", cache=cache, max_tokens=16).judge("AB = 3", ["AB = 3"])
        assert len(a.requests) == 2
        build_judge("openai", url=a.url, model="m", cache=cache).judge("AB = 3", ["AB = 3"])
        assert len(a.requests) == 2  # the same server and parameters: from the cache


def test_extractor_cache_is_per_server_and_max_tokens(tmp_path):
    cache = DiskCache(tmp_path / "e.sqlite")
    with LoopbackServer(lambda b: "Extracted answer: 5") as a, LoopbackServer(lambda b: "Extracted answer: 7") as b:
        got = [asyncio.run(LLMExtractor(LLMClient(url, "m"), cache, max_tokens=t).aextract([("q", "r")]))
               for url, t in ((a.url, 64), (b.url, 64), (a.url, 32), (a.url, 64))]
    assert got == [["5"], ["7"], ["5"], ["5"]]
    assert len(a.requests) == 2 and len(b.requests) == 1
