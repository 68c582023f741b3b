"""The synthetic world: determinism, knobs, and that each record's facts are what was drawn and solve it."""

from __future__ import annotations

import io
import math
import re
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from perception_r1.cli.main import main
from perception_r1.data import load_records
from perception_r1.data.synth import FAMILIES, PRESETS, generate, write_synth
from perception_r1.data.synth.scene import linear, pi_latex, sqrt_latex

FORMAT = re.compile(r"<think>\n(.*)\n</think>\n<answer>\n.*\\boxed\{(.*)\}.*\n</answer>", re.DOTALL)


@pytest.fixture(scope="module")
def by_difficulty() -> dict[str, list]:
    return {d: generate(2 * len(FAMILIES), seed=3, difficulty=d) for d in PRESETS}


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path):
    write_synth(tmp_path / "a", 14, seed=5)
    write_synth(tmp_path / "b", 14, seed=5)
    write_synth(tmp_path / "c", 14, seed=6)
    a, b, c = (_files(tmp_path / x) for x in "abc")
    assert a == b and len(a) == 15
    assert a["data.jsonl"] != c["data.jsonl"]
    assert sum(a[k] != c.get(k.replace("synth-5-", "synth-6-")) for k in a if k.startswith("images/")) >= 12


def test_same_bytes_in_another_process_with_another_hash_seed(tmp_path: Path):
    import os
    import subprocess
    import sys

    write_synth(tmp_path / "here", 7, seed=5, difficulty="hard")
    code = ("from perception_r1.data.synth import write_synth; "
            f"write_synth({str(tmp_path / 'there')!r}, 7, seed=5, difficulty='hard')")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120,
                   env={**os.environ, "PYTHONHASHSEED": "12345"})
    assert _files(tmp_path / "here") == _files(tmp_path / "there")


def test_prefix_stable_and_png_has_no_metadata():
    short, long = generate(3, seed=1), generate(10, seed=1)
    assert [r.images for r in short] == [r.images for r in long[:3]]
    img = Image.open(io.BytesIO(long[0].images[0]))
    assert img.format == "PNG" and not img.info.keys() - {"dpi"}


def test_cli_acceptance_forty_records_five_families_validate(tmp_path: Path, capsys):
    assert main(["synth", "--n", "40", "--seed", "7", "--out", str(tmp_path / "X")]) == 0
    out = capsys.readouterr().out
    assert "wrote 40 records" in out
    recs = load_records(tmp_path / "X")
    assert len(recs) == 40 and len({r.id for r in recs}) == 40
    assert len({r.meta["family"] for r in recs}) >= 5
    assert all(r.source == "synth" and r.meta["difficulty"] == "medium" for r in recs)
    assert main(["validate", str(tmp_path / "X")]) == 0
    assert main(["synth", "--n", "2", "--seed", "7", "--out", str(tmp_path / "X")]) == 2  # no silent overwrite
    assert main(["synth", "--n", "2", "--seed", "7", "--out", str(tmp_path / "X"), "--overwrite"]) == 0
    assert len(list((tmp_path / "X" / "images").iterdir())) == 2


