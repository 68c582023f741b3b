"""verl / EasyR1 adapter: the Perception-R1 reward as a custom `compute_score` function.

verl (`custom_reward_function.path=…/verl.py`, `name=compute_score`) calls
`compute_score(data_source, solution_str, ground_truth, extra_info=None)` per sample and accepts a
dict with a `score` key (the other keys are logged). EasyR1 (`worker.reward.reward_function=
…/verl.py:compute_score_batch`, reward_type batch) calls `compute_score_batch(reward_inputs)` with
dicts holding `response` and `ground_truth` and wants dicts with an `overall` key.

Annotations and choices travel in `extra_info` (verl) or in `ground_truth` as a JSON object
`{"answer": …, "choices": […], "visual_annotations": […]}` (both engines; EasyR1 has no extra_info).
A plain `ground_truth` string is the answer alone.

The judge: `set_judge(judge)`, else built once from the environment —
`PERCEPTION_R1_JUDGE` (default `symbolic`), `PERCEPTION_R1_JUDGE_URL`, `PERCEPTION_R1_JUDGE_MODEL`
— through `perception_r1.judges.build_judge`. Weights: `set_config(RewardConfig(...))`.
Perception is NaN (not 0) in the returned dict when a sample has no annotations; it is left out
of `score` (see composite.py for why).
"""

from __future__ import annotations

import json
import math
import os
import threading
from typing import Any

from .composite import RewardConfig, score_responses

_STATE: dict[str, Any] = {"judge": None, "config": None}
_LOCK = threading.Lock()


def set_judge(judge) -> None:
    """Use this judge for every later call (overrides the environment)."""
    _STATE["judge"] = judge


def set_config(config: RewardConfig) -> None:
    """Use these weights and switches for every later call."""
    _STATE["config"] = config


def _config() -> RewardConfig:
    return _STATE["config"] or RewardConfig()


def _judge():
    with _LOCK:
        if _STATE["judge"] is None and _config().use_perception:
            from ..judges import build_judge

            name = os.environ.get("PERCEPTION_R1_JUDGE", "symbolic")
            options = {k: os.environ[v] for k, v in (("url", "PERCEPTION_R1_JUDGE_URL"),
                                                     ("model", "PERCEPTION_R1_JUDGE_MODEL")) if v in os.environ}
            _STATE["judge"] = build_judge(name, **options)
        return _STATE["judge"]


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


def compute_score(data_source: str, solution_str: str, ground_truth: Any,
                  extra_info: dict[str, Any] | None = None, **kwargs: Any) -> dict[str, float]:
    """verl's per-sample reward: {"score": total, "format", "accuracy", "perception", "repetition"}."""
    config = _config()
    [b] = score_responses([solution_str], [_row(ground_truth, extra_info)], _judge(), config)
    return _result(b, "score")


def compute_score_batch(reward_inputs: list[dict[str, Any]], **kwargs: Any) -> list[dict[str, float]]:
    """EasyR1's batch reward: one dict with `overall` and the components per input, judged in one batch."""
    config = _config()
    rows = [_row(x["ground_truth"], x.get("extra_info")) for x in reward_inputs]
    breakdowns = score_responses([x["response"] for x in reward_inputs], rows, _judge(), config)
    return [_result(b, "overall") for b in breakdowns]


def compute_score_batched(data_sources: list[str], solution_strs: list[str], ground_truths: list[Any],
                          extra_infos: list[dict[str, Any] | None] | None = None, **kwargs: Any) -> list[dict[str, float]]:
    """verl's BatchRewardManager form (`reward_model.reward_manager=batch`): lists in, one dict each."""
    extra_infos = extra_infos or [None] * len(solution_strs)
    rows = [_row(g, e) for g, e in zip(ground_truths, extra_infos)]
    return [_result(b, "score") for b in score_responses(solution_strs, rows, _judge(), _config())]
