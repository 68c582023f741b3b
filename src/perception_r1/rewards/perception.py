"""Visual perception reward r_v (Perception-R1 §3, DESIGN.md §1): `r_v = Σ o_j / m`.

`m` is the number of annotations of the record — never the number of verdicts a judge returned,
so a judge that drops verdicts cannot inflate the ratio.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..judges.base import JudgeError


def perception_reward(verdicts: Sequence[int] | None, n_annotations: int) -> float | None:
    """Hit ratio of the judge's 0/1 verdicts; `None` (no reward, not 0) for a record without
    annotations or a failed judgment. A verdict list of the wrong length or with a value other
    than 0/1 is a JudgeError."""
    if n_annotations <= 0 or verdicts is None:
        return None
    if len(verdicts) != n_annotations:
        raise JudgeError(f"judge returned {len(verdicts)} verdicts for {n_annotations} annotations")
    if any(v not in (0, 1) for v in verdicts):
        raise JudgeError(f"verdicts must be 0 or 1, got {list(verdicts)}")
    return sum(verdicts) / n_annotations
