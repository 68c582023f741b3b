"""We-Math: the official answer rule and the four-dimensional metrics, on a fixture whose values are
worked out by hand, run through the whole `eval` pipeline (responses file -> results/summary)."""

import json

import pytest

from perception_r1.eval.benchmarks import wemath
from perception_r1.eval.run import EvalConfig, evaluate

from eval_helpers import FIXTURES

DATA = FIXTURES / "wemath" / "testmini.json"
RECORDS = {r.id: r for r in wemath.load(DATA)}

# Intended verdicts per group: sub-problems (1, 2[, 3]) then the multi-step problem.
VERDICTS = {
    "2steps_1": ([1, 1], 1),      # all subs right, multi right        -> CM strict & CM loose
    "2steps_2": ([1, 0], 1),      # some sub wrong, multi right        -> CM loose, RM strict
    "2steps_3": ([1, 1], 0),      # all subs right, multi wrong        -> IG
    "3steps_1": ([0, 0, 0], 1),   # all subs wrong, multi right        -> RM strict & RM loose
    "3steps_2": ([0, 1, 1], 0),   # some sub wrong, multi wrong        -> IK
}
# By hand, N = 5 groups: IK = 1, IG = 1, CM_strict = 1, CM_loose = 2, RM_strict = 2, RM_loose = 1.
#   IK = 1/5 = 0.20, IG = 1/5 = 0.20, CM strict = 1/5 = 0.20, CM loose = 2/5 = 0.40
#   RM strict = RM_s / (CM_s + RM_s) = 2/3, RM loose = RM_l / (CM_l + RM_l) = 1/3
#   score strict = (5 - 0.5*1 - 2 - 1) / 5 = 0.30, score loose = (5 - 0.5*1 - 1 - 1) / 5 = 0.50
#   S1 = right sub-problems / all = (2+1+2+0+2) / (2+2+2+3+3) = 7/12
#   S2 = right 2-step problems = 2/3, S3 = right 3-step problems = 1/2
EXPECTED = {"IK": 0.2, "IG": 0.2, "CM_strict": 0.2, "CM_loose": 0.4, "RM_strict": 2 / 3, "RM_loose": 1 / 3,
            "score_strict": 0.3, "score_loose": 0.5, "S1": 7 / 12, "S2": 2 / 3, "S3": 1 / 2}


def _response(gold: str, right: bool, style: int) -> str:
    letter = gold if right else "ABCD"[("ABCD".index(gold) + 1) % 4]
    if style % 3 == 0:
        return f"<think>\nreasoning\n</think>\n<answer>\n\\boxed{{{letter}}}\n</answer>"
    if style % 3 == 1:  # the official We-Math answer template
        return f"<Thought process>: <<reasoning>> <Answer>: <<{letter}>>"
    return f"Answer: {letter}."


def _responses(tmp_path):
    lines, style = [], 0
    for rid, rec in RECORDS.items():
        subs, multi = VERDICTS[rec.meta["group"]]
        key = rec.meta["key"]
        right = multi if key.endswith("multi") else subs[int(key.split("_")[-1]) - 1]
        lines.append({"id": rid, "response": _response(rec.answer, bool(right), style)})
        style += 1
    path = tmp_path / "responses.jsonl"
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))
    return path


def test_four_dimensional_metrics_by_hand(tmp_path):
    out = tmp_path / "out"
    summary = evaluate(EvalConfig(benchmark="wemath", data=str(DATA), out=str(out), responses=str(_responses(tmp_path))))
    four = summary["four_dimensional"]
    assert four["groups"] == 5 and four["incomplete_groups"] == 0
    for name, value in EXPECTED.items():
        assert four[name] == pytest.approx(value), name
    assert summary["correct"] == 7 + 3  # 7 right sub-problems + 3 right multi-step problems, of 17
    rows = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    assert len(rows) == 17 and {"id", "extracted", "correct", "key", "group"} <= set(rows[0])
    assert "four-dimensional" in (out / "summary.md").read_text()


def test_incomplete_group_left_out_and_counted():
    rows = [{"group": "g", "key": "2steps_1", "correct": True}, {"group": "g", "key": "2steps_multi", "correct": True}]
    four = wemath.four_dimensional(rows)
    assert (four["groups"], four["incomplete_groups"], four["score_strict"]) == (0, 1, None)


@pytest.mark.parametrize("text,letter", [
    ("<Answer>: <<B>>", "B"),
    ("Answer: C.", "C"),
    ("... the Answer is", None),         # after the last 'Answer': 'is' -> 'i' is not A-H
    ("no final letter", None),            # no 'Answer': the whole text, 'n' is not A-H
    ("Answer: A; later Answer: D", "D"),  # the last 'Answer'
])
def test_official_letter(text, letter):
    assert wemath.official_letter(text) == letter


def test_option_string_and_boxed_option_text():
    rec = next(iter(RECORDS.values()))
    assert rec.choices == ["1 cm", "2 cm", "3 cm", "4 cm", "No correct answer"]
    assert wemath.extract(rec, "<answer>\\boxed{3 cm}</answer>").answer == "C"


def test_knowledge_domain_table_as_official_accuracy_py(tmp_path):
    # accuracy.py: per concept over the one-step rows, then per root2 domain the mean over its nodes.
    # Right one-step rows (hand-chosen): Concept 1 3/5, Concept 2 2/5, Concept 3 1/2, so
    # Domain P = mean(0.6, 0.4) = 0.5 and Domain Q (nodes Concept 3 and Concept 1) = mean(0.5, 0.6) = 0.55.
    right = {"2steps_1@2steps_1", "2steps_2@2steps_1", "2steps_2@2steps_2", "2steps_3@2steps_2",
             "3steps_1@3steps_1", "3steps_1@3steps_3"}
    recs = wemath.load(FIXTURES / "wemath" / "testmini.json")
    wrong = {r.answer: next(c for c in "ABCD" if c != r.answer) for r in recs}
    resp = tmp_path / "r.jsonl"
    resp.write_text("".join(json.dumps({"id": r.id, "response": f"Answer: {r.answer if r.id in right else wrong[r.answer]}"})
                            + "\n" for r in recs))
    s = evaluate(EvalConfig("wemath", str(FIXTURES / "wemath" / "testmini.json"), str(tmp_path / "out"),
                            responses=str(resp)))
    assert s["knowledge_domains"] == {"Domain P": pytest.approx(0.5), "Domain Q": pytest.approx(0.55)}
