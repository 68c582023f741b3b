"""The Perception-R1 reward (arXiv 2506.07218, §3): `r = α·r_f + β·r_a + γ·r_v + r_p`.

`RewardConfig` holds the one set of defaults — the released run's weights (α 0.1, β 0.9, γ 0.7;
n = 20, P = −2.0) — that the CLIs, the training config and the adapters read. `REWARDS` is the one
registry of the four components. `ajudge_rows` is the one routine that takes rows to a judge and
brings r_v back: `score_responses` (the `score` command, the verl adapter), the TRL adapter and
`eval` all use it.

A component that could not be computed is `None` and left out of the total rather than counted as
0: a record without annotations, a judgment that failed under the skip policy, a math-verify
timeout. That is TRL's semantics for a `None` reward (it sums the weighted components with
`nansum`), and it matters: a fake 0 would push such a sample below its group's mean and teach the
policy something about a fact nobody checked.
"""

from __future__ import annotations

import concurrent.futures as cf
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from ..judges.base import Judgment, JudgeError
from .accuracy import DEFAULT_TIMEOUT, accuracy_batch
from .format import format_reward
from .repetition import repetition_penalty

# The one registry of reward components, in the paper's order: name -> the RewardConfig field that
# holds its weight (r_p enters the sum with weight 1: its size is set by P).
REWARDS: dict[str, str | None] = {"format": "alpha", "accuracy": "beta", "perception": "gamma", "repetition": None}


@dataclass
class RewardConfig:
    """Weights and switches of the composite reward; a disabled component is None and not summed."""

    alpha: float = 0.1
    beta: float = 0.9
    gamma: float = 0.7
    ngram: int = 20
    max_penalty: float = -2.0
    use_format: bool = True
    use_accuracy: bool = True
    use_perception: bool = True
    use_repetition: bool = True
    format_pattern: str | None = None
    accuracy_timeout: int = DEFAULT_TIMEOUT

    def weights(self) -> dict[str, float]:
        """Component name -> weight in the total, for every component in `REWARDS` order."""
        return {name: getattr(self, w) if w else 1.0 for name, w in REWARDS.items()}

    def enabled(self) -> list[str]:
        """Names of the enabled components, in `REWARDS` order."""
        return [name for name in REWARDS if getattr(self, f"use_{name}")]


@dataclass
class RewardBreakdown:
    """Every component of one response's reward (None = disabled or not computed) and the total."""

    format: float | None
    accuracy: float | None
    perception: float | None
    repetition: float | None
    total: float
    judgments: list[int] | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def total_reward(components: dict[str, float | None], config: RewardConfig) -> float:
    """Weighted sum of the components that have a value (nansum semantics)."""
    w = config.weights()
    return sum(w[name] * value for name, value in components.items() if value is not None)


def row_annotations(row: dict[str, Any]) -> list[str]:
    """A row's `visual_annotations` as a list (missing/None -> [])."""
    ann = row.get("visual_annotations")
    if ann is None:
        return []
    if isinstance(ann, str) or not isinstance(ann, Sequence):
        raise ValueError(f"record {row.get('id')!r}: field 'visual_annotations': expected a list of strings, "
                         f"got {type(ann).__name__}")
    return [str(a) for a in ann]


def row_images(rows: Sequence[dict[str, Any]]) -> list[Any] | None:
    """Per-row images for judges that look at them (mllm): the `images` (or `image`) column, else None."""
    for key in ("images", "image"):
        if any(row.get(key) is not None for row in rows):
            return [row.get(key) for row in rows]
    return None


def row_answer(row: dict[str, Any]) -> str:
    """A row's ground-truth `answer`; a missing one is an error naming the record."""
    if row.get("answer") is None:
        raise ValueError(f"record {row.get('id')!r}: field 'answer': missing")
    return str(row["answer"])


