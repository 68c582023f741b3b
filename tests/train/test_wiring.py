"""Unit tests of the training wiring (no model): the reward recorder keeps TRL's dispatch and each
completion's values, metrics.jsonl survives a resume, MethodArgs rejects bad values, rows carry the
reward's columns."""

from __future__ import annotations

import asyncio
import io
import json
import math
from types import SimpleNamespace

import pytest

pytest.importorskip("trl")

from PIL import Image  # noqa: E402

from perception_r1.data import Record  # noqa: E402
from perception_r1.train.callbacks import MetricsJsonl, RewardRecorder, _drop_after, is_async_callable  # noqa: E402
from perception_r1.train.config import MethodArgs  # noqa: E402
from perception_r1.train.dataset import REWARD_COLUMNS, grpo_dataset, sft_dataset  # noqa: E402


def _sync(completions, **kw):
    return [float(len(c[0]["content"])) for c in completions]


async def _async(completions, **kw):
    return [None if kw["visual_annotations"][i] is None else 0.5 for i in range(len(completions))]


_sync.__name__, _async.__name__ = "repetition", "perception"


def _batch(step=0):
    metrics = {}
    kw = {"id": ["a", "a", "b", "b"], "visual_annotations": [["x"], ["x"], None, None],
          "trainer_state": SimpleNamespace(global_step=step),
          "log_metric": lambda name, v: metrics.setdefault(name, []).append(v)}
    completions = [[{"role": "assistant", "content": t}] for t in ("aa", "bbbb", "", "c")]
    return completions, kw, metrics


def test_recorder_keeps_dispatch_values_and_names():
    rec = RewardRecorder([1.0, 0.7])
    sync_w, async_w = rec.wrap([_sync, _async])
    assert (sync_w.__name__, async_w.__name__) == ("repetition", "perception")
    assert not is_async_callable(sync_w) and is_async_callable(async_w)
    completions, kw, metrics = _batch()
    assert sync_w(prompts=None, completions=completions, **kw) == [2.0, 4.0, 0.0, 1.0]
    assert asyncio.run(async_w(prompts=None, completions=completions, **kw)) == [0.5, 0.5, None, None]
    assert metrics == {"repetition/rate": [0.0], "perception/no_value_frac": [0.5]}
    rows = rec.samples(3)
    assert [r["id"] for r in rows] == ["a", "a", "b"] and rows[1]["completion"] == "bbbb"
    # the total leaves a missing r_v out, as TRL's nansum does
    assert [r["total"] for r in rows] == [2.0 + 0.35, 4.0 + 0.35, 0.0]
    assert rows[0]["step"] == 1


def test_recorder_starts_a_new_batch_each_step():
    rec = RewardRecorder([1.0])
    (w,) = rec.wrap([_sync])
    for step in (0, 1):
        completions, kw, _ = _batch(step)
        w(completions=completions[:2], **{**kw, "id": ["a", "a"]})
    assert rec.step == 2 and len(rec.samples(10)) == 2


def test_metrics_jsonl_drops_steps_a_resume_redoes(tmp_path):
    path = tmp_path / "metrics.jsonl"
    cb = MetricsJsonl(path)
    state = SimpleNamespace(global_step=0, is_world_process_zero=True)
    for step in (1, 2, 3):
        state.global_step = step
        cb.on_log(None, state, None, logs={"loss": 0.1 * step})
    state.global_step = 2  # killed after checkpoint-2 and step 3 was logged: the resume redoes step 3
    MetricsJsonl(path).on_step_begin(None, state, None)
    assert [json.loads(ln)["step"] for ln in path.read_text().splitlines()] == [1, 2]
    _drop_after(tmp_path / "absent.jsonl", 0)  # nothing to do, no error


@pytest.mark.parametrize("kwargs,error", [
    ({"judge": "gpt"}, "judge must be one of"),
    ({"judge_on_error": "ignore"}, "judge_on_error"),
    ({"min_pixels": 100, "max_pixels": 10}, "min_pixels"),
    ({"synth_options": "[1, 2]"}, "synth_options: expected a JSON object"),
    ({"judge_options": "{bad"}, "judge_options: expected a JSON object"),
])
def test_method_args_reject_bad_values(kwargs, error):
    with pytest.raises(ValueError, match=error):
        MethodArgs(**kwargs)


def test_method_args_map_to_reward_and_judge():
    m = MethodArgs(reward_gamma=0.5, use_repetition=False, judge="openai", judge_url="http://x/v1",
                   judge_options='{"parse_retries": 1}')
    cfg = m.reward_config()
    assert (cfg.alpha, cfg.beta, cfg.gamma, cfg.use_repetition) == (0.1, 0.9, 0.5, False)
    assert m.judge_kwargs() == {"url": "http://x/v1", "on_error": "skip", "parse_retries": 1}


def _png(color="white"):
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), color).save(buf, format="PNG")
    return buf.getvalue()


def test_rows_carry_reward_columns_and_clamped_images():
    recs = [Record(id="a", images=[_png()], problem="Find x.", answer="3", visual_annotations=["AB = 3"],
                   cot="<think>\nAB = 3\n</think>\n<answer>\n\\boxed{3}\n</answer>"),
            Record(id="b", images=[_png("black"), _png()], problem="Pick.", answer="B", choices=["1", "2"])]
    ds = grpo_dataset(recs, min_pixels=3136, max_pixels=12544)
    assert set(REWARD_COLUMNS) <= set(ds.column_names)
    assert ds["id"] == ["a", "b"] and ds["choices"] == [None, ["1", "2"]]
    assert ds["visual_annotations"] == [["AB = 3"], None]
    b = ds[1]
    assert [p["type"] for p in b["prompt"][1]["content"]] == ["image", "image", "text"]
    assert "(B) 2" in b["prompt"][1]["content"][-1]["text"]
    w, h = b["images"][0].size
    assert w * h >= 3136 and math.isclose(w / h, 40 / 30, rel_tol=0.05)
    sft = sft_dataset(recs, 3136, 12544)  # "b" has no cot: left out, counted in the log
    assert sft["id"] == ["a"] and sft[0]["completion"][0]["content"][0]["text"].startswith("<think>")
    with pytest.raises(ValueError, match="none of the 1 records has a 'cot' field.*perception-r1 annotate"):
        sft_dataset(recs[1:], 3136, 12544)
