"""Table-driven suite for the symbolic judge: one labelled (annotation, response, verdict) per row."""

import pytest

from perception_r1.judges.symbolic import SymbolicJudge

JUDGE = SymbolicJudge()

# (annotation, response, expected verdict)
ROWS = [
    # --- segment equalities, notation ---
    ("AB = 3", "We know AB = 3.", 1),
    ("AB = 3", "From the figure, $\\overline{AB} = 3$ cm.", 1),
    ("AB = 3", "The length of BA is 3 units.", 1),                        # reversed name, prose "is"
    ("AB = 3", "So 3 = AB.", 1),                                           # sides swapped
    ("AB = 3", "\\(AB=3.0\\)", 1),
    ("AB = 3", "We get 2AB = 6 after doubling.", 1),                       # scaled equation, same fact
    ("AB = 3", "AB = 4, so the answer follows.", 0),                        # wrong value
    ("AB = 3", "CD = 3 and AB is unknown.", 0),                             # distractor: other segment
    ("AB = 3", "AB + BC = 3", 0),                                           # different fact
    ("AB = 3", "AB is not 3.", 0),                                          # negation
    ("AB = 3", "AB \\neq 3", 0),
    ("GE = 10", "Since EG=10 and DF = 7, ...", 1),
    ("AC = 5", "AC = \\sqrt{3^2 + 4^2} = \\sqrt{25} = 5.", 1),            # end of an = chain
    ("AB = 5\\sqrt{2}", "AB = \\sqrt{50}", 1),
    ("AB = 5\\sqrt{2}", "AB ≈ 7.07", 0),                                     # approximation is not a statement of the fact
    ("AB = 5\\sqrt{2}", "AB = 5\\sqrt{2} = 7.07", 1),                      # a rounding is no contradiction
    ("AB = \\frac{1}{2}", "AB = 0.5", 1),
    # --- angles ---
    ("m\\angle ABC = 90^\\circ", "∠ABC = 90°", 1),
    ("m\\angle ABC = 90^\\circ", "angle CBA is 90 degrees", 1),             # reversed angle, prose
    ("m∠ABC = 90°", "$m \\angle A B C=90^{\\circ}$", 1),                    # Geometry3K spacing
    ("m\\angle ABC = 90^\\circ", "∠ACB = 90°", 0),                           # different vertex
    ("m\\angle ABC = 90^\\circ", "∠ABC = 60°", 0),
    ("m∠ABD = (4y + 4)°", "We have m\\angle ABD = 4y + 4.", 1),
    ("m∠ABD = (4y + 4)°", "∠ABD = 4 + 4y = 60°", 1),
    ("\\angle 1 = 40^{\\circ}", "Angle 1 is 40°.", 1),
    ("m \\widehat{CZ} = 40", "The arc ZC measures 40 degrees.", 1),
    # --- algebraic forms ---
    ("JK = 3f - 6", "JK is 3f - 6", 1),
    ("JK = 3f - 6", "JK = -6 + 3f", 1),
    ("JK = 3f - 6", "JK = 3(f - 2)", 1),
    ("JK = 3f - 6", "JK = 6 - 3f", 0),                                      # not the same expression
    ("JL = 8 + 2f", "JL = 2f + 8", 1),
    ("JL = 8 + 2f", "JL = 2f - 8", 0),
    ("x = 15", "Hence y = x + (y - 15) and so x = 15.", 1),
    # --- perpendicular / parallel / congruence ---
    ("AB \\perp CD", "AB ⊥ CD", 1),
    ("AB \\perp CD", "Since DC is perpendicular to BA, ...", 1),
    ("AB \\perp CD", "\\overline{AB} \\perp \\overline{CE}", 0),
    ("AB \\perp CD", "AB is not perpendicular to CD.", 0),
    ("AB \\perp CD", "AB ∥ CD", 0),
    ("AB \\parallel CD", "CD // AB", 1),
    ("AB \\parallel CD", "AB is parallel to CD", 1),
    ("\\triangle ABC \\cong \\triangle DEF", "△BCA ≅ △EFD", 1),             # same correspondence
    ("\\triangle ABC \\cong \\triangle DEF", "△ABC ≅ △DFE", 0),             # different correspondence
    # --- shape statements ---
    ("JKLM is a parallelogram", "Since JKLM is a parallelogram, opposite sides are equal.", 1),
    ("JKLM is a parallelogram", "In parallelogram JKLM, JK = LM.", 1),
    ("JKLM is a parallelogram", "MLKJ is a parallelogram", 1),               # same polygon read backwards
    ("JKLM is a parallelogram", "JKLM is not a parallelogram", 0),
    ("JKLM is a parallelogram", "JKLM is a trapezoid", 0),
    ("O is the center of the circle", "Point O is the centre of the circle.", 1),
    ("O is the center of the circle", "In ⊙O, the radius is 5.", 1),
    ("O is the center of the circle", "P is the center of the circle", 0),
    ("\\triangle ABC is isosceles", "Triangle ABC is an isosceles triangle.", 1),
    ("ABC is a right triangle", "ABC is a triangle", 0),
    # --- real worked solutions (MATH-Vision, realdata/problems.jsonl) ---
    ("m\\angle WXY = 140^\\circ",                                            # mathvision-1546
     "$\\angle W X Y=80^{\\circ}+60^{\\circ}=140^{\\circ}$, hence $\\angle X W Y=\\frac{1}{2}\\left(180^{\\circ}"
     "-140^{\\circ}\\right)=20^{\\circ}$", 1),
    ("m\\angle XWY = 20^\\circ", "$\\angle W X Y=80^{\\circ}+60^{\\circ}=140^{\\circ}$, hence $\\angle X W Y="
     "\\frac{1}{2}\\left(180^{\\circ}-140^{\\circ}\\right)=20^{\\circ}$", 1),
    ("triangle PQS is isosceles", "Observing that triangle $P Q S$ is isosceles, we have $\\angle P S Q="
     "\\frac{1}{2}\\left(180^{\\circ}-12^{\\circ}\\right)=84^{\\circ}$", 1),          # mathvision-1559
    ("m\\angle PSQ = 84^\\circ", "Observing that triangle $P Q S$ is isosceles, we have $\\angle P S Q="
     "\\frac{1}{2}\\left(180^{\\circ}-12^{\\circ}\\right)=84^{\\circ}$", 1),
    ("m\\angle PSQ = 96^\\circ", "$\\angle P S Q=84^{\\circ}$ and hence $\\angle P S R=180^{\\circ}-84^{\\circ}"
     "=96^{\\circ}$", 0),                                                             # distractor: 96° is PSR
    ("m\\angle UPT = 30^\\circ", "Angle $U P T$ is $360^{\\circ}-330^{\\circ}=30^{\\circ}$ and the reflex angle "
     "$Q R S$ is $270^{\\circ}$.", 1),                                                # mathvision-1861
    ("m\\angle ADC = m\\angle ACD", "Since $\\angle A D C=\\angle A C D$, triangle $A C D$ is isosceles", 1),
    ("a = 26", "we have $a=26^{\\circ}$ and $f=10^{\\circ}$. Since $a+b=33^{\\circ}$", 1),  # mathvision-1655
    ("b = 7", "Since $a+b=33^{\\circ}$ and $e+f=14^{\\circ}$, we have $b=7^{\\circ}$ and $e=4^{\\circ}$", 1),
    ("y = 56", "One can see that $y+124=180$, so $y=56$. Then $x=108-56=52$.", 1),        # mathvision-1553
    ("y + 124 = 180", "One can see that $y+124=180$, so $y=56$.", 1),
    ("BD = BF", "Since $BD$ and $BF$ are tangents from the same point to the same circle, $BD = BF$.", 1),
    # --- Geometry3K (InterGPS logic forms as annotations, problem-style responses) ---
    ("AB = 30", "In $\\odot X, A B=30, C D=30,$ and $m \\widehat{C Z}=40$.", 1),          # geometry3k-11
    ("m \\widehat{CZ} = 40", "In $\\odot X, A B=30, C D=30,$ and $m \\widehat{C Z}=40$.", 1),
    ("X is the center of the circle", "In $\\odot X, A B=30$", 1),
    ("EC = 4.5", "From the diagram EC = 4.5, CA = 7.5 and AB = 5.", 1),                 # geometry3k-12
    ("CA = 7.5", "From the diagram EC = 4.5, AC = 7.5 and AB = 5.", 1),
    ("BD = x", "From the diagram EC = 4.5, AC = 7.5 and AB = 5.", 0),
    # --- what chat models write: markdown, lists, lines, prose ---
    ("AB = 3", "**AB = 3** (given)", 1),
    ("AB = 3", "- AB = 3\n- BC = 4", 1),                                   # a bullet is not a minus sign
    ("AB = -3", "- AB = 3", 0),
    ("BC = 4", "AB = 3\nBC = 4", 1),                                        # a line break ends a statement
    ("AB = 12", "AB = 3\nBC = 4", 0),                                       # ... it does not make 3·BC
    ("AC = 5", "AC = \\sqrt{9 + 16}\n= 5", 1),                             # ... unless the formula continues
    ("AB = 3", "Segment AB has a length of 3.", 1),
    ("area of triangle ABC = 24", "The area of triangle ABC is 24 cm^2.", 1),   # the unit's square is not 24²
    ("m\\angle ABC = 90^\\circ", "$\\angle ABC$ is a right angle.", 1),
    ("m\\angle ABC = 90^\\circ", "AB ⊥ BC", 1),                              # the same fact, two notations
    ("AB \\perp BC", "m∠CBA = 90°", 1),
    ("AB \\perp CD", "m∠ABC = 90°", 0),
    ("m\\angle ACB = 90^\\circ", "∠C = 90°, so AB is the hypotenuse.", 1),      # angle named by its vertex
    ("m\\angle ACB = 90^\\circ", "Triangle ABC has a right angle at C.", 1),
    ("m\\angle ACB = 90^\\circ", "ABC is right-angled at C", 1),
    ("m\\angle ACB = 90^\\circ", "∠C = 60°. No wait, ∠C = 90°.", 0),           # contradicted at the vertex
    ("m\\angle ACB = 90^\\circ", "Triangle ABC has a right angle at B.", 0),
    # --- regressions found on the synthetic world's teacher CoTs ---
    ("CM = 18", "From the figure, CM = 18, MA = 3.", 1),                                  # CM is a segment, cm a unit
    ("OF = 11", "OF = 11 is a radius.", 1),                                                # OF is a segment, not "of"
    ("SE = x", "From the figure, SE = x and KJ = 4x - 9.", 1),                             # x then a word is still x
    ("SC = 5f", "SC = 5f and KF = 3f + 18, so 2f = 18, f = 9 and SC = 5(9) = 45.", 1),
]


@pytest.mark.parametrize("annotation,response,expected", ROWS)
def test_symbolic_table(annotation, response, expected):
    assert JUDGE.can_parse(annotation), annotation
    assert JUDGE.judge(response, [annotation]) == [expected]


def test_table_is_large_and_balanced():
    assert len(ROWS) >= 40
    assert sum(e == 0 for _, _, e in ROWS) >= 15
