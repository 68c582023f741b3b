"""Perception-R1: GRPO for multimodal LLMs with a visual perception reward."""

__version__ = "0.1.0"
__all__ = ["__version__"]
