"""MathVision, MMStar and EMMA read from their official release layouts (tests/fixtures/<name>),
scored by their official rules; every expected verdict below was checked by hand against the
official evaluation code (MATH-V evaluation/evaluate.py, MMStar eval/vlmeval/evaluate/mmstar.py,
EMMA evaluation/evaluate.py)."""

import pytest

from perception_r1.eval.benchmarks import BENCHMARKS, emma, mathvision, mmstar

from eval_helpers import FIXTURES, verdict

MV = {r.id: r for r in mathvision.load(FIXTURES / "mathvision")}
MS = {r.id: r for r in mmstar.load(FIXTURES / "mmstar")}
EM = {r.id: r for r in emma.load(FIXTURES / "emma")}


def test_registered_and_loaded_from_the_release_layouts():
    assert {"mathvision", "mmstar", "emma"} <= set(BENCHMARKS)
    assert MV["3"].choices[1] == "2\\sqrt{3}" and MV["2"].choices is None and MV["1"].images[0].endswith("1.png")
    assert MS["0"].choices == ["red", "blue", "green", "yellow"] and isinstance(MS["0"].images[0], bytes)
    assert EM["math_1"].choices == ["4", "8", "12", "16"] and EM["math_2"].meta["type"] == "Open-ended"


@pytest.mark.parametrize("pid,response,correct", [
    ("1", "Comparing the five shapes, the answer is C.", True),           # official flag rule
    ("1", "The largest one is shape (C).", True),                          # official " (C)." ending
    ("1", "C\nbecause it covers most cells", True),                        # official "C\n" start
    ("1", "The answer is D.", False),
    ("2", "x = 180 - 140 so the answer is 40.", True),                     # trailing number after "is "
    ("2", "Therefore \\boxed{40^\\circ}", True),                            # box, degree sign dropped
    ("2", "The angle is \\boxed{40.0}", True),                              # equal values to 2 decimals
    ("2", "The angle is \\boxed{50}", False),
    ("3", "AB = \\boxed{2\\sqrt{3}}", True),                                # the gold option's text
    ("3", "so AB is 3.46", True),                                           # its value, to 2 decimals
    ("3", "so AB is about 3.46", False),                                    # official: "about 3.46" is no number
    ("3", "The answer is A.", False),
])
def test_mathvision_official_rules(pid, response, correct):
    assert verdict("mathvision", MV, pid, response)["correct"] is correct


@pytest.mark.parametrize("pid,response,correct", [
    ("0", "B", True),                                                       # official: first character
    ("0", "(B) blue", True),                                                # "(" + letter
    ("0", "Option B", True),                                                # "option " + letter
    ("0", "The answer is B", True),                                         # "the answer is " + letter
    ("0", "A", False),
    ("0", "The ball is clearly blue, so the correct option is B.", True),   # departure: shared rules read the letter
    ("1", "Counting them one by one gives 4 circles. Answer: C", True),
    ("1", "Counting them one by one gives four circles.", False),            # no letter anywhere
])
def test_mmstar_official_rules(pid, response, correct):
    assert verdict("mmstar", MS, pid, response)["correct"] is correct


@pytest.mark.parametrize("pid,response,correct", [
    ("math_1", "B", True),                                                  # a bare letter
    ("math_1", "B: 8", True),                                               # "X:" start
    ("math_1", "The shaded part is half of 16, so the final answer is B.", True),
    ("math_1", "\\boxed{\\text{B}}", True),                                 # the box's \text{}
    ("math_1", "\\boxed{8}", True),                                         # the gold option's text
    ("math_1", "The answer is C.", False),
    ("math_2", "7", True),                                                  # a bare number
    ("math_2", "There are \\boxed{7} cubes", True),
    ("math_2", "the answer is 7 cubes.", True),                             # unit after the number
    ("math_2", "the answer is 8.", False),
])
def test_emma_official_rules(pid, response, correct):
    assert verdict("emma", EM, pid, response)["correct"] is correct


@pytest.mark.parametrize("pred,gold,equal", [
    ("b", "B", True), ("3.14", "\\pi", True), ("3.1416", "3.14", True), ("3.15", "\\pi", False),
    ("\\frac{1}{2}", "0.5", True), ("x+1", "1+x", True), ("", "0", False),
])
def test_is_equal_2dp_as_math_v_and_emma(pred, gold, equal):
    from perception_r1.eval.scoring import is_equal_2dp

    assert is_equal_2dp(pred, gold) is equal
