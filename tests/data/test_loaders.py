"""The data contract's three layouts round-trip; images are normalised by the paper run's pixel clamp."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from perception_r1.data import RecordError, load_image, load_records, read_responses, write_folder, write_parquet
from perception_r1.data.loaders import detect_layout, iter_rows


def _same(loaded, original):
    assert [r.id for r in loaded] == [r.id for r in original]
    for a, b in zip(loaded, original):
        got = [Path(x).read_bytes() if isinstance(x, str) else bytes(x) for x in a.images]
        assert got == b.images
        for field in ("problem", "answer", "choices", "visual_annotations", "cot", "source", "meta"):
            assert getattr(a, field) == getattr(b, field), field


def test_folder_round_trip(tmp_path: Path, records):
    write_folder(records, tmp_path / "f")
    assert detect_layout(tmp_path / "f") == "folder"
    loaded = load_records(tmp_path / "f")
    assert all(Path(x).is_absolute() for r in loaded for x in r.images)
    _same(loaded, records)
    # Writing the loaded records again (paths now) gives the same files.
    write_folder(loaded, tmp_path / "g")
    assert (tmp_path / "g" / "data.jsonl").read_text() == (tmp_path / "f" / "data.jsonl").read_text()
    _same(load_records(tmp_path / "f" / "data.jsonl"), records)


def test_parquet_round_trip(tmp_path: Path, records):
    out = write_parquet(records, tmp_path / "d.parquet")
    assert detect_layout(out) == "parquet"
    _same(load_records(out), records)
    _same(load_records(tmp_path), records)  # a folder of parquet shards


def test_datasets_folder_round_trip(tmp_path: Path, records):
    datasets = pytest.importorskip("datasets")
    rows = []
    for r in records:
        row = r.to_dict()
        row["images"] = [{"bytes": b, "path": None} for b in r.images]
        row["meta"] = json.dumps(row["meta"])  # one JSON column: a struct would add other rows' keys as None
        rows.append(row)
    ds = datasets.Dataset.from_list(rows).cast_column("images", datasets.List(datasets.Image()))
    ds.save_to_disk(str(tmp_path / "ds"))
    assert detect_layout(tmp_path / "ds") == "datasets"
    _same(load_records(tmp_path / "ds"), records)


def test_datasets_folder_with_single_image_column(tmp_path: Path, records):
    datasets = pytest.importorskip("datasets")
    rows = [{"id": r.id, "image": {"bytes": r.images[0], "path": None}, "problem": r.problem, "answer": r.answer,
             "choices": r.choices} for r in records]
    datasets.Dataset.from_list(rows).cast_column("image", datasets.Image()).save_to_disk(str(tmp_path / "ds"))
    loaded = load_records(tmp_path / "ds")
    assert [r.images for r in loaded] == [r.images for r in records]


def test_broken_json_line_raises_naming_the_line(tmp_path: Path, records):
    write_folder(records, tmp_path)
    with open(tmp_path / "data.jsonl", "a") as f:
        f.write("[1, 2]\n")
    with pytest.raises(RecordError) as e:
        load_records(tmp_path)
    assert e.value.record_id == "<line 4>" and e.value.field == "json"
    seen = []
    assert len(list(iter_rows(tmp_path, on_error=seen.append))) == 3 and len(seen) == 1


def test_missing_answer_raises_naming_record(tmp_path: Path, records):
    records[1].answer = ""
    write_folder(records, tmp_path)
    with pytest.raises(RecordError, match="'r1'.*'answer'"):
        load_records(tmp_path)


@pytest.mark.parametrize("size, lo, hi, expect", [
    ((32, 24), 3136, 1806336, (65, 49)),       # too small: scaled up to at least min_pixels
    ((100, 50), 3136, 1806336, (100, 50)),     # inside: untouched
    ((2000, 1000), 3136, 1806336, (1900, 950)),  # too large: scaled down under max_pixels
    ((300, 300), 3136, 10000, (100, 100)),
])
def test_load_image_clamps_pixels(size, lo, hi, expect, make_png):
    img = load_image(make_png(*size), min_pixels=lo, max_pixels=hi)
    assert img.mode == "RGB" and img.size == expect
    assert lo <= img.size[0] * img.size[1] <= hi
    assert abs(img.size[0] / img.size[1] - size[0] / size[1]) < 0.05


def test_read_responses(tmp_path: Path):
    p = tmp_path / "r.jsonl"
    p.write_text('{"id": 1, "response": "a"}\n\n{"id": "1", "response": "b"}\n')
    assert [(r["id"], r["response"]) for r in read_responses(p)] == [("1", "a"), ("1", "b")]
    p.write_text('{"id": 2}\n')
    with pytest.raises(RecordError, match="'response'"):
        read_responses(p)
    p.write_text('{"id": 3, "response": "a"}\n{"id": 4, "resp\n')
    with pytest.raises(RecordError, match="'<line 2>'.*'json'"):
        read_responses(p)


def test_write_folder_keeps_ids_apart_and_refuses_duplicates(tmp_path: Path, records):
    records[0].id, records[1].id = "a/b", "a_b"
    write_folder(records, tmp_path / "f")
    loaded = load_records(tmp_path / "f")
    assert [r.id for r in loaded] == ["a/b", "a_b", "r2"]
    _same(loaded, records)
    records[2].id = "a_b"
    with pytest.raises(RecordError, match="'a_b'.*'id'"):
        write_folder(records, tmp_path / "g")
