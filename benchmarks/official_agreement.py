"""Print how well our evaluation reproduces the benchmarks' official verdicts, starting from the
models' full responses.

Run: `.venv/bin/python benchmarks/official_agreement.py [--realdata PATH] [--mathvista-outputs DIR] [--json]`
(default PATH: ../shared/data/realdata next to the repository). MathVista is scored twice from the
full `response`: rules only, and with an extractor server on loopback that answers what the
official GPT-4 step extracted (so the figure measures everything but GPT-4 itself). MMMU-Pro runs
the `eval` command on the official GPT-4o responses. `--mathvista-outputs` adds every
`output_*.json` of MathVista's `results/` folder (other models' published outputs) to the check,
so the rules are not tuned to one file. See docs/evaluation.md.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from perception_r1.cli.main import main as cli
from perception_r1.eval import agreement
from perception_r1.eval.extract import LLMExtractor
from perception_r1.llm import LLMClient
from perception_r1.llm.loopback import LoopbackServer

DEFAULT = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "realdata"


def mathvista_twice(output_json: Path, data_json: Path) -> list[agreement.Agreement]:
    rules_only = agreement.mathvista_full_responses(output_json, data_json)
    with LoopbackServer(agreement.official_extraction_handler(output_json, data_json)) as srv:
        extractor = LLMExtractor(LLMClient(srv.url, "official-gpt4-extractions"))
        with_llm = agreement.mathvista_full_responses(output_json, data_json, extractor)
    return [rules_only, with_llm]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--realdata", type=Path, default=DEFAULT)
    p.add_argument("--mathvista-outputs", type=Path, help="a folder of MathVista output_*.json (results/ of the repo)")
    p.add_argument("--json", action="store_true")
    args = p.parse_args()
    r = args.realdata.resolve()
    if not r.is_dir():
        print(f"real data folder not found: {r}")
        return 2
    data_json = r / "meta/mathvista_testmini.json"
    golden = r / "golden/mathvista_testmini_output_gpt4.json"
    results = mathvista_twice(golden, data_json)
    for extra in sorted(args.mathvista_outputs.glob("output_*.json")) if args.mathvista_outputs else []:
        if extra.read_bytes() == golden.read_bytes():  # the repo's GPT-4 file is the golden one
            continue
        try:
            outputs = json.loads(extra.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            print(f"skipped {extra}: not JSON")
            continue
        if isinstance(outputs, dict) and any("true_false" in o for o in outputs.values()):
            results += mathvista_twice(extra, data_json)  # items without an official verdict are left out
    with tempfile.TemporaryDirectory() as tmp:
        for setting in ("standard10", "vision"):
            results.append(agreement.mmmu_pro_through_eval(r / f"golden/mmmu_pro_{setting}_gpt4o_cot.jsonl",
                                                           Path(tmp) / setting, cli))
    results += [
        agreement.mathvista_agreement(r / "golden/mathvista_testmini_output_gpt4.json", data_json),
        agreement.mmmu_eval_only(r / "golden/mmmu_val_llava1.5_13b_predictions.json", r / "meta/mmmu_answer_dict_val.json"),
    ]
    if args.json:
        print(json.dumps([a.as_dict() for a in results], indent=1))
        return 0
    print("| check (official outputs) | items | verdicts agreeing | our accuracy | official accuracy | note |")
    print("|---|---:|---:|---:|---:|---|")
    for a in results:
        official = f"{100 * a.official_accuracy:.2f}" if a.official_accuracy is not None else "not published"
        agree = f"{a.agree}/{a.items} ({100 * a.rate:.2f}%)" if a.official_accuracy is not None else "n/a"
        print(f"| {a.name} | {a.items} | {agree} | {100 * a.ours_accuracy:.2f} | {official} | {a.note} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
