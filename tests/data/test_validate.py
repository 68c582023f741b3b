"""`validate`: every problem reported with record id and field, never stopping at the first."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from perception_r1.cli.main import main
from perception_r1.data import write_folder
from perception_r1.data.validate import check_row, validate_path

GOOD = {"id": "x", "images": [], "problem": "Find AB.", "answer": "5"}


@pytest.mark.parametrize("patch, field", [
    ({"answer": None}, "answer"),
    ({"answer": "  "}, "answer"),
    ({"problem": ""}, "problem"),
    ({"id": None}, "id"),
    ({"answer": ["5"]}, "answer"),
    ({"images": None}, "images"),
    ({"images": ["/nonexistent/x.png"]}, "images[0]"),
    ({"images": [b"not a png"]}, "images[0]"),
    ({"images": [3]}, "images[0]"),
    ({"visual_annotations": []}, "visual_annotations"),
    ({"visual_annotations": "AB = 3"}, "visual_annotations"),
    ({"visual_annotations": ["AB = 3", ""]}, "visual_annotations[1]"),
    ({"visual_annotations": ["AB = 3", 4]}, "visual_annotations[1]"),
    ({"answer": "C"}, "choices"),
    ({"answer": "C", "choices": ["1", "2"]}, "answer"),
    ({"choices": ["1", " "]}, "choices[1]"),
    ({"cot": 3}, "cot"),
    ({"meta": "x"}, "meta"),
])
def test_check_row_names_the_field(patch, field, make_png):
    row = {**GOOD, "images": [make_png()], **patch}
    problems = check_row(row, "x")
    assert [p.field for p in problems] == [field]
    assert all(p.record_id == "x" for p in problems)


@pytest.mark.parametrize("patch", [
    {},
    {"answer": 5},
    {"answer": "B", "choices": ["1", "2"]},
    {"answer": "x", "choices": ["1", "2"]},  # a lowercase variable is not a choice letter
    {"visual_annotations": ["AB = 3"], "cot": "c", "source": "s", "meta": {"family": "f"}},
])
def test_check_row_accepts_valid_rows(patch, make_png):
    assert check_row({**GOOD, "images": [make_png()], **patch}, "x") == []


def test_folder_with_every_kind_of_problem_reports_all(tmp_path: Path, records, make_png, capsys):
    write_folder(records, tmp_path)
    rows = [json.loads(line) for line in (tmp_path / "data.jsonl").read_text().splitlines()]
    # r0: truncated image file; r1: answer removed; r2 duplicated; one line of broken JSON.
    img0 = tmp_path / rows[0]["images"][0]
    img0.write_bytes(img0.read_bytes()[:40])
    del rows[1]["answer"]
    lines = [json.dumps(r) for r in rows] + ["{not json", json.dumps(rows[2])]
    (tmp_path / "data.jsonl").write_text("\n".join(lines) + "\n")

    n, problems = validate_path(tmp_path)
    assert n == 5
    got = {(p.record_id, p.field) for p in problems}
    assert got == {("r0", "images[0]"), ("r1", "answer"), ("<line 4>", "json"), ("r2", "id")}

    assert main(["validate", str(tmp_path)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert any("'r0'" in line and "images[0]" in line for line in err)
    assert any("'r1'" in line and "'answer'" in line for line in err)
    assert err[-1].startswith("4 problem(s) in 4 of 5 record(s)")


def test_valid_folder_exits_zero(tmp_path: Path, records, capsys):
    write_folder(records, tmp_path)
    assert main(["validate", str(tmp_path)]) == 0
    assert "3 record(s)" in capsys.readouterr().out


def test_not_a_dataset_is_one_line_and_exit_two(tmp_path: Path, capsys):
    # Exit 1 means "records break the contract"; a path that is no dataset is a usage error (cli.errors).
    assert main(["validate", str(tmp_path / "missing")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("perception-r1 validate: error: ") and "not a dataset" in err[0]
