"""The composite r = α·r_f + β·r_a + γ·r_v + r_p at the released weights, and its adapters."""

import asyncio
import math

import pytest

from perception_r1.judges.base import Judge, JudgeError
from perception_r1.rewards import RewardConfig, score_responses
from perception_r1.rewards import verl as verl_adapter
from perception_r1.rewards.composite import REWARDS
from perception_r1.rewards.trl import ADAPTERS, completion_text, make_reward_funcs


class ScriptedJudge(Judge):
    """Returns scripted verdicts keyed by response text; records every batch it was sent."""

    name = "scripted"

    def __init__(self, verdicts, on_error="raise"):
        super().__init__(on_error)
        self.verdicts = verdicts
        self.batches = []

    async def ajudge_batch(self, items, images=None):
        self.batches.append(list(items))
        self.stats.requests += len(items)
        return [self.verdicts[resp] for resp, _ in items]


ANN4 = ["AB = 3", "BC = 4", "m\\angle ABC = 90^\\circ", "AC = 5"]
GOOD = "<think>\nAB = 3 and BC = 4, right angle at B, so AC = 5.\n</think>\n<answer>\n\\boxed{5}\n</answer>"
BAD = "the answer is 5"
WORDS = " ".join(f"w{i}" for i in range(20))
# 1 + 40 + 4 = 45 words -> 26 windows of 20; only the 21 windows inside the doubled block repeat
# one window (w0..w19 twice) -> 25 unique of 26.
REPEAT = f"<think>\n{WORDS} {WORDS}\n</think>\n<answer>\n\\boxed{{7}}\n</answer>"
ROWS = [
    {"id": "p1", "answer": "5", "visual_annotations": ANN4},
    {"id": "p2", "answer": "5", "visual_annotations": []},
    {"id": "p3", "answer": "5", "visual_annotations": ANN4},
]
JUDGE_VERDICTS = {GOOD: [1, 1, 0, 1], REPEAT: [0, 0, 0, 0], BAD: [1, 1, 1, 1]}


def test_composite_default_weights_hand_computed():
    judge = ScriptedJudge(JUDGE_VERDICTS)
    out = score_responses([GOOD, BAD, REPEAT], ROWS, judge, RewardConfig())
    # p1: 0.1·1 + 0.9·1 + 0.7·(3/4) + 0
    assert (out[0].format, out[0].accuracy, out[0].perception, out[0].repetition) == (1.0, 1.0, 0.75, 0.0)
    assert out[0].total == pytest.approx(1.525)
    assert out[0].judgments == [1, 1, 0, 1]
    # p2: no annotations -> perception None, left out of the total (not a fake 0); BAD has no box
    assert out[1].perception is None and out[1].judgments is None
    assert out[1].total == pytest.approx(0.0)
    # p3: 0.1·1 + 0.9·0 + 0.7·0 − 2·(1 − 25/26)
    assert out[2].repetition == pytest.approx(-2 / 26)
    assert out[2].total == pytest.approx(0.1 - 2 / 26)
    # every annotated response went to the judge in ONE batch; the unannotated one did not
    assert len(judge.batches) == 1 and [r for r, _ in judge.batches[0]] == [GOOD, REPEAT]


def test_composite_switches_and_weights():
    cfg = RewardConfig(alpha=0.5, beta=0.5, gamma=0.2, use_repetition=False, use_perception=False)
    [b] = score_responses([GOOD], ROWS[:1], None, cfg)
    assert b.perception is None and b.repetition is None and b.total == pytest.approx(1.0)


def test_composite_errors_name_the_record():
    with pytest.raises(JudgeError, match="p1"):
        score_responses([GOOD], ROWS[:1], ScriptedJudge({GOOD: [1, 1]}))
    with pytest.raises(ValueError, match="answer"):
        score_responses([GOOD], [{"id": "q", "visual_annotations": []}], ScriptedJudge({}))
    with pytest.raises(ValueError, match="judge"):
        score_responses([GOOD], ROWS[:1], None)


def test_failed_judgment_is_none_not_zero():
    [b] = score_responses([GOOD], ROWS[:1], ScriptedJudge({GOOD: None}, on_error="skip"))
    assert b.perception is None and b.total == pytest.approx(1.0)


