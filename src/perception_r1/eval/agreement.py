"""Agreement of our scorers with the benchmarks' own published verdicts.

Given official model outputs that were scored upstream (MathVista's GPT-4 extractions with
`true_false`, MMMU-Pro's GPT-4o responses with `if_right`, an MMMU validation prediction file), our
implementation of each official rule must reproduce the official verdicts item by item.
"""

from __future__ import annotations

import ast
import json
import random
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .benchmarks import mathvista
from .scoring import eval_multi_choice, eval_open, multi_choice_info, parse_multi_choice_response, parse_open_response


@dataclass
class Agreement:
    name: str
    items: int
    agree: int
    ours_accuracy: float
    official_accuracy: float | None
    disagreements: list[str] = field(default_factory=list)  # first ids whose verdicts differ
    note: str = ""

    @property
    def rate(self) -> float:
        return self.agree / self.items if self.items else 0.0

    def as_dict(self) -> dict:
        return {**asdict(self), "rate": self.rate}


def mathvista_agreement(output_json: str | Path, data_json: str | Path) -> Agreement:
    """Re-score MathVista's official `output_*.json` from its `extraction` with our
    `normalize_extracted_answer` against the answers of the data file; compare with `true_false`."""
    outputs = json.loads(Path(output_json).read_text(encoding="utf-8"))
    data = {r.id: r for r in mathvista.load(data_json)}
    agree = ours = theirs = 0
    diffs = []
    for pid, out in outputs.items():
        rec = data[str(pid)]
        verdict = mathvista.score(rec, out["extraction"], out.get("response", ""))["correct"]
        ours += verdict
        theirs += bool(out["true_false"])
        if verdict == bool(out["true_false"]):
            agree += 1
        else:
            diffs.append(str(pid))
    n = len(outputs)
    return Agreement("MathVista testmini (GPT-4 extractions)", n, agree, ours / n, theirs / n, diffs[:10])


def mmmu_pro_agreement(jsonl: str | Path, seed: int = 42) -> Agreement:
    """Re-parse MMMU-Pro's official responses with the MMMU-Pro parser; compare with `if_right`.
    Where the parser finds no option it guesses a letter (official rule), so a few verdicts may
    legitimately differ; `note` counts those guesses."""
    rows = [json.loads(line) for line in Path(jsonl).read_text(encoding="utf-8").splitlines() if line.strip()]
    rng = random.Random(seed)
    agree = ours = theirs = guesses = 0
    diffs = []
    for row in rows:
        response = row["response"] if isinstance(row["response"], str) else ""
        index2ans, letters = multi_choice_info(ast.literal_eval(str(row["options"])))
        pred, guessed = parse_multi_choice_response(response, letters, index2ans, rng, pro=True)
        guesses += guessed
        verdict = pred == row["answer"]
        ours += verdict
        theirs += bool(row["if_right"])
        if verdict == bool(row["if_right"]):
            agree += 1
        else:
            diffs.append(str(row["id"]))
    n = len(rows)
    return Agreement(f"MMMU-Pro {Path(jsonl).stem}", n, agree, ours / n, theirs / n, diffs[:10],
                     note=f"{guesses} random-letter guesses")


def mmmu_eval_only(predictions_json: str | Path, answer_dict_json: str | Path,
                   reported: float | None = None) -> Agreement:
    """MMMU `main_eval_only.py`: a prediction file (id -> letter, or free text for open questions)
    scored against `answer_dict_val.json`. There are no per-item official verdicts, so `agree`
    counts items and the comparison is between accuracies (`reported`, if known)."""
    preds = json.loads(Path(predictions_json).read_text(encoding="utf-8"))
    answers = json.loads(Path(answer_dict_json).read_text(encoding="utf-8"))
    correct = 0
    for qid, pred in preds.items():
        gold = answers[qid]
        if gold["question_type"] == "multiple-choice":
            correct += eval_multi_choice(gold["ground_truth"], pred)
        else:
            correct += eval_open(gold["ground_truth"], parse_open_response(pred))
    n = len(preds)
    return Agreement("MMMU validation (LLaVA-1.5-13B predictions)", n, n, correct / n, reported,
                     note=f"{correct}/{n} correct")
