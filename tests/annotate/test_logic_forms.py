"""Visual annotations from Geometry3K's diagram logic forms: the translation table, three problems worked
by hand, the convert -> validate -> symbolic-judge path on the ten real problems, and the documented
counts over all 3,002 problems."""

import json
from pathlib import Path

import pytest

from perception_r1.annotate.converters import from_geometry3k
from perception_r1.annotate.logic_forms import (LogicFormError, count, format_value, parse_term, read_annot_file,
                                                to_annotations)
from perception_r1.data import RecordError, load_records
from perception_r1.data.validate import validate_path
from perception_r1.judges.facts import annotation_facts
from perception_r1.judges.symbolic import SymbolicJudge

ROOT = Path(__file__).resolve().parents[2]
REAL_G3K = ROOT.parent / "shared" / "data" / "geometry3k_examples"
LOGIC_ZIP = ROOT.parent / "shared" / "data" / "realdata" / "meta" / "geometry3k_logic_forms.zip"
needs_g3k = pytest.mark.skipif(not REAL_G3K.exists(), reason=f"real Geometry3K examples not found at {REAL_G3K}")
needs_zip = pytest.mark.skipif(not LOGIC_ZIP.exists(), reason=f"InterGPS logic forms not found at {LOGIC_ZIP}")


@pytest.mark.parametrize("form, expected", [
    ("Equals(LengthOf(Line(J, K)), 10)", ["JK = 10"]),
    ("Equals(LengthOf(Line(A, D)), 2x+3)", ["AD = 2x + 3"]),
    ("Equals(LengthOf(Line(A, B)), 7\\sqrt{2})", ["AB = 7\\sqrt{2}"]),
    ("Equals(LengthOf(Line(I, L)), \\frac{1}{5}x+3)", ["IL = \\frac{1}{5}x + 3"]),
    ("Equals(LengthOf(Line(C, B)), LengthOf(a))", ["CB = a"]),
    ("Equals(LengthOf(Line(A, E)), LengthOf(Line(B, E)))", ["AE = BE"]),
    ("Equals(Line(A, E), Line(B, E))", ["AE = BE"]),
    ("Equals(MeasureOf(Angle(A, B, C)), 40)", ["m\\angle ABC = 40^\\circ"]),
    ("Equals(MeasureOf(Angle(T, R, S)), 4y-10)", ["m\\angle TRS = (4y - 10)^\\circ"]),
    ("Equals(MeasureOf(Angle(A, D, B)), y^2-1)", ["m\\angle ADB = (y^2 - 1)^\\circ"]),
    ("Equals(MeasureOf(Angle(A, D, E)), x)", ["m\\angle ADE = x^\\circ"]),
    ("Equals(MeasureOf(Angle(B)), 30)", ["m\\angle B = 30^\\circ"]),
    ("Equals(MeasureOf(Angle(K, I, P)), MeasureOf(angle 1))", ["m\\angle KIP = m\\angle 1"]),
    ("Equals(MeasureOf(Angle(3)), 110)", ["m\\angle 3 = 110^\\circ"]),
    ("Equals(MeasureOf(Arc(B, D)), 10x)", ["m\\widehat{BD} = 10x"]),
    ("Equals(MeasureOf(Major(Arc(A,D,C))),y)", ["m\\widehat{ADC} = y"]),
    ("Equals(AreaOf(Triangle(A, B, C)), 875)", ["area of \\triangle ABC = 875"]),
    ("Equals(AreaOf(Kite(A,B,C,D)), 846)", ["area of kite ABCD = 846"]),
    ("Perpendicular(Line(P, K), Line(M, P))", ["PK \\perp MP"]),
    # perimeters, circumferences, diameters, radii: quantities of their own for the symbolic judge
    ("Equals(LengthOf(PerimeterOf(Cirle(C))), 12)", ["circumference of \\odot C = 12"]),
    ("Equals(LengthOf(DiameterOf(Circle(A))), 10)", ["diameter of \\odot A = 10"]),
    ("Equals(PerimeterOf(Triangle(A,B,C)), 30)", ["perimeter of \\triangle ABC = 30"]),
    ("Equals(RadiusOf(Circle(O)),10)", ["radius of \\odot O = 10"]),
    ("Parallel(Line(A, B), Line(C, D))", ["AB \\parallel CD"]),
    ("PointLiesOnCircle(M, Circle(K, radius_7_0))", ["K is the center of the circle"]),
    ("PointLiesOnLine(C, Line(E, A))", []),
    # left out, each counted by reason
    ("", []),
    ("Equals(LengthOf(Line(L, G)), 66--y)", []),
    ("Equals(LengthOf(Line(Q, B')), 8)", []),
    ("Equals(LengthOf(Line(R, point_27)), 20-5x)", []),
    ("Equals(LengthOf(HeightOf(Triangle(A,B,C))), x)", []),
    ("Equals(LengthOf(Line(R, B)), LengthOf(Line(R, B)))", []),
    ("PointLiesOnLine(Y, Line(Z, I)) K))", []),
    ("Tangent(Line(A,B), Circle(G))", []),
])
def test_translation_table(form, expected):
    conv = to_annotations([form])
    assert conv.annotations == expected
    kept = sum(n for kind, n in conv.kinds.items() if kind != "center")  # a center is read off its circle's points
    assert kept + sum(conv.dropped.values()) == 1  # every form is kept or counted


