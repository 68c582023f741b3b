"""Converters from public Geometry3K releases to the data contract (docs/architecture.md, "The data contract").

- `geometry3k`: the original release (Lu et al., 2021, InterGPS): one folder per problem holding
  `data.json` (`problem_text`, `choices`, `answer` as a choice letter, `id`, …) and `img_diagram.png`,
  under `train/`, `val/`, `test/` (any depth is searched). The figure's `diagram_logic_form` (from the
  folder's `logic_form.json`, or from InterGPS's `diagram_logic_forms_annot.json` / its zip by id) is kept
  in `meta.logic_forms`; `annotations="logic-forms"` also turns it into `visual_annotations`
  (`logic_forms.to_annotations`).
- `easyr1`: the `images`/`problem`/`answer` parquet of EasyR1-style copies (e.g. hiyouga/geometry3k):
  `images` a list of HF Image structs, `problem` starting with `<image>`, `answer` the correct choice's
  text (no choices column).
- `perception-r1`: the Perception-R1 release parquet (`geo3k_with_visual_key_info.parquet`), the EasyR1
  layout plus `visual_key_info`, a string of `<info1>…</info1><info2>…</info2>` tags (the column name
  read by the release's `verl/utils/dataset.py`); the tags become `visual_annotations` in order.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Callable

from ..data import Record, RecordError
from .logic_forms import LogicFormError, diagram_forms, read_annot_file, to_annotations

PR1_ANNOTATION_COLUMN = "visual_key_info"
_INFO_RE = re.compile(r"<info(\d+)>(.*?)</info\1>", re.DOTALL)
_TAG_RE = re.compile(r"</?info\d+>")


def parse_info_tags(text: str | None, record_id: str = "?") -> list[str] | None:
    """`<info1>a</info1>\\n<info2>b</info2>` -> ["a", "b"]; None/empty -> None. Tags out of order, or
    text left outside the tags, raise RecordError naming the record and field."""
    if text is None or not str(text).strip():
        return None
    text = str(text)
    found = [(int(m.group(1)), m.group(2).strip()) for m in _INFO_RE.finditer(text)]
    leftover = _INFO_RE.sub("", text).strip()
    if not found or leftover:
        bad = leftover[:60] if leftover else text[:60]
        raise RecordError(record_id, PR1_ANNOTATION_COLUMN, f"expected <infoN>…</infoN> tags, got {bad!r}")
    numbers = [k for k, _ in found]
    if numbers != list(range(1, len(found) + 1)):
        raise RecordError(record_id, PR1_ANNOTATION_COLUMN, f"tags numbered {numbers}, expected 1..{len(found)}")
    if any(_TAG_RE.search(a) for _, a in found):
        raise RecordError(record_id, PR1_ANNOTATION_COLUMN, "nested or unbalanced <infoN> tags")
    return [a for _, a in found]


ANNOTATION_SOURCES = ("none", "logic-forms")


def from_geometry3k(src: str | Path, *, annotations: str = "none", incidence: bool = False,
                    logic_forms: str | Path | None = None) -> list[Record]:
    """Every `data.json` under `src` with its `img_diagram.png`, sorted by numeric id; with
    `annotations="logic-forms"`, the diagram logic forms as `visual_annotations` (`incidence`: also
    `PointLiesOnLine`/`PointLiesOnCircle`); `logic_forms` names InterGPS's annotation file for folders
    without a `logic_form.json`. A problem whose forms leave no annotation gets none (`None`)."""
    if annotations not in ANNOTATION_SOURCES:
        raise ValueError(f"annotations must be one of {ANNOTATION_SOURCES}, got {annotations!r}")
    by_id = read_annot_file(logic_forms) if logic_forms is not None else {}
    src = Path(src)
    files = sorted(src.rglob("data.json"), key=lambda p: (_numeric(p.parent.name), str(p)))
    if not files:
        raise FileNotFoundError(f"{src}: no */data.json found (expected the Geometry3K release layout)")
    records = []
    for path in files:
        try:
            d = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise RecordError(path.parent.name, "data.json", f"{path}: not a JSON problem file ({e})") from None
        if not isinstance(d, dict):
            raise RecordError(path.parent.name, "data.json", f"{path}: expected a JSON object, got {type(d).__name__}")
        rid = str(d.get("id", path.parent.name))
        img = path.parent / "img_diagram.png"
        if not img.exists():
            raise RecordError(rid, "images", f"{img} is missing")
        for key in ("problem_text", "choices", "answer"):
            if not d.get(key):
                raise RecordError(rid, key, f"{path}: missing or empty")
        letters = "ABCDEFGHIJ"[:len(d["choices"])]
        if d["answer"] not in letters:
            raise RecordError(rid, "answer", f"{path}: {d['answer']!r} is not one of the choice letters {letters}")
        split = d.get("data_type") or (path.parent.parent.name if path.parent.parent != src else None)
        meta = {k: d[k] for k in ("problem_type_graph", "problem_type_goal") if d.get(k)}
        if d.get("source"):
            meta["book"] = d["source"]  # the textbook page the problem came from
        if split:
            meta["split"] = split
        forms = _diagram_forms(path.parent / "logic_form.json", by_id.get(rid), rid)
        if forms is not None:
            meta["logic_forms"] = forms
        facts = None
        if annotations == "logic-forms":
            if forms is None:
                raise RecordError(rid, "logic_forms", f"{path.parent}: no logic_form.json"
                                  + (f" and no entry in {logic_forms}" if logic_forms else " (pass the logic-forms file)"))
            facts = to_annotations(forms, incidence=incidence).annotations or None
        records.append(Record(id=rid, images=[str(img.resolve())], problem=d["problem_text"], answer=d["answer"],
                              choices=[str(c) for c in d["choices"]], visual_annotations=facts,
                              source="geometry3k", meta=meta))
    return records


def _diagram_forms(path: Path, entry: dict | None, rid: str) -> list[str] | None:
    """A problem's diagram logic forms: its folder's `logic_form.json`, else the annotation file's entry."""
    try:
        if path.exists():
            return diagram_forms(json.loads(path.read_text(encoding="utf-8")))
        return diagram_forms(entry) if entry is not None else None
    except (LogicFormError, json.JSONDecodeError) as e:
        raise RecordError(rid, "logic_forms", f"{path}: {e}") from None