@pytest.mark.parametrize("completion,text", [
    ("plain", "plain"),
    ([{"role": "assistant", "content": "msg"}], "msg"),
    ([{"role": "assistant", "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]}], "ab"),
    ({"role": "assistant", "content": "one"}, "one"),
])
def test_completion_text(completion, text):
    assert completion_text(completion) == text


def _call(fn, **kwargs):
    out = fn(**kwargs)
    return asyncio.run(out) if asyncio.iscoroutine(out) else out


def test_trl_adapter_matches_composite_and_logs():
    judge = ScriptedJudge(JUDGE_VERDICTS)
    funcs, weights = make_reward_funcs(RewardConfig(), judge)
    assert [f.__name__ for f in funcs] == ["format", "accuracy", "perception", "repetition"]
    assert weights == [0.1, 0.9, 0.7, 1.0]
    metrics, extra = [], {}
    kwargs = dict(
        prompts=["q"] * 3, completions=[[{"role": "assistant", "content": t}] for t in (GOOD, BAD, REPEAT)],
        completion_ids=[[1], [2], [3]], id=[r["id"] for r in ROWS], answer=[r["answer"] for r in ROWS],
        choices=[None] * 3, visual_annotations=[r["visual_annotations"] for r in ROWS], trainer_state=None,
        log_metric=lambda name, value: metrics.append((name, value)),
        log_extra=lambda col, values: extra.setdefault(col, []).extend(values),
    )
    per_func = [_call(f, **kwargs) for f in funcs]
    assert per_func[2] == [0.75, None, 0.0]                   # None -> NaN -> left out by TRL's nansum
    expected = score_responses([GOOD, BAD, REPEAT], ROWS, ScriptedJudge(JUDGE_VERDICTS))
    for i, b in enumerate(expected):
        total = sum(w * col[i] for w, col in zip(weights, per_func) if col[i] is not None)
        assert total == pytest.approx(b.total)
    names = dict(metrics)
    assert names["perception/judge_requests"] == 2 and names["perception/missing"] == 0
    assert "accuracy/timeouts" in names and "perception/judge_latency_s" in names
    assert extra["judgments"] == ["[1, 1, 0, 1]", "", "[0, 0, 0, 0]"]


def test_one_trl_function_per_registered_component():
    assert list(ADAPTERS) == list(REWARDS) == list(RewardConfig().weights())


def test_accuracy_that_could_not_be_computed_is_left_out(monkeypatch):
    """A math-verify check that could not be done is None: no accuracy term, counted — never a 0."""
    from perception_r1.rewards import accuracy, composite

    def timed_out(responses, *args):
        return [None] * len(responses)

    monkeypatch.setattr(composite, "accuracy_batch", timed_out)
    monkeypatch.setattr(accuracy, "accuracy_batch", timed_out)
    [b] = score_responses([GOOD], ROWS[1:2], ScriptedJudge({}))
    assert b.accuracy is None and b.total == pytest.approx(0.1)
    assert verl_adapter._result(b, "score")["score"] == pytest.approx(0.1)
    assert math.isnan(verl_adapter._result(b, "score")["accuracy"])
    metrics = []
    acc = next(f for f in make_reward_funcs(RewardConfig(use_perception=False))[0] if f.__name__ == "accuracy")
    assert _call(acc, completions=[GOOD], answer=["5"], log_metric=lambda n, v: metrics.append((n, v))) == [None]
    assert dict(metrics)["accuracy/missing"] == 1


def test_trl_adapter_flags():
    funcs, weights = make_reward_funcs(RewardConfig(use_perception=False, use_format=False), None)
    assert [f.__name__ for f in funcs] == ["accuracy", "repetition"] and weights == [0.9, 1.0]
    with pytest.raises(ValueError):
        make_reward_funcs(RewardConfig(), None)


def test_a_network_judge_gets_a_head_start_over_math_verify(monkeypatch):
    """score_responses sends a background judge's requests first and starts math-verify only once the
    judge has its first reply (so sympy's start-up does not compete with the first wave)."""
    import time

    from perception_r1.rewards import composite

    events = []

    class SlowJudge(ScriptedJudge):
        background = True

        async def ajudge_batch(self, items, images=None):
            events.append("judge asked")
            await asyncio.sleep(0.2)
            events.append("first reply")
            return await super().ajudge_batch(items, images)

    def accuracy_batch(responses, answers, choices, timeout):
        events.append("math-verify")
        return [1.0] * len(responses)

    monkeypatch.setattr(composite, "accuracy_batch", accuracy_batch)
    judge = SlowJudge({"a": [1], "b": [0]})
    rows = [{"id": "x", "answer": "1", "visual_annotations": ["AB = 1"]}] * 2
    out = score_responses(["a", "b"], rows, judge)
    assert events == ["judge asked", "first reply", "math-verify"]
    assert [b.perception for b in out] == [1.0, 0.0] and [b.accuracy for b in out] == [1.0, 1.0]
    t0 = time.perf_counter()
    composite.judge_head_start(judge, [None], limit=5)  # a judge that has replied: no wait
    composite.judge_head_start(object(), [None], limit=5)  # not a background judge: no wait
    assert time.perf_counter() - t0 < 0.1
