"""verl / EasyR1 adapter: the Perception-R1 reward (paper §3.2, eq. 1) as those engines' custom reward.

Both engines load this file by path with `importlib.util.spec_from_file_location` under a module name
of their own (verl: `verl.utils.import_utils.load_module`; EasyR1: `verl/workers/reward/function.py`),
so every import here is absolute; verl can also load it as `pkg://perception_r1.rewards.verl`.

Entry points, one per way an engine calls a reward (docs/rewards.md has each engine's config keys):

| engine, manager | entry | called with | returns |
|---|---|---|---|
| verl reward loop (default in 0.9: `reward_model.use_reward_loop`) | `compute_score_async` | one sample per call, awaited concurrently | `{"score", components}` |
| verl `naive` / `dapo` manager (legacy) | `compute_score` | one sample per call | same |
| verl `batch` manager | `compute_score_batched` | lists of the batch | list of dicts |
| EasyR1 (`REWARD_TYPE = "batch"`) | `compute_score_batch` | `[{"response", "response_length", "ground_truth"}]` | `{"overall", components}` |

`compute_score_async` gathers the calls that arrive together (verl's worker awaits a whole chunk of
the batch at once) and scores them in one `score_responses` call, so the judge gets one batch instead
of one request per sample.

Annotations and choices travel in `extra_info` (verl) or in `ground_truth` as a JSON object
`{"answer": …, "choices": […], "visual_annotations": […]}` (both engines; EasyR1 passes only
`ground_truth`). A plain `ground_truth` string is the answer alone.

Configuration reaches the reward worker (a Ray actor in both engines, another process than the
driver) as keyword arguments — verl `custom_reward_function.reward_kwargs`, EasyR1
`worker.reward.reward_function_kwargs` — or as environment variables set for the Ray workers; a
keyword beats the environment. Keys (`OPTIONS`): `judge` (`PERCEPTION_R1_JUDGE`, default `symbolic`),
`judge_url`, `judge_model`, `judge_api_key_env`, `judge_timeout`, `judge_concurrency`, `judge_cache`
(`PERCEPTION_R1_JUDGE_URL`, …), `judge_options` (JSON), and the `RewardConfig` fields `alpha`, `beta`,
`gamma`, `ngram`, `max_penalty`, `use_format`, `use_accuracy`, `use_perception`, `use_repetition`,
`format_pattern` (`PERCEPTION_R1_REWARD` holds them as one JSON object). `set_judge` / `set_config`
still serve a caller in the same process.

Perception is NaN (not 0) when a sample has no annotations, and is left out of the score (see
composite.py for why); every dict of a batch has the same keys, as both engines need.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import math
import os
import threading
from typing import Any

from perception_r1.rewards.composite import RewardConfig, score_responses

REWARD_NAME = "perception_r1"
REWARD_TYPE = "batch"  # EasyR1 reads this: `compute_score_batch` takes the whole batch

JUDGE_KEYS = ("judge_url", "judge_model", "judge_api_key_env", "judge_timeout", "judge_concurrency",
              "judge_cache")
CONFIG_KEYS = tuple(f.name for f in dataclasses.fields(RewardConfig))
OPTIONS = ("judge", *JUDGE_KEYS, "judge_options", *CONFIG_KEYS)
# What verl's reward loop adds to every call when a reward model is enabled; not ours to use.
ENGINE_KEYS = ("reward_router_address", "reward_model_tokenizer")
# Calls of compute_score_async that arrive within this window are scored as one batch.
BATCH_WINDOW_S = 0.02

_ENV_TYPES = {"judge_timeout": float, "judge_concurrency": int}
_STATE: dict[str, Any] = {"judge": None, "config": None}
_JUDGES: dict[str, Any] = {}
_LOCK = threading.Lock()


def set_judge(judge) -> None:
    """Use this judge for every later call in this process (beats keywords and the environment)."""
    _STATE["judge"] = judge


def set_config(config: RewardConfig) -> None:
    """Use these weights and switches for every later call in this process."""
    _STATE["config"] = config


def _env_options() -> dict[str, Any]:
    opts: dict[str, Any] = {}
    for key in ("judge", *JUDGE_KEYS, "judge_options"):
        var = f"PERCEPTION_R1_{key.upper()}"
        if var in os.environ:
            opts[key] = _ENV_TYPES.get(key, str)(os.environ[var])
    if "PERCEPTION_R1_REWARD" in os.environ:
        opts.update(_json_object(os.environ["PERCEPTION_R1_REWARD"], "PERCEPTION_R1_REWARD"))
    return opts


def _json_object(value: Any, name: str) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    try:
        parsed = json.loads(value)
    except (TypeError, json.JSONDecodeError) as e:
        raise ValueError(f"{name}: expected a JSON object, got {value!r}") from e
    if not isinstance(parsed, dict):
        raise ValueError(f"{name}: expected a JSON object, got {value!r}")
    return parsed


def resolve(kwargs: dict[str, Any]) -> tuple[RewardConfig, Any]:
    """(RewardConfig, judge) from the engine's reward kwargs over the environment; one judge per setting."""
    kwargs = {k: v for k, v in kwargs.items() if k not in ENGINE_KEYS}
    unknown = sorted(set(kwargs) - set(OPTIONS))
    if unknown:
        raise ValueError(f"perception_r1 reward: unknown option(s) {unknown}; known: {', '.join(OPTIONS)}")
    opts = {**_env_options(), **kwargs}
    fields = {k: opts[k] for k in CONFIG_KEYS if k in opts}
    config = _STATE["config"] or RewardConfig(**fields)
    if not config.use_perception:
        return config, None
    if _STATE["judge"] is not None:
        return config, _STATE["judge"]
    name = opts.get("judge", "symbolic")
    judge_kw = {k[len("judge_"):]: opts[k] for k in JUDGE_KEYS if opts.get(k) is not None}
    judge_kw.update(_json_object(opts["judge_options"], "judge_options") if opts.get("judge_options") else {})
    key = json.dumps([name, judge_kw], sort_keys=True, default=str)
    with _LOCK:
        if key not in _JUDGES:
            from perception_r1.judges import build_judge

            _JUDGES[key] = build_judge(name, **judge_kw)
        return config, _JUDGES[key]


