"""Agreement of our evaluation with the benchmarks' own published verdicts.

Given official model outputs that were scored upstream (MathVista's `output_*.json` with the
model's full `response`, GPT-4's `extraction` and `true_false`; MMMU-Pro's GPT-4o responses with
`if_right`; an MMMU validation prediction file), our pipeline must reproduce the official verdicts
item by item. The full-response checks start where a user starts, from the model's own text:
`mathvista_full_responses` rules only, or with an LLM extractor (the agreement script serves one on
loopback that answers what the official GPT-4 step answered); `mmmu_pro_through_eval` runs the
`eval` command itself. `mathvista_agreement` checks the scorer alone, from the official extractions.
"""

from __future__ import annotations

import ast
import json
import random
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .benchmarks import get_benchmark, mathvista
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


def _compare(name: str, ids: list[str], ours: list[bool], theirs: list[bool], note: str = "") -> Agreement:
    diffs = [i for i, a, b in zip(ids, ours, theirs) if a != b]
    n = len(ids)
    return Agreement(name, n, n - len(diffs), sum(ours) / n, sum(theirs) / n, diffs[:10], note=note)


def mathvista_full_responses(output_json: str | Path, data_json: str | Path, extractor=None) -> Agreement:
    """MathVista from the model's full `response`: our extraction (rules, then `extractor` where
    they give nothing usable) and the official scorer, against the official `true_false`."""
    from .run import score_responses

    outputs = json.loads(Path(output_json).read_text(encoding="utf-8"))
    data = {r.id: r for r in mathvista.load(data_json)}
    pids = [str(p) for p in outputs if "true_false" in outputs[p]]
    records = [data[p] for p in pids]
    responses = [outputs[p].get("response") if isinstance(outputs[p].get("response"), str) else "" for p in pids]
    rows = score_responses(mathvista, records, responses, extractor)
    by_llm = sum(r["extractor"] == "llm" for r in rows)
    label = "rules + LLM extractor" if extractor is not None else "rules only"
    return _compare(f"MathVista testmini {Path(output_json).stem.removeprefix('output_')} full responses, {label}",
                    pids, [bool(r["correct"]) for r in rows], [bool(outputs[p]["true_false"]) for p in pids],
                    note=f"{by_llm} answers from the extractor; rules: {_rule_counts(rows)}")


def _rule_counts(rows: list[dict]) -> str:
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["rule"]] = counts.get(r["rule"], 0) + 1
    return ", ".join(f"{k} {v}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1]))


def official_extraction_handler(output_json: str | Path, data_json: str | Path):
    """A loopback extractor's handler that answers, for each prompt of `LLMExtractor`, what the
    official GPT-4 step extracted from that response (looked up by question and response)."""
    from .extract import EXTRACTION_PROMPT, NO_ANSWER

    outputs = json.loads(Path(output_json).read_text(encoding="utf-8"))
    data = {r.id: r for r in mathvista.load(data_json)}
    table = {}
    for pid, out in outputs.items():
        response = out.get("response") if isinstance(out.get("response"), str) else ""
        table[(data[str(pid)].problem.strip(), response.strip())] = str(out.get("extraction") or "")

    prefix = EXTRACTION_PROMPT.split("{question}")[0].replace("{none}", NO_ANSWER)

    def handler(body: dict) -> str:
        prompt = body["messages"][-1]["content"]
        item = prompt[len(prefix):] if prompt.startswith(prefix) else ""
        question, _, rest = item.partition("\nModel response: ")
        response = rest.rsplit("\nExtracted answer:", 1)[0]
        answer = table.get((question.strip(), response.strip()))
        return answer if answer else NO_ANSWER

    return handler


def mmmu_pro_through_eval(jsonl: str | Path, workdir: str | Path, cli) -> Agreement:
    """MMMU-Pro through the `eval` command (`cli`: `perception_r1.cli.main.main`, passed in so this
    layer does not import the CLI): the official jsonl is the data (question, options, answer), its
    `response` column the responses file; our verdicts against `if_right`."""
    rows = [json.loads(line) for line in Path(jsonl).read_text(encoding="utf-8").splitlines() if line.strip()]
    work = Path(workdir)
    work.mkdir(parents=True, exist_ok=True)
    responses = work / "responses.jsonl"
    with open(responses, "w", encoding="utf-8") as f:
        for row in rows:  # official: a non-string response (an API error dict) is parsed as ""
            text = row["response"] if isinstance(row["response"], str) else ""
            f.write(json.dumps({"id": row["id"], "response": text}, ensure_ascii=False) + "\n")
    out = work / "out"
    code = cli(["eval", "--benchmark", "mmmu_pro", "--data", str(jsonl), "--responses", str(responses),
                "--out", str(out)])
    if code != 0:
        raise RuntimeError(f"eval exited {code} on {jsonl}")
    results = {r["id"]: r for r in map(json.loads, (out / "results.jsonl").read_text(encoding="utf-8").splitlines())}
    ids = [str(r["id"]) for r in rows]
    setting = next(iter(results.values()))["setting"]
    guessed = sum(bool(r.get("guessed")) for r in results.values())
    return _compare(f"MMMU-Pro {setting} (GPT-4o CoT) through `eval`", ids, [bool(results[i]["correct"]) for i in ids],
                    [bool(r["if_right"]) for r in rows], note=f"{guessed} random-letter guesses (official rule)")


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
