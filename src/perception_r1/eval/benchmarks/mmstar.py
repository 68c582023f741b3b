"""MMStar (Chen et al.), 1500 vision-indispensable multiple-choice items, scored by the official
`eval/vlmeval/evaluate/mmstar.py` (MMStar-Benchmark/MMStar).

Layout: the Hugging Face `Lin-Chen/MMStar` parquet (`mmstar.parquet`; a folder or the file):
`index`, `question` (the options written inside it: "Options: A: ..., B: ..."), `image` (bytes),
`answer` (a letter), `category`, `l2_category`, `meta_info`. Accuracy per category and
l2_category (the official 6 x 3 table).

Official verdict on the lower-cased prediction: right when its first character is the answer
letter, or it starts "(" + letter, "option " + letter, or "the answer is " + letter. A model that
reasons first never starts with its letter; where the official check fails on the raw response we
read the letter with the shared rules (`eval.rules`) and apply the same check to it (a documented
departure, docs/evaluation.md).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ...data import Record
from .. import rules
from ..rules import NONE, Extraction
from .io import image_value, read_rows

NAME = "mmstar"
CATEGORY_KEYS = ("category", "l2_category")
_OPTIONS_RE = re.compile(r"(?:^|[\s,])([A-F])\s*[:：]\s*(.+?)(?=,\s*[A-F]\s*[:：]|\n|$)")


def inline_options(question: str) -> list[str]:
    """'Options: A: red, B: blue, C: green' -> ['red', 'blue', 'green'] (letters in order)."""
    _, _, tail = question.rpartition("Options:")
    out = []
    for letter, text in _OPTIONS_RE.findall(tail):
        if ord(letter) - ord("A") == len(out):
            out.append(text.strip())
    return out


def load(path: str | Path) -> list[Record]:
    rows, base = read_rows(path)
    records = []
    for row in rows:
        img = image_value(row.get("image"), base)
        question = row.text("question")
        records.append(Record(
            id=row.text("index"), images=[img] if img else [], problem=question, answer=row.text("answer").strip(),
            choices=inline_options(question) or None, source=NAME,
            meta={"category": row.get("category"), "l2_category": row.get("l2_category"), "hide_choices": True}))
    return records


def official_correct(answer: str, prediction: str) -> bool:
    """The official check (`MMStar_eval`) of one prediction string."""
    a = answer.lower().strip().replace("\n", " ")
    p = prediction.lower().strip().replace("\n", " ")
    return bool(p) and (a == p[0] or (p[:1] == "(" and a == p[1:2]) or (p[:7] == "option " and a == p[7:8])
                        or (p[:14] == "the answer is " and a == p[14:15]))


def extract(rec: Record, response: str) -> Extraction:
    """The raw response when the official check can read a letter from its start, else the shared
    rules' letter."""
    text = (response or "").strip()
    if not text:
        return NONE
    head = text.lower()
    if re.match(r"^(?:\(?[a-f]\b|option [a-f]\b|the answer is [a-f]\b)", head):
        return Extraction(text, "official_parser")
    ext = rules.extract(text, rec.choices or list("ABCDEF"))
    letter = rules.choice_letter(ext.answer, rec.choices or list("ABCDEF")) if ext.answer is not None else None
    return Extraction(letter, ext.rule, ext.confident) if letter else Extraction(None, "none", False)


def score(rec: Record, extracted: str | None, response: str) -> dict[str, Any]:
    cats = {k: rec.meta.get(k) for k in CATEGORY_KEYS}
    return {"correct": extracted is not None and official_correct(rec.answer, str(extracted)), **cats}
