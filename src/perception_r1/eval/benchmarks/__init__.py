"""One module per benchmark, each with the official layout loader and scoring rules.

A benchmark module provides `NAME`, `CATEGORY_KEYS`, `load(path) -> list[Record]`,
`extract(record, response) -> rules.Extraction` (rule-based: answer, rule, confident) and
`score(record, extracted, response) -> dict` (with `correct` and the item's categories); optionally
`summarize(rows) -> dict` for metrics beyond accuracy (WeMath's four dimensions, MMMU's domains).
"""

from __future__ import annotations

import importlib
from types import ModuleType

# name -> module: the one registry of benchmarks.
BENCHMARKS: dict[str, str] = {
    "mathvista": "mathvista",
    "mathverse": "mathverse",
    "wemath": "wemath",
    "mmmu": "mmmu",
    "mmmu_pro": "mmmu_pro",
    "geometry3k": "geometry3k",
    "mathvision": "mathvision",
    "mmstar": "mmstar",
    "emma": "emma",
    "synth": "synth",
}


def get_benchmark(name: str) -> ModuleType:
    if name not in BENCHMARKS:
        raise KeyError(f"unknown benchmark {name!r}; choose one of {sorted(BENCHMARKS)}")
    return importlib.import_module(f"{__name__}.{BENCHMARKS[name]}")
