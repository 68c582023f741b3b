"""The audit page (self-contained HTML) and the verdict score with its exact 95% interval."""

import json
import re

import pytest

from perception_r1.annotate.audit import (VERDICTS_FORMAT, audit_page, fingerprint, sample_records, score_file,
                                          score_verdicts, write_audit)
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
    assert "download()" in page and "<meta name='viewport' content='width=device-width" in page
    assert fingerprint(sample_records(load_records(annotated), 4, seed=1)) in page
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


def _page_verdicts(records, **kw):
    return {"format": VERDICTS_FORMAT, "dataset": "ds", "fingerprint": fingerprint(records), **_verdicts(records, **kw)}


def test_math_is_rendered_not_shown_raw():
    from PIL import Image

    img = to_png_bytes(Image.new("RGB", (8, 8)))
    rec = Record(id="g", images=[img], problem="Find $m \\widehat{AB}$ in \\odot X.", answer="60",
                 visual_annotations=["m\\angle EYS = 90^\\circ", "AB = 5\\sqrt{2}", "\\frac{1}{2} \\foo"])
    page = audit_page([rec], "ds")
    body = re.sub(r"data-text='[^']*'|title='[^']*'", "", page)  # the raw text is kept only as data
    assert "m∠ EYS = 90°" in body and "5√<span class='sqrt'>2</span>" in body and "class='frac'" in body
    assert "⊙ X" in body and "class='arc'" in body
    assert "\\angle" not in body and "\\circ" not in body
    assert "<span class='raw'>\\foo</span>" in body  # unknown commands shown as written, never dropped


def test_verdicts_from_another_dataset_or_twice_or_other_format_are_refused(annotated):
    recs = load_records(annotated)
    good = _page_verdicts([r for r in recs if r.visual_annotations])
    assert score_verdicts(good, recs).judged == 12
    other = [Record(**{**r.__dict__, "visual_annotations": ["CD = 1", "x < y & z"]}) if r.visual_annotations else r
             for r in recs]
    with pytest.raises(ValueError, match="another dataset"):
        score_verdicts({**good, "fingerprint": fingerprint([r for r in other if r.visual_annotations]),
                        "verdicts": good["verdicts"]}, recs)
    twice = {**good, "verdicts": good["verdicts"] + good["verdicts"][:1]}
    with pytest.raises(RecordError, match="'r0'.*judges annotation 0 again"):
        score_verdicts(twice, recs)
    with pytest.raises(ValueError, match="format 'x'"):
        score_verdicts({**good, "format": "x"}, recs)


def test_a_folder_of_downloads_scores_the_newest(annotated, tmp_path):
    recs = load_records(annotated)
    ann = [r for r in recs if r.visual_annotations]
    old = {**_page_verdicts(ann, wrong={("r0", 0)}), "saved_at": "2026-01-01T10:00:00.000Z"}
    new = {**_page_verdicts(ann), "saved_at": "2026-01-01T11:00:00.000Z"}
    downloads = tmp_path / "dl"
    downloads.mkdir()
    (downloads / "verdicts-x-1.json").write_text(json.dumps(new))
    (downloads / "verdicts-x-1 (1).json").write_text(json.dumps(old))
    score, path = score_file(downloads, annotated)
    assert path.name == "verdicts-x-1.json" and score.correct == 12


def test_dataset_without_annotations_says_so(tmp_path, capsys):
    from perception_r1.cli.main import main

    data = write_folder([r for r in _records() if not r.visual_annotations], tmp_path / "plain")
    assert main(["audit", str(data), "--out", str(tmp_path / "a.html")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "has visual_annotations, so there is nothing to audit" in err[0]
    assert not (tmp_path / "a.html").exists()
