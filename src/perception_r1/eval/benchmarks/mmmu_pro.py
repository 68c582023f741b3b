"""MMMU-Pro (standard 10-option and vision settings), scored by the official
`mmmu-pro/evaluate.py` (MMMU-Benchmark/MMMU).

Layout: the Hugging Face `MMMU/MMMU_Pro` parquet files — pass the `standard (10 options)` folder
or the `vision` folder (or one parquet file). Standard rows carry `question`, `options`,
`image_1` … `image_7`; vision rows carry one screenshot `image` holding question and options.
Both carry `id`, `answer` (a letter) and `subject`. The two settings are separate runs and are
reported separately (`setting` in each result).

Official rule: MMMU's multiple-choice parser with MMMU-Pro's additions (a unique option letter after
the last "Answer:", "A." candidates), a random letter when none is found (seeded per item here and
flagged `guessed`), then exact match with the gold letter.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from ...data import Record
from ..extract import boxed_answer
from .io import image_value, read_rows
from .mmmu import choice_letter, images_of, parse_options

NAME = "mmmu_pro"
CATEGORY_KEYS = ("setting", "subject")
VISION_PROMPT = "Answer the multiple-choice question shown in the image (question and options are in the image)."


def load(path: str | Path) -> list[Record]:
    rows, base = read_rows(path)
    records = []
    for row in rows:
        qid = str(row["id"])
        options = parse_options(row.get("options") or "[]", qid)
        vision = "question" not in row and "image" in row
        if vision:
            img = image_value(row["image"], base)
            images, problem, setting = ([img] if img else []), VISION_PROMPT, "vision"
        else:
            images, problem = images_of(row, base), str(row["question"])
            setting = f"standard{len(options)}"
        records.append(Record(
            id=qid, images=images, problem=problem, answer=str(row["answer"]), choices=options, source=NAME,
            meta={"setting": setting, "subject": row.get("subject"), "hide_choices": vision}))
    return records


def extract(rec: Record, response: str) -> str | None:
    """`\\boxed{}` in <answer>; otherwise None, and `score` parses the whole response (official)."""
    return boxed_answer(response)


def score(rec: Record, extracted: str | None, response: str) -> dict[str, Any]:
    text = extracted if extracted is not None else response
    pred, guessed = choice_letter(text, rec.choices or [], pro=True, rng=random.Random(f"42:{rec.id}"))
    return {"prediction": pred, "guessed": guessed, "correct": pred == rec.answer,
            **{k: rec.meta.get(k) for k in CATEGORY_KEYS}}
