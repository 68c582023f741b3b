"""Regression: our scorers reproduce the benchmarks' own published verdicts on real model outputs
(../shared/data/realdata/golden, see its README). Skipped only when that folder is absent."""

from pathlib import Path

import pytest

from perception_r1.eval import agreement

REALDATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "realdata"
pytestmark = pytest.mark.skipif(not REALDATA.is_dir(), reason=f"real benchmark data not found at {REALDATA}")


def test_mathvista_reproduces_official_true_false():
    a = agreement.mathvista_agreement(REALDATA / "golden/mathvista_testmini_output_gpt4.json",
                                      REALDATA / "meta/mathvista_testmini.json")
    assert a.items == 1000
    assert a.rate >= 0.995, a.disagreements
    assert a.official_accuracy == pytest.approx(0.261)  # the published scores_gpt4.json average: 26.1


@pytest.mark.parametrize("setting", ["standard10", "vision"])
def test_mmmu_pro_reproduces_official_if_right(setting):
    a = agreement.mmmu_pro_agreement(REALDATA / f"golden/mmmu_pro_{setting}_gpt4o_cot.jsonl")
    assert a.items == 1730
    assert a.rate >= 0.97, a.disagreements


def test_mmmu_validation_eval_only_accuracy():
    a = agreement.mmmu_eval_only(REALDATA / "golden/mmmu_val_llava1.5_13b_predictions.json",
                                 REALDATA / "meta/mmmu_answer_dict_val.json")
    assert a.items == 900
    # The repo publishes no score for this file; 324/900 is what MMMU's main_eval_only rules give.
    assert a.note == "324/900 correct"
