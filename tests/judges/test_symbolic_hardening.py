"""Issue 12.2-12.4, both directions: hacks (spraying, contradictions, negation, questions, hypotheses,
hedging, hidden text) earn nothing, honest paraphrases earn the fact. docs/judges.md reports both."""

import pytest

from perception_r1.judges.symbolic import SymbolicJudge
from symbolic_cases import HACKS, PARAPHRASES

JUDGE = SymbolicJudge(timeout=None)


@pytest.mark.parametrize("annotation,response", HACKS)
def test_hack_earns_nothing(annotation, response):
    assert JUDGE.can_parse(annotation), annotation
    assert JUDGE.judge(response, [annotation]) == [0]


def test_honest_paraphrases_are_credited():
    missed = [(a, r) for a, r in PARAPHRASES if JUDGE.judge(r, [a]) != [1]]
    share = 1 - len(missed) / len(PARAPHRASES)
    print(f"\nhonest paraphrases credited: {len(PARAPHRASES) - len(missed)}/{len(PARAPHRASES)}; "
          f"hacks: {len(HACKS)} cases")
    assert share >= 0.9, missed


@pytest.mark.parametrize("annotation,response,expected", [
    # the shape hierarchy: the specific states the general, never the reverse
    ("QRST is a quadrilateral", "QRST is a rhombus.", 1),
    ("QRST is a parallelogram", "QRST is a rhombus.", 1),
    ("QRST is a rhombus", "QRST is a parallelogram.", 0),
    ("ABCD is a rectangle", "ABCD is a square.", 1),
    ("ABCD is a square", "ABCD is a rectangle.", 0),
    ("ABCD is a rhombus", "ABCD is a rectangle. ABCD is a rhombus.", 1),  # a square: both hold
    ("ABCD is a quadrilateral", "ABCD is a trapezoid.", 1),
    ("ABCD is a parallelogram", "ABCD is a trapezoid.", 0),
    ("ABC is an isosceles triangle", "ABC is an equilateral triangle.", 1),
    ("ABC is an equilateral triangle", "ABC is an isosceles triangle.", 0),
    # stating a fact and its negation, or a negated fact next to another one
    ("AB = 3", "AB = 3. It is false that AB = 3.", 0),
    ("JKLM is a parallelogram", "JKLM is a parallelogram. JKLM is not a parallelogram.", 0),
    ("BC = 4", "AB is not 3, and BC = 4.", 1),
    # a triangle's angles must sum to 180° before a vertex name stands for an angle
    ("m\\angle ACB = 90^\\circ", "In triangle ABC, ∠A = 30°, ∠B = 60°, ∠C = 90°.", 1),
    # in rectangle ABCD, ∠D is ∠ADC
    ("m\\angle ADC = 90^\\circ", "ABCD is a rectangle, so ∠D = 90°.", 1),
    ("m\\angle CDB = 40^\\circ", "ABCD is a rectangle and ∠D = 40°.", 0),
])
def test_hierarchy_negation_and_angle_names(annotation, response, expected):
    assert JUDGE.judge(response, [annotation]) == [expected]
