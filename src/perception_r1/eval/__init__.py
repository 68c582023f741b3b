"""Evaluation on the paper's benchmarks, each scored by its own official rules (`benchmarks/`),
with rule-based and LLM answer extraction (`extract`), generation (`generate`, the only module that
imports torch) and the pipeline writing results/summary (`run`)."""

from .benchmarks import BENCHMARKS, get_benchmark
from .run import EvalConfig, evaluate

__all__ = ["BENCHMARKS", "get_benchmark", "EvalConfig", "evaluate"]
