"""One contract for every reader: what `validate` rejects, `load_records` (and so score, eval, train,
annotate) rejects too, naming the record and the field — never a string split into characters, a null
read as "None", or an image path that leaves the dataset folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from perception_r1.data import Record, RecordError, load_records, read_responses
from perception_r1.data.validate import validate_path

BAD = [
    ({"visual_annotations": "AB = 3"}, "visual_annotations"),
    ({"visual_annotations": [3, None]}, "visual_annotations[0]"),
    ({"visual_annotations": ["AB = 3", None]}, "visual_annotations[1]"),
    ({"visual_annotations": ["AB = 3", 4]}, "visual_annotations[1]"),
    ({"visual_annotations": {"AB": 3}}, "visual_annotations"),
    ({"visual_annotations": []}, "visual_annotations"),
    ({"choices": "ABCD", "answer": "A"}, "choices"),
    ({"choices": ["1", None], "answer": "A"}, "choices[1]"),
    ({"choices": [1, 2], "answer": "A"}, "choices[0]"),
    ({"answer": "C", "choices": ["1", "2"]}, "answer"),
    ({"answer": "B"}, "choices"),
    ({"answer": ["5"]}, "answer"),
    ({"answer": True}, "answer"),
    ({"answer": None}, "answer"),
    ({"problem": {"text": "x"}}, "problem"),
    ({"problem": ""}, "problem"),
    ({"cot": ["a"]}, "cot"),
    ({"source": 3}, "source"),
    ({"meta": [1]}, "meta"),
    ({"images": "images/../../outside/private.png"}, "images[0]"),
    ({"images": ["../outside/private.png"]}, "images[0]"),
    ({"images": ["/etc/hostname"]}, "images[0]"),
    ({"images": ["images/missing.png"]}, "images[0]"),
    ({"images": []}, "images"),
    ({"images": [3]}, "images[0]"),
    ({"id": None}, "id"),
    ({"id": " "}, "id"),
]


def _folder(tmp_path: Path, rows: list[dict], png: bytes) -> Path:
    d = tmp_path / "data"
    (d / "images").mkdir(parents=True)
    (d / "images" / "a.png").write_bytes(png)
    (tmp_path / "outside").mkdir(exist_ok=True)
    (tmp_path / "outside" / "private.png").write_bytes(png)
    (d / "data.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return d


def _good(i: int) -> dict:
    return {"id": f"r{i}", "images": ["images/a.png"], "problem": "Find AB.", "answer": "5",
            "visual_annotations": ["AB = 5"]}


@pytest.mark.parametrize("patch, field", BAD, ids=[f"{f}:{json.dumps(p)[:40]}" for p, f in BAD])
def test_loader_rejects_what_validate_rejects(patch, field, tmp_path, make_png):
    rows = [_good(0), {**_good(1), **patch}, _good(2)]
    d = _folder(tmp_path, rows, make_png())
    n, problems = validate_path(d)
    assert field in [p.field for p in problems]
    with pytest.raises(RecordError) as err:
        load_records(d)
    assert err.value.field == field
    rid = "r1" if patch.get("id", "r1") == "r1" else err.value.record_id
    assert err.value.record_id == rid and f"field {field!r}" in str(err.value)


def test_the_outside_file_exists_but_is_refused(tmp_path, make_png):
    d = _folder(tmp_path, [{**_good(0), "images": ["../outside/private.png"]}], make_png())
    assert (d / "../outside/private.png").resolve().is_file()
    with pytest.raises(RecordError, match="outside the dataset folder"):
        load_records(d)
    with pytest.raises(RecordError, match="outside the dataset folder"):
        load_records(d / "data.jsonl")


def test_a_symlink_out_of_the_folder_is_refused(tmp_path, make_png):
    d = _folder(tmp_path, [{**_good(0), "images": ["images/link.png"]}], make_png())
    (d / "images" / "link.png").symlink_to(tmp_path / "outside" / "private.png")
    with pytest.raises(RecordError, match="outside the dataset folder"):
        load_records(d)


def test_duplicate_ids_are_refused_at_load(tmp_path, make_png):
    d = _folder(tmp_path, [_good(0), _good(1), _good(0)], make_png())
    with pytest.raises(RecordError, match=r"record 'r0': field 'id': .*duplicate id \(records 1 and 3\)"):
        load_records(d)


def test_empty_dataset_and_empty_responses_are_errors(tmp_path, make_png):
    d = _folder(tmp_path, [], make_png())
    (d / "data.jsonl").write_text("\n\n")
    with pytest.raises(ValueError, match="no records"):
        load_records(d)
    assert validate_path(d)[1][0].message.endswith("the dataset has no records")
    (tmp_path / "r.jsonl").write_text("")
    with pytest.raises(ValueError, match="no responses"):
        read_responses(tmp_path / "r.jsonl")


def test_non_utf8_line_is_named(tmp_path, make_png):
    d = _folder(tmp_path, [_good(0), _good(1)], make_png())
    with open(d / "data.jsonl", "ab") as f:
        f.write(b'{"id": "r9", "problem": "caf\xe9", "answer": "1", "images": ["images/a.png"]}\n')
    with pytest.raises(RecordError, match=r"line 3 is not UTF-8"):
        load_records(d)
    assert any("line 3 is not UTF-8" in p.message for p in validate_path(d)[1])
    (tmp_path / "r.jsonl").write_bytes(b'{"id": "r0", "response": "ok"}\n{"id": "r1", "response": "\xff"}\n')
    with pytest.raises(RecordError, match=r"line 2 is not UTF-8"):
        read_responses(tmp_path / "r.jsonl")


@pytest.mark.parametrize("row, field", [({"id": "a", "response": 3}, "response"),
                                        ({"id": "a", "response": None}, "response"),
                                        ({"id": "a"}, "response"), ({"response": "x"}, "id")])
def test_bad_response_lines_are_named(row, field, tmp_path):
    (tmp_path / "r.jsonl").write_text(json.dumps(row) + "\n")
    with pytest.raises(RecordError) as err:
        read_responses(tmp_path / "r.jsonl")
    assert err.value.field == field and "line 1" in str(err.value)


@pytest.mark.parametrize("patch", [{"visual_annotations": "AB = 3"}, {"choices": "ABCD", "answer": "A"},
                                   {"visual_annotations": [3, None]}])
def test_record_from_dict_never_splits_or_stringifies(patch):
    with pytest.raises(RecordError):
        Record.from_dict({"id": "x", "images": [b"png"], "problem": "p", "answer": "5", **patch})