def _row(ground_truth: Any, extra_info: dict[str, Any] | None) -> dict[str, Any]:
    """A data-contract row from verl's ground_truth (answer, or JSON/dict with the fields) and extra_info."""
    row: dict[str, Any] = {}
    if isinstance(ground_truth, dict):
        row.update(ground_truth)
    elif isinstance(ground_truth, str) and ground_truth.lstrip().startswith("{"):
        try:
            row.update(json.loads(ground_truth))
        except json.JSONDecodeError as e:
            raise ValueError(f"ground_truth looks like JSON but does not parse: {e}") from e
    else:
        row["answer"] = ground_truth
    for key in ("id", "answer", "choices", "visual_annotations", "images"):
        if extra_info and extra_info.get(key) is not None and row.get(key) is None:
            row[key] = extra_info[key]
    return row


def _result(b, score_key: str) -> dict[str, float]:
    nan = math.nan
    return {score_key: b.total,
            "format": b.format if b.format is not None else nan,
            "accuracy": b.accuracy if b.accuracy is not None else nan,
            "perception": b.perception if b.perception is not None else nan,
            "repetition": b.repetition if b.repetition is not None else nan}


def _score(responses: list[str], rows: list[dict[str, Any]], kwargs: dict[str, Any], key: str) -> list[dict]:
    config, judge = resolve(kwargs)
    return [_result(b, key) for b in score_responses(responses, rows, judge, config)]


