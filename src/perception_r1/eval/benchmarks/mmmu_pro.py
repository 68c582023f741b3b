"""MMMU-Pro (standard 10-option and vision settings), scored by the official
`mmmu-pro/evaluate.py` (MMMU-Benchmark/MMMU).

Layout: the Hugging Face `MMMU/MMMU_Pro` parquet files — pass the `standard (10 options)` folder
or the `vision` folder (or one parquet file). Standard rows carry `question`, `options`,
`image_1` … `image_7`; vision rows carry one screenshot `image` holding question and options.
Both carry `id`, `answer` (a letter) and `subject`. The two settings are separate runs and are
reported separately (`setting` in each result).

Official rule: MMMU's multiple-choice parser with MMMU-Pro's additions (a unique option letter after
the last "Answer:", read before anything else, and "A." candidates), a random letter when none is
found (seeded per item here and flagged `guessed`), then exact match with the gold letter. Where
the official parser finds nothing, a `\\boxed{}` option and the shared rules are tried before the
guess (a documented departure, docs/evaluation.md). Settings: `standard (10 options)`,
`standard (4 options)`, `vision`.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from ...data import Record
from ..rules import Extraction
from .io import image_value, read_rows
from .mmmu import choice_letter, images_of, mc_extract, parse_options

NAME = "mmmu_pro"
CATEGORY_KEYS = ("setting", "subject")
VISION_PROMPT = "Answer the multiple-choice question shown in the image (question and options are in the image)."


def setting_of(path: str | Path, vision_row: bool) -> str:
    """The official setting label: `vision`, `standard (10 options)` or `standard (4 options)`, from
    the row layout and the release folder's name (the 10-option set holds items with fewer options:
    the label is the set's, not `len(options)`)."""
    name = " ".join(Path(path).resolve().parts[-2:]).lower()
    if vision_row or "vision" in name:
        return "vision"
    return "standard (4 options)" if "4 options" in name or "4_options" in name else "standard (10 options)"


def load(path: str | Path) -> list[Record]:
    rows, base = read_rows(path)
    records = []
    for row in rows:
        qid = row.text("id")
        options = parse_options(row.get("options") or "[]", qid)
        vision_row = "question" not in row and "image" in row
        setting = setting_of(path, vision_row)
        if vision_row:
            img = image_value(row["image"], base)
            images, problem = ([img] if img else []), VISION_PROMPT
        else:
            images, problem = images_of(row, base), row.text("question")
        records.append(Record(
            id=qid, images=images, problem=problem, answer=row.text("answer"), choices=options, source=NAME,
            meta={"setting": setting, "subject": row.get("subject"), "hide_choices": vision_row}))
    return records


def extract(rec: Record, response: str) -> Extraction:
    """The official order: the unique option after the last "Answer:" first (before any box), then
    a box, the official parser, the shared rules (`mmmu.mc_extract`)."""
    return mc_extract(response, rec.choices or [], pro=True)


def score(rec: Record, extracted: str | None, response: str) -> dict[str, Any]:
    pred, guessed = choice_letter(extracted or "", rec.choices or [], pro=True, rng=random.Random(f"42:{rec.id}"))
    return {"prediction": pred, "guessed": guessed, "correct": pred == rec.answer,
            **{k: rec.meta.get(k) for k in CATEGORY_KEYS}}
