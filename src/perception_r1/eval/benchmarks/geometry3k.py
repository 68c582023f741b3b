"""Geometry3K test split (Lu et al., InterGPS), the paper's training source; accuracy by the
project's one definition of correct (`rewards.accuracy.is_correct`: the right letter, the right
choice's text, or an equivalent value).

Layouts: the official release (`geometry3k/test/<id>/data.json` + `img_diagram.png`, with
`problem_text`, `choices`, `answer` letter, `problem_type_graph`, `problem_type_goal`), or a dataset
in the project's data contract (a folder with data.jsonl, a parquet file such as
`hiyouga/geometry3k`'s, or a datasets folder). Accuracy per goal and graph type where known.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ...data import Record
from ...data.loaders import iter_rows
from ...rewards.accuracy import is_correct
from ..extract import boxed_answer

NAME = "geometry3k"
CATEGORY_KEYS = ("problem_type_goal", "problem_type_graph")


def load(path: str | Path) -> list[Record]:
    p = Path(path)
    official = sorted(p.glob("*/data.json")) if p.is_dir() else []
    if official:
        return [_official(f) for f in sorted(official, key=lambda f: (len(f.parent.name), f.parent.name))]
    records = []
    for i, row in iter_rows(p):
        row.setdefault("id", str(i))  # hiyouga/geometry3k has no id column: use the row index
        row["problem"] = str(row.get("problem", "")).replace("<image>", "").strip()
        rec = Record.from_dict(row, index=i + 1)
        rec.source = rec.source or NAME
        records.append(rec)
    return records


def _official(data_json: Path) -> Record:
    d = json.loads(data_json.read_text(encoding="utf-8"))
    img = data_json.parent / "img_diagram.png"
    return Record(id=str(d.get("id", data_json.parent.name)), images=[str(img.resolve())],
                  problem=d.get("annotat_text") or d.get("compact_text") or d["problem_text"], answer=str(d["answer"]),
                  choices=[str(c) for c in d.get("choices") or []] or None, source=NAME,
                  meta={"problem_type_goal": d.get("problem_type_goal"),
                        "problem_type_graph": d.get("problem_type_graph")})


def extract(rec: Record, response: str) -> str | None:
    return boxed_answer(response)


def score(rec: Record, extracted: str | None, response: str) -> dict[str, Any]:
    ok = extracted is not None and is_correct(extracted, rec.answer, rec.choices)
    return {"correct": bool(ok), **{k: rec.meta.get(k) for k in CATEGORY_KEYS}}
