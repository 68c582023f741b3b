"""MathVerse (quick exact match, then equivalence) and Geometry3K (the one definition of correct),
hand-checked on the fixtures."""

import pytest

from perception_r1.eval.benchmarks import geometry3k, mathverse

from eval_helpers import FIXTURES, verdict

MV = {r.id: r for r in mathverse.load(FIXTURES / "mathverse" / "testmini.json")}
G3K = {r.id: r for r in geometry3k.load(FIXTURES / "geometry3k" / "test")}

# 1 and 4: MC "Choices: A:40° B:60° C:120° D:140°", gold B; 2: Vision Only, gold 5; 3: Text Only, gold \frac{1}{2}.
MV_CASES = [
    ("1", "<answer>\\boxed{B}</answer>", True, "exact"),
    ("1", "<answer>\\boxed{60°}</answer>", True, "equivalent"),     # option text of B
    ("4", "<answer>\\boxed{C}</answer>", False, "none"),
    ("2", "<answer>\\boxed{5}</answer>", True, "exact"),
    ("2", "<answer>\\boxed{6}</answer>", False, "none"),
    ("3", "<answer>\\boxed{0.5}</answer>", True, "equivalent"),     # math-verify: 0.5 == 1/2
    ("3", "The ratio is one half.", False, "none"),                 # nothing boxed: wrong
]


@pytest.mark.parametrize("sid,response,correct,match", MV_CASES)
def test_mathverse(sid, response, correct, match):
    v = verdict("mathverse", MV, sid, response)
    assert (v["correct"], v["match"]) == (correct, match)


def test_mathverse_loader():
    assert MV["1"].choices == ["40°", "60°", "120°", "140°"]
    assert MV["3"].images == [] and MV["3"].meta["problem_version"] == "Text Only"
    assert MV["2"].problem.startswith("According to the question shown in the image")  # empty question: query_cot


G3K_CASES = [
    ("2401", "<answer>\\boxed{B}</answer>", True),    # choices [3, 6, 9, 12], gold B
    ("2401", "<answer>\\boxed{6}</answer>", True),    # the value of choice B
    ("2401", "<answer>\\boxed{9}</answer>", False),
    ("2402", "<answer>\\boxed{90}</answer>", True),   # choices [30, 45, 60, 90], gold D
    ("2402", "no idea", False),
]


@pytest.mark.parametrize("gid,response,correct", G3K_CASES)
def test_geometry3k(gid, response, correct):
    assert verdict("geometry3k", G3K, gid, response)["correct"] is correct


def test_geometry3k_official_layout_loader():
    rec = G3K["2402"]
    assert rec.problem == "Fixture 2402. Find $x$." and rec.answer == "D"
    assert rec.meta["problem_type_goal"] == ["Angle"] and rec.images[0].endswith("2402/img_diagram.png")


def test_mathverse_official_llm_scoring_step(tmp_path):
    # `--llm-scoring`: items the quick match does not settle get the official judgement prompt; the
    # loopback judge says 1 only for "0.5" (equal to 1/2, as GPT-4 would judge), else 0.
    import json

    from perception_r1.cli.main import main
    from perception_r1.llm.loopback import LoopbackServer

    def judge(body):
        prompt = body["messages"][-1]["content"]
        if "[Standard Answer]" not in prompt:  # the extraction step (same server, as upstream)
            return "[NO ANSWER]"
        return "Judgement: 1" if prompt.rstrip().endswith("Judgement:") and "[Model_answer] : 0.5\n" in prompt else "0"

    resp = tmp_path / "r.jsonl"
    answers = {"1": "\\boxed{B}", "2": "\\boxed{6}", "3": "\\boxed{0.5}", "4": "no idea"}
    resp.write_text("".join(json.dumps({"id": k, "response": v}) + "\n" for k, v in answers.items()))
    with LoopbackServer(judge) as srv:
        code = main(["eval", "--benchmark", "mathverse", "--data", str(FIXTURES / "mathverse" / "testmini.json"),
                     "--responses", str(resp), "--out", str(tmp_path / "out"), "--llm-scoring",
                     "--extractor-url", srv.url, "--extractor-model", "judge"])
        asked = len([r for r in srv.requests if "[Standard Answer]" in r["messages"][-1]["content"]])
    assert code == 0
    rows = {r["id"]: r for r in map(json.loads, (tmp_path / "out" / "results.jsonl").read_text().splitlines())}
    assert (rows["1"]["match"], rows["1"]["correct"]) == ("exact", True)      # quick match: no LLM call
    assert (rows["2"]["match"], rows["2"]["correct"]) == ("llm", False)
    assert (rows["3"]["match"], rows["3"]["correct"]) == ("llm", True)
    assert asked == 3 and (rows["4"]["match"], rows["4"]["correct"]) == ("llm", False)  # its first sentence, judged
