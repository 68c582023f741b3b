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


MV_OUT, MV_DATA = REALDATA / "golden/mathvista_testmini_output_gpt4.json", REALDATA / "meta/mathvista_testmini.json"


def test_mathvista_full_responses_rules_only():
    # Acceptance (issue 13): from GPT-4's full responses, rules only, >= 95% of the official verdicts.
    a = agreement.mathvista_full_responses(MV_OUT, MV_DATA)
    assert a.items == 1000 and a.rate >= 0.95, (a.rate, a.disagreements)


@pytest.mark.slow
def test_mathvista_full_responses_with_loopback_extractor():
    # The loopback extractor answers what the official GPT-4 step extracted: >= 99.5% (issue 13).
    from perception_r1.eval.extract import LLMExtractor
    from perception_r1.llm import LLMClient
    from perception_r1.llm.loopback import LoopbackServer

    with LoopbackServer(agreement.official_extraction_handler(MV_OUT, MV_DATA)) as srv:
        a = agreement.mathvista_full_responses(MV_OUT, MV_DATA, LLMExtractor(LLMClient(srv.url, "gpt4-extractions")))
    assert a.rate >= 0.995, (a.rate, a.disagreements)
    assert int(a.note.split()[0]) > 500  # the extractor was asked wherever the rules had nothing usable


@pytest.mark.slow
@pytest.mark.parametrize("setting", ["standard10", "vision"])
def test_mmmu_pro_through_the_eval_command(setting, tmp_path):
    from perception_r1.cli.main import main

    a = agreement.mmmu_pro_through_eval(REALDATA / f"golden/mmmu_pro_{setting}_gpt4o_cot.jsonl", tmp_path, main)
    assert a.items == 1730 and a.rate >= 0.99, (a.rate, a.disagreements)
    assert ("vision" in a.name) == (setting == "vision") and ("10 options" in a.name) == (setting == "standard10")