async def ajudge_rows(responses: Sequence[str], rows: Sequence[dict[str, Any]], judge) -> list[Judgment]:
    """Each response's judgment against its row (annotations, images), in ONE `judge.ascore_batch`
    call; a judge error about one item is raised against that item's record id."""
    if len(responses) != len(rows):
        raise ValueError(f"{len(responses)} responses but {len(rows)} rows")
    items = [(resp, row_annotations(row)) for resp, row in zip(responses, rows)]
    try:
        return await judge.ascore_batch(items, row_images(rows))
    except JudgeError as e:
        if e.item is None:
            raise
        raise JudgeError(f"record {rows[e.item].get('id')!r}: {e}", item=e.item) from e


# How long math-verify waits for a network judge's first reply before it starts: its workers' start-up
# (sympy's import, seconds of CPU each) and its submissions must not compete with the judge's first
# wave of requests for the CPU; once a reply is in, the rest of the batch is queued at the server.
JUDGE_HEAD_START = 1.0


def judge_head_start(judge, pending: Sequence[cf.Future | None], limit: float = JUDGE_HEAD_START) -> None:
    """Wait until `judge` has its first reply (or a failure or a cache hit), until every future in
    `pending` is done, or `limit` seconds. A judge that works on the caller's thread returns at once."""
    if not getattr(judge, "background", False):
        return
    deadline = time.perf_counter() + limit
    st = judge.stats
    while (time.perf_counter() < deadline and st.requests + st.failures + st.cache_hits == 0
           and not all(f is None or f.done() for f in pending)):
        time.sleep(0.005)


def start_accuracy(executor: cf.Executor, responses: Sequence[str], rows: Sequence[dict[str, Any]],
                   config: RewardConfig) -> cf.Future | None:
    """r_a of each response (math-verify in its process pool) as a Future, or None when disabled."""
    if not config.use_accuracy:
        return None
    return executor.submit(accuracy_batch, list(responses), [row_answer(r) for r in rows],
                           [r.get("choices") for r in rows], config.accuracy_timeout)


def combine(responses: Sequence[str], accuracies: Sequence[float | None] | None,
            judgments: Sequence[Judgment] | None, config: RewardConfig) -> list[RewardBreakdown]:
    """The breakdown of each response from its r_a and judgment (None: that component is disabled)."""
    out = []
    for i, resp in enumerate(responses):
        j = judgments[i] if judgments is not None else None
        comps = {
            "format": format_reward(resp, config.format_pattern) if config.use_format else None,
            "accuracy": accuracies[i] if accuracies is not None else None,
            "perception": j.score if j is not None else None,
            "repetition": repetition_penalty(resp, config.ngram, config.max_penalty) if config.use_repetition else None,
        }
        out.append(RewardBreakdown(**comps, total=total_reward(comps, config),
                                   judgments=j.verdicts if j is not None else None))
    return out


def score_responses(responses: Sequence[str], rows: Sequence[dict[str, Any]], judge=None,
                    config: RewardConfig | None = None) -> list[RewardBreakdown]:
    """Score each response against its row (`answer`, `choices`, `visual_annotations`, `images`).

    Accuracy (math-verify, in the process pool) and the judge run at the same time; a network judge's
    requests go out first (`judge_head_start`). `judge` may be None only when perception is disabled.
    """
    config = config or RewardConfig()
    if len(responses) != len(rows):
        raise ValueError(f"{len(responses)} responses but {len(rows)} rows")
    if config.use_perception and judge is None:
        raise ValueError("use_perception is set but no judge was given")
    with cf.ThreadPoolExecutor(1) as ex:
        if config.use_perception and getattr(judge, "background", False):  # its requests first
            judged = judge.submit(ajudge_rows(responses, rows, judge))
            judge_head_start(judge, [judged])
            acc = start_accuracy(ex, responses, rows, config)
        else:  # math-verify queued first, to run while the judge works on this thread
            acc = start_accuracy(ex, responses, rows, config)
            judged = judge.submit(ajudge_rows(responses, rows, judge)) if config.use_perception else None
        judgments = judged.result() if judged is not None else None
        accuracies = acc.result() if acc is not None else None
    return combine(responses, accuracies, judgments, config)
