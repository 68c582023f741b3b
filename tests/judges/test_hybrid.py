"""The `hybrid` judge: symbolic verdicts where it can parse, one OpenAI request per response for
the rest (real loopback server), merged in annotation order."""

import pytest

from perception_r1.judges import build_judge
from perception_r1.judges.base import JudgeError
from perception_r1.judges.hybrid import HybridJudge
from perception_r1.judges.openai_judge import OpenAIJudge
from perception_r1.judges.prompts import loopback_judge_reply, parse_request
from perception_r1.llm.loopback import LoopbackServer


class EqualitiesOnly:
    """A scripted symbolic judge: parses `X = n` only (1 when stated verbatim), None otherwise."""

    def judge_parsed(self, response, annotations):
        return [int(a in response) if " = " in a else None for a in annotations]


RESPONSE = "<think>\nAB = 7, BD bisects ∠ABC and JKLM is a parallelogram.\n</think>\n<answer>\n\\boxed{3}\n</answer>"
FACTS = ["AB = 7", "BD bisects ∠ABC", "CD = 4", "JKLM is a parallelogram", "AC ⊥ BD"]


def test_only_unparsed_annotations_go_to_the_llm_in_one_request():
    with LoopbackServer(loopback_judge_reply) as srv:
        judge = HybridJudge(OpenAIJudge(srv.url, "m"), symbolic=EqualitiesOnly())
        out = judge.judge_batch([(RESPONSE, FACTS), ("AB = 7", ["AB = 7"]), (RESPONSE, [])])
    assert out == [[1, 1, 0, 1, 0], [1], []]
    assert len(srv.requests) == 1
    assert parse_request(srv.requests[0])[0] == ["BD bisects ∠ABC", "JKLM is a parallelogram", "AC ⊥ BD"]
    assert judge.stats.extra["symbolic_verdicts"] == 3 and judge.stats.extra["llm_verdicts"] == 3
    assert judge.stats.requests == 1


def test_chunks_merge_in_order():
    items = [(RESPONSE + " " * k, FACTS[k % 5:]) for k in range(7)]
    with LoopbackServer(loopback_judge_reply) as srv:
        judge = HybridJudge(OpenAIJudge(srv.url, "m"), symbolic=EqualitiesOnly())
        judge.chunk = 2
        out = judge.judge_batch(items)
    expected = [[1, 1, 0, 1, 0], [1, 0, 1, 0], [0, 1, 0], [1, 0], [0], [1, 1, 0, 1, 0], [1, 0, 1, 0]]
    assert out == expected and len(srv.requests) == 7


def test_with_the_real_symbolic_judge():
    pytest.importorskip("perception_r1.judges.symbolic")
    with LoopbackServer(loopback_judge_reply) as srv:
        judge = build_judge("hybrid", url=srv.url, model="m")
        assert judge.judge(RESPONSE, FACTS) == [1, 1, 0, 1, 0]
    asked = parse_request(srv.requests[0])[0]
    assert "AB = 7" not in asked and "CD = 4" not in asked  # equalities are symbolic's


@pytest.mark.parametrize("on_error", ["raise", "skip"])
def test_llm_failure_follows_the_policy(on_error):
    with LoopbackServer(lambda body: "no tags") as srv:
        judge = HybridJudge(OpenAIJudge(srv.url, "m", parse_retries=0, on_error=on_error), symbolic=EqualitiesOnly())
        items = [(RESPONSE, FACTS), ("AB = 7", ["AB = 7"])]
        if on_error == "raise":
            with pytest.raises(JudgeError, match="openai judge: bad verdict reply"):
                judge.judge_batch(items)
        else:
            assert judge.judge_batch(items) == [None, [1]]
            assert judge.stats.failures == 1


def test_registry_builds_hybrid_with_openai_options(tmp_path):
    pytest.importorskip("perception_r1.judges.symbolic")
    judge = build_judge("hybrid", url="http://127.0.0.1:9/v1", model="m", cache=tmp_path / "c.sqlite",
                        on_error="skip")
    assert isinstance(judge, HybridJudge) and judge.llm.client.model == "m" and judge.on_error == "skip"


def test_registry_rejects_unknown_names_and_options():
    with pytest.raises(ValueError, match="unknown judge 'gpt'.*symbolic, openai, hybrid, mllm"):
        build_judge("gpt")
    with pytest.raises(TypeError, match="judge 'openai' does not take option\\(s\\) colour"):
        build_judge("openai", colour="red")
