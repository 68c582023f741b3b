"""Format reward r_f (Perception-R1 §3, DESIGN.md §1): 1.0 when the whole response is
`<think>\\n…\\n</think>\\n<answer>\\n…\\boxed{…}…\\n</answer>`, else 0.0."""

from __future__ import annotations

import re
from functools import lru_cache

# The released run's pattern: reasoning in <think>, a boxed final answer inside <answer>, nothing
# before or after. DOTALL lets `.` span the multi-line reasoning.
FORMAT_PATTERN = r"<think>\n.*\n</think>\n<answer>\n.*\\boxed\{.*\}.*\n</answer>"


@lru_cache(maxsize=32)
def _compiled(pattern: str) -> re.Pattern:
    return re.compile(pattern, re.DOTALL)


def format_reward(response: str, pattern: str | None = None) -> float:
    """1.0 if `pattern` (default FORMAT_PATTERN) matches the entire response (re.fullmatch), else 0.0."""
    return 1.0 if _compiled(pattern or FORMAT_PATTERN).fullmatch(response) else 0.0
