"""The Perception-R1 reward (paper §3): format, accuracy, perception, repetition and their weighted
sum, as pure functions over plain data (no torch). Adapters: `rewards.trl`, `rewards.verl`."""

from .accuracy import accuracy_reward, extract_answer, is_correct
from .composite import RewardBreakdown, RewardConfig, score_responses
from .format import format_reward
from .perception import perception_reward
from .repetition import repetition_penalty

# Config name -> per-response reward function (the one registry of reward names).
REWARD_FUNCS = {
    "format": format_reward,
    "accuracy": accuracy_reward,
    "perception": perception_reward,
    "repetition": repetition_penalty,
}

__all__ = ["REWARD_FUNCS", "RewardConfig", "RewardBreakdown", "score_responses", "format_reward",
           "accuracy_reward", "extract_answer", "is_correct", "perception_reward", "repetition_penalty"]
