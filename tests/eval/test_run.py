"""The eval pipeline: perception check with a scripted judge, LLM extraction against a real loopback
server, refusals, and the compare report built from two runs."""

import json

import pytest

from perception_r1.cli.main import main
from perception_r1.data import Record, RecordError, write_folder
from perception_r1.eval.extract import LLMExtractor, parse_extraction
from perception_r1.eval.run import EvalConfig, evaluate
from perception_r1.judges.base import Judge
from perception_r1.llm import LLMClient
from perception_r1.llm.loopback import LoopbackServer
from perception_r1.stats.compare import write_comparison

from eval_helpers import FIXTURES

MATHVISTA = str(FIXTURES / "mathvista" / "testmini.json")


class SubstringJudge(Judge):
    """Scripted judge: an annotation is stated when its text appears in the response."""

    name = "substring"

    async def ajudge_batch(self, items, images=None):
        return [[int(a in resp) for a in anns] for resp, anns in items]


def _write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return str(path)


@pytest.fixture
def synth_data(tmp_path):
    img = FIXTURES / "mathvista" / "images" / "1.png"
    records = [
        Record(id="s1", images=[str(img)], problem="Find x.", answer="5", visual_annotations=["AB = 3", "BC = 4"],
               meta={"family": "pythagoras"}),
        Record(id="s2", images=[str(img)], problem="Find y.", answer="60", visual_annotations=["m∠A = 30"],
               meta={"family": "angles"}),
        Record(id="s3", images=[str(img)], problem="Find z.", answer="2", meta={"family": "angles"}),
    ]
    return str(write_folder(records, tmp_path / "synth"))


def _synth_responses(tmp_path, name, s1, s2, s3):
    return _write_jsonl(tmp_path / name, [{"id": "s1", "response": s1}, {"id": "s2", "response": s2},
                                          {"id": "s3", "response": s3}])


def test_perception_fields_and_threshold(tmp_path, synth_data):
    resp = _synth_responses(tmp_path, "r.jsonl",
                            "<think>\nAB = 3 and BC = 4\n</think>\n<answer>\n\\boxed{5}\n</answer>",
                            "<think>\nAB = 3\n</think>\n<answer>\n\\boxed{60}\n</answer>",
                            "<answer>\\boxed{3}</answer>")
    s = evaluate(EvalConfig("synth", synth_data, str(tmp_path / "out"), responses=resp), judge=SubstringJudge())
    rows = {r["id"]: r for r in map(json.loads, (tmp_path / "out" / "results.jsonl").read_text().splitlines())}
    assert (rows["s1"]["perception"], rows["s1"]["perception_ok"], rows["s1"]["correct"]) == (1.0, True, True)
    assert (rows["s2"]["perception"], rows["s2"]["perception_ok"], rows["s2"]["correct"]) == (0.0, False, True)
    assert "perception" not in rows["s3"] and rows["s3"]["correct"] is False  # no annotations: no perception
    assert s["perception"] == {"items": 2, "mean": 0.5, "ok_rate": 0.5}
    assert s["by"]["family"]["angles"] == {"accuracy": 0.5, "correct": 1, "total": 2}
    # a lower threshold turns a partial hit into perception_ok
    half = _synth_responses(tmp_path, "h.jsonl", "AB = 3", "m∠A = 30", "")
    s = evaluate(EvalConfig("synth", synth_data, str(tmp_path / "half"), responses=half, perception_threshold=0.5),
                 judge=SubstringJudge())
    assert s["perception"]["ok_rate"] == 1.0


def test_llm_extractor_fills_rule_misses(tmp_path):
    # The loopback extractor answers "B" for pid 1 and says there is no answer otherwise.
    def handler(body):
        prompt = body["messages"][0]["content"]
        return "B" if "Fixture question 1?" in prompt else "[NO ANSWER]"

    resp = _write_jsonl(tmp_path / "r.jsonl", [{"id": str(i), "response": "The second option looks right."}
                                               for i in range(1, 7)])
    with LoopbackServer(handler) as srv:
        s = evaluate(EvalConfig("mathvista", MATHVISTA, str(tmp_path / "out"), responses=resp,
                                extractor_url=srv.url, extractor_model="extractor"))
        assert len(srv.requests) == 6 and srv.requests[0]["temperature"] == 0
    rows = [json.loads(x) for x in (tmp_path / "out" / "results.jsonl").read_text().splitlines()]
    assert rows[0]["extracted"] == "B" and rows[0]["extractor"] == "llm" and rows[0]["correct"] is True
    # where the LLM finds none either, the rules' own reading stands (MC: the nearest-choice fallback)
    assert all(r["extractor"] == "rules" and r["rule"] in ("first_line", "choice_mention", "none") for r in rows[1:])
    assert s["extracted_by_llm"] == 1


def test_llm_extractor_failure_is_counted_not_fatal():
    with LoopbackServer(lambda body: "x", faults=lambda i, body: "500") as srv:
        ex = LLMExtractor(LLMClient(srv.url, "m", max_retries=0))
        assert ex.extract([("q", "r")]) == [None]
        assert ex.failures == 1


@pytest.mark.parametrize("reply,expected", [("B", "B"), ("Extracted answer: 12.5\nbecause", "12.5"),
                                            ("[NO ANSWER]", None), ("", None)])
def test_parse_extraction(reply, expected):
    assert parse_extraction(reply) == expected


def test_missing_response_names_the_item(tmp_path):
    resp = _write_jsonl(tmp_path / "r.jsonl", [{"id": "1", "response": "x"}])
    with pytest.raises(RecordError, match=r"record '2'.*'response'"):
        evaluate(EvalConfig("mathvista", MATHVISTA, str(tmp_path / "out"), responses=resp))
    assert main(["eval", "--benchmark", "mathvista", "--data", MATHVISTA, "--responses", resp,
                 "--out", str(tmp_path / "o")]) == 2


