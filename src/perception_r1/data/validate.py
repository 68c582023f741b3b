"""Check a dataset against the data contract (docs/architecture.md) and report every problem, not just the first.

The contract itself is `schema.check_row` (pure over one raw row), which every loader applies too; `validate_path` walks a dataset in any of the three layouts, decodes
every image fully and returns all problems found, so a bad dataset is caught before GPU hours are spent."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

from .loaders import dataset_root, iter_rows
from .schema import Problem, RecordError, check_row


def validate_rows(rows: Iterable[tuple[int, dict[str, Any]]], *, check_images: bool = True,
                  root: Path | None = None) -> tuple[int, list[Problem]]:
    """Check (index, row) pairs and id uniqueness; returns (rows checked, problems). With `root`, an
    image path outside that folder is a problem."""
    problems: list[Problem] = []
    first_seen: dict[str, int] = {}
    n = 0
    for index, row in rows:
        n += 1
        rid = str(row["id"]) if row.get("id") is not None else f"<row {index + 1}>"
        problems.extend(check_row(row, rid, check_images=check_images, root=root))
        if row.get("id") is not None:
            if rid in first_seen:
                problems.append(Problem(rid, "id", f"duplicate (also row {first_seen[rid]})"))
            else:
                first_seen[rid] = index + 1
    return n, problems


def validate_path(path: str | Path, *, check_images: bool = True, progress: bool = False) -> tuple[int, list[Problem]]:
    """Check every record of a dataset (folder, jsonl, parquet or `datasets` folder)."""
    errors: list[RecordError] = []
    rows: Iterable[tuple[int, dict[str, Any]]] = iter_rows(path, on_error=errors.append)
    if progress:
        from tqdm import tqdm

        rows = tqdm(rows, desc="validate", unit="rec", disable=None)
    n, problems = validate_rows(rows, check_images=check_images, root=dataset_root(path))
    if n + len(errors) == 0:
        problems = [Problem("<none>", "records", f"{path}: the dataset has no records")]
    # Broken JSON lines are collected while iterating; report them first, in file order.
    return n + len(errors), [_from_error(e) for e in errors] + problems


def _from_error(e: RecordError) -> Problem:
    return Problem(e.record_id, e.field, str(e).removeprefix(f"record {e.record_id!r}: field {e.field!r}: "))