@pytest.mark.parametrize("form, reason", [
    ("PointLiesOnLine(C, Line(E, A))", "incidence"),
    ("Equals(LengthOf(Line(L, G)), 66--y)", "malformed value"),
    ("Equals(LengthOf(Line(Q, B')), 8)", "unlabelled or primed point"),
    ("Equals(LengthOf(HeightOf(Triangle(A,B,C))), x)", "height"),
    ("Equals(LengthOf(Arc(S, T)), 2x)", "arc length"),
    ("PointLiesOnLine(Y, Line(Z, I)) K))", "malformed form"),
])
def test_dropped_forms_are_counted_by_reason(form, reason):
    assert to_annotations([form]).dropped == {reason: 1}


def test_incidence_only_when_asked_and_centers_once():
    forms = ["PointLiesOnLine(N, Line(X, Z))", "PointLiesOnCircle(Z, Circle(X, radius_0_0))",
             "PointLiesOnCircle(A, Circle(X, radius_0_0))", "Equals(LengthOf(Line(X, A)), 7)"]
    assert to_annotations(forms).annotations == ["XA = 7", "X is the center of the circle"]
    assert to_annotations(forms, incidence=True).annotations == [
        "N lies on XZ", "Z lies on \\odot X", "A lies on \\odot X", "XA = 7", "X is the center of the circle"]


@pytest.mark.parametrize("text, expected", [
    ("2x+3", "2x + 3"), ("-3", "-3"), ("y^{2}", "y^{2}"), ("4*y", "4*y"), ("y+4/5", "y + 4/5"),
    ("66--y", None), ("5mny44", None), ("x+", None), ("(x+1", None), ("", None),
])
def test_format_value(text, expected):
    assert format_value(text) == expected


def test_parse_term():
    assert parse_term("Equals(LengthOf(Line(J, K)), 10)") == ("Equals", ("LengthOf", ("Line", "J", "K")), "10")
    assert parse_term("MeasureOf(angle 4)") == ("MeasureOf", "angle 4")
    with pytest.raises(LogicFormError):
        parse_term("Equals(LengthOf(Line(J, K), 10)")


# Worked by hand from each folder's logic_form.json, following the rule in docs/annotation.md.
HAND_WORKED = {
    # a circle: two perpendicular chords' feet, five points on ⊙X, four incidences on lines
    "11": ["YM \\perp MA", "ND \\perp ZN", "X is the center of the circle"],
    # a right triangle: two sides, the 60° angle, the right angle at C
    "15": ["AB = 10", "AC = y", "m\\angle ABC = 60^\\circ", "BC = x", "AC \\perp BC"],
    # a rhombus-like figure: four sides, an angle, the diagonals' right angle, two equal half-diagonals
    "19": ["DA = 10", "BA = 8", "m\\angle ADE = x^\\circ", "BC = 8", "DC = 10", "AE \\perp DE", "AE = BE", "BE = CE"],
}


