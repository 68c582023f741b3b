"""MATH-Vision (MATH-V, Wang et al.), evaluated by the released Perception-R1 code, scored by the
official `evaluation/evaluate.py` + `utils.py` (mathllm/MATH-V).

Layout: the release's `data/test.jsonl` (or `testmini.jsonl`), one item per line: `id`,
`question` (with `<image1>`), `options` (a list, empty for free-form), `image` (a path relative to
the data folder's parent, e.g. `images/1.jpg`), `answer` (a letter for multiple choice), `level`,
`subject`, `solution`. Accuracy per subject and level, as `math_level_subject_acc`.

Official extraction: a response ending " B." / " (B)." or starting "B\\n" is that letter; a
trailing number after "is " is that number; without a `\\boxed{}`, the text after the last "the
(final / correct) answer is" / "the answer should be" up to the end of its sentence; then
`find_math_answer` (the last box, `=` / `\\approx` tails, LaTeX stripped). Verdict: `is_equal` with
the answer or the answer's option text (case-insensitive exact match, else equal values to 2
decimals). We run the shared rules (`eval.rules`) where the official extraction leaves more than
an answer (its fallback is the whole response), and use math-verify (`rewards.accuracy.is_correct`)
for its latex2sympy value comparison: documented departures (docs/evaluation.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ...data import Record
from .. import rules
from ..rules import Extraction
from ..scoring import is_equal_2dp
from .io import read_rows

NAME = "mathvision"
CATEGORY_KEYS = ("subject", "level")
_FLAGS = ("the final answer is", "the answer is", "the correct answer is", "the answer should be")


def load(path: str | Path) -> list[Record]:
    p = Path(path)
    f = p / "data" / "test.jsonl" if p.is_dir() else p
    if not f.is_file():
        raise FileNotFoundError(f"{path}: expected MATH-V's data/test.jsonl (or a .jsonl file)")
    rows, _ = read_rows(f)
    base = f.parent.parent if f.parent.name == "data" else f.parent  # image paths start at the repo root
    records = []
    for row in rows:
        options = row.texts("options")
        img = row.get("image")
        records.append(Record(
            id=row.text("id"), images=[str((base / img).resolve())] if img else [],
            problem=row.text("question"), answer=row.text("answer"), choices=options or None, source=NAME,
            meta={"subject": row.get("subject"), "level": row.get("level")}))
    return records


def official_quick(response: str) -> str | None:
    """The official letter / trailing-number / answer-phrase rules; None when they leave the whole
    response (the official then runs `find_math_answer` on all of it)."""
    text = response.strip()
    for c in "ABCDE":
        if (text.endswith(f" {c}.") or text.endswith(f" ({c}).") or text.startswith(f"{c}\n")
                or text.startswith(f"({c})\n") or text.startswith(f"({c}) {c}\n")):
            return c
    tail = text.split("is ")[-1].rstrip(".")
    if tail != text and rules.number_of(tail) == tail.strip():
        return tail.strip()
    if "oxed{" not in text:
        for flag in _FLAGS:
            for f in (flag, flag.replace("the", "The")):
                if f in text:
                    return text.split(f)[-1].strip().split("\n")[0].split(". ")[0].rstrip(".").lstrip(":").strip()
    return None


def extract(rec: Record, response: str) -> Extraction:
    """The official letter / number / answer-phrase rules (mathllm/MATH-V evaluation/evaluate.py), LaTeX
    normalised as `find_math_answer` does, the shared rules where they leave the whole response."""
    return rules.official_then_rules(response, rec.choices, official_quick, rules.normalize_latex)


def score(rec: Record, extracted: str | None, response: str) -> dict[str, Any]:
    cats = {k: rec.meta.get(k) for k in CATEGORY_KEYS}
    if extracted is None or not str(extracted).strip():
        return {"correct": False, **cats}
    gold_value = rec.choices[ord(rec.answer) - ord("A")] if rec.choices and len(rec.answer) == 1 else ""
    pred = str(extracted).strip()
    if rec.choices:
        letter = rules.choice_letter(pred, rec.choices)
        if letter is not None:
            return {"correct": letter == rec.answer, **cats}
    ok = any(is_equal_2dp(pred, g) for g in (rec.answer, gold_value) if g)
    return {"correct": ok, **cats}
