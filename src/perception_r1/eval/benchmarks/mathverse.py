"""MathVerse testmini, with its problem versions (Text Dominant, Text Lite, Vision Intensive,
Vision Dominant, Vision Only, Text Only) reported separately.

Layout: the release's `testmini.json` (a list; images under `images/`, Text Only items have
`image: ""`) or the Hugging Face `AI4Math/MathVerse` parquet. Fields `sample_index`,
`problem_version`, `question` (multiple-choice options are written inside it: "Choices:\\nA:…"),
`answer` (a letter for multi-choice), `question_type`, `metadata` {source, subject, subfield},
`query_cot`.

Official scoring (`evaluation/score_answer_s2.py`): a quick exact match of the extraction with the
answer, else a GPT-4 judgement of equivalence. Offline (the default) we use the project's one
definition of correct (`rewards.accuracy.is_correct`, math-verify equivalence, letters or option
text for multiple choice) for that second step; `eval --llm-scoring` runs the official judgement
prompt over the OpenAI protocol instead (`llm_rescore`). Accuracy per version, subject and subfield.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

from ...data import Record
from ...rewards.accuracy import is_correct
from .. import rules
from ..rules import Extraction
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
            id=row.text("sample_index"), images=[img] if img else [],
            problem=question if question.strip() else str(row.get("query_cot") or ""),
            answer=row.text("answer"), choices=inline_choices(question), source=NAME,
            meta={"problem_version": row.get("problem_version"), "question_type": row.get("question_type"),
                  "problem_index": row.get("problem_index"), "hide_choices": True,
                  **{k: meta.get(k) for k in ("subject", "subfield", "source")}}))
    return records


def extract(rec: Record, response: str) -> Extraction:
    """The shared rules (the official step 1 asks GPT-4; the LLM extractor does that when
    configured, for every response the rules cannot read)."""
    return rules.extract(response, rec.choices)


def score(rec: Record, extracted: str | None, response: str) -> dict[str, Any]:
    """Official step 2 offline: the quick exact match, then math-verify equivalence in place of
    GPT-4's judgement (`llm_rescore` runs the official LLM judgement instead)."""
    cats = {k: rec.meta.get(k) for k in CATEGORY_KEYS}
    if extracted is None or not extracted.strip():
        return {"correct": False, "match": "none", **cats}
    if extracted.strip() == rec.answer.strip():  # the official quick match
        return {"correct": True, "match": "exact", **cats}
    # the same up to LaTeX layout: the gold read by the same rules as a boxed answer
    if rules.normalize_latex(extracted) == rules.extract(f"\\boxed{{{rec.answer}}}").answer:
        return {"correct": True, "match": "normalized", **cats}
    pred = extracted
    if rules.number_of(rec.answer) == rec.answer.strip() and rules.number_of(extracted) is not None:
        pred = rules.number_of(extracted)  # a bare-number gold: "5 cm" answers 5
    ok = is_correct(pred, rec.answer, rec.choices)
    return {"correct": bool(ok), "match": "equivalent" if ok else "none", **cats}


# Official `evaluation/prompts.py` demo_prompt_score (ZrrSkywalker/MathVerse), its spelling kept.
SCORE_PROMPT = """Below are two answers to a math question. Question is [Question], [Standard Answer] is the standard answer to the question, and [Model_answer] is the answer extracted from a model's output to this question.  Determine whether these two answers are consistent.
Please note that only when the [Model_answer] completely matches the [Standard Answer] means they are consistent. For non-multiple-choice questions, if the meaning is expressed in the same way, it is also considered consistent, for example, 0.5m and 50cm.
If they are consistent, Judement is 1; if they are different, Judement is 0.

[Question]: Write the set of numbers represented on the number line in interval notation.
[Standard Answer]: (-2,1]
[Model_answer] : Extracted Answer: \\((-2, 1)\\)
Judgement: 0

[Question]: Find the domain and range of the function f using interval notation.
[Standard Answer]: domain: [-4, 0) and range: (-3, 1]
[Model_answer] : Range: \\((-4, 1]\\)
Judgement: 0

[Question]: Given the graph of the ellipse that intersects with x-axis at 9 and -9 and with y-axis at 3 and -3, determine its equation.A. \\frac{{x^2}}{{81}} + \\frac{{y^2}}{{9}} = 1 B. Can not determine.\\n
[Standard Answer]: A
[Model_answer] : \\frac{{x^2}}{{81}} + \\frac{{y^2}}{{9}} = 1
Judgement: 1

[Question]: {question}
[Standard Answer]: {gt}
[Model_answer] : {extraction}
Judgement: """


def score_prompt(rec: Record, extracted: str) -> str:
    return (SCORE_PROMPT.replace("{question}", rec.problem).replace("{gt}", rec.answer)
            .replace("{extraction}", extracted))


def parse_judgement(reply: str) -> bool | None:
    """The official step reads the judgement digit: `1` consistent, `0` not; None if neither."""
    m = re.search(r"[01]", (reply or "").strip())
    return None if m is None else m.group(0) == "1"


def llm_rescore(client, records: list[Record], rows: list[dict[str, Any]]) -> int:
    """The official step 2 with an LLM over the OpenAI protocol: every row not settled by the quick
    match gets the official judgement prompt (temperature 0). Returns how many replies could not be
    read (those rows keep the offline verdict, `match` = "llm_unreadable"); the rest get
    `match` = "llm"."""
    from ...eventloop import run_sync
    from ...llm import LLMError

    todo = [i for i, r in enumerate(rows) if r["match"] != "exact" and r.get("extracted")]

    async def one(i: int) -> bool | None:
        try:
            result = await client.chat([{"role": "user", "content": score_prompt(records[i], rows[i]["extracted"])}],
                                       temperature=0.0, max_tokens=8)
        except LLMError:
            return None
        return parse_judgement(result.text)

    async def all_() -> list[bool | None]:
        return list(await asyncio.gather(*(one(i) for i in todo)))

    unreadable = 0
    for i, verdict in zip(todo, run_sync(all_())):
        if verdict is None:
            unreadable += 1
            rows[i]["match"] = "llm_unreadable"
        else:
            rows[i]["correct"], rows[i]["match"] = verdict, "llm"
    return unreadable
