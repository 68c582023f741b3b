"""MathVerse testmini, with its problem versions (Text Dominant, Text Lite, Vision Intensive,
Vision Dominant, Vision Only, Text Only) reported separately.

Layout: the release's `testmini.json` (a list; images under `images/`, Text Only items have
`image: ""`) or the Hugging Face `AI4Math/MathVerse` parquet. Fields `sample_index`,
`problem_version`, `question` (multiple-choice options are written inside it: "Choices:\\nA:…"),
`answer` (a letter for multi-choice), `question_type`, `metadata` {source, subject, subfield},
`query_cot`.

Official scoring (`evaluation/score_answer_s2.py`): a quick exact match of the extraction with the
answer, else a GPT-4 judgement of equivalence. Without an LLM judge we use the project's one
definition of correct (`rewards.accuracy.is_correct`, math-verify equivalence, letters or option
text for multiple choice) for that second step. Accuracy per version, subject and subfield.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ...data import Record
from ...rewards.accuracy import is_correct
from ..extract import boxed_answer
from .io import image_value, read_rows

NAME = "mathverse"
CATEGORY_KEYS = ("problem_version", "question_type", "subject", "subfield", "source")
_CHOICES_HEAD = re.compile(r"Choices?:")
_CHOICE_RE = re.compile(r"^\s*\(?([A-H])\)?\s*[:.)]\s*(.*)$")


def inline_choices(question: str) -> list[str] | None:
    """Option texts written after 'Choices:' (or 'Choice:') in the question ("A:40°" / "A. 40°" / "(A) 40°")."""
    parts = _CHOICES_HEAD.split(question, maxsplit=1)
    if len(parts) < 2:
        return None
    out = []
    for line in parts[1].splitlines():
        m = _CHOICE_RE.match(line)
        if m and ord(m.group(1)) - ord("A") == len(out):
            out.append(m.group(2).strip())
    return out or None


def load(path: str | Path) -> list[Record]:
    rows, base = read_rows(path, split="testmini" if Path(path).is_dir() else None)
    records = []
    for row in rows:
        meta = dict(row.get("metadata") or {})
        img = image_value(row.get("image") or None, base)
        question = str(row.get("question") or "")
        records.append(Record(
            id=str(row["sample_index"]), images=[img] if img else [],
            problem=question if question.strip() else str(row.get("query_cot") or ""),
            answer=str(row["answer"]), choices=inline_choices(question), source=NAME,
            meta={"problem_version": row.get("problem_version"), "question_type": row.get("question_type"),
                  "problem_index": row.get("problem_index"), "hide_choices": True,
                  **{k: meta.get(k) for k in ("subject", "subfield", "source")}}))
    return records


def extract(rec: Record, response: str) -> str | None:
    """`\\boxed{}` in <answer>; None otherwise (the LLM extractor, as the official step 1, may follow)."""
    return boxed_answer(response)


def score(rec: Record, extracted: str | None, response: str) -> dict[str, Any]:
    cats = {k: rec.meta.get(k) for k in CATEGORY_KEYS}
    if extracted is None or not extracted.strip():
        return {"correct": False, "match": "none", **cats}
    if extracted.strip() == rec.answer.strip():  # the official quick match
        return {"correct": True, "match": "exact", **cats}
    ok = is_correct(extracted, rec.answer, rec.choices)
    return {"correct": bool(ok), "match": "equivalent" if ok else "none", **cats}
