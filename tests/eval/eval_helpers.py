"""Shared by the eval tests: the fixtures folder and a one-item extract+score helper."""

from pathlib import Path

from perception_r1.eval.benchmarks import get_benchmark
from perception_r1.eval.run import score_responses

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def verdict(bench_name: str, records: dict, item_id: str, response: str) -> dict:
    """Extract then score one response the way the pipeline does (rules only)."""
    return score_responses(get_benchmark(bench_name), [records[item_id]], [response])[0]