def test_compare_two_runs(tmp_path, synth_data):
    a = _synth_responses(tmp_path, "a.jsonl", "AB = 3 BC = 4 \\boxed{5}", "\\boxed{10}", "\\boxed{2}")
    b = _synth_responses(tmp_path, "b.jsonl", "AB = 3 \\boxed{4}", "m∠A = 30 \\boxed{60}", "\\boxed{2}")
    for name, resp in (("A", a), ("B", b)):
        evaluate(EvalConfig("synth", synth_data, str(tmp_path / name / "synth"), responses=resp), judge=SubstringJudge())
    report = write_comparison(tmp_path / "A", tmp_path / "B", tmp_path / "cmp")
    r = report["benchmarks"]["synth"]
    # correct: A = (T, F, T), B = (F, T, T) -> b = 1, c = 1; perception_ok: A = (T, F), B = (F, T) -> b = 1, c = 1
    assert (r["mcnemar_correct"]["b"], r["mcnemar_correct"]["c"], r["mcnemar_correct"]["both_right"]) == (1, 1, 1)
    assert (r["mcnemar_perception"]["b"], r["mcnemar_perception"]["c"], r["mcnemar_perception"]["n"]) == (1, 1, 2)
    assert r["accuracy"] == {"a": 2 / 3, "b": 2 / 3}
    assert (tmp_path / "cmp" / "compare.png").read_bytes()[:4] == b"\x89PNG"
    assert "| synth |" in (tmp_path / "cmp" / "compare.md").read_text()
    assert main(["compare", str(tmp_path / "A" / "synth"), str(tmp_path / "B"), "--out", str(tmp_path / "c2")]) == 0
    assert main(["compare", str(tmp_path / "A"), str(tmp_path / "nothing")]) == 2


def test_scoring_responses_does_not_import_torch(tmp_path):
    import subprocess
    import sys

    resp = _write_jsonl(tmp_path / "r.jsonl", [{"id": str(i), "response": "\\boxed{A}"} for i in range(1, 7)])
    code = ("import sys; from perception_r1.cli.main import main; "
            f"rc = main(['eval', '--benchmark', 'mathvista', '--data', {MATHVISTA!r}, '--responses', {resp!r}, "
            f"'--out', {str(tmp_path / 'o')!r}]); "
            "assert rc == 0, rc; assert 'torch' not in sys.modules, 'torch imported'")
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)


def test_duplicate_ids_refused(tmp_path):
    # MMMU-Pro's root folder holds both settings with the same ids: one setting per run.
    resp = _write_jsonl(tmp_path / "r.jsonl", [{"id": "validation_Physics_1", "response": "A"}])
    with pytest.raises(RecordError, match=r"validation_Physics_1.*duplicate"):
        evaluate(EvalConfig("mmmu_pro", str(FIXTURES / "mmmu_pro"), str(tmp_path / "o"), responses=resp))


@pytest.mark.slow
def test_eval_judge_mllm_end_to_end(tmp_path, synth_data):
    # `perception-r1 eval --judge mllm` against a loopback MLLM that scores every response 0.75;
    # the score is r_v for each item with an image (annotations are not needed).
    resp = _synth_responses(tmp_path, "r.jsonl", "<answer>\\boxed{5}</answer>", "<answer>\\boxed{1}</answer>", "x")
    with LoopbackServer(lambda body: "<score>0.75</score>") as srv:
        code = main(["eval", "--benchmark", "synth", "--data", synth_data, "--responses", resp,
                     "--out", str(tmp_path / "out"), "--judge", "mllm", "--judge-url", srv.url,
                     "--judge-model", "vl", "--perception-threshold", "0.5"])
        assert code == 0 and len(srv.requests) == 3 and srv.requests[0]["model"] == "vl"
        assert any(part.get("type") == "image_url" for m in srv.requests[0]["messages"]
                   for part in (m["content"] if isinstance(m["content"], list) else []))
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["perception"] == {"items": 3, "mean": 0.75, "ok_rate": 1.0}
    assert summary["correct"] == 1


def test_llm_extractor_is_asked_for_a_boxed_answer_the_rules_cannot_use(tmp_path):
    # issue 13: a box holding no choice ("the second one") is not usable; the extractor decides.
    resp = _write_jsonl(tmp_path / "r.jsonl", [{"id": str(i), "response": "\\boxed{the second one}"} for i in range(1, 7)])
    with LoopbackServer(lambda body: "B") as srv:
        evaluate(EvalConfig("mathvista", MATHVISTA, str(tmp_path / "out"), responses=resp,
                            extractor_url=srv.url, extractor_model="extractor"))
        asked = len(srv.requests)
    rows = [json.loads(x) for x in (tmp_path / "out" / "results.jsonl").read_text().splitlines()]
    mc = [r for r in rows if r["question_type"] == "multi_choice"]
    assert asked >= len(mc) and all(r["extractor"] == "llm" and r["extracted"] == "B" for r in mc)


@pytest.mark.parametrize("row,field", [({"id": "1", "response": None}, "response"),
                                       ({"id": "1", "response": {"error": "x"}}, "response"),
                                       ({"id": "1", "response": "B", "sample": "first"}, "sample")])
def test_a_malformed_responses_row_is_a_one_line_error(tmp_path, capsys, row, field):
    resp = _write_jsonl(tmp_path / "r.jsonl", [row] + [{"id": str(i), "response": "A"} for i in range(2, 7)])
    code = main(["eval", "--benchmark", "mathvista", "--data", MATHVISTA, "--responses", resp,
                 "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and "'1'" in err and field in err
