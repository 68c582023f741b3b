"""The Perception-R1 reward (arXiv 2506.07218, §3): format, accuracy, perception, repetition and
their weighted sum, as pure functions over plain data (no torch, no HTTP client). Adapters:
`rewards.trl`, `rewards.verl`."""

from .accuracy import accuracy_reward, extract_answer, is_correct
from .composite import REWARDS, RewardBreakdown, RewardConfig, ajudge_rows, score_responses
from .format import format_reward
from .perception import perception_reward
from .repetition import repetition_penalty

__all__ = ["REWARDS", "RewardConfig", "RewardBreakdown", "ajudge_rows", "score_responses", "format_reward",
           "accuracy_reward", "extract_answer", "is_correct", "perception_reward", "repetition_penalty"]
