"""Converters from Geometry3K releases, on fixtures in each source layout and on real Geometry3K files."""

from pathlib import Path

import pytest

from perception_r1.annotate.converters import from_easyr1, from_geometry3k, from_perception_r1, parse_info_tags
from perception_r1.data import RecordError, load_records, write_folder
from perception_r1.data.validate import validate_path

ROOT = Path(__file__).resolve().parents[2]
FIX = ROOT / "tests" / "fixtures" / "annotate"
REAL_G3K = ROOT.parent / "shared" / "data" / "geometry3k_examples"


def _roundtrip(records, tmp_path):
    out = write_folder(records, tmp_path / "out")
    n, problems = validate_path(out)
    assert problems == [] and n == len(records)
    return load_records(out)


def test_geometry3k_fixture(tmp_path):
    recs = _roundtrip(from_geometry3k(FIX / "geometry3k"), tmp_path)
    assert [r.id for r in recs] == ["0", "1", "2401"]
    first = recs[0]
    assert (first.problem, first.answer, first.choices) == ("Find x.", "D", ["5", "10", "12", "13"])
    assert first.meta["split"] == "train" and recs[2].meta["split"] == "test"
    assert first.source == "geometry3k" and first.visual_annotations is None


@pytest.mark.skipif(not REAL_G3K.exists(), reason=f"real Geometry3K examples not found at {REAL_G3K}")
def test_geometry3k_real_examples(tmp_path):
    recs = _roundtrip(from_geometry3k(REAL_G3K), tmp_path)
    assert len(recs) == 10
    by_id = {r.id: r for r in recs}
    assert by_id["12"].problem == "Find x." and by_id["12"].answer == "B"
    assert by_id["12"].choices == ["12", "13", "14", "15"]
    assert all(r.answer in "ABCD" and len(r.choices) == 4 for r in recs)


def test_easyr1_parquet(tmp_path):
    recs = _roundtrip(from_easyr1(FIX / "easyr1.parquet"), tmp_path)
    assert [r.problem for r in recs] == ["Find x.", "Find m \\angle 2.", "In \\odot P, find the radius."]
    assert [r.answer for r in recs] == ["13", "60", "6"]  # the correct choice's text
    assert all(r.choices is None and len(r.images) == 1 for r in recs)


def test_perception_r1_release_parquet(tmp_path):
    recs = _roundtrip(from_perception_r1(FIX / "perception_r1.parquet"), tmp_path)
    assert recs[0].visual_annotations == ["AB = 5", "BC = 12", "∠ABC = 90°"]
    assert recs[2].visual_annotations == ["PA = 6", "A lies on ⊙P"]
    assert recs[3].visual_annotations is None  # an empty annotation string means "none"


@pytest.mark.parametrize("text, expected", [
    ("<info1>a</info1><info2>b</info2>", ["a", "b"]),
    ("<info1> $JK = 3f - 6$ </info1>\n<info2>JKLM is a parallelogram.</info2>\n",
     ["$JK = 3f - 6$", "JKLM is a parallelogram."]),
    ("<info1>x<y</info1>", ["x<y"]),
    ("", None),
    (None, None),
])
def test_parse_info_tags(text, expected):
    assert parse_info_tags(text) == expected


@pytest.mark.parametrize("text, match", [
    ("<info1>a</info1><info3>c</info3>", "numbered"),
    ("<info1>a</info1> stray", "expected <infoN>"),
    ("<info1>a", "expected <infoN>"),
    ("just text", "expected <infoN>"),
])
def test_parse_info_tags_errors_name_record_and_field(text, match):
    with pytest.raises(RecordError, match=match) as e:
        parse_info_tags(text, "r7")
    assert e.value.record_id == "r7" and e.value.field == "visual_key_info"


def test_geometry3k_bad_answer_letter(tmp_path):
    d = tmp_path / "g" / "5"
    d.mkdir(parents=True)
    (d / "img_diagram.png").write_bytes((FIX / "geometry3k/train/0/img_diagram.png").read_bytes())
    (d / "data.json").write_text('{"id": 5, "problem_text": "Find x.", "choices": ["1", "2"], "answer": "C"}')
    with pytest.raises(RecordError, match="'5'.*'answer'"):
        from_geometry3k(tmp_path / "g")


def test_convert_cli(tmp_path):
    from perception_r1.cli.main import main

    assert main(["convert", "perception-r1", str(FIX / "perception_r1.parquet"), "--out", str(tmp_path / "o")]) == 0
    assert len(load_records(tmp_path / "o")) == 4
