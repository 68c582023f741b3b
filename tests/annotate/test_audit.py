"""The audit page (self-contained HTML) and the verdict score with its exact 95% interval."""

import json
import re
import shutil
import subprocess

import pytest

from perception_r1.annotate.audit import audit_page, sample_records, score_verdicts, write_audit
from perception_r1.data import Record, RecordError, load_records, write_folder
from perception_r1.data.images import to_png_bytes


def _records(n=6):
    from PIL import Image

    img = to_png_bytes(Image.new("RGB", (32, 32), "white"))
    return [Record(id=f"r{i}", images=[img], problem="<image>Find x.", answer="3", choices=None,
                   visual_annotations=[f"AB = {i}", "x < y & z"], cot="<think>\nfacts\n</think>")
            for i in range(n)] + [Record(id="plain", images=[img], problem="Find y.", answer="1")]


@pytest.fixture
def annotated(tmp_path):
    return write_folder(_records(), tmp_path / "ann")


def _verdicts(records, wrong=()):
    return {"verdicts": [{"id": r.id, "index": j, "annotation": a, "correct": (r.id, j) not in wrong}
                         for r in records for j, a in enumerate(r.visual_annotations or [])]}


def test_page_is_self_contained_with_one_choice_per_annotation(annotated, tmp_path):
    path, n = write_audit(annotated, tmp_path / "audit.html", sample=4, seed=1)
    page = path.read_text()
    assert n == 4
    assert page.count("data:image/png;base64,") == 4
    assert len(re.findall(r"type='radio'[^>]*value='1'", page)) == 8
    assert "x &lt; y &amp; z" in page  # annotation text escaped
    assert "download()" in page and "verdicts.json" in page
    assert not re.search(r"(src|href)=['\"](?!data:)", page)  # nothing fetched from elsewhere


def test_sample_is_seeded_and_skips_unannotated():
    recs = _records(20)
    a, b = sample_records(recs, 5, seed=3), sample_records(recs, 5, seed=3)
    assert [r.id for r in a] == [r.id for r in b] and len(a) == 5 and "plain" not in [r.id for r in a]
    assert len(sample_records(recs, 100)) == 20


@pytest.mark.parametrize("correct, judged, low, high", [
    (48, 50, 0.8629, 0.9951),
    (10, 10, 0.6915, 1.0),
    (0, 10, 0.0, 0.3085),
])
def test_score_clopper_pearson(correct, judged, low, high):
    items = [{"id": f"r{i}", "index": 0, "correct": i < correct} for i in range(judged)]
    items.append({"id": "u", "index": 0, "correct": None})
    s = score_verdicts({"verdicts": items})
    assert (s.correct, s.judged, s.unjudged) == (correct, judged, 1)
    assert s.accuracy == pytest.approx(correct / judged)
    assert (s.ci_low, s.ci_high) == (pytest.approx(low, abs=1e-4), pytest.approx(high, abs=1e-4))


def test_stale_or_bad_verdicts_name_the_record(annotated):
    recs = load_records(annotated)
    v = _verdicts(recs)
    v["verdicts"][0]["annotation"] = "AB = 99"
    with pytest.raises(RecordError, match="'r0'.*visual_annotations"):
        score_verdicts(v, recs)
    v = _verdicts(recs)
    v["verdicts"][1]["correct"] = "yes"
    with pytest.raises(RecordError, match="'r0'.*'correct'"):
        score_verdicts(v, recs)


def test_cli_page_then_score(annotated, tmp_path):
    from perception_r1.cli.main import main

    assert main(["audit", str(annotated), "--sample", "50", "--out", str(tmp_path / "a.html")]) == 0
    recs = load_records(annotated)
    (tmp_path / "v.json").write_text(json.dumps(_verdicts(recs, wrong={("r2", 1)})))
    assert main(["audit", str(annotated), "--verdicts", str(tmp_path / "v.json"), "--json", str(tmp_path / "s.json")]) == 0
    s = json.loads((tmp_path / "s.json").read_text())
    assert (s["correct"], s["judged"], s["problems"]) == (11, 12, 6)


@pytest.mark.skipif(shutil.which("node") is None, reason="node not installed: the page's script is not run")
def test_page_script_writes_what_the_scorer_reads(tmp_path):
    """Run the page's own script under node with a stub DOM: two rows, one judged."""
    recs = _records(1)
    page = audit_page(recs, "ds")
    script = re.search(r"<script>(.*)</script>", page, re.DOTALL).group(1)
    stub = """
const rows=[{dataset:{id:'r0',index:'0',text:'AB = 0'},querySelector:()=>({value:'0'})},
            {dataset:{id:'r0',index:'1',text:'x < y & z'},querySelector:()=>null}];
var document={querySelectorAll:()=>rows,addEventListener:()=>{},getElementById:()=>({})};
var window={addEventListener:()=>{}};
"""
    (tmp_path / "t.js").write_text(stub + script + "\nconsole.log(JSON.stringify(collect()));")
    out = json.loads(subprocess.run(["node", str(tmp_path / "t.js")], capture_output=True, text=True, check=True).stdout)
    assert out["verdicts"] == [{"id": "r0", "index": 0, "annotation": "AB = 0", "correct": False},
                               {"id": "r0", "index": 1, "annotation": "x < y & z", "correct": None}]
    s = score_verdicts(out, recs)
    assert (s.correct, s.judged, s.unjudged) == (0, 1, 1)
