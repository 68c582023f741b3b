"""EMMA (Hao et al., "Can MLLMs Reason in Multimodality?"), reported by the Perception-R1 paper,
scored by the official `evaluation/evaluate.py` rule path (hychaochao/EMMA).

Layout: the Hugging Face `luckychao/EMMA` parquet (one folder per subject: `Math`, `Physics`,
`Chemistry`, `Coding`; pass the top folder, a subject folder or a file): `pid`, `question`,
`options` (a list; empty for open-ended), `answer` (a letter for multiple choice), `image_1` …
`image_5`, `solution`, `subject`, `task`, `category`, `source`, `type` ("Multiple Choice" |
"Open-ended"). Accuracy per subject, type and category.

Official extraction (`fast_extract_answer`): a response that is a letter or starts "X:"; a bare
number; the last `\\boxed{}` (its `\\text{}` if any); the text after the last "final answer is" /
"correct answer is" / "answer should be" / "answer is" up to the first period; else the whole
response. Verdict: `is_equal` with the answer or the answer's option text (`gt_content`). The
shared rules (`eval.rules`) read the answer where the official rule would hand over the whole
response, and math-verify stands in for its value comparison (documented in docs/evaluation.md);
the official GPT-4o grading (`--gpt_eval`) is not reproduced.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ...data import Record
from ...rewards.accuracy import boxed_contents
from .. import rules
from ..rules import Extraction
from ..scoring import is_equal_2dp
from .io import image_value, read_rows

NAME = "emma"
CATEGORY_KEYS = ("subject", "type", "category")
_FLAGS = ("final answer is", "correct answer is", "answer should be", "answer is")


def load(path: str | Path) -> list[Record]:
    rows, base = read_rows(path)
    records = []
    for row in rows:
        options = row.texts("options")
        images = [image_value(row.get(f"image_{k}"), base) for k in range(1, 6)]
        records.append(Record(
            id=row.text("pid"), images=[i for i in images if i is not None], problem=row.text("question"),
            answer=row.text("answer").strip(), choices=options or None, source=NAME,
            meta={"subject": row.get("subject"), "type": row.get("type"), "category": row.get("category")}))
    return records


def official_quick(response: str) -> str | None:
    """`fast_extract_answer` up to, not including, its fallback to the whole response."""
    text = response.strip()
    for ch in "ABCDEFGH":
        if text.upper() == ch or text.startswith(f"{ch}:"):
            return ch
    if rules.number_of(text) == text:
        return text
    if "boxed{" in text:
        boxed = boxed_contents(text)
        if boxed:
            return rules.normalize_latex(boxed[-1])
    low = text.lower()
    for flag in _FLAGS:
        if flag in low:
            return low.split(flag)[-1].strip().split("\n")[0].split(".")[0]
    return None


def extract(rec: Record, response: str) -> Extraction:
    """`fast_extract_answer` (hychaochao/EMMA evaluation/evaluate.py), the shared rules where it would
    hand over the whole response."""
    return rules.official_then_rules(response, rec.choices, official_quick)


def score(rec: Record, extracted: str | None, response: str) -> dict[str, Any]:
    cats = {k: rec.meta.get(k) for k in CATEGORY_KEYS}
    if extracted is None or not str(extracted).strip():
        return {"correct": False, **cats}
    pred = str(extracted).strip()
    if rec.choices:
        letter = rules.choice_letter(pred.upper() if len(pred) == 1 else pred, rec.choices)
        return {"correct": letter is not None and letter == rec.answer, **cats}
    return {"correct": is_equal_2dp(pred, rec.answer), **cats}
