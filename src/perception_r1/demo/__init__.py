"""The tiny end-to-end Perception-R1 (`perception-r1 demo`): synthetic data, tiny Qwen2.5-VL, SFT warm
start, two GRPO arms (accuracy-only vs Perception-R1), held-out evaluation and McNemar."""

from .config import DemoConfig, make_config
from .run import run_demo

__all__ = ["DemoConfig", "make_config", "run_demo"]
