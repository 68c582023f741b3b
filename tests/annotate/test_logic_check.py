"""`annotate --keep-facts-in logic-forms` and `audit --against logic-forms` on real Geometry3K problems
(converted with their logic forms), with a scripted teacher and extractor behind a loopback server."""

import json
from pathlib import Path

import pytest

from perception_r1.annotate.converters import from_geometry3k
from perception_r1.annotate.logic_check import check_record, check_records, keep_stated
from perception_r1.annotate.pipeline import AnnotateConfig, run_annotate
from perception_r1.data import Record, load_records, write_folder
from perception_r1.llm.loopback import LoopbackServer

ROOT = Path(__file__).resolve().parents[2]
REAL_G3K = ROOT.parent / "shared" / "data" / "geometry3k_examples"
pytestmark = pytest.mark.skipif(not REAL_G3K.exists(), reason=f"real Geometry3K examples not found at {REAL_G3K}")

# Problem 15 (Find y., answer C): the figure's facts are AB = 10, AC = y, ∠ABC = 60°, BC = x, AC ⊥ BC.
COT_15 = ("<think>\nFrom the figure, the hypotenuse AB = 10, ∠ABC = 60° and ∠ACB = 90°.\n"
          "So y = AC = 10 sin 60° = 5√3.\n</think>\n<answer>\n\\boxed{C}\n</answer>")
EXTRACTED_15 = ["AB = 10", "m∠ABC = 60°", "∠ACB = 90°", "BC = 7", "the triangle looks nice"]
# Problem 19 (Find \sin x., answer D): the trajectory states no fact of the figure.
COT_19 = "<think>\nBy the identity, sin x = 2√2/5.\n</think>\n<answer>\n\\boxed{D}\n</answer>"


def _user_text(body):
    content = body["messages"][-1]["content"]
    return content if isinstance(content, str) else " ".join(p.get("text", "") for p in content if p["type"] == "text")


def _server(body):
    text = _user_text(body)
    if isinstance(body["messages"][-1]["content"], str):  # the extractor: plain-string messages
        return json.dumps(EXTRACTED_15 if "Find y" in text else ["sin x = 2√2/5"])
    return [COT_15 if "Find y" in text else COT_19] * int(body.get("n") or 1)


def _data(tmp_path, ids=("15", "19")):
    records = [r for r in from_geometry3k(REAL_G3K) if r.id in ids]
    return write_folder(records, tmp_path / "g3k")


def _cfg(data, out, url, **kw):
    return AnnotateConfig(data=str(data), out=str(out), teacher_url=url, teacher_model="t", extractor_url=url,
                          extractor_model="e", samples=1, concurrency=2, timeout=5, max_retries=1, backoff=0.01,
                          progress=False, **kw)


def test_keep_facts_in_logic_forms(tmp_path):
    data, out = _data(tmp_path), tmp_path / "out"
    with LoopbackServer(_server) as srv:
        run_annotate(_cfg(data, out, srv.url, keep_facts_in="logic-forms"))
    recs = {r.id: r for r in load_records(out)}
    assert sorted(recs) == ["15"]
    rec = recs["15"]
    # the logic forms' spellings, in their order: "y = AC" states AC = y, ∠ACB = 90° states AC ⊥ BC; BC = x is
    # never said
    assert rec.visual_annotations == ["AB = 10", "AC = y", "m\\angle ABC = 60^\\circ", "AC \\perp BC"]
    assert rec.meta["annotate"]["extracted"] == EXTRACTED_15 and rec.meta["annotate"]["kept_from"] == "logic-forms"
    dropped = [json.loads(line) for line in (out / "dropped.jsonl").read_text().splitlines()]
    assert [(d["id"], d["stage"]) for d in dropped] == [("19", "extract")]
    assert "none of the figure's logic-form facts" in dropped[0]["reason"]

    # the audit reads the extracted facts, not the kept ones
    [check] = check_records([rec]).problems
    assert (check.confirmed, check.readable, check.extracted) == (3, 4, 5)
    assert check.unconfirmed == ["BC = 7"]
    assert (check.recovered, check.logic_facts) == (3, 5)
    assert check.missed == ["AC = y", "BC = x"]


