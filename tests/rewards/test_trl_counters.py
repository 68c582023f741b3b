"""The TRL accuracy adapter logs each way a math-verify check can be missing, per step: ran out of time
(`accuracy/timeouts`) and found no process to run in (`accuracy/failures`, a pool that could not start)."""

from __future__ import annotations

import asyncio

from perception_r1.rewards import accuracy
from perception_r1.rewards.composite import RewardConfig
from perception_r1.rewards.trl import make_reward_funcs


def test_accuracy_failures_are_logged_as_timeouts_are(monkeypatch):
    def no_pool(responses, *args):
        accuracy.STATS.failures += len(responses)
        accuracy.STATS.timeouts += 1
        return [None] * len(responses)

    monkeypatch.setattr(accuracy, "accuracy_batch", no_pool)
    monkeypatch.setattr(accuracy, "start_pool", lambda *a, **k: None, raising=False)
    fn = next(f for f in make_reward_funcs(RewardConfig(use_perception=False))[0] if f.__name__ == "accuracy")
    metrics: dict[str, float] = {}
    out = asyncio.run(fn(completions=["\\boxed{5}"] * 3, answer=["5"] * 3,
                         log_metric=lambda name, value: metrics.__setitem__(name, value)))
    assert out == [None] * 3
    assert metrics["accuracy/failures"] == 3 and metrics["accuracy/timeouts"] == 1 and metrics["accuracy/missing"] == 3
