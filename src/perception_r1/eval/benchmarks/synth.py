"""The synthetic geometry world (`perception-r1 synth`): the project's data contract with exact
visual facts, so perception is checked against ground truth. Correct = `rewards.accuracy.is_correct`;
accuracy per `meta.family`. The perception check itself (judge over `visual_annotations`) is done
for every benchmark by `eval.run`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ...data import Record, load_records
from ...rewards.accuracy import is_correct
from .. import rules
from ..rules import NONE, Extraction

NAME = "synth"
CATEGORY_KEYS = ("family",)


def load(path: str | Path) -> list[Record]:
    return load_records(path)


def extract(rec: Record, response: str) -> Extraction:
    """The training format only (the `\\boxed{}` of `<answer>`, as the accuracy reward reads it):
    synth measures the trained format, so an unboxed answer is no answer here."""
    boxed = rules.boxed_answer(response or "")
    return Extraction(boxed, "boxed") if boxed is not None else NONE


def score(rec: Record, extracted: str | None, response: str) -> dict[str, Any]:
    ok = extracted is not None and is_correct(extracted, rec.answer, rec.choices)
    return {"correct": bool(ok), "family": rec.meta.get("family")}