@needs_g3k
def test_three_hand_worked_problems():
    by_id = {r.id: r for r in from_geometry3k(REAL_G3K, annotations="logic-forms")}
    for rid, expected in HAND_WORKED.items():
        assert by_id[rid].visual_annotations == expected, rid
        forms = json.loads((REAL_G3K / rid / "logic_form.json").read_text())["diagram_logic_form"]
        assert by_id[rid].meta["logic_forms"] == forms


@needs_g3k
def test_convert_cli_logic_forms_validate_and_judge(tmp_path, capsys):
    from perception_r1.cli.main import main

    out = tmp_path / "g3k"
    assert main(["convert", "geometry3k", str(REAL_G3K), "--annotations", "logic-forms", "--out", str(out)]) == 0
    assert "10 with visual annotations" in capsys.readouterr().out
    assert validate_path(out) == (10, [])
    records = load_records(out)
    anns = [a for r in records for a in r.visual_annotations]
    assert len(anns) == 50 and all(SymbolicJudge.can_parse(a) for a in anns)
    # the facts mean what they say: a response in other notation states them, a wrong value does not
    judge = SymbolicJudge()
    rec = next(r for r in records if r.id == "15")
    response = "From the figure, AB = 10, ∠ABC = 60°, AC = y, BC = x and ∠ACB = 90°."
    assert judge.judge_parsed(response, rec.visual_annotations) == [1, 1, 1, 1, 1]
    assert judge.judge_parsed(response.replace("60°", "30°"), rec.visual_annotations)[2] == 0


def test_convert_flags_outside_geometry3k_are_one_line_errors(tmp_path, capsys):
    from perception_r1.cli.main import main

    fix = ROOT / "tests" / "fixtures" / "annotate" / "perception_r1.parquet"
    assert main(["convert", "perception-r1", str(fix), "--annotations", "logic-forms", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "geometry3k" in err


def test_logic_forms_file_for_folders_without_logic_form_json(tmp_path, capsys):
    from perception_r1.cli.main import main

    fixture = ROOT / "tests" / "fixtures" / "annotate" / "geometry3k"
    annot = tmp_path / "diagram_logic_forms_annot.json"
    entries = {"0": {"diagram_logic_forms": ["Equals(LengthOf(Line(A, B)), 5)"]},
               "1": {"diagram_logic_forms": ["PointLiesOnLine(B, Line(A, C))"]}}
    annot.write_text(json.dumps(entries))
    with pytest.raises(RecordError, match="'2401'.*no logic_form.json and no entry"):
        from_geometry3k(fixture, annotations="logic-forms", logic_forms=annot)
    entries["2401"] = {"diagram_logic_forms": ["Parallel(Line(A, B), Line(C, D))"]}
    annot.write_text(json.dumps(entries))
    recs = from_geometry3k(fixture, annotations="logic-forms", logic_forms=annot)
    assert [r.visual_annotations for r in recs] == [["AB = 5"], None, ["AB \\parallel CD"]]
    # A record the source cannot give is the user's input problem: one line, exit 2 (cli.errors).
    assert main(["convert", "geometry3k", str(fixture), "--annotations", "logic-forms", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no logic_form.json" in err[0]


@pytest.mark.slow
@needs_zip
def test_counts_over_all_3002_problems_match_the_docs():
    entries = read_annot_file(str(LOGIC_ZIP))
    counts = count(entries.values())
    assert counts.problems == 3002
    docs = (ROOT / "docs" / "annotation.md").read_text(encoding="utf-8")
    for figure in (f"{counts.forms:,}", f"{counts.annotations:,}", f"{counts.annotations / counts.problems:.2f}",
                   f"{counts.none} ({100 * counts.none / counts.problems:.1f} %)"):
        assert figure in docs, figure
    with_incidence = count(entries.values(), incidence=True)
    assert f"{with_incidence.annotations:,}" in docs
    for incidence in (False, True):
        unparsed = [a for e in entries.values()
                    for a in to_annotations(e["diagram_logic_forms"], incidence=incidence).annotations
                    if annotation_facts(a) is None]
        assert unparsed == [], incidence
