"""Every bad input of every command ends in one line on stderr naming the problem and a non-zero exit —
no traceback, no "internal error", no exit 0 on an empty input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from perception_r1.cli.errors import TRACEBACK_ENV, describe, refuse_overwrite, run_command
from perception_r1.cli.main import main

REPO = Path(__file__).resolve().parents[2]
ANNOTATE = ["--out", "o", "--teacher-url", "http://127.0.0.1:9/v1", "--teacher-model", "t",
            "--extractor-url", "http://127.0.0.1:9/v1", "--extractor-model", "e", "--dry-run"]


@pytest.fixture()
def work(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("d/images").mkdir(parents=True)
    Image.new("RGB", (40, 30), (9, 9, 9)).save("d/images/a.png")
    good = {"id": "a", "images": ["images/a.png"], "problem": "Find AB.", "answer": "5", "visual_annotations": ["AB = 5"]}
    Path("d/data.jsonl").write_text(json.dumps(good) + "\n")
    Path("empty").mkdir()
    Path("empty/data.jsonl").write_text("\n")
    Path("bad_va").mkdir()
    (Path("bad_va") / "images").mkdir()
    Image.new("RGB", (40, 30)).save("bad_va/images/a.png")
    Path("bad_va/data.jsonl").write_text(json.dumps({**good, "visual_annotations": "AB = 3"}) + "\n")
    Path("latin1").mkdir()
    (Path("latin1") / "images").mkdir()
    Image.new("RGB", (40, 30)).save("latin1/images/a.png")
    Path("latin1/data.jsonl").write_bytes(json.dumps(good).encode() + b"\n" +
                                          json.dumps({**good, "id": "b"}).encode().replace(b"Find", b"F\xefnd") + b"\n")
    Path("r.jsonl").write_text('{"id": "a", "response": "AB = 5 \\\\boxed{5}"}\n')
    Path("r_empty.jsonl").write_text("")
    Path("r_bin.jsonl").write_bytes(b'{"id": "a", "response": "x"}\n{"id": "a", "response": "\xff"}\n')
    Path("res.jsonl").write_text('{"id": "a", "correct": true}\n{"id": "b", "correct": false}\n')
    Path("res_bin.jsonl").write_bytes(b'{"id": "a", "correct": true}\n\xff\xfe\n')
    Path("res_json.jsonl").write_text('{"id": "a", "correct": true}\n{"id": \n')
    Path("afile").write_text("x")
    Path("verdicts_bad.json").write_text("{not json")
    Path("verdicts_shape.json").write_text("[1, 2, 3]")
    return tmp_path


CASES = [
    (["validate", "empty"], "no records"),
    (["validate", "nope"], "not a dataset"),
    (["score", "--data", "empty", "--responses", "r.jsonl", "--out", "s.jsonl"], "no records"),
    (["score", "--data", "d", "--responses", "r_empty.jsonl", "--out", "s.jsonl"], "no responses"),
    (["score", "--data", "d", "--responses", "r_bin.jsonl", "--out", "s.jsonl"], "line 2 is not UTF-8"),
    (["score", "--data", "bad_va", "--responses", "r.jsonl", "--out", "s.jsonl"], "record 'a': field 'visual_annotations'"),
    (["score", "--data", "latin1", "--responses", "r.jsonl", "--out", "s.jsonl"], "line 2 is not UTF-8"),
    (["mcnemar", "res.jsonl", "nope.jsonl"], "nope.jsonl"),
    (["mcnemar", "res.jsonl", "res_bin.jsonl"], "res_bin.jsonl:2: not UTF-8"),
    (["mcnemar", "res.jsonl", "res_json.jsonl"], "res_json.jsonl:2: not JSON"),
    (["mcnemar", "r_empty.jsonl", "r_empty.jsonl"], "no outcome"),
    (["compare", "nope", "nope2"], "no summary.json"),
    (["compare", "afile", "afile"], "no summary.json"),
    (["audit", "nope"], "not a dataset"),
    (["audit", "empty"], "no records"),
    (["audit", "bad_va"], "field 'visual_annotations'"),
    (["audit", "d", "--verdicts", "verdicts_bad.json"], "not a JSON verdicts file"),
    (["audit", "d", "--verdicts", "verdicts_shape.json"], "a verdicts file is a list"),
    (["audit", "d", "--verdicts", "nope.json"], "nope.json"),
    (["audit", "d", "--sample", "0"], "--sample must be at least 1"),
    (["audit", "d", "--out", "afile/x.html"], "afile/x.html"),
    (["synth", "--n", "2", "--out", "afile"], "afile"),
    (["synth", "--n", "2", "--out", "big", "--image-size", "100000000"], "image_size must be between"),
    (["synth", "--n", "2", "--out", "neg", "--image-size", "-5"], "image_size must be between"),
    (["synth", "--n", "0", "--out", "zero"], "--n must be at least 1"),
    (["synth", "--n", "2", "--out", "f", "--families", "nofam"], "unknown families"),
    (["convert", "geometry3k", "nope", "--out", "c"], "nope"),
    (["convert", "easyr1", "afile", "--out", "c2"], "afile"),
    (["convert", "perception-r1", "r.jsonl", "--out", "c3"], "r.jsonl"),
    (["convert", "easyr1", "afile", "--out", "d"], "--out d is a non-empty folder"),
    (["eval", "--benchmark", "synth", "--data", "empty", "--responses", "r.jsonl", "--out", "e1"], "no records"),
    (["eval", "--benchmark", "synth", "--data", "d", "--responses", "r_empty.jsonl", "--out", "e2"], "no responses"),
    (["eval", "--benchmark", "synth", "--data", "bad_va", "--responses", "r.jsonl", "--out", "e3"], "visual_annotations"),
    (["annotate", "--data", "empty", *ANNOTATE], "no records"),
    (["annotate", "--data", "nope", *ANNOTATE], "not a dataset"),
    (["annotate", "--data", "bad_va", *ANNOTATE], "record 'a': field 'visual_annotations'"),
    (["annotate", "--data", "latin1", *ANNOTATE], "line 2 is not UTF-8"),
    (["annotate", "--data", "d", *ANNOTATE, "--samples", "0"], "--samples must be at least 1"),
    (["annotate", "--data", "d", *ANNOTATE, "--max-pixels", "0"], "--max-pixels must be at least"),
    (["annotate", "--data", "d", *ANNOTATE, "--min-pixels", "-1"], "--min-pixels must be at least 1"),
    (["annotate", "--data", "d", *ANNOTATE, "--concurrency", "0"], "--concurrency must be at least 1"),
    (["annotate", "--data", "d", *ANNOTATE, "--timeout", "0"], "--timeout must be positive"),
    (["annotate", "--data", "d", *ANNOTATE, "--temperature", "nan"], "--temperature must be at least 0"),
    (["annotate", "--data", "d", *ANNOTATE[:2], "--teacher-url", "not a url", *ANNOTATE[4:]], "--teacher-url must be"),
]


@pytest.mark.parametrize("argv, message", CASES, ids=[" ".join(a)[:70] for a, _ in CASES])
def test_bad_input_is_one_line_and_a_nonzero_exit(argv, message, work, capsys):
    code = main(argv)
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip() and "%|" not in line]
    assert code not in (0, None)
    assert len(err) == 1, err
    assert message in err[0] and "Traceback" not in err[0] and "internal error" not in err[0], err[0]


def test_the_real_entry_point_prints_one_line(work):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    res = subprocess.run([sys.executable, "-m", "perception_r1.cli.main", "score", "--data", "latin1",
                          "--responses", "r.jsonl", "--out", "s.jsonl"], capture_output=True, text=True, env=env,
                         cwd=work, timeout=120)
    assert res.returncode != 0 and "Traceback" not in res.stderr
    assert [line for line in res.stderr.splitlines() if line.strip()] == [
        line for line in res.stderr.splitlines() if "line 2 is not UTF-8" in line]


@pytest.mark.parametrize("exc, code, text", [
    (ValueError("bad\nvalue"), 2, "perception-r1 x: error: bad value"),
    (KeyError("question_type"), 2, "missing field or column 'question_type'"),
    (FileNotFoundError(2, "No such file or directory", "a.jsonl"), 2, "No such file or directory: a.jsonl"),
    (UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"), 2, "not UTF-8"),
    (AttributeError("'int' object has no attribute 'get'"), 1, "internal error: AttributeError"),
    (KeyboardInterrupt(), 130, "interrupted"),
])
def test_run_command_turns_exceptions_into_one_line(exc, code, text, capsys, monkeypatch):
    monkeypatch.delenv(TRACEBACK_ENV, raising=False)

    def boom():
        raise exc

    assert run_command("x", boom) == code
    err = capsys.readouterr().err
    assert text in err and len(err.strip().splitlines()) == 1


def test_traceback_env_reraises(monkeypatch):
    monkeypatch.setenv(TRACEBACK_ENV, "1")
    with pytest.raises(ValueError):
        run_command("x", lambda: (_ for _ in ()).throw(ValueError("x")))


def test_describe_caps_length():
    assert len(describe(ValueError("x" * 5000))) < 700


def test_refuse_overwrite(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "data.jsonl").write_text("x")
    with pytest.raises(ValueError, match="would overwrite the input"):
        refuse_overwrite(tmp_path / "in", True, inputs=(tmp_path / "in" / "data.jsonl",))
    with pytest.raises(ValueError, match="non-empty folder"):
        refuse_overwrite(tmp_path / "in", False)
    refuse_overwrite(tmp_path / "in", True)
    refuse_overwrite(tmp_path / "new", False)
    (tmp_path / "f.jsonl").write_text("done\n")
    with pytest.raises(ValueError, match="exists; --overwrite"):
        refuse_overwrite(tmp_path / "f.jsonl", False)


@pytest.mark.slow
@pytest.mark.parametrize("patch, field", [({"visual_annotations": "AB = 3"}, "visual_annotations"),
                                          ({"visual_annotations": [3, None]}, "visual_annotations[0]"),
                                          ({"choices": "ABCD", "answer": "A"}, "choices"),
                                          ({"images": ["../outside.png"]}, "images[0]")])
def test_train_dry_run_refuses_a_bad_record(patch, field, work, capsys):
    Image.new("RGB", (40, 30)).save("outside.png")
    row = json.loads(Path("d/data.jsonl").read_text())
    Path("d/data.jsonl").write_text(json.dumps({**row, **patch}) + "\n")
    code = main(["train", "--config", str(REPO / "configs" / "demo_cpu.yaml"), "--dry-run", "--dataset", "d",
                 "--output_dir", "run"])
    err = [line for line in capsys.readouterr().err.splitlines() if "perception-r1 train" in line]
    assert code == 2 and len(err) == 1 and f"record 'a': field '{field}'" in err[0], err


@pytest.mark.parametrize("benchmark, content, message", [
    ("mathvista", '{"1": {"pid": "1", "question": "q", "answer": "3"}}', "record '1': field"),
    ("mathvista", "[]", "no rows"),
    ("mathvista", "[1, 2]", "row 1 is a int"),
    ("mathvista", "{not json", "not a JSON file"),
    ("mmstar", '{"index": 7, "question": "q"}\n{"index": \n', "line 2 is not JSON"),
    ("mmstar", b'{"index": 7, "question": "q"}\n{"index": "\xff"}\n', "line 2 is not UTF-8"),
    ("mmstar", '{"index": 7}\n', "record '7': field"),
])
def test_benchmark_release_problems_name_the_row_and_column(benchmark, content, message, work, capsys):
    name = "rel.json" if benchmark == "mathvista" else "rel.jsonl"
    (Path(name).write_bytes if isinstance(content, bytes) else Path(name).write_text)(content)
    code = main(["eval", "--benchmark", benchmark, "--data", name, "--responses", "r.jsonl", "--out", "e"])
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert code != 0 and len(err) == 1 and message in err[0], err
    assert "Traceback" not in err[0]


@pytest.mark.slow
@pytest.mark.parametrize("line, message", [("reward_gamma: [1]", "reward_gamma: expected float, got list"),
                                           ("dataset: 3", "dataset: expected str"),
                                           ("learning_rate: [1]", "learning_rate: expected float"),
                                           ("max_steps: 2.5", "max_steps: expected int"),
                                           ("seed: true", "seed: expected int, got bool"),
                                           ("output_dir: [a", "while parsing"),
                                           ("unknown_key_xyz: 1", "unknown_key_xyz")])
def test_train_yaml_value_of_the_wrong_type_is_one_line(line, message, work, capsys):
    Path("t.yaml").write_text((REPO / "configs" / "demo_cpu.yaml").read_text() + line + "\n")
    code = main(["train", "--config", "t.yaml", "--dry-run", "--output_dir", "run"])
    err = [x for x in capsys.readouterr().err.splitlines() if x.startswith("perception-r1 train")]
    assert code == 2 and len(err) == 1 and message in err[0], err


@pytest.mark.parametrize("summary, results, message", [
    ("{not json", None, "summary.json: not a JSON summary"),
    ("[1]", None, "summary.json: expected a JSON object"),
    ('{"accuracy": 1}', None, "no 'benchmark' name"),
    ('{"benchmark": "synth", "accuracy": 1}', b'{"id": "a", "correct": true}\n\xff\n', "results.jsonl:2: not UTF-8"),
    ('{"benchmark": "synth", "accuracy": 1}', b'{"correct": true}\n', "results.jsonl:1: missing 'id'"),
])
def test_compare_names_the_bad_file_and_line(summary, results, message, work, capsys):
    for run in ("A", "B"):
        Path(run).mkdir()
        Path(run, "summary.json").write_text(summary)
        if results is not None:
            Path(run, "results.jsonl").write_bytes(results)
    assert main(["compare", "A", "B", "--out", "cmp"]) != 0
    err = [x for x in capsys.readouterr().err.splitlines() if x.strip()]
    assert len(err) == 1 and message in err[0], err
