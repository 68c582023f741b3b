"""MathVista scoring by the official rules, hand-checked on the fixture (tests/fixtures/mathvista)."""

import pytest

from perception_r1.eval.benchmarks import mathvista

from eval_helpers import FIXTURES, verdict

RECORDS = {r.id: r for r in mathvista.load(FIXTURES / "mathvista" / "testmini.json")}

# pid 1: MC choices [3, 4, 5], gold "4"; 2: integer 7; 3: float 1 decimal 1.2; 4: float 2 decimals 0.58;
# 5: list [1, 2]; 6: MC [acute, obtuse, right], gold "right".
CASES = [
    ("1", "<think>\ncount\n</think>\n<answer>\n\\boxed{B}\n</answer>", "4", True),   # letter -> its choice text
    ("1", "<answer>\\boxed{(B) 4}</answer>", "4", True),                            # "(B) text" -> B
    ("1", "<answer>\\boxed{4}</answer>", "4", True),                                # the text itself
    ("1", "<answer>\\boxed{C}</answer>", "5", False),
    ("1", "4", "4", True),                                                           # bare choice (official quick rule)
    ("6", "<answer>\\boxed{rigth}</answer>", "right", True),                         # nearest choice by edit distance
    ("6", "<answer>\\boxed{acute angle}</answer>", "acute", False),
    ("2", "<answer>\\boxed{7}</answer>", "7", True),
    ("2", "<answer>\\boxed{7.0}</answer>", "7", True),                               # int(float(x))
    ("2", "<answer>\\boxed{8}</answer>", "8", False),
    ("2", "7", "7", True),                                                           # bare integer
    ("2", 'So we count them. The answer is "7".', "7", True),                        # official quick regex
    ("3", "<answer>\\boxed{1.24}</answer>", "1.2", True),                            # rounded to precision 1
    ("3", "<answer>\\boxed{1.26}</answer>", "1.3", False),
    ("4", "<answer>\\boxed{0.581}</answer>", "0.58", True),                          # precision 2
    ("4", "<answer>\\boxed{0.5}</answer>", "0.5", False),
    ("5", "<answer>\\boxed{[1, 2]}</answer>", "[1, 2]", True),
    ("5", "<answer>\\boxed{[1,2]}</answer>", "[1,2]", False),                        # lists compare as strings
    ("2", "I cannot tell from the image.", None, False),                             # nothing extractable: wrong
    ("1", "", "3", False),                                                           # official: "" -> nearest choice (a guess)
    ("3", "<answer>\\boxed{about one}</answer>", None, False),                       # float() fails: no prediction
    # issue 13: boxed LaTeX normalised, and the phrases real models write
    ("2", "\\boxed{7\\text{ g}}", "7", True),
    ("3", "so $d = \\boxed{1.2\\,\\mathrm{m}}$", "1.2", True),
    ("1", "\\boxed{\\text{B}}", "4", True),
    ("1", "The correct answer is (B) 4cm.", "4", True),
    ("1", "(B) 4", "4", True),
    ("6", "The angle is obtuse, so the answer is C.", "right", True),
    ("2", "There are seven, i.e. 7 objects.", "7", True),                             # the last number
]


@pytest.mark.parametrize("pid,response,prediction,correct", CASES)
def test_official_rules(pid, response, prediction, correct):
    v = verdict("mathvista", RECORDS, pid, response)
    assert v["prediction"] == prediction
    assert v["correct"] is correct


def test_loader_builds_the_official_query_and_categories():
    rec = RECORDS["4"]
    assert rec.problem.startswith("Hint: Please answer the question requiring a floating-point number with two decimal")
    assert rec.images and rec.images[0].endswith("images/4.png")
    assert RECORDS["1"].problem.endswith("Choices:\n(A) 3\n(B) 4\n(C) 5")
    assert RECORDS["1"].meta["hide_choices"] is True
    assert mathvista.score(RECORDS["2"], "7", "")["skills"] == ["arithmetic reasoning", "numeric commonsense"]


def test_most_similar_takes_the_first_on_ties():
    assert mathvista.get_most_similar("x", ["ab", "cd"]) == "ab"