def _parquet_rows(src: str | Path) -> list[tuple[str, dict[str, Any]]]:
    import pyarrow.parquet as pq

    src = Path(src)
    files = [src] if src.is_file() else sorted(src.glob("*.parquet"))
    if not files:
        raise FileNotFoundError(f"{src}: no parquet file")
    rows = []
    for fp in files:
        for i, row in enumerate(pq.read_table(fp).to_pylist()):
            rows.append((f"{fp.stem}-{i}", row))
    return rows


def _parquet_record(default_id: str, row: dict[str, Any], source: str) -> Record:
    rid = str(row["id"]) if row.get("id") is not None else default_id
    for key in ("images", "problem", "answer"):
        if row.get(key) is None or (isinstance(row[key], (str, list)) and not row[key]):
            raise RecordError(rid, key, "missing or empty")
    images = row["images"] if isinstance(row["images"], list) else [row["images"]]
    data = []
    for k, img in enumerate(images):
        value = img.get("bytes") if isinstance(img, dict) else img
        if not isinstance(value, (bytes, bytearray)):
            raise RecordError(rid, "images", f"image {k} has no embedded bytes")
        data.append(bytes(value))
    problem = str(row["problem"]).replace("<image>", "").strip()
    return Record(id=rid, images=data, problem=problem, answer=str(row["answer"]).strip(), source=source)


def from_easyr1(src: str | Path) -> list[Record]:
    """EasyR1-style parquet: `<image>` marker dropped from `problem`; `answer` kept as the choice text."""
    return [_parquet_record(rid, row, "geometry3k-easyr1") for rid, row in _parquet_rows(src)]


def from_perception_r1(src: str | Path, column: str = PR1_ANNOTATION_COLUMN) -> list[Record]:
    """The Perception-R1 release parquet: EasyR1 layout + `<infoN>` annotations in `column`."""
    out = []
    for rid, row in _parquet_rows(src):
        rec = _parquet_record(rid, row, "perception-r1-release")
        if column not in row:
            raise RecordError(rec.id, column, f"column missing (columns: {sorted(row)})")
        rec.visual_annotations = parse_info_tags(row[column], rec.id)
        out.append(rec)
    return out


CONVERTERS: dict[str, Callable[[str | Path], list[Record]]] = {
    "geometry3k": from_geometry3k,
    "easyr1": from_easyr1,
    "perception-r1": from_perception_r1,
}


def _numeric(name: str) -> tuple[int, str]:
    return (int(name), "") if name.isdigit() else (1 << 62, name)
