"""The `mllm` judge (MLLM as reward model): the image reaches the server as a PNG data URL, the
score is parsed strictly, and it plugs into the composite reward as r_v."""

import base64
import io

import pytest
from PIL import Image

from perception_r1.judges import build_judge
from perception_r1.judges.base import JudgeError
from perception_r1.judges.prompts import parse_score, VerdictParseError
from perception_r1.llm.loopback import LoopbackServer


def _png(color, size=(40, 30)):
    buf = io.BytesIO()
    Image.new("L", size, color).save(buf, format="PNG")  # grey: the judge must get RGB
    return buf.getvalue()


def _image_of(body):
    part = body["messages"][-1]["content"][0]
    assert part["type"] == "image_url"
    head, data = part["image_url"]["url"].split(",", 1)
    assert head == "data:image/png;base64"
    return Image.open(io.BytesIO(base64.b64decode(data)))


def _scores(judge, responses, images):
    """r_v per response through the one judge call (the mllm judge needs no annotations)."""
    return [j.score for j in judge.score_batch([(r, []) for r in responses], images)]


def _brightness_score(body):
    return f"<score>{_image_of(body).getpixel((0, 0))[0] / 255:.2f}</score>"


def test_image_is_normalised_and_scored(tmp_path):
    path = tmp_path / "a.png"
    path.write_bytes(_png(255))
    with LoopbackServer(_brightness_score) as srv:
        judge = build_judge("mllm", url=srv.url, model="vl", min_pixels=3136)
        out = _scores(judge, ["resp A", "resp B", "resp A"], [str(path), [_png(51)], str(path)])
    assert out == [1.0, 0.2, 1.0]
    assert len(srv.requests) == 2 and judge.stats.extra["deduplicated"] == 1
    img = _image_of(srv.requests[0])
    assert img.mode == "RGB" and img.size[0] * img.size[1] >= 3136  # clamped up from 40x30
    text = srv.requests[0]["messages"][-1]["content"][-1]["text"]
    assert "<response>" in text and srv.requests[0]["temperature"] == 0.0
    assert all(j.verdicts is None for j in judge.score_batch([("resp A", ["AB = 3"])], [str(path)]))


def test_cache_across_instances(tmp_path):
    with LoopbackServer(_brightness_score) as srv:
        _scores(build_judge("mllm", url=srv.url, model="vl", cache=tmp_path / "c.sqlite"), ["r"], [_png(0)])
        again = build_judge("mllm", url=srv.url, model="vl", cache=tmp_path / "c.sqlite")
        assert _scores(again, ["r"], [_png(0)]) == [0.0] and again.stats.cache_hits == 1
    assert len(srv.requests) == 1


@pytest.mark.parametrize("reply", ["<score>1.5</score>", "<score>-0.1</score>", "I like it", "<score>high</score>",
                                   "<score>0.2</score><score>0.9</score>", "<score>nan</score>"])
def test_bad_score_is_an_error_never_zero(reply):
    with pytest.raises(VerdictParseError):
        parse_score(reply)
    with LoopbackServer(lambda body: reply) as srv:
        with pytest.raises(JudgeError, match="mllm judge: bad score reply 2 time"):
            _scores(build_judge("mllm", url=srv.url, model="vl", parse_retries=1), ["r"], [_png(0)])
        skip = build_judge("mllm", url=srv.url, model="vl", parse_retries=0, on_error="skip")
        assert _scores(skip, ["r"], [_png(0)]) == [None] and skip.stats.failures == 1


def test_missing_image_and_http_faults():
    with LoopbackServer(_brightness_score, faults=lambda i, b: "500" if i == 0 else None) as srv:
        judge = build_judge("mllm", url=srv.url, model="vl", backoff=0.01, on_error="skip")
        assert _scores(judge, ["r", "s"], [_png(255), None]) == [1.0, None]
    assert judge.stats.failures == 1 and judge.stats.extra["http_retries"] == 1
    with pytest.raises(TypeError, match="not per-annotation verdicts"):
        judge.judge("r", ["AB = 1"])


@pytest.mark.parametrize("reply, value", [("<score>0.7</score>", 0.7), (" <score> 1 </score>", 1.0),
                                          ("<think>maybe <score>0.1</score></think><score>0</score>", 0.0)])
def test_parse_score_table(reply, value):
    assert parse_score(reply) == value


def test_plugs_into_composite_and_trl_as_perception():
    import asyncio

    from perception_r1.rewards.composite import RewardConfig, score_responses
    from perception_r1.rewards.trl import make_reward_funcs

    resp = "<think>\nAB = 3\n</think>\n<answer>\n\\boxed{3}\n</answer>"
    rows = [{"id": "a", "answer": "3", "images": [_png(255)], "visual_annotations": None},
            {"id": "b", "answer": "4", "images": [_png(51)], "visual_annotations": ["AB = 3"]}]
    with LoopbackServer(_brightness_score) as srv:
        judge = build_judge("mllm", url=srv.url, model="vl")
        out = score_responses([resp, resp], rows, judge, RewardConfig(use_accuracy=False))
        assert [b.perception for b in out] == [1.0, 0.2] and [b.judgments for b in out] == [None, None]
        assert out[1].total == pytest.approx(0.1 * 1.0 + 0.7 * 0.2)
        funcs, _ = make_reward_funcs(RewardConfig(), judge)
        perception = next(f for f in funcs if f.__name__ == "perception")
        got = asyncio.run(perception([resp, resp], images=[r["images"] for r in rows],
                                     visual_annotations=[None, ["AB = 3"]], id=["a", "b"]))
        assert got == [1.0, 0.2]