def test_keep_facts_in_refuses_data_without_logic_forms_before_any_request(tmp_path, capsys):
    from perception_r1.cli.main import main

    records = [r for r in from_geometry3k(REAL_G3K) if r.id == "15"]
    records[0].meta.pop("logic_forms")
    data = write_folder(records, tmp_path / "plain")
    with LoopbackServer(_server) as srv:
        rc = main(["annotate", "--data", str(data), "--out", str(tmp_path / "o"), "--teacher-url", srv.url,
                   "--teacher-model", "t", "--extractor-url", srv.url, "--extractor-model", "e",
                   "--keep-facts-in", "logic-forms", "--no-progress"])
        assert srv.requests == []
    assert rc == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "'15'" in err and "meta.logic_forms" in err and "convert geometry3k" in err


def test_check_counts_unreadable_apart(tmp_path):
    [rec] = [r for r in from_geometry3k(REAL_G3K) if r.id == "19"]
    # "looks symmetric" cannot be read: neither right nor wrong. The two values of DA contradict each
    # other, so the extracted set does not state DA = 10 (recall), though DA = 10 itself is right (precision).
    check = check_record(rec, ["DA = 10", "DA = 11", "AE ⊥ DE", "the figure looks symmetric"])
    assert (check.confirmed, check.readable, check.extracted) == (2, 3, 4)
    assert check.precision == pytest.approx(2 / 3) and check.recall == pytest.approx(1 / 8)
    assert check_record(Record(id="x", images=[], problem="p", answer="1"), ["AB = 1"]) is None


def test_keep_stated_refuses_contradicted_facts():
    facts = ["AB = 10", "m\\angle ABC = 60^\\circ"]
    assert keep_stated("AB = 10 and ∠ABC = 60°", facts) == facts
    assert keep_stated("AB = 10, AB = 12, AB = 14", facts) == []  # spraying values states nothing


def test_audit_cli_against_logic_forms(tmp_path, capsys):
    from perception_r1.cli.main import main

    data, out = _data(tmp_path, ids=("15",)), tmp_path / "out"
    with LoopbackServer(_server) as srv:
        run_annotate(_cfg(data, out, srv.url))
    assert load_records(out)[0].visual_annotations == EXTRACTED_15
    js = tmp_path / "check.json"
    assert main(["audit", str(out), "--against", "logic-forms", "--json", str(js)]) == 0
    text = capsys.readouterr().out
    assert "precision 3/4 = 75.0 %, recall 3/5 = 60.0 %" in text and "1 of 5 extracted" in text
    saved = json.loads(js.read_text())
    assert saved["totals"]["precision"] == 0.75 and saved["problems"][0]["missed"] == ["AC = y", "BC = x"]


def test_a_judge_past_its_deadline_is_reported_not_guessed(tmp_path, monkeypatch):
    from perception_r1.annotate import logic_check

    monkeypatch.setattr(logic_check._JUDGE, "judge_parsed", lambda response, annotations: None)
    data, out = _data(tmp_path, ids=("15",)), tmp_path / "out"
    with LoopbackServer(_server) as srv:
        run_annotate(_cfg(data, out, srv.url, keep_facts_in="logic-forms"))
    [dropped] = [json.loads(line) for line in (out / "dropped.jsonl").read_text().splitlines()]
    assert dropped["id"] == "15" and "deadline" in dropped["reason"]
    [rec] = [r for r in from_geometry3k(REAL_G3K) if r.id == "15"]
    summary = check_records([rec])
    assert summary.problems == [] and summary.timed_out == ["15"] and "deadline" in str(summary)