def test_corrupt_image_and_missing_answer_fail_validate_naming_both(tmp_path: Path, capsys):
    write_synth(tmp_path, 6, seed=2)
    lines = (tmp_path / "data.jsonl").read_text().splitlines()
    lines[4] = re.sub(r'"answer": "[^"]*", ', "", lines[4])
    (tmp_path / "data.jsonl").write_text("\n".join(lines) + "\n")
    img = tmp_path / "images" / "synth-2-00001_0.png"
    img.write_bytes(img.read_bytes()[: len(img.read_bytes()) // 2])
    assert main(["validate", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "'synth-2-00001': field 'images[0]'" in err and "'synth-2-00004': field 'answer'" in err
    assert err.strip().splitlines()[-1] == "2 problem(s) in 2 of 6 record(s)"


def _expected(meta: dict) -> float:
    """The answer recomputed from the drawn values alone, one formula per family and question."""
    fam, var, v = meta["family"], meta["variant"], list(meta["values"].values())
    if fam == "right_triangle":
        return math.sqrt(v[0] ** 2 + v[1] ** 2) if var == "hypotenuse" else math.sqrt(v[0] ** 2 - v[1] ** 2)
    if fam == "angle_sum":
        return 180 - v[0] - v[1] if var == "interior" else v[1] - v[0]  # exterior angle = sum of remote interior
    if fam == "parallelogram":
        import sympy
        from sympy.parsing.sympy_parser import implicit_multiplication, parse_expr, standard_transformations

        e1, e2 = (parse_expr(e, transformations=standard_transformations + (implicit_multiplication,)) for e in v)
        (sym,) = (e1 - e2).free_symbols
        (val,) = sympy.solve(sympy.Eq(e1, e2), sym)
        return float(e1.subs(sym, val)) if var == "side" else float(val)
    if fam == "circle":
        return 2 * math.pi * v[0] if var == "circumference" else math.pi * v[0] ** 2
    if fam == "parallel_transversal":
        return 180 - v[0] if var == "supplementary" else v[0]
    if fam == "rectangle":
        return {"area": v[0] * v[1], "perimeter": 2 * (v[0] + v[1]), "diagonal": math.hypot(v[0], v[1])}[var]
    if fam == "isosceles":
        return (180 - v[0]) / 2
    if fam == "segment_sum":
        return v[0] + v[1] if var == "whole" else v[1] - v[0]
    raise AssertionError(f"no recomputation for family {fam}")


def _value(latex: str) -> float:
    from math_verify import parse

    parsed = parse(f"${latex}$")
    assert parsed, latex
    return float(parsed[0].evalf())


def test_facts_match_values_and_answer_follows(by_difficulty):
    for difficulty, recs in by_difficulty.items():
        assert {r.meta["family"] for r in recs} == set(PRESETS[difficulty].families or FAMILIES)
        for r in recs:
            m = FORMAT.fullmatch(r.cot)
            assert m, r.cot
            think, boxed = m.groups()
            assert boxed == r.answer
            for fact in r.visual_annotations:
                assert fact in think, (r.id, fact)  # every annotation stated verbatim
            for key, v in r.meta["values"].items():
                assert f"{key} = {v}" in r.visual_annotations or f"{key} = {v}^\\circ" in r.visual_annotations
                drawn = [lab["text"] for lab in r.meta["labels"] if lab["key"] == key and lab["kind"] == "value"]
                assert drawn in ([str(v)], [f"{v}°"]), (r.id, key, drawn)
            for key, text in r.meta["distractors"].items():
                assert not any(f.startswith(f"{key} = ") for f in r.visual_annotations)
                assert not re.search(rf"(?<![A-Za-z]){re.escape(key)} =", think), (r.id, key)
                assert any(lab["text"] == text and lab["kind"] == "distractor" for lab in r.meta["labels"])
            assert math.isclose(_value(r.answer), _expected(r.meta), rel_tol=1e-9), (r.id, r.answer, r.meta)


def test_distractors_follow_the_preset(by_difficulty):
    for difficulty, recs in by_difficulty.items():
        lo, hi = PRESETS[difficulty].distractors
        assert all(lo <= len(r.meta["distractors"]) <= hi for r in recs), difficulty
    assert sum(len(r.meta["distractors"]) for r in by_difficulty["hard"]) > 0


def _label_drawn(img: Image.Image, lab: dict) -> bool:
    """Render the label alone with Pillow's built-in font at the recorded spot; the image must match it."""
    alone = Image.new("RGB", img.size, (255, 255, 255))
    ImageDraw.Draw(alone).text(tuple(lab["center"]), lab["text"], font=ImageFont.load_default(size=lab["size"]),
                               anchor="mm", fill=(0, 0, 0), stroke_width=lab["stroke"], stroke_fill=(0, 0, 0))
    box = tuple(lab["box"])
    ink = sum(alone.crop(box).convert("L").histogram()[:128])
    return ink > 5 and alone.crop(box).tobytes() == img.crop(box).tobytes()


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_labels_are_really_in_the_image(by_difficulty):
    for recs in by_difficulty.values():
        for r in recs:
            img = Image.open(io.BytesIO(r.images[0])).convert("RGB")
            labs = r.meta["labels"]
            assert img.size == (r.meta["image_size"],) * 2
            for lab in labs:
                assert _label_drawn(img, lab), (r.id, lab)
                x0, y0, x1, y1 = lab["box"]
                assert 0 <= x0 < x1 <= img.size[0] and 0 <= y0 < y1 <= img.size[1], (r.id, lab)
            for i, a in enumerate(labs):
                assert not any(_overlap(a["box"], b["box"]) for b in labs[i + 1:]), (r.id, a["text"])
            # An angle label sits nearer its own vertex than any other labelled angle's (else it reads as that one).
            angles = [lab for lab in labs if lab["key"] and lab["key"].startswith("m\\angle")]
            for lab in angles:
                others = [math.dist(lab["center"], o["anchor"]) for o in angles if o["anchor"] != lab["anchor"]]
                assert math.dist(lab["center"], lab["anchor"]) <= min(others, default=math.inf) + 1, (r.id, lab)


def test_label_check_can_fail():
    r = generate(1, seed=0)[0]
    img = Image.open(io.BytesIO(r.images[0])).convert("RGB")
    lab = next(lab for lab in r.meta["labels"] if lab["kind"] == "value")
    assert _label_drawn(img, lab)
    ImageDraw.Draw(img).rectangle(lab["box"], fill=(255, 255, 255))
    assert not _label_drawn(img, lab)
    assert not _label_drawn(Image.open(io.BytesIO(r.images[0])).convert("RGB"), {**lab, "text": lab["text"] + "1"})


def test_values_only_in_image_unless_asked():
    for r in generate(7, seed=4):
        assert not any(f in r.problem for f in r.visual_annotations)
        assert not any(re.search(rf"\b{v}\b", r.problem) for v in r.meta["values"].values() if isinstance(v, int))
    for r in generate(7, seed=4, values_in_text=True):
        assert all(f in r.problem for f in r.visual_annotations)


def test_knobs():
    small = generate(2, seed=0, difficulty="easy", image_size=112, families="circle,rectangle")
    assert [r.meta["family"] for r in small] == ["circle", "rectangle"]
    assert Image.open(io.BytesIO(small[0].images[0])).size == (112, 112)
    big = generate(2, seed=0, difficulty="easy", image_size=112, families=["circle", "rectangle"], font_scale=1.5)
    sizes = [lab["size"] for lab in small[0].meta["labels"]], [lab["size"] for lab in big[0].meta["labels"]]
    assert all(b > a for a, b in zip(*sizes))
    easy = generate(7, seed=0, difficulty="easy")
    assert {r.meta["family"] for r in easy} == set(PRESETS["easy"].families)
    assert all(2 <= v <= 9 for r in easy for v in r.meta["values"].values() if isinstance(v, int) and v < 20)
    assert all(r.meta["distractors"] == {} for r in easy)
    with pytest.raises(ValueError, match="unknown families"):
        generate(1, families="hexagon")
    with pytest.raises(ValueError, match="unknown difficulty"):
        generate(1, difficulty="extreme")


@pytest.mark.parametrize("fn, arg, want", [
    (sqrt_latex, 25, "5"), (sqrt_latex, 8, "2\\sqrt{2}"), (sqrt_latex, 13, "\\sqrt{13}"), (sqrt_latex, 72, "6\\sqrt{2}"),
    (pi_latex, 10, "10\\pi"), (pi_latex, 1, "\\pi"),
    (lambda a: linear(*a), (3, "f", -6), "3f - 6"), (lambda a: linear(*a), (1, "x", 5), "x + 5"),
    (lambda a: linear(*a), (2, "y", 0), "2y"),
])
def test_latex_helpers(fn, arg, want):
    assert fn(arg) == want


@pytest.mark.parametrize("family", ["rectangle", "segment_sum", "circle", "right_triangle", "angle_sum"])
def test_multiple_choice_answer_is_the_letter_of_the_value(family):
    plain = generate(6, seed=4, difficulty="easy", families=family)
    mc = generate(6, seed=4, difficulty="easy", families=family, choices=4)
    for p, m in zip(plain, mc):
        assert m.images == p.images and m.visual_annotations == p.visual_annotations  # the figure is the same
        assert len(m.choices) == 4 and len(set(m.choices)) == 4
        assert m.answer in "ABCD" and m.choices["ABCD".index(m.answer)] == p.answer == m.meta["value"]
        assert FORMAT.fullmatch(m.cot).group(2) == m.answer
        assert m.cot.rsplit("<answer>", 1)[0] == p.cot.rsplit("<answer>", 1)[0]  # same reasoning
    assert len({m.answer for m in generate(40, seed=4, difficulty="easy", families=family, choices=4)}) == 4


@pytest.mark.parametrize("bad", [1, -1, 11])
def test_choices_out_of_range_are_refused(bad):
    with pytest.raises(ValueError, match="choices must be"):
        generate(1, seed=0, choices=bad)
