"""`perception-r1 score` as a user runs it: a small synth-like dataset, a responses file, a loopback
judge server (or the symbolic judge), one JSON line per response in input order, and a summary."""

import io
import json
import os
import subprocess
import sys

import pytest
from PIL import Image

from perception_r1.cli.main import main
from perception_r1.data import Record, write_folder
from perception_r1.judges.prompts import loopback_judge_reply
from perception_r1.llm.loopback import LoopbackServer

KEYS = ["id", "format", "accuracy", "perception", "repetition", "total", "judgments"]


def _png(v):
    buf = io.BytesIO()
    Image.new("RGB", (64, 64), (v, v, v)).save(buf, format="PNG")
    return buf.getvalue()


def _answer(think, boxed):
    return f"<think>\n{think}\n</think>\n<answer>\n\\boxed{{{boxed}}}\n</answer>"


RECORDS = [
    Record("seg", [_png(10)], "Find AC.", "12", visual_annotations=["AB = 5", "BC = 7", "A, B, C are collinear"]),
    Record("ang", [_png(80)], "Find x.", "\\frac{1}{2}", visual_annotations=["m∠ABC = 60°", "AB ⊥ CD"]),
    Record("mc", [_png(160)], "Which is the radius?", "B", choices=["3", "5", "7", "9"],
           visual_annotations=["OA = 5"]),
    Record("plain", [_png(240)], "What is 2 + 2?", "4"),
]
RESPONSES = [
    ("seg", _answer("AB = 5 and BC = 7, so AC = 12.", "12")),
    ("ang", _answer("m∠ABC = 60° and AB ⊥ CD.", "0.5")),
    ("mc", _answer("OA = 5 is the radius.", "5")),
    ("plain", _answer("Two plus two.", "4")),
    ("seg", "AC is 13. " + "the segment is long " * 30),
    ("ang", _answer("The angle is 50°.", "2")),
    ("mc", _answer("OA = 3.", "A")),
]


@pytest.fixture()
def files(tmp_path):
    data = write_folder(RECORDS, tmp_path / "data")
    resp = tmp_path / "responses.jsonl"
    resp.write_text("".join(json.dumps({"id": i, "response": r}) + "\n" for i, r in RESPONSES))
    return data, resp, tmp_path


