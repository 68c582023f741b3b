"""McNemar's test on paired per-item outcomes (Perception-R1, arXiv 2506.07218, §5 diagnosis).

Only the discordant pairs carry information: b = right in A and wrong in B, c = wrong in A and right
in B. Under H0 (no change) each discordant pair is a fair coin, so the exact test is a two-sided
binomial test of b successes in b + c trials at p = 0.5 (the paper: (1, 5) -> 0.22, (2, 4) -> 0.69,
(2, 10) -> 0.04). The chi-square version with Edwards' continuity correction,
(|b - c| - 1)^2 / (b + c) on 1 degree of freedom, is offered for large samples.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Mapping

from scipy.stats import binomtest, chi2


@dataclass
class McNemarResult:
    n: int          # paired items
    both_right: int
    b: int          # right in A, wrong in B
    c: int          # wrong in A, right in B
    both_wrong: int
    p_value: float
    method: str     # "exact" | "chi2"
    statistic: float | None = None  # chi-square statistic (chi2 method only)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def mcnemar_test(b: int, c: int, *, chi2_correction: bool = False) -> tuple[float, float | None]:
    """p-value (and chi-square statistic) from the discordant counts b and c.

    Exact: two-sided `scipy.stats.binomtest(b, b + c, 0.5)`. With no discordant pair the two
    outcomes cannot differ: p = 1.
    """
    if b < 0 or c < 0:
        raise ValueError(f"discordant counts must be >= 0, got b={b}, c={c}")
    n = b + c
    if n == 0:
        return 1.0, (0.0 if chi2_correction else None)
    if chi2_correction:
        stat = (abs(b - c) - 1) ** 2 / n if abs(b - c) >= 1 else 0.0
        return float(chi2.sf(stat, df=1)), float(stat)
    return float(binomtest(b, n, 0.5, alternative="two-sided").pvalue), None


def paired_mcnemar(a: Mapping[str, bool], b: Mapping[str, bool], *, chi2_correction: bool = False) -> McNemarResult:
    """McNemar on two id -> outcome maps with the same ids (KeyError-free: ids must match)."""
    missing = sorted(set(a) ^ set(b))
    if missing:
        raise ValueError(f"ids differ between the two sets; first missing: {missing[:5]}")
    table = {(True, True): 0, (True, False): 0, (False, True): 0, (False, False): 0}
    for key, outcome in a.items():
        table[(bool(outcome), bool(b[key]))] += 1
    nb, nc = table[(True, False)], table[(False, True)]
    p, stat = mcnemar_test(nb, nc, chi2_correction=chi2_correction)
    return McNemarResult(n=len(a), both_right=table[(True, True)], b=nb, c=nc, both_wrong=table[(False, False)],
                         p_value=p, method="chi2" if chi2_correction else "exact", statistic=stat)


def load_outcomes(path: str, field: str) -> dict[str, bool | None]:
    """id -> outcome of `field` from a results JSONL (e.g. `eval`'s results.jsonl).

    Accepts booleans and 0/1 numbers; `null` or a missing field is kept as None (no outcome, e.g.
    `perception_ok` of an item without annotations). A duplicate id or any other value is an error
    naming the line.
    """
    out: dict[str, bool | None] = {}
    for n, row in jsonl_objects(path):
        rid = str(row["id"])
        if rid in out:
            raise ValueError(f"{path}:{n}: duplicate id {rid!r}")
        value = row.get(field)
        if value is not None and value not in (True, False, 0, 1):
            raise ValueError(f"{path}:{n}: id {rid!r}: field {field!r} must be a boolean or 0/1, got {value!r}")
        out[rid] = None if value is None else bool(value)
    return out


def jsonl_objects(path: str | Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) of a results JSONL; a line that is not UTF-8, not JSON, not an object or
    without `id` is a ValueError naming the file and line."""
    with open(path, "rb") as f:
        for n, raw in enumerate(f, 1):
            if not raw.strip():
                continue
            try:
                row = json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError as e:
                raise ValueError(f"{path}:{n}: not UTF-8 ({e.reason} at byte {e.start})") from None
            except json.JSONDecodeError as e:
                raise ValueError(f"{path}:{n}: not JSON ({e.msg})") from None
            if not isinstance(row, dict):
                raise ValueError(f"{path}:{n}: expected a JSON object, got {type(row).__name__}")
            if "id" not in row:
                raise ValueError(f"{path}:{n}: missing 'id'")
            yield n, row


def mcnemar_files(path_a: str, path_b: str, field: str, *, chi2_correction: bool = False) -> McNemarResult:
    """Pair two results files by id and test `field`. Ids must match exactly (the error names the
    first ids missing on each side); items whose outcome is None in both files are left out, and
    None on one side only is an error."""
    a, b = load_outcomes(path_a, field), load_outcomes(path_b, field)
    only_a, only_b = sorted(set(a) - set(b)), sorted(set(b) - set(a))
    if only_a or only_b:
        raise ValueError(f"ids differ: {len(only_a)} only in {path_a} (first: {only_a[:5]}), "
                         f"{len(only_b)} only in {path_b} (first: {only_b[:5]})")
    half = sorted(k for k in a if (a[k] is None) != (b[k] is None))
    if half:
        raise ValueError(f"field {field!r} is missing on one side only for ids {half[:5]}")
    keep = [k for k in a if a[k] is not None]
    if not keep:
        raise ValueError(f"field {field!r} has no outcome in {path_a}")
    return paired_mcnemar({k: a[k] for k in keep}, {k: b[k] for k in keep}, chi2_correction=chi2_correction)
