"""Print how well our scorers reproduce the benchmarks' official verdicts.

Run: `.venv/bin/python benchmarks/official_agreement.py [--realdata PATH] [--json]`
(default PATH: ../shared/data/realdata next to the repository). See docs/evaluation.md.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from perception_r1.eval import agreement

DEFAULT = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "realdata"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--realdata", type=Path, default=DEFAULT)
    p.add_argument("--json", action="store_true")
    args = p.parse_args()
    r = args.realdata.resolve()
    if not r.is_dir():
        print(f"real data folder not found: {r}")
        return 2
    results = [
        agreement.mathvista_agreement(r / "golden/mathvista_testmini_output_gpt4.json", r / "meta/mathvista_testmini.json"),
        agreement.mmmu_pro_agreement(r / "golden/mmmu_pro_standard10_gpt4o_cot.jsonl"),
        agreement.mmmu_pro_agreement(r / "golden/mmmu_pro_vision_gpt4o_cot.jsonl"),
        agreement.mmmu_eval_only(r / "golden/mmmu_val_llava1.5_13b_predictions.json", r / "meta/mmmu_answer_dict_val.json"),
    ]
    if args.json:
        print(json.dumps([a.as_dict() for a in results], indent=1))
        return 0
    print("| benchmark (official outputs) | items | verdicts agreeing | our accuracy | official accuracy | note |")
    print("|---|---:|---:|---:|---:|---|")
    for a in results:
        official = f"{100 * a.official_accuracy:.2f}" if a.official_accuracy is not None else "not published"
        agree = f"{a.agree}/{a.items} ({100 * a.rate:.2f}%)" if a.official_accuracy is not None else "n/a"
        print(f"| {a.name} | {a.items} | {agree} | {100 * a.ours_accuracy:.2f} | {official} | {a.note} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
