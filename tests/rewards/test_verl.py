"""The verl/EasyR1 adapter loaded the way each engine loads a custom reward file, in a fresh interpreter.

The real engines do not install on a CPU-only machine without ray, tensordict and vLLM (gigabytes), so
the loader code is reproduced here line for line, with the source it comes from:

- verl `verl/utils/import_utils.py::load_module` / `load_extern_object` (volcengine/verl b178a3c):
  `spec_from_file_location(f"custom_module_{hash(abspath)}", path)`, not put in `sys.modules`; a
  `pkg://a.b.c` path is `importlib.import_module("a.b.c")`.
- verl `verl/trainer/ppo/reward.py::get_custom_reward_fn`: `reward_kwargs` merged into every call,
  `inspect.iscoroutinefunction` picks the awaited form.
- verl `verl/experimental/reward_loop/reward_loop.py::RewardLoopWorker.compute_score_batch`: one task
  per sample, `asyncio.gather`; `reward_manager/naive.py::run_single` decodes in the executor, then
  awaits `compute_score(data_source=, solution_str=, ground_truth=, extra_info=)`; `extra_info` gets
  `num_turns` and `rollout_reward_scores`.
- verl `verl/workers/reward_manager/batch.py::BatchRewardManager.verify`: `compute_score(data_sources=,
  solution_strs=, ground_truths=, extra_infos=, **reward_kwargs)`.
- EasyR1 `verl/workers/reward/function.py::AutoRewardManager` (hiyouga/EasyR1 b44b311):
  `spec_from_file_location("custom_reward_fn", path)`, `sys.modules["custom_reward_fn"] = module`,
  `REWARD_TYPE` (default "batch"), `partial(fn, **reward_function_kwargs)` called with
  `[{"response", "response_length", "ground_truth"}]`; the score's `overall` becomes the reward.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from perception_r1.judges.base import Judge
import perception_r1.rewards.verl as adapter

VERL_PY = Path(adapter.__file__).resolve()
ANN4 = ["AB = 3", "BC = 4", "m\\angle ABC = 90^\\circ", "AC = 5"]
GOOD = "<think>\nAB = 3 and BC = 4, right angle at B, so AC = 5.\n</think>\n<answer>\n\\boxed{5}\n</answer>"
BAD = "the answer is 5"

ENGINES = r'''
import asyncio, functools, importlib, importlib.util, inspect, json, os, sys

path, ann, good, bad = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3], sys.argv[4]
out = {}

# --- verl load_module (file path) + get_custom_reward_fn -------------------------------------------
def verl_load(module_path, name):
    if module_path.startswith("pkg://"):
        module = importlib.import_module(module_path[len("pkg://"):].replace("/", "."))
    else:
        spec = importlib.util.spec_from_file_location(f"custom_module_{hash(os.path.abspath(module_path))}", module_path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return getattr(module, name)

def verl_reward_fn(module_path, name, reward_kwargs):
    raw = verl_load(module_path, name)
    if not inspect.iscoroutinefunction(raw):
        return raw, functools.partial(lambda fn, kw, *a, **k: fn(*a, **{**k, **kw}), raw, reward_kwargs)
    async def call(*a, **k):
        return await raw(*a, **{**k, **reward_kwargs})
    return raw, call

# a generous math-verify limit: on a loaded CI machine a timed-out comparison would score 0
kwargs = {"judge": "symbolic", "gamma": 0.5, "accuracy_timeout": 60}
raw, fn = verl_reward_fn(path, "compute_score", kwargs)
out["sync_module"] = raw.__module__
out["sync"] = fn(data_source="geo3k", solution_str=good, ground_truth="5",
                 extra_info={"visual_annotations": ann, "num_turns": None, "rollout_reward_scores": {}})

# Count the judge's batches: the module shares perception_r1's judge classes with the package.
from perception_r1.judges.symbolic import SymbolicJudge
calls = []
orig = SymbolicJudge.ajudge_batch
async def counting(self, items, images=None):
    calls.append(len(items))
    return await orig(self, items, images)
SymbolicJudge.ajudge_batch = counting

# --- verl reward loop: RewardLoopWorker.compute_score_batch -> NaiveRewardManager.run_single --------
raw, fn = verl_reward_fn(path, "compute_score_async", kwargs)
# A wide window, so that a loaded CI machine (decodes finishing late) still gathers the burst.
raw.__globals__["BATCH_WINDOW_S"] = 0.5  # the module verl loaded (not in sys.modules)
out["async_is_coroutine"] = inspect.iscoroutinefunction(raw)
samples = [(good if i % 2 == 0 else bad, json.dumps({"answer": "5", "visual_annotations": ann})) for i in range(16)]

async def run_single(loop, response, gt):
    text = await loop.run_in_executor(None, lambda: response)  # tokenizer.decode in verl
    extra = {"num_turns": None, "rollout_reward_scores": {}}
    return await fn(data_source="geo3k", solution_str=text, ground_truth=gt, extra_info=extra)

async def worker_batch():
    loop = asyncio.get_running_loop()
    tasks = [asyncio.create_task(run_single(loop, r, g)) for r, g in samples]
    return await asyncio.gather(*tasks)

out["loop"] = asyncio.run(worker_batch())
out["loop_judge_batches"] = list(calls)

# --- verl pkg:// and the batch manager ----------------------------------------------------------------
raw, fn = verl_reward_fn("pkg://perception_r1.rewards.verl", "compute_score_batched", {"accuracy_timeout": 60})
out["pkg_module"] = raw.__module__
calls.clear()
out["batched"] = fn(data_sources=["geo3k"] * 2, solution_strs=[good, bad], ground_truths=["5", "5"],
                    extra_infos=[{"visual_annotations": ann, "rollout_reward_scores": {}}, {"rollout_reward_scores": {}}])
out["batched_judge_batches"] = list(calls)

# --- EasyR1 AutoRewardManager -----------------------------------------------------------------------
spec = importlib.util.spec_from_file_location("custom_reward_fn", path)
module = importlib.util.module_from_spec(spec)
sys.modules["custom_reward_fn"] = module
spec.loader.exec_module(module)
reward_fn = functools.partial(getattr(module, "compute_score_batch"), **{"judge": "symbolic", "accuracy_timeout": 60})
out["easyr1_type"] = getattr(module, "REWARD_TYPE", "batch")
calls.clear()
out["easyr1"] = reward_fn([{"response": good, "response_length": 30,
                            "ground_truth": json.dumps({"answer": "5", "visual_annotations": ann})},
                           {"response": bad, "response_length": 5, "ground_truth": "5"}])
out["easyr1_judge_batches"] = list(calls)
print("RESULT " + json.dumps(out))
'''


def _run_engines(env_extra: dict[str, str] | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PERCEPTION_R1_")}
    env.update(PYTHONPATH=os.pathsep.join(p for p in sys.path if p), **(env_extra or {}))
    proc = subprocess.run([sys.executable, "-c", ENGINES, str(VERL_PY), json.dumps(ANN4), GOOD, BAD],
                          capture_output=True, text=True, timeout=240, env=env, cwd=VERL_PY.parents[3])
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = next(x for x in proc.stdout.splitlines() if x.startswith("RESULT "))
    return json.loads(line[len("RESULT "):])


def test_engines_load_the_file_and_get_scores():
    out = _run_engines()
    # loaded by path under the engine's own module name, i.e. not through the package's relative imports
    assert out["sync_module"].startswith("custom_module_") and out["pkg_module"] == "perception_r1.rewards.verl"
    # gamma 0.5 came through reward_kwargs: 0.1 format + 0.9 accuracy + 0.5 × r_v 1.0
    assert out["sync"]["score"] == pytest.approx(1.5) and out["sync"]["perception"] == 1.0
    assert out["async_is_coroutine"]
    loop = out["loop"]
    assert [round(x["score"], 6) for x in loop] == [1.5, 0.0] * 8  # BAD has no box: no format, no accuracy
    assert sum(out["loop_judge_batches"]) == 16 and len(out["loop_judge_batches"]) <= 2, out["loop_judge_batches"]
    assert [x["score"] for x in out["batched"]] == pytest.approx([0.1 + 0.9 + 0.7, 0.0])
    assert math.isnan(out["batched"][1]["perception"]) and out["batched_judge_batches"] == [1]
    assert out["easyr1_type"] == "batch"
    assert [x["overall"] for x in out["easyr1"]] == pytest.approx([1.7, 0.0])
    assert set(out["easyr1"][0]) == set(out["easyr1"][1]) == {"overall", "format", "accuracy", "perception",
                                                               "repetition"}


def test_environment_reaches_a_fresh_process():
    out = _run_engines({"PERCEPTION_R1_REWARD": json.dumps({"alpha": 0.0, "use_repetition": False})})
    # kwargs (gamma 0.5) and the environment (alpha 0) combine; EasyR1 got no gamma kwarg: 0.9 + 0.7
    assert out["sync"]["score"] == pytest.approx(0.9 + 0.5) and math.isnan(out["sync"]["repetition"])
    assert out["easyr1"][0]["overall"] == pytest.approx(1.6)


def test_unknown_option_is_one_clear_error():
    with pytest.raises(ValueError, match=r"unknown option\(s\) \['judge_ulr'\]"):
        adapter.compute_score("geo", GOOD, "5", judge_ulr="http://x")


class ScriptedJudge(Judge):
    name = "scripted"

    def __init__(self):
        super().__init__()
        self.batches = []

    async def ajudge_batch(self, items, images=None):
        self.batches.append(len(items))
        return [[1, 1, 0, 1] for _ in items]


def test_in_process_judge_and_failure_reaches_every_waiter(monkeypatch):
    import asyncio

    judge = ScriptedJudge()
    adapter.set_judge(judge)
    try:
        out = adapter.compute_score("geo", GOOD, "5", {"visual_annotations": ANN4})
        assert out["score"] == pytest.approx(0.1 + 0.9 + 0.7 * 0.75) and judge.batches

        async def burst(gt):
            return await asyncio.gather(*(adapter.compute_score_async("geo", GOOD, gt) for _ in range(3)),
                                        return_exceptions=True)

        bad = asyncio.run(burst('{"answer": "5", "visual_annotations": "AB = 3"}'))  # a string, not a list
        assert len(bad) == 3 and all(isinstance(e, ValueError) and "visual_annotations" in str(e) for e in bad)
    finally:
        adapter.set_judge(None)


def test_docs_name_real_entry_points_and_options():
    import re

    doc = (VERL_PY.parents[3] / "docs" / "rewards.md").read_text()
    names = re.findall(r"custom_reward_function\.name=(\w+)", doc) + re.findall(r"reward_function=\$R:(\w+)", doc)
    assert names and all(callable(getattr(adapter, n)) for n in names), names
    assert adapter.asyncio.iscoroutinefunction(adapter.compute_score_async)
    keys = re.findall(r"reward_(?:function_)?kwargs\.(\w+)=", doc)
    assert keys and set(keys) <= set(adapter.OPTIONS), keys
