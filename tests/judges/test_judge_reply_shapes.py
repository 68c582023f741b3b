"""Every reply shape and every unreadable image ends, at the judge, in a right verdict (after a retry), a
JudgeError naming the problem (raise) or a counted None (skip) — never a traceback, never a 0."""

import asyncio
import io
import json
import sys
from pathlib import Path

import pytest
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "llm"))
from rawserver import RawServer, completion  # noqa: E402

from perception_r1.judges import build_judge  # noqa: E402
from perception_r1.judges.base import JudgeError  # noqa: E402

FACTS = ["AB = 7", "AB ⊥ BC"]
RESPONSE = "AB = 7 and AB ⊥ BC."

SHAPES = {
    "content parts without text": completion([{"type": "image_url"}]),
    "content a number": completion(3),
    "usage n/a and no verdicts": completion("nothing", usage="n/a"),
    "garbage": b"\x00\xff garbage",
    "truncated": completion("<info1>1</info1><info2>1</info2>")[:30],
    "choices null": b'{"choices": null}',
}


def _judge(srv, kind="openai", **kw):
    kw = {"timeout": 1.0, "max_retries": 1, "parse_retries": 1, "backoff": 0.01, **kw}
    return build_judge(kind, url=srv.url, model="m", **kw)


@pytest.mark.parametrize("shape", list(SHAPES))
def test_openai_judge_any_reply_shape(shape):
    with RawServer(lambda i, b, h: h.send(200, SHAPES[shape])) as srv:
        with pytest.raises(JudgeError, match="openai judge: .*(malformed reply body|bad verdict reply)"):
            _judge(srv).judge(RESPONSE, FACTS)
        skip = _judge(srv, on_error="skip")
        assert skip.judge_batch([(RESPONSE, FACTS), (RESPONSE + "!", FACTS)]) == [None, None]
        assert skip.stats.failures == 2


def test_list_content_and_usage_na_are_read_as_a_verdict():
    reply = completion([{"type": "text", "text": "<info1>1</info1>"}, {"type": "text", "text": "<info2>0</info2>"}],
                       usage="n/a")
    with RawServer(lambda i, b, h: h.send(200, reply)) as srv:
        judge = _judge(srv)
        assert judge.judge(RESPONSE, FACTS) == [1, 0]
    assert judge.stats.failures == 0


def _png():
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (9, 9, 9)).save(buf, format="PNG")
    return buf.getvalue()


@pytest.mark.parametrize("image", ["truncated", "not an image", "missing file", "a directory"])
def test_mllm_unreadable_image_is_the_failure_policy(image, tmp_path):
    value = {"truncated": _png()[:40], "not an image": b"hello",
             "missing file": str(tmp_path / "nope.png"), "a directory": str(tmp_path)}[image]
    with RawServer(lambda i, b, h: h.send(200, completion("<score>1</score>"))) as srv:
        with pytest.raises(JudgeError, match="mllm judge: image unreadable"):
            _judge(srv, "mllm").score_batch([(RESPONSE, [])], [value])
        skip = _judge(srv, "mllm", on_error="skip")
        assert [j.score for j in skip.score_batch([(RESPONSE, [])] * 2, [value, _png()])] == [None, 1.0]
        assert skip.stats.failures == 1
    assert len(srv.requests) == 1  # nothing was sent for the unreadable image


def test_mllm_malformed_replies_are_counted_nulls():
    with RawServer(lambda i, b, h: h.send(200, SHAPES["content parts without text"])) as srv:
        skip = _judge(srv, "mllm", on_error="skip")
        assert [j.score for j in asyncio.run(skip.ascore_batch([(RESPONSE, [])], [_png()]))] == [None]
        assert skip.stats.failures == 1


def test_score_cli_mllm_truncated_image_skip_counts_null_and_raise_is_one_line(tmp_path, capsys):
    from perception_r1.cli.main import main

    (tmp_path / "d" / "images").mkdir(parents=True)
    (tmp_path / "d" / "images" / "a.png").write_bytes(_png()[:40])
    (tmp_path / "d" / "images" / "b.png").write_bytes(_png())
    rows = [{"id": "a", "images": ["images/a.png"], "problem": "p", "answer": "1"},
            {"id": "b", "images": ["images/b.png"], "problem": "p", "answer": "1"}]
    (tmp_path / "d" / "data.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (tmp_path / "r.jsonl").write_text('{"id": "a", "response": "x"}\n{"id": "b", "response": "y"}\n')
    with RawServer(lambda i, b, h: h.send(200, completion("<score>0.5</score>"))) as srv:
        base = ["score", "--data", str(tmp_path / "d"), "--responses", str(tmp_path / "r.jsonl"),
                "--judge", "mllm", "--judge-url", srv.url, "--judge-cache", "none", "--judge-retries", "0"]
        assert main(base + ["--out", str(tmp_path / "s.jsonl"), "--on-judge-error", "skip"]) == 0
        lines = [json.loads(x) for x in (tmp_path / "s.jsonl").read_text().splitlines()]
        assert [x["perception"] for x in lines] == [None, 0.5]
        capsys.readouterr()
        assert main(base + ["--out", str(tmp_path / "s2.jsonl")]) == 2
        [err] = [x for x in capsys.readouterr().err.splitlines() if x.strip() and "%|" not in x]
        assert "image unreadable" in err and err.startswith("perception-r1 score: error: responses 1-2")
