"""MathVista testmini, scored by the official `evaluation/calculate_score.py` (lupantech/MathVista).

Layouts: the repo's `data/testmini.json` (dict pid -> item, images under `data/images/`) or the
Hugging Face `AI4Math/MathVista` parquet (`testmini-*.parquet`, image bytes in `decoded_image`).
Official rule (`normalize_extracted_answer` + `safe_equal`): multiple choice compares choice TEXT —
"(B) text" or "B" maps to choice B, any other text to the choice at the smallest edit distance
(`get_most_similar`); integers compare as `str(int(float(x)))`; floats as
`str(round(float(x), precision))`; lists as `str(x)`; the prediction must equal the answer string.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ...data import Record
from .. import rules
from ..rules import NONE, Extraction
from ..scoring import edit_distance
from .io import image_value, read_rows

NAME = "mathvista"
CATEGORY_KEYS = ("question_type", "answer_type", "language", "source", "category", "task", "context",
                 "grade", "skills")

# Official build_query.py hints (used when a release file has no ready `query`).
_HINTS = {
    "multi_choice": "Hint: Please answer the question and provide the correct option letter, e.g., A, B, C, D, at the end.",
    "integer": "Hint: Please answer the question requiring an integer answer and provide the final value, e.g., 1, 2, 3, at the end.",
    "float1": "Hint: Please answer the question requiring a floating-point number with one decimal place and provide the final value, e.g., 1.2, 1.3, 1.4, at the end.",
    "float2": "Hint: Please answer the question requiring a floating-point number with two decimal places and provide the final value, e.g., 1.23, 1.34, 1.45, at the end.",
    "list": "Hint: Please answer the question requiring a Python list as an answer and provide the final list, e.g., [1, 2, 3], [1.2, 1.3, 1.4], at the end.",
}


def load(path: str | Path) -> list[Record]:
    """Items of a MathVista release file; `meta` keeps the fields the official scorer reads."""
    rows, base = read_rows(path, split="testmini" if Path(path).is_dir() else None)
    records = []
    for row in rows:
        meta = dict(row.get("metadata") or {})
        img = image_value(row.get("decoded_image") or row.get("image"), base)
        choices = row.texts("choices") or None
        query = row.get("query") or _query(row, choices)
        records.append(Record(
            id=row.text("pid"), images=[img] if img else [], problem=query, answer=row.text("answer"),
            choices=choices, source=NAME,
            meta={"question_type": row["question_type"], "answer_type": row["answer_type"],
                  "precision": row.get("precision"), "unit": row.get("unit"),
                  # the query already lists the choices: the prompt must not add them again
                  "hide_choices": True,
                  **{k: meta.get(k) for k in CATEGORY_KEYS[2:]}}))
    return records


def _query(row: dict[str, Any], choices: list[str] | None) -> str:
    qt, at = row["question_type"], row["answer_type"]
    if qt == "multi_choice":
        hint = _HINTS["multi_choice"]
    elif at == "float":
        hint = _HINTS["float2" if int(row.get("precision") or 1) >= 2 else "float1"]
    else:
        hint = _HINTS.get(at, _HINTS["integer"])
    text = f"{hint}\nQuestion: {row['question']}"
    if row.get("unit"):
        text += f" (Unit: {row['unit']})"
    if choices:
        text += "\nChoices:\n" + "\n".join(f"({chr(ord('A') + i)}) {c}" for i, c in enumerate(choices))
    return text


def extract(rec: Record, response: str) -> Extraction:
    """The official quick rules of `extract_answer.py` first (the response is a choice, an integer,
    a float, or says `The answer is "x".`), then the shared rules (`eval.rules`). A multiple-choice
    response the rules cannot read yields its first sentence, not confident: the official
    nearest-choice rule then decides unless the LLM extractor is configured."""
    text = (response or "").strip()
    if not text:
        return NONE
    m = rec.meta
    if m["question_type"] == "multi_choice" and rec.choices and text in rec.choices:
        return Extraction(text, "official_quick")
    for kind, cast in (("integer", int), ("float", float)):
        if m["answer_type"] == kind:
            try:
                return Extraction(str(cast(text)), "official_quick")
            except ValueError:
                pass
    quoted = re.search(r'The answer is "(.*)"\.', response)
    if quoted:
        return Extraction(quoted.group(1), "official_quick")
    if m["question_type"] == "multi_choice":
        return rules.extract(response, rec.choices)
    ext = rules.extract(response, None)
    if ext.answer is not None and m["answer_type"] in ("integer", "float"):
        # the official step would hand float() a bare number: "1000\\text{ g}" -> "1000"
        num = rules.number_of(ext.answer)
        return Extraction(num, ext.rule, ext.confident) if num is not None else Extraction(ext.answer, ext.rule, False)
    return ext


def get_most_similar(prediction: str, choices: list[str]) -> str:
    """Official: the choice at the smallest Levenshtein distance (the first one on ties)."""
    dists = [edit_distance(prediction, c) for c in choices]
    return choices[dists.index(min(dists))]


def normalize_extracted_answer(extraction: Any, choices: list[str] | None, question_type: str,
                               answer_type: str, precision: Any) -> str | None:
    """Official `normalize_extracted_answer`: the extraction made comparable with the answer string."""
    if question_type == "multi_choice":
        extraction = extraction.strip() if isinstance(extraction, str) else str(extraction)
        letter = re.findall(r"\(([a-zA-Z])\)", extraction)
        if letter:
            extraction = letter[0].upper()
        options = [chr(ord("A") + i) for i in range(len(choices or []))]
        if extraction in options:
            return choices[options.index(extraction)]
        return get_most_similar(extraction, list(choices or []))
    try:
        if answer_type == "integer":
            return str(int(float(extraction)))
        if answer_type == "float":
            return str(round(float(extraction), int(precision)))
    except (TypeError, ValueError, OverflowError):  # official: any exception -> None
        return None
    if answer_type == "list":
        return str(extraction)
    return extraction


def score(rec: Record, extracted: str | None, response: str) -> dict[str, Any]:
    """Per-item verdict by the official `normalize_extracted_answer` + `safe_equal`. As the official
    default (`ignore_empty_extractions=False`), a multiple-choice item with no extraction maps to the
    nearest choice of the empty string; such verdicts are flagged `guessed`."""
    m = rec.meta
    guessed = m["question_type"] == "multi_choice" and (extracted is None or not str(extracted).strip())
    prediction = normalize_extracted_answer("" if extracted is None else extracted, rec.choices,
                                            m["question_type"], m["answer_type"], m["precision"])
    return {"prediction": prediction, "guessed": guessed, "correct": prediction is not None and prediction == rec.answer,
            **{k: m.get(k) for k in CATEGORY_KEYS}}
