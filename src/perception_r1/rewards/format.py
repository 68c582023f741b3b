"""Format reward r_f (Perception-R1 §3.2): 1.0 when the whole response is one <think> block then one
<answer> block holding a non-empty `\\boxed{…}`, else 0.0.

The released run's rule (EasyR1's `r1v` format reward, `<think>.*?</think>\\s*<answer>.*?\\boxed{.+?}.*?</answer>`
matched on the whole response) with the newlines of the paper's prompt. A plain `.*` between the tags
also matches repeated or nested tags (`<answer>\\n<answer>\\n…\\boxed{…}\\n</answer>`), which a GRPO policy
finds and keeps; here no block may contain a tag of either kind, and the box must hold a character that
is not a space.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Any text without a <think>, </think>, <answer> or </answer> tag in it (a tempered dot, DOTALL).
_NO_TAG = r"(?:(?!</?think>|</?answer>).)*"
# The default pattern: reasoning in one <think>, then one <answer> with a non-empty \boxed{…}, nothing
# before or after. Replace it with `pattern=` (or `RewardConfig.format_pattern`).
FORMAT_PATTERN = (rf"<think>\n{_NO_TAG}\n</think>\n<answer>\n{_NO_TAG}\\boxed\{{\s*[^\s}}]{_NO_TAG}\}}"
                  rf"{_NO_TAG}\n</answer>")


@lru_cache(maxsize=32)
def _compiled(pattern: str) -> re.Pattern:
    return re.compile(pattern, re.DOTALL)


def format_reward(response: str, pattern: str | None = None) -> float:
    """1.0 if `pattern` (default FORMAT_PATTERN) matches the entire response (re.fullmatch), else 0.0."""
    return 1.0 if _compiled(pattern or FORMAT_PATTERN).fullmatch(response) else 0.0
