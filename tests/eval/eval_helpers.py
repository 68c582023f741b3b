"""Shared by the eval tests: the fixtures folder and a one-item extract+score helper."""

from pathlib import Path

from perception_r1.eval.benchmarks import get_benchmark

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def verdict(bench_name: str, records: dict, item_id: str, response: str) -> dict:
    """Extract then score one response the way the pipeline does (rules only)."""
    bench = get_benchmark(bench_name)
    rec = records[item_id]
    extracted = bench.extract(rec, response)
    return {"extracted": extracted, **bench.score(rec, extracted, response)}
