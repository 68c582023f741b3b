"""Geometry3K test split (Lu et al., InterGPS), the paper's training source. Official check
(InterGPS `symbolic_solver/test.py`): a predicted value is right when the gold choice is the
nearest in value among the choices (`precise_value`); a letter or a choice's text compares by
choice; anything else by the project's one definition of correct (`rewards.accuracy.is_correct`).

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
from ...rewards.numeric import numeric_value
from .. import rules
from ..rules import Extraction

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
                        "problem_type_graph": d.get("problem_type_graph"),
                        "precise_value": d.get("precise_value")})


def extract(rec: Record, response: str) -> Extraction:
    return rules.extract(response, rec.choices)


def choice_values(rec: Record) -> list[float | None]:
    """The numeric value of every choice: the release's `precise_value`, else computed from the
    choice text (`5\\sqrt{3}` -> 8.660...)."""
    precise = rec.meta.get("precise_value")
    if precise and len(precise) == len(rec.choices or []):
        return [None if v is None else float(v) for v in precise]
    return [numeric_value(str(c)) for c in rec.choices or []]


def nearest_choice_correct(rec: Record, value: float) -> bool:
    """InterGPS `test.py`: right when every choice has a value and the gold choice is (one of) the
    nearest to the predicted value."""
    gold = rules.choice_letter(rec.answer, rec.choices or [])
    values = choice_values(rec)
    if gold is None or not values or any(v is None for v in values):
        return False
    dists = [abs(v - value) for v in values]
    return dists[ord(gold) - ord("A")] == min(dists)


def score(rec: Record, extracted: str | None, response: str) -> dict[str, Any]:
    """A letter or a choice's text compares by choice; any other value is right when the gold
    choice is the nearest in value (official InterGPS check: `8.66` for `5\\sqrt{3}`); other
    answers by `rewards.accuracy.is_correct`."""
    cats = {k: rec.meta.get(k) for k in CATEGORY_KEYS}
    if extracted is None or not str(extracted).strip():
        return {"correct": False, "match": "none", **cats}
    if rec.choices:
        letter = rules.choice_letter(extracted, rec.choices)
        if letter is not None:
            return {"correct": letter == rules.choice_letter(rec.answer, rec.choices), "match": "choice", **cats}
        value = numeric_value(rules.number_of(extracted) or rules.normalize_latex(extracted))
        if value is not None:
            return {"correct": nearest_choice_correct(rec, value), "match": "nearest_value", **cats}
    ok = is_correct(extracted, rec.answer, rec.choices)
    return {"correct": bool(ok), "match": "equivalent", **cats}
