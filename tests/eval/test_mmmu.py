"""MMMU and MMMU-Pro scoring by the official parsers, hand-checked on the parquet fixtures."""

import pytest

from perception_r1.eval.benchmarks import mmmu, mmmu_pro
from perception_r1.eval.scoring import edit_distance, multi_choice_info, parse_multi_choice_response

from eval_helpers import FIXTURES, verdict

MMMU = {r.id: r for r in mmmu.load(FIXTURES / "mmmu")}
STD = {r.id: r for r in mmmu_pro.load(FIXTURES / "mmmu_pro" / "standard (10 options)")}
VISION = {r.id: r for r in mmmu_pro.load(FIXTURES / "mmmu_pro" / "vision")}

# Math_1: options [1, 2, 3, 4], gold C; Math_2: open, gold 1.06;
# Art_Theory_1: [Baroque, Cubism, Rococo], gold B; Art_Theory_2: open, gold ['blue', 'navy'].
MMMU_CASES = [
    ("validation_Math_1", "<answer>\\boxed{C}</answer>", "C", True),
    ("validation_Math_1", "<answer>\\boxed{3}</answer>", "C", True),                # option text -> its letter
    ("validation_Math_1", "The answer is (B).", "B", False),
    ("validation_Math_1", "Not (A) but (C)", "C", True),                           # several: the last mentioned
    ("validation_Art_Theory_1", "This painting shows the fragmented planes typical of cubism", "B", True),
    ("validation_Math_2", "<answer>\\boxed{1.06}</answer>", ["1.06"], True),
    ("validation_Math_2", "<answer>\\boxed{1.0600}</answer>", ["1.06"], True),    # floats rounded to 2 decimals
    ("validation_Math_2", "so the result is 1.1", None, False),
    ("validation_Art_Theory_2", "The dominant color is navy blue", None, True),    # substring of a string gold
]


@pytest.mark.parametrize("qid,response,prediction,correct", MMMU_CASES)
def test_mmmu_official_rules(qid, response, prediction, correct):
    v = verdict("mmmu", MMMU, qid, response)
    if prediction is not None:
        assert v["prediction"] == prediction
    assert v["correct"] is correct


def test_mmmu_no_option_found_is_a_flagged_seeded_guess():
    a = verdict("mmmu", MMMU, "validation_Math_1", "I am not sure.")
    b = verdict("mmmu", MMMU, "validation_Math_1", "I am not sure.")
    assert a["guessed"] is True and a["prediction"] == b["prediction"] in "ABCD"


def test_mmmu_loader_categories():
    rec = MMMU["validation_Art_Theory_2"]
    assert rec.meta["gold"] == ["blue", "navy"] and rec.choices is None
    assert (rec.meta["subject"], rec.meta["domain"]) == ("Art_Theory", "Art and Design")
    assert len(MMMU["validation_Math_1"].images) == 1 and isinstance(MMMU["validation_Math_1"].images[0], bytes)


PRO_CASES = [
    (STD, "validation_Physics_1", "Let me think... (B) is tempting.\nAnswer: D", "D", True),  # unique letter after "Answer:"
    (STD, "validation_Physics_1", "<answer>\\boxed{D}</answer>", "D", True),
    (STD, "validation_History_1", "<answer>\\boxed{option j}</answer>", "J", True),
    (STD, "validation_History_1", "I pick A.", "A", False),                                 # "A." candidate (Pro rule)
    (VISION, "validation_History_1", "Answer: J", "J", True),
    (VISION, "validation_Physics_1", "Answer: C", "C", False),
]


@pytest.mark.parametrize("records,qid,response,prediction,correct", PRO_CASES)
def test_mmmu_pro_official_rules(records, qid, response, prediction, correct):
    v = verdict("mmmu_pro", records, qid, response)
    assert (v["prediction"], v["correct"]) == (prediction, correct)


def test_mmmu_pro_settings():
    assert {r.meta["setting"] for r in STD.values()} == {"standard (10 options)"}
    vis = VISION["validation_Physics_1"]
    assert vis.meta["setting"] == "vision" and vis.meta["hide_choices"] and len(vis.choices) == 10


@pytest.mark.parametrize("response,expected", [
    ("(A) or (B)", "B"),      # bracketed candidates: last mentioned wins
    (" A  B ", "B"),
    ("C", "C"),
])
def test_mmmu_parser_candidates(response, expected):
    index2ans, letters = multi_choice_info(["w", "x", "y", "z"])
    assert parse_multi_choice_response(response, letters, index2ans)[0] == expected


@pytest.mark.parametrize("a,b,d", [("", "", 0), ("kitten", "sitting", 3), ("abc", "", 3), ("flaw", "lawn", 2)])
def test_edit_distance(a, b, d):
    assert edit_distance(a, b) == d == edit_distance(b, a)
