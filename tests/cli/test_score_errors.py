"""Every bad input of `perception-r1 score` as a user meets it: one line on stderr naming the file, record,
field or flag, exit 2 (the CLI's code for a user's mistake), and not one request to the judge. And the
work already done is safe: a finished output is never replaced without --overwrite, --resume appends."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from PIL import Image

from perception_r1.cli.main import main
from perception_r1.judges.prompts import loopback_judge_reply
from perception_r1.llm.loopback import LoopbackServer

GOOD = {"id": "a", "images": ["images/a.png"], "problem": "Find AB.", "answer": "5", "visual_annotations": ["AB = 5"]}


def _dataset(path: Path, rows: list[dict]) -> Path:
    (path / "images").mkdir(parents=True)
    Image.new("RGB", (40, 30)).save(path / "images" / "a.png")
    (path / "data.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


@pytest.fixture()
def work(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _dataset(tmp_path / "d", [GOOD, {**GOOD, "id": "b"}])
    _dataset(tmp_path / "dup", [GOOD, GOOD])
    _dataset(tmp_path / "bad_va", [{**GOOD, "visual_annotations": "AB = 3"}])
    _dataset(tmp_path / "bad_choices", [{**GOOD, "choices": "ABCD", "answer": "A"}])
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "data.jsonl").write_text("\n")
    lines = {"r.jsonl": '{"id": "a", "response": "AB = 5 \\\\boxed{5}"}\n{"id": "b", "response": "AB = 4"}\n',
             "r_empty.jsonl": "", "r_json.jsonl": '{"id": "a", "response": "x"}\n{"id": \n',
             "r_type.jsonl": '{"id": "a", "response": 5}\n', "r_noid.jsonl": '{"response": "x"}\n',
             "r_unknown.jsonl": '{"id": "a", "response": "x"}\n{"id": "zz-9", "response": "y"}\n'}
    for name, text in lines.items():
        (tmp_path / name).write_text(text)
    (tmp_path / "r_bin.jsonl").write_bytes(b'{"id": "a", "response": "x"}\n{"id": "a", "response": "\xff"}\n')
    (tmp_path / "done.jsonl").write_text('{"id": "a", "total": 1.0}\n{"id": "b", "total": 0.5}\n')
    (tmp_path / "corrupt.jsonl").write_text("{not json\n")
    (tmp_path / "other.jsonl").write_text('{"id": "b", "total": 1.0}\n')
    (tmp_path / "bad_cache.sqlite").write_bytes(b"not a database " * 200)
    (tmp_path / "outdir").mkdir()
    (tmp_path / "outdir" / "x").write_text("x")
    return tmp_path


CASES = {
    "missing dataset": (["--data", "nope"], "nope: not a dataset"),
    "missing responses file": (["--responses", "nope.jsonl"], "nope.jsonl"),
    "empty dataset": (["--data", "empty"], "no records"),
    "empty responses file": (["--responses", "r_empty.jsonl"], "no responses"),
    "responses not UTF-8": (["--responses", "r_bin.jsonl"], "line 2 is not UTF-8"),
    "responses line not JSON": (["--responses", "r_json.jsonl"], "line 2"),
    "response not a string": (["--responses", "r_type.jsonl"], "record 'a': field 'response'"),
    "response without id": (["--responses", "r_noid.jsonl"], "field 'id'"),
    "response id not in the dataset": (["--responses", "r_unknown.jsonl"], "record 'zz-9': field 'id'"),
    "duplicate ids in the dataset": (["--data", "dup"], "record 'a': field 'id'"),
    "annotations a string": (["--data", "bad_va"], "record 'a': field 'visual_annotations'"),
    "choices a string": (["--data", "bad_choices"], "record 'a': field 'choices'"),
    "unreadable judge cache": (["--judge-cache", "bad_cache.sqlite"], "bad_cache.sqlite: cannot be used as a SQLite cache"),
    "finished output": (["--out", "done.jsonl"], "--out done.jsonl exists; --overwrite replaces it"),
    "output a folder": (["--out", "outdir", "--overwrite"], "--out outdir is a folder"),
    "output is the responses file": (["--out", "r.jsonl", "--overwrite"], "would overwrite the input r.jsonl"),
    "output under a file": (["--out", "r.jsonl/x.jsonl"], "cannot write under r.jsonl"),
    "corrupt output under --resume": (["--out", "corrupt.jsonl", "--resume"], "corrupt.jsonl: line 1 is not a JSON line"),
    "output of other inputs under --resume": (["--out", "other.jsonl", "--resume"], "line 1 has id 'b' but response 1 is 'a'"),
    "--resume with --overwrite": (["--resume", "--overwrite"], "give one"),
    "chunk size 0": (["--chunk-size", "0"], "--chunk-size must be at least 1"),
    "concurrency 0": (["--judge-concurrency", "0"], "--judge-concurrency must be an integer of at least 1"),
    "timeout 0": (["--judge-timeout", "0"], "--judge-timeout must be a positive number"),
    "negative retries": (["--judge-retries", "-1"], "--judge-retries must be an integer of at least 0"),
    "unknown judge option": (["--judge-option", "nonsense=1"], "does not take option(s) nonsense"),
}


def _argv(url: str, extra: list[str]) -> list[str]:
    base = {"--data": "d", "--responses": "r.jsonl", "--out": "s.jsonl", "--judge-cache": "none"}
    flags = [a for a in extra]
    for flag, value in base.items():
        if flag not in extra:
            flags += [flag, value]
    return ["score", "--judge", "openai", "--judge-url", url, "--judge-model", "j", *flags]


@pytest.mark.parametrize("extra, message", CASES.values(), ids=list(CASES))
def test_bad_input_is_one_line_exit_2_and_no_request(extra, message, work, capsys):
    before = {p: p.read_bytes() for p in work.glob("*.jsonl")}
    with LoopbackServer(loopback_judge_reply) as srv:
        code = main(_argv(srv.url, extra))
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip() and "%|" not in line]
    assert code == 2, err
    assert len(err) == 1 and err[0].startswith("perception-r1 score: error: "), err
    assert message in err[0], err[0]
    assert srv.requests == []  # found before anything was asked
    assert {p: p.read_bytes() for p in work.glob("*.jsonl")} == before  # no input or finished output touched


def test_the_real_entry_point_prints_one_line(work):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "HF_HUB_OFFLINE": "1"}
    done = subprocess.run([sys.executable, "-m", "perception_r1.cli.main", *_argv("http://127.0.0.1:9/v1",
                           ["--judge-cache", "bad_cache.sqlite"])], capture_output=True, text=True, env=env,
                          cwd=work, timeout=120)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert [line for line in done.stderr.splitlines() if line.strip()] == [
        "perception-r1 score: error: cache bad_cache.sqlite: cannot be used as a SQLite cache "
        "(file is not a database); move it away or choose another path"]


def test_resume_appends_to_the_lines_kept(work, capsys):
    with LoopbackServer(loopback_judge_reply) as srv:
        assert main(_argv(srv.url, [])) == 0
        full = (work / "s.jsonl").read_text().splitlines()
        (work / "s.jsonl").write_text(full[0] + "\n")  # as an interrupted run leaves it
        kept = (work / "s.jsonl").read_bytes()
        assert main(_argv(srv.url, ["--resume"])) == 0
    assert (work / "s.jsonl").read_bytes().startswith(kept)  # appended, not rewritten
    assert (work / "s.jsonl").read_text().splitlines() == full
    assert len(srv.requests) == 3  # two for the first run, one for the line not yet scored
    assert "scored 1 response(s)" in capsys.readouterr().out


def test_unreachable_judge_is_one_line_and_keeps_a_finished_output(work, capsys):
    before = (work / "done.jsonl").read_bytes()
    code = main(_argv("http://127.0.0.1:9/v1", ["--out", "done.jsonl", "--overwrite", "--judge-retries", "0"]))
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip() and "%|" not in line]
    assert code == 2 and len(err) == 1, err
    assert err[0].startswith("perception-r1 score: error: responses 1-2 (ids a … b): openai judge: ")
    assert "ConnectError" in err[0] and "rerun with --resume" in err[0]
    assert (work / "done.jsonl").read_bytes() == before  # not truncated: nothing was scored


def test_ctrl_c_is_one_line_and_keeps_the_verdicts_paid_for(work):
    import signal
    import sqlite3
    import time

    (work / "many.jsonl").write_text("".join(json.dumps({"id": "ab"[k % 2], "response": f"AB = 5 ({k})"}) + "\n"
                                             for k in range(40)))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "HF_HUB_OFFLINE": "1",
           "PERCEPTION_R1_MATH_WORKERS": "1"}
    served, gate = [], threading.Event()

    def reply(body):  # called once a request holds one of the 4 slots, 0.2 s before its reply is sent
        served.append(1)
        if len(served) > 16:  # hold the rest until Ctrl-C: on a loaded machine the run must not finish first
            gate.wait(60)
        return loopback_judge_reply(body)

    with LoopbackServer(reply, latency=0.2, capacity=4) as srv:
        argv = _argv(srv.url, ["--responses", "many.jsonl", "--judge-cache", "c.sqlite", "--chunk-size", "8"])
        proc = subprocess.Popen([sys.executable, "-m", "perception_r1.cli.main", *argv], cwd=work, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                # as from a terminal: a test run started in the background inherits SIGINT
                                # ignored, and so would the command, which then never sees the Ctrl-C
                                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        try:
            deadline = time.time() + 60
            while len(served) < 17 and time.time() < deadline:
                time.sleep(0.02)
            time.sleep(0.5)  # the replies of the first 16 are read
            proc.send_signal(signal.SIGINT)
            # the held requests are let go once Ctrl-C has landed: score closes its judge before it exits
            threading.Timer(2.0, gate.set).start()
            out, err = proc.communicate(timeout=60)
        finally:
            gate.set()
    assert proc.returncode == 130, err
    assert [line for line in err.splitlines() if line.strip() and "%|" not in line] == ["perception-r1 score: interrupted"]
    with sqlite3.connect(work / "c.sqlite") as db:
        kept = db.execute("SELECT COUNT(*) FROM cache").fetchone()[0]
    assert 8 <= kept < 40  # the verdicts received before Ctrl-C were written at exit, not asked again
