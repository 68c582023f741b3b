"""Loaders and scorers on real benchmark files (../shared/data/realdata): MathVerse's Text-Only
testmini file as released, the 12 real We-Math groups and the 150 real MATH-V items written back into
their release layouts. Gold answers as responses must score 100%; skipped only when the folder is absent."""

import json
from pathlib import Path

import pytest

from perception_r1.eval.benchmarks import mathverse
from perception_r1.eval.run import EvalConfig, evaluate

REALDATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "realdata"
pytestmark = pytest.mark.skipif(not REALDATA.is_dir(), reason=f"real benchmark data not found at {REALDATA}")


def _boxed(answer: str) -> str:
    return f"<think>\nsolved\n</think>\n<answer>\n\\boxed{{{answer}}}\n</answer>"


def test_mathverse_text_only_release(tmp_path):
    data = REALDATA / "meta" / "mathverse_testmini_text_only.json"
    records = mathverse.load(data)
    mc = [r for r in records if r.meta["question_type"] == "multi-choice"]
    assert (len(records), len(mc)) == (788, 436)
    assert all(r.choices for r in mc)  # "Choices:" / "Choice:" blocks parsed for every multi-choice item
    resp = tmp_path / "r.jsonl"
    resp.write_text("".join(json.dumps({"id": r.id, "response": _boxed(r.answer)}) + "\n" for r in records))
    s = evaluate(EvalConfig("mathverse", str(data), str(tmp_path / "out"), responses=str(resp)))
    assert s["accuracy"] == 1.0 and set(s["by"]["problem_version"]) == {"Text Only"}


def _wemath_release(tmp_path: Path) -> Path:
    rows = []
    for line in (REALDATA / "problems.jsonl").read_text().splitlines():
        p = json.loads(line)
        if p["source"] != "wemath":
            continue
        e = p["extra"]
        rows.append({"ID": e["ID"], "key": e["key"], "question": p["problem"], "option": e["option_raw"],
                     "answer": p["answer"], "image_path": str(REALDATA / p["image"]),
                     "knowledge concept": e["knowledge concept"], "question number": e["question number"]})
    path = tmp_path / "testmini.json"
    path.write_text(json.dumps(rows))
    return path


@pytest.mark.parametrize("right,expected", [
    (True, {"score_strict": 1.0, "CM_strict": 1.0, "IK": 0.0, "S1": 1.0, "S2": 1.0, "S3": 1.0}),
    (False, {"score_strict": 0.0, "IK": 1.0, "CM_loose": 0.0, "S1": 0.0}),
])
def test_wemath_real_groups(tmp_path, right, expected):
    data = _wemath_release(tmp_path)
    rows = json.loads(data.read_text())
    resp = tmp_path / "r.jsonl"
    wrong = {"A": "B", "B": "C", "C": "D", "D": "A", "E": "A"}
    resp.write_text("".join(json.dumps({"id": f"{r['ID']}@{r['key']}",
                                        "response": _boxed(r["answer"] if right else wrong[r["answer"]])}) + "\n"
                            for r in rows))
    s = evaluate(EvalConfig("wemath", str(data), str(tmp_path / "out"), responses=str(resp)))
    four = s["four_dimensional"]
    assert (four["groups"], four["incomplete_groups"], s["total"]) == (12, 0, 40)
    for name, value in expected.items():
        assert four[name] == value, name


@pytest.mark.parametrize("form", ["\\boxed{{{letter}}}", "\\boxed{{{value}}}", "The answer is {value}."])
def test_mathvision_real_items_in_the_release_layout(tmp_path, form):
    # The 150 real MATH-V items (mathllm/MATH-V data/test.jsonl) written back into that layout: the gold
    # answer, as a boxed letter, a boxed value or an answer phrase, scores right on every item.
    from perception_r1.eval.benchmarks import mathvision
    from perception_r1.eval.run import score_responses

    rows = [r for r in map(json.loads, (REALDATA / "problems.jsonl").read_text().splitlines())
            if r["source"] == "mathvision"]
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "test.jsonl").write_text("".join(json.dumps(
        {"id": r["id"].split("-", 1)[1], "question": r["problem"], "options": r["choices"], "image": r["image"],
         "answer": r["answer"], "level": r["extra"].get("level"), "subject": r["extra"].get("subject")}) + "\n"
        for r in rows))
    recs = mathvision.load(tmp_path)
    assert len(recs) == 150 and sum(bool(r.choices) for r in recs) == 102
    responses = [form.format(letter=r["answer"], value=r["answer_value"]) for r in rows]
    results = score_responses(mathvision, recs, responses)
    assert [x["id"] for x in results if not x["correct"]] == []
