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