def _read(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def _cli(*args):
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PERCEPTION_R1_MATH_WORKERS": "1"}
    return subprocess.run([sys.executable, "-m", "perception_r1.cli.main", "score", *map(str, args)],
                          capture_output=True, text=True, env=env, timeout=120)


@pytest.mark.slow
def test_openai_judge_end_to_end_and_cached_rerun(files):
    data, resp, tmp = files
    out, cache = tmp / "scores.jsonl", tmp / "judge.sqlite"
    args = ["--data", data, "--responses", resp, "--out", out, "--judge", "openai", "--judge-model", "j",
            "--judge-cache", cache, "--chunk-size", 3, "--judge-timeout", 5]
    with LoopbackServer(loopback_judge_reply) as srv:
        done = _cli("--judge-url", srv.url, *args)
        assert done.returncode == 0, done.stderr
        lines = _read(out)
        assert [line["id"] for line in lines] == [i for i, _ in RESPONSES]
        assert all(list(line) == KEYS for line in lines)
        assert [line["judgments"] for line in lines] == [[1, 1, 0], [1, 1], [1], None, [0, 0, 0], [0, 0], [0]]
        assert [line["accuracy"] for line in lines] == [1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0]
        assert lines[0]["perception"] == pytest.approx(2 / 3) and lines[3]["perception"] is None
        assert lines[0]["total"] == pytest.approx(0.1 + 0.9 + 0.7 * 2 / 3)
        assert lines[4]["format"] == 0.0 and lines[4]["repetition"] < 0
        assert len(srv.requests) == 6  # one per response with annotations
        assert "judge     openai: requests 6  cache hits 0  failures 0" in done.stdout
        assert "score:" in done.stderr  # the progress bar
        again = _cli("--judge-url", srv.url, *args, "--overwrite")  # the same output again: from the cache
    assert again.returncode == 0 and len(srv.requests) == 6
    assert "requests 0  cache hits 6" in again.stdout and _read(out) == lines


@pytest.mark.slow
def test_symbolic_judge_end_to_end(files):
    pytest.importorskip("perception_r1.judges.symbolic")
    data, resp, tmp = files
    done = _cli("--data", data, "--responses", resp, "--out", tmp / "s.jsonl")
    assert done.returncode == 0, done.stderr
    lines = _read(tmp / "s.jsonl")
    assert [line["id"] for line in lines] == [i for i, _ in RESPONSES]
    assert lines[0]["judgments"][:2] == [1, 1] and lines[5]["judgments"] == [0, 0]
    assert "judge     symbolic" in done.stdout


def test_unknown_response_id_is_a_clear_error(files, capsys):
    data, resp, tmp = files
    with open(resp, "a") as f:
        f.write(json.dumps({"id": "nope-17", "response": "x"}) + "\n")
    with LoopbackServer(loopback_judge_reply) as srv:
        code = main(["score", "--data", str(data), "--responses", str(resp), "--out", str(tmp / "o.jsonl"),
                     "--judge", "openai", "--judge-url", srv.url, "--judge-cache", "none"])
    assert code == 2 and not srv.requests  # a user's mistake: exit 2, before any request
    [line] = [x for x in capsys.readouterr().err.splitlines() if x.strip()]
    assert line.startswith("perception-r1 score: error: record 'nope-17': field 'id'")


def _run(data, resp, out, url, *extra):
    return main(["score", "--data", str(data), "--responses", str(resp), "--out", str(out), "--judge", "openai",
                 "--judge-url", url, "--judge-cache", "none", "--chunk-size", "2", *map(str, extra)])


def test_skip_policy_writes_null_judgments(files, capsys):
    data, resp, tmp = files
    with LoopbackServer(lambda body: "no verdicts here") as srv:
        assert _run(data, resp, tmp / "o.jsonl", srv.url, "--on-judge-error", "skip") == 0
    lines = _read(tmp / "o.jsonl")
    assert all(line["judgments"] is None and line["perception"] is None for line in lines)
    assert lines[0]["total"] == pytest.approx(0.1 + 0.9)  # no perception term, not a 0
    assert "failures 6" in capsys.readouterr().out


def test_raise_keeps_finished_chunks_and_resume_completes(files, capsys):
    data, resp, tmp = files
    out = tmp / "o.jsonl"
    # Chunks of 2, judged ahead of the writer: the server breaks on the responses of chunks 3 and 4
    # (lines 5-7) whatever order the requests arrive in.
    late = ("AC is 13", "The angle is 50°", "OA = 3.")
    broken = lambda i, body: "500" if any(m in body["messages"][-1]["content"] for m in late) else None
    with LoopbackServer(loopback_judge_reply, faults=broken) as srv:
        assert _run(data, resp, out, srv.url, "--judge-retries", 1) == 2
    [err] = [x for x in capsys.readouterr().err.splitlines() if x.strip() and "%|" not in x]  # one line
    assert err.startswith("perception-r1 score: error: responses 5-6 (ids seg … ang)")
    assert "gave up after 2 attempts: HTTP 500" in err and "4 line(s) scored before them are kept" in err
    assert "--resume" in err
    assert [line["id"] for line in _read(out)] == ["seg", "ang", "mc", "plain"]
    with LoopbackServer(loopback_judge_reply) as srv:
        assert _run(data, resp, out, srv.url, "--resume") == 0
    assert [line["id"] for line in _read(out)] == [i for i, _ in RESPONSES]
    assert len(srv.requests) == 3  # only the responses after the kept lines


def test_mllm_judge_scores_from_the_image(files, capsys):
    import base64

    def brightness(body):
        url = body["messages"][-1]["content"][0]["image_url"]["url"]
        img = Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1])))
        return f"<score>{img.getpixel((0, 0))[0] / 255:.2f}</score>"

    data, resp, tmp = files
    with LoopbackServer(brightness) as srv:
        code = main(["score", "--data", str(data), "--responses", str(resp), "--out", str(tmp / "m.jsonl"),
                     "--judge", "mllm", "--judge-url", srv.url, "--judge-cache", "none"])
    assert code == 0
    lines = _read(tmp / "m.jsonl")
    assert [line["perception"] for line in lines] == [0.04, 0.31, 0.63, 0.94, 0.04, 0.31, 0.63]
    assert all(line["judgments"] is None for line in lines) and len(srv.requests) == 7


def test_hybrid_judge_sends_only_what_symbolic_cannot_parse(files, capsys):
    from perception_r1.judges.prompts import parse_request

    data, resp, tmp = files
    with LoopbackServer(loopback_judge_reply) as srv:
        code = main(["score", "--data", str(data), "--responses", str(resp), "--out", str(tmp / "h.jsonl"),
                     "--judge", "hybrid", "--judge-url", srv.url, "--judge-cache", "none"])
    assert code == 0
    assert [parse_request(b)[0] for b in srv.requests] == [["A, B, C are collinear"]] * 2  # the two `seg` lines
    lines = _read(tmp / "h.jsonl")
    assert lines[0]["judgments"] == [1, 1, 0] and lines[1]["judgments"] == [1, 1]
    assert "judge     hybrid: requests 2" in capsys.readouterr().out
