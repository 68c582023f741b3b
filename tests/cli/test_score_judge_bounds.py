"""`score`'s judge flags bound the work as a user expects: --judge-timeout holds for the whole request
(a server dripping bytes) and caps a Retry-After, and every reply shape ends in a retry, a one-line error
(raise) or a counted null (skip)."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pytest
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "llm"))
from rawserver import RawServer, completion  # noqa: E402

from perception_r1.cli.main import main  # noqa: E402


@pytest.fixture()
def files(tmp_path):
    (tmp_path / "d" / "images").mkdir(parents=True)
    Image.new("RGB", (40, 30)).save(tmp_path / "d" / "images" / "a.png")
    rows = [{"id": f"r{i}", "images": ["images/a.png"], "problem": "Find AB.", "answer": "5",
             "visual_annotations": ["AB = 5"]} for i in range(2)]
    (tmp_path / "d" / "data.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (tmp_path / "r.jsonl").write_text("".join(json.dumps({"id": f"r{i}", "response": f"AB = 5 ({i})"}) + "\n"
                                              for i in range(2)))
    return tmp_path


def _score(files, url, *extra):
    return ["score", "--data", str(files / "d"), "--responses", str(files / "r.jsonl"), "--judge", "openai",
            "--judge-url", url, "--judge-cache", "none", *extra]


def _lines(path):
    return [json.loads(x) for x in Path(path).read_text().splitlines()]


def test_dripping_server_is_bounded_by_judge_timeout(files, capsys):
    data = completion("<info1>1</info1>")

    with RawServer(lambda i, b, h: h.drip(data, every=0.05)) as srv:
        t0 = time.perf_counter()
        code = main(_score(files, srv.url, "--out", str(files / "s.jsonl"), "--judge-timeout", "0.5",
                           "--judge-retries", "1", "--on-judge-error", "skip"))
        elapsed = time.perf_counter() - t0
    assert code == 0
    # Two responses in parallel, each two attempts of 0.5 s and short backoffs; dripped in full it is 2 x 2.4 s.
    assert elapsed < 3.5
    assert [x["perception"] for x in _lines(files / "s.jsonl")] == [None, None]
    assert "failures 2" in capsys.readouterr().out


def test_retry_after_is_capped_by_judge_timeout(files):
    def reply(i, body, h):
        if i < 2:
            return h.send(429, b"{}", {"Retry-After": "100000"})
        h.send(200, completion("<info1>1</info1>"))

    with RawServer(reply) as srv:
        t0 = time.perf_counter()
        assert main(_score(files, srv.url, "--out", str(files / "s.jsonl"), "--judge-timeout", "1",
                           "--judge-retries", "1")) == 0
        assert time.perf_counter() - t0 < 5
    assert [x["judgments"] for x in _lines(files / "s.jsonl")] == [[1], [1]]


SHAPES = {"list content without text": completion([{"type": "image_url"}]),
          "usage n/a, no verdict": completion("no verdict here", usage="n/a"),
          "garbage": b"\x00garbage", "truncated": completion("<info1>1</info1>")[:25]}


@pytest.mark.parametrize("shape", list(SHAPES))
def test_reply_shapes_end_in_a_counted_null_or_one_line(shape, files, capsys):
    with RawServer(lambda i, b, h: h.send(200, SHAPES[shape])) as srv:
        base = _score(files, srv.url, "--judge-retries", "0", "--judge-timeout", "2")
        assert main(base + ["--out", str(files / "skip.jsonl"), "--on-judge-error", "skip"]) == 0
        assert [x["perception"] for x in _lines(files / "skip.jsonl")] == [None, None]
        capsys.readouterr()
        assert main(base + ["--out", str(files / "raise.jsonl")]) != 0
    err = capsys.readouterr().err
    assert "Traceback" not in err and "openai judge" in err


def test_list_content_and_usage_na_are_read(files):
    reply = completion([{"type": "text", "text": "<info1>1</info1>"}], usage="n/a")
    with RawServer(lambda i, b, h: h.send(200, reply)) as srv:
        assert main(_score(files, srv.url, "--out", str(files / "s.jsonl"))) == 0
    assert [x["judgments"] for x in _lines(files / "s.jsonl")] == [[1], [1]]


def _down(i, body, h):
    h.send(503, b"{}")


def test_finished_output_is_never_replaced_without_overwrite(files, capsys):
    out = files / "s.jsonl"
    out.write_text('{"id": "r0"}\n{"id": "r1"}\n')
    before = out.read_bytes()
    with RawServer(_down) as srv:
        assert main(_score(files, srv.url, "--out", str(out), "--judge-retries", "0")) != 0
        assert "exists; --overwrite replaces it" in capsys.readouterr().err
        assert srv.requests == []  # refused before anything was asked
        # With --overwrite and an unreachable judge, the old output is still not truncated.
        assert main(_score(files, srv.url, "--out", str(out), "--judge-retries", "0", "--overwrite")) == 2
    assert out.read_bytes() == before


@pytest.mark.parametrize("target", ["responses", "data"])
def test_an_input_is_never_the_output(target, files, capsys):
    path = files / "r.jsonl" if target == "responses" else files / "d" / "data.jsonl"
    before = path.read_bytes()
    for extra in ([], ["--overwrite"], ["--resume"]):
        assert main(_score(files, "http://127.0.0.1:9/v1", "--out", str(path), *extra)) != 0
        assert "would overwrite the input" in capsys.readouterr().err
    assert path.read_bytes() == before
