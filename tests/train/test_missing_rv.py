"""A completion without r_v: left out when its whole group lacks it, given the group's mean when only it
lacks it (a skipped judgment), so group normalisation never sees a fake 0."""

from __future__ import annotations

import asyncio

import pytest

pytest.importorskip("trl")

from perception_r1.train.missing_rv import fill_group_mean, with_missing_policy  # noqa: E402


@pytest.mark.parametrize("values,ids,expected,filled", [
    ([1.0, None, 0.0, 0.5], ["a", "a", "a", "a"], [1.0, 0.5, 0.0, 0.5], 1),      # skipped judgment
    ([None, None, None, None], ["a", "a", "b", "b"], [None] * 4, 0),              # no annotations
    ([None, 1.0, None, 0.0], ["a", "a", "b", "b"], [1.0, 1.0, 0.0, 0.0], 2),      # per prompt
    ([0.25, 0.75], ["a", "a"], [0.25, 0.75], 0),
    ([], [], [], 0),
])
def test_fill_group_mean(values, ids, expected, filled):
    assert fill_group_mean(values, ids) == (expected, filled)


def _async_perception():
    async def perception(completions, **kw):
        return [None, 1.0, 0.0, None]
    return perception


def _sync_perception():
    def perception(completions, **kw):
        return [None, 1.0, 0.0, None]
    return perception


@pytest.mark.parametrize("make", [_async_perception, _sync_perception])
def test_group_mean_policy_wraps_and_counts(make):
    logged = {}
    f = with_missing_policy(make(), "group_mean")
    kw = dict(completions=[0] * 4, id=["a", "a", "b", "b"], log_metric=lambda k, v: logged.update({k: v}))
    out = f(**kw)
    out = asyncio.run(out) if asyncio.iscoroutine(out) else out
    assert out == [1.0, 1.0, 0.0, 0.0] and logged == {"perception/filled_group_mean": 2}
    assert f.__name__ == "perception"


def test_omit_policy_is_trl_behaviour_and_bad_policy_named():
    f = _sync_perception()
    assert with_missing_policy(f, "omit") is f
    with pytest.raises(ValueError, match="missing_perception"):
        with_missing_policy(f, "zero")