def compute_score(data_source: str, solution_str: str, ground_truth: Any,
                  extra_info: dict[str, Any] | None = None, **kwargs: Any) -> dict[str, float]:
    """verl's per-sample reward: {"score": total, "format", "accuracy", "perception", "repetition"}."""
    return _score([solution_str], [_row(ground_truth, extra_info)], kwargs, "score")[0]


def compute_score_batched(data_sources: list[str], solution_strs: list[str], ground_truths: list[Any],
                          extra_infos: list[dict[str, Any] | None] | None = None, **kwargs: Any) -> list[dict]:
    """verl's BatchRewardManager form (`reward_model.reward_manager=batch`): lists in, one dict each."""
    extra_infos = extra_infos if extra_infos is not None else [None] * len(solution_strs)
    rows = [_row(g, e) for g, e in zip(ground_truths, extra_infos)]
    return _score(list(solution_strs), rows, kwargs, "score")


def compute_score_batch(reward_inputs: list[dict[str, Any]], **kwargs: Any) -> list[dict[str, float]]:
    """EasyR1's batch reward: one dict with `overall` and the components per input, judged in one batch."""
    rows = [_row(x["ground_truth"], x.get("extra_info")) for x in reward_inputs]
    return _score([x["response"] for x in reward_inputs], rows, kwargs, "overall")


class _Batcher:
    """Collects concurrent awaits on one event loop and scores each burst in one call (in a thread, so
    the loop keeps decoding and collecting while math-verify and the judge work)."""

    def __init__(self, loop: asyncio.AbstractEventLoop):
        self.loop = loop
        self.pending: dict[str, list[tuple[str, dict, asyncio.Future]]] = {}
        self.timer: asyncio.TimerHandle | None = None
        self.batches: list[int] = []  # sizes of the batches scored, for tests and logs

    def add(self, response: str, row: dict[str, Any], kwargs: dict[str, Any]) -> asyncio.Future:
        fut = self.loop.create_future()
        key = json.dumps(kwargs, sort_keys=True, default=repr)
        self.pending.setdefault(key, []).append((response, row, fut))
        if self.timer is not None:
            self.timer.cancel()
        self.timer = self.loop.call_later(BATCH_WINDOW_S, self.flush)
        return fut

    def flush(self) -> None:
        self.timer = None
        pending, self.pending = self.pending, {}
        for key, items in pending.items():
            self.loop.create_task(self._run(json.loads(key), items))

    async def _run(self, kwargs: dict[str, Any], items: list[tuple[str, dict, asyncio.Future]]) -> None:
        self.batches.append(len(items))
        try:
            results = await self.loop.run_in_executor(
                None, _score, [r for r, _, _ in items], [row for _, row, _ in items], kwargs, "score")
        except Exception as e:  # noqa: BLE001 — every waiting call sees the batch's error
            for _, _, fut in items:
                if not fut.done():
                    fut.set_exception(e)
            return
        for (_, _, fut), res in zip(items, results):
            if not fut.done():
                fut.set_result(res)


_BATCHERS: dict[int, _Batcher] = {}


def batcher() -> _Batcher:
    """The batcher of the running event loop (verl's reward worker runs one loop per actor)."""
    loop = asyncio.get_running_loop()
    b = _BATCHERS.get(id(loop))
    if b is None or b.loop is not loop:
        b = _BATCHERS[id(loop)] = _Batcher(loop)
    return b


async def compute_score_async(data_source: str, solution_str: str, ground_truth: Any,
                              extra_info: dict[str, Any] | None = None, **kwargs: Any) -> dict[str, float]:
    """verl's reward-loop entry (`inspect.iscoroutinefunction` → awaited): same dict as `compute_score`,
    with the concurrent calls of a burst judged in one batch."""
    kwargs = {k: v for k, v in kwargs.items() if k not in ENGINE_KEYS}
    resolve(kwargs)  # a bad option fails this call at once, not after the window
    return await batcher().add(solution_str, _row(ground_truth, extra_info), kwargs)
