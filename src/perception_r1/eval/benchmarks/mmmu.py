"""MMMU validation, scored by the official `eval/eval_utils.py` (MMMU-Benchmark/MMMU).

Layout: the Hugging Face `MMMU/MMMU` parquet files (`<Subject>/validation-*.parquet`; pass the
folder holding the subject folders, or one parquet file). Columns `id`, `question` (with
`<image k>` markers), `options` (a Python-list string), `answer`, `question_type`
(`multiple-choice` | `open`), `image_1` … `image_7`, `subfield`, `topic_difficulty`.

Official rule: multiple choice -> `parse_multi_choice_response` (a random letter when no option is
found; we seed it per item and flag it `guessed`) then exact letter match; open -> every candidate of
`parse_open_response` against the normalized gold (floats to 2 decimals, else substring).
Accuracy per subject, per domain (instance-level, as `calculate_ins_level_acc`) and overall.
"""

from __future__ import annotations

import ast
import random
from pathlib import Path
from typing import Any

from ...data import Record
from .. import rules
from ..rules import NONE, Extraction
from ..scoring import (answer_tag_option, eval_multi_choice, eval_open, multi_choice_info, official_option,
                       parse_multi_choice_response, parse_open_response)
from .io import image_value, read_rows

NAME = "mmmu"
CATEGORY_KEYS = ("question_type", "domain", "subject", "topic_difficulty")

# Official DOMAIN_CAT2SUB_CAT (eval/data_utils.py).
DOMAINS = {
    "Art and Design": ["Art", "Art_Theory", "Design", "Music"],
    "Business": ["Accounting", "Economics", "Finance", "Manage", "Marketing"],
    "Science": ["Biology", "Chemistry", "Geography", "Math", "Physics"],
    "Health and Medicine": ["Basic_Medical_Science", "Clinical_Medicine", "Diagnostics_and_Laboratory_Medicine",
                            "Pharmacy", "Public_Health"],
    "Humanities and Social Science": ["History", "Literature", "Sociology", "Psychology"],
    "Tech and Engineering": ["Agriculture", "Architecture_and_Engineering", "Computer_Science", "Electronics",
                             "Energy_and_Power", "Materials", "Mechanical_Engineering"],
}
SUBJECT_DOMAIN = {s: d for d, subjects in DOMAINS.items() for s in subjects}


def subject_of(qid: str) -> str:
    """`validation_Art_Theory_12` -> `Art_Theory` (official: '_'.join(id.split('_')[1:-1]))."""
    return "_".join(qid.split("_")[1:-1])


def parse_options(raw: Any, qid: str) -> list[str]:
    if isinstance(raw, (list, tuple)):
        return [str(o) for o in raw]
    try:
        value = ast.literal_eval(str(raw))
    except (ValueError, SyntaxError) as e:
        raise ValueError(f"record {qid!r}: field 'options': not a list literal: {raw!r}") from e
    return [str(o) for o in value]


def parse_gold(answer: Any) -> str | list[str]:
    """Gold answer; open questions may list several accepted answers as a list literal."""
    if isinstance(answer, str) and answer.startswith("["):
        try:
            value = ast.literal_eval(answer)
            if isinstance(value, list):
                return [str(v) for v in value]
        except (ValueError, SyntaxError):
            pass
    return str(answer)


def images_of(row: dict[str, Any], base: Path) -> list[str | bytes]:
    imgs = [image_value(row.get(f"image_{k}"), base) for k in range(1, 8)]
    return [i for i in imgs if i is not None]


def load(path: str | Path) -> list[Record]:
    rows, base = read_rows(path, split="validation" if Path(path).is_dir() else None)
    records = []
    for row in rows:
        qid = row.text("id")
        gold = parse_gold(row["answer"])
        subject = subject_of(qid)
        qtype = row.get("question_type", "multiple-choice")
        options = parse_options(row.get("options") or "[]", qid)
        records.append(Record(
            id=qid, images=images_of(row, base), problem=row.text("question"),
            answer=gold if isinstance(gold, str) else "; ".join(gold),
            choices=options if qtype == "multiple-choice" else None, source=NAME,
            meta={"question_type": qtype, "gold": gold, "subject": subject,
                  "domain": SUBJECT_DOMAIN.get(subject, "Other"), "subfield": row.get("subfield"),
                  "topic_difficulty": row.get("topic_difficulty")}))
    return records


def extract(rec: Record, response: str) -> Extraction:
    """Multiple choice: `mc_extract` (the official parser's order, `pro=False`); open: the whole
    response, which `score` parses with the official `parse_open_response`, unless a `\\boxed{}`
    holds the answer."""
    if rec.meta["question_type"] == "multiple-choice":
        return mc_extract(response, rec.choices or [], pro=False)
    boxed = rules.boxed_answer(response or "")
    if boxed is not None and rules.normalize_latex(boxed):
        return Extraction(rules.normalize_latex(boxed), "boxed")
    return Extraction(response, "official_parser") if (response or "").strip() else NONE


def mc_extract(response: str, options: list[str], *, pro: bool) -> Extraction:
    """The option a response names, in the official parser's order with the shared rules where it
    would guess: (MMMU-Pro) the unique letter after the last "Answer:"; a `\\boxed{}` that is an
    option letter or an option's text; the official parser's candidates; the shared rules. None
    (not confident) when all fail: `score` then makes the official random guess."""
    text = response or ""
    index2ans, letters = multi_choice_info(options)
    if pro and (tag := answer_tag_option(text, letters)) is not None:
        return Extraction(tag, "answer_tag")
    boxed = rules.boxed_answer(text)
    if boxed is not None and (letter := rules.choice_letter(boxed, options)) is not None:
        return Extraction(letter, "boxed")
    if (found := official_option(text, letters, index2ans, pro=pro)) is not None:
        return Extraction(found, "official_parser")
    ext = rules.extract(text, options)
    if ext.usable and (letter := rules.choice_letter(ext.answer, options)) is not None:
        return Extraction(letter, ext.rule)
    return Extraction(None, "none", confident=False)


def choice_letter(text: str, options: list[str], *, pro: bool, rng: random.Random) -> tuple[str, bool]:
    """The letter for an extracted answer (a letter, an option's text, or an LLM extractor's reply):
    the shared rules, then the official parser, which guesses when it finds nothing."""
    if (letter := rules.choice_letter(text, options)) is not None:
        return letter, False
    index2ans, letters = multi_choice_info(options)
    return parse_multi_choice_response(text, letters, index2ans, rng, pro=pro)


def score(rec: Record, extracted: str | None, response: str) -> dict[str, Any]:
    m = rec.meta
    cats = {k: m.get(k) for k in CATEGORY_KEYS}
    if m["question_type"] == "multiple-choice":
        # Seeded per item so a verdict does not depend on the order items are scored in.
        pred, guessed = choice_letter(extracted or "", rec.choices or [], pro=False, rng=random.Random(f"42:{rec.id}"))
        return {"prediction": pred, "guessed": guessed, "correct": eval_multi_choice(m["gold"], pred), **cats}
    preds = parse_open_response(extracted or "")
    return {"prediction": [str(p) for p in preds], "correct": eval_open(m["gold"], preds), **cats}
