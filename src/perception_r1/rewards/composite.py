"""The Perception-R1 reward (paper §3, DESIGN.md §1): `r = α·r_f + β·r_a + γ·r_v + r_p`.

Defaults are the released run's weights (α 0.1, β 0.9, γ 0.7; n = 20, P = −2.0). A record without
annotations, or whose judgment failed under the skip policy, has no `r_v`: it is left out of the
total rather than counted as 0. That is TRL's semantics for a `None` reward (it sums the weighted
components with `nansum`), and it matters: a fake 0 would push such a sample below its group's
mean and teach the policy something about a fact nobody checked.
"""

from __future__ import annotations

import concurrent.futures as cf
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from .accuracy import DEFAULT_TIMEOUT, accuracy_batch
from .format import format_reward
from ..judges.base import JudgeError
from .perception import perception_reward
from .repetition import repetition_penalty


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
        """Component name -> weight in the total (repetition enters with weight 1)."""
        return {"format": self.alpha, "accuracy": self.beta, "perception": self.gamma, "repetition": 1.0}

    def enabled(self) -> list[str]:
        """Names of the enabled components, in the fixed order format, accuracy, perception, repetition."""
        return [n for n in ("format", "accuracy", "perception", "repetition") if getattr(self, f"use_{n}")]


@dataclass
class RewardBreakdown:
    """Every component of one response's reward (None = disabled or not applicable) and the total."""

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


def row_perception(row: dict[str, Any], judgment: list[int] | None) -> float | None:
    """r_v of one row, with a wrong verdict count reported against the record id."""
    try:
        return perception_reward(judgment, len(row_annotations(row)))
    except JudgeError as e:
        raise JudgeError(f"record {row.get('id')!r}: {e}") from e


def judge_rows(responses: Sequence[str], rows: Sequence[dict[str, Any]], judge) -> list[list[int] | None]:
    """Judge every response whose row has annotations in ONE `judge.judge_batch` call; None elsewhere."""
    anns = [row_annotations(r) for r in rows]
    idx = [i for i, a in enumerate(anns) if a]
    out: list[list[int] | None] = [None] * len(responses)
    if not idx:
        return out
    images = row_images(rows)
    verdicts = judge.judge_batch([(responses[i], anns[i]) for i in idx],
                                 [images[i] for i in idx] if images is not None else None)
    for i, v in zip(idx, verdicts):
        out[i] = v
    return out


def score_responses(responses: Sequence[str], rows: Sequence[dict[str, Any]], judge=None,
                    config: RewardConfig | None = None) -> list[RewardBreakdown]:
    """Score each response against its row (`answer`, `choices`, `visual_annotations`).

    Accuracy (math-verify, in the process pool) and the judge run at the same time. `judge` may be
    None only when perception is disabled.
    """
    config = config or RewardConfig()
    if len(responses) != len(rows):
        raise ValueError(f"{len(responses)} responses but {len(rows)} rows")
    if config.use_perception and judge is None:
        raise ValueError("use_perception is set but no judge was given")
    with cf.ThreadPoolExecutor(1) as ex:
        acc_future = ex.submit(accuracy_batch, responses, [row_answer(r) for r in rows],
                               [r.get("choices") for r in rows], config.accuracy_timeout) \
            if config.use_accuracy else None
        # A scoring judge (mllm, the MLLM-as-reward-model baseline) gives r_v itself, per response.
        scored = config.use_perception and getattr(judge, "returns_scores", False)
        scores = judge.scores(list(responses), row_images(rows) or [None] * len(rows)) if scored else None
        judgments = judge_rows(responses, rows, judge) if config.use_perception and not scored \
            else [None] * len(rows)
        accuracies = acc_future.result() if acc_future is not None else [None] * len(rows)
    out = []
    for i, (resp, row, acc, judgment) in enumerate(zip(responses, rows, accuracies, judgments)):
        comps = {
            "format": format_reward(resp, config.format_pattern) if config.use_format else None,
            "accuracy": acc,
            "perception": (scores[i] if scored else row_perception(row, judgment)) if config.use_perception else None,
            "repetition": repetition_penalty(resp, config.ngram, config.max_penalty) if config.use_repetition else None,
        }
        out.append(RewardBreakdown(**comps, total=total_reward(comps, config), judgments=judgment))
    return out
