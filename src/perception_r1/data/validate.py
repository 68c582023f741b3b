"""Check a dataset against the data contract (DESIGN.md §3) and report every problem, not just the first.

`check_row` is pure over one raw row; `validate_path` walks a dataset in any of the three layouts, decodes
every image fully and returns all problems found, so a bad dataset is caught before GPU hours are spent."""

from __future__ import annotations

import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from .images import open_image
from .loaders import iter_rows
from .schema import RecordError

# A single capital letter answers a multiple-choice problem: (A) is choices[0].
CHOICE_LETTERS = string.ascii_uppercase


@dataclass(frozen=True)
class Problem:
    """One contract violation: which record, which field, what is wrong."""

    record_id: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"record {self.record_id!r}: field {self.field!r}: {self.message}"


def check_row(row: dict[str, Any], record_id: str, *, check_images: bool = True) -> list[Problem]:
    """Every contract problem of one raw row (images decoded only when `check_images`)."""
    out: list[Problem] = []

    def bad(field: str, message: str) -> None:
        out.append(Problem(record_id, field, message))

    if row.get("id") is None or str(row["id"]).strip() == "":
        bad("id", "missing or empty")
    for name in ("problem", "answer"):
        value = row.get(name)
        if value is None or (isinstance(value, str) and value.strip() == ""):
            bad(name, "missing or empty")
        elif not isinstance(value, (str, int, float)) or isinstance(value, bool):
            bad(name, f"expected a string, got {type(value).__name__}")
    out.extend(_check_images(row.get("images"), record_id, decode=check_images))
    out.extend(_check_str_list(row, "visual_annotations", record_id))
    out.extend(_check_str_list(row, "choices", record_id))
    out.extend(_check_letter_answer(row, record_id))
    for name in ("cot", "source"):
        if row.get(name) is not None and not isinstance(row[name], str):
            bad(name, f"expected a string, got {type(row[name]).__name__}")
    if row.get("meta") is not None and not isinstance(row["meta"], dict):
        bad("meta", f"expected an object, got {type(row['meta']).__name__}")
    return out


def validate_rows(rows: Iterable[tuple[int, dict[str, Any]]], *, check_images: bool = True
                  ) -> tuple[int, list[Problem]]:
    """Check (index, row) pairs and id uniqueness; returns (rows checked, problems)."""
    problems: list[Problem] = []
    first_seen: dict[str, int] = {}
    n = 0
    for index, row in rows:
        n += 1
        rid = str(row["id"]) if row.get("id") is not None else f"<row {index + 1}>"
        problems.extend(check_row(row, rid, check_images=check_images))
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
    n, problems = validate_rows(rows, check_images=check_images)
    # Broken JSON lines are collected while iterating; report them first, in file order.
    return n + len(errors), [_from_error(e) for e in errors] + problems


def _from_error(e: RecordError) -> Problem:
    return Problem(e.record_id, e.field, str(e).removeprefix(f"record {e.record_id!r}: field {e.field!r}: "))


def _check_images(images: Any, rid: str, *, decode: bool) -> list[Problem]:
    if images is None or images == []:
        return [Problem(rid, "images", "missing: a record needs at least one image")]
    if not isinstance(images, list):
        return [Problem(rid, "images", f"expected a list, got {type(images).__name__}")]
    out = []
    for k, img in enumerate(images):
        field = f"images[{k}]"
        if isinstance(img, str):
            if not Path(img).is_file():
                out.append(Problem(rid, field, f"file not found: {img}"))
                continue
        elif not isinstance(img, (bytes, bytearray)):
            out.append(Problem(rid, field, f"expected a path or bytes, got {type(img).__name__}"))
            continue
        if decode:
            try:
                open_image(img)
            except Exception as e:  # Pillow raises many types for corrupt data; all mean "does not decode".
                out.append(Problem(rid, field, f"does not decode: {type(e).__name__}: {e}"))
    return out


def _check_str_list(row: dict[str, Any], name: str, rid: str) -> list[Problem]:
    value = row.get(name)
    if value is None:
        return []
    if not isinstance(value, list) or not value:
        return [Problem(rid, name, "when present, must be a non-empty list of strings")]
    return [Problem(rid, f"{name}[{k}]", "must be a non-empty string")
            for k, v in enumerate(value) if not isinstance(v, str) or not v.strip()]


def _check_letter_answer(row: dict[str, Any], rid: str) -> list[Problem]:
    answer = row.get("answer")
    if not isinstance(answer, str):
        return []
    letter = answer.strip()
    if len(letter) != 1 or letter not in CHOICE_LETTERS:
        return []
    choices = row.get("choices")
    if not isinstance(choices, list) or not choices:
        return [Problem(rid, "choices", f"answer is the letter {letter!r} but there are no choices")]
    if CHOICE_LETTERS.index(letter) >= len(choices):
        return [Problem(rid, "answer", f"letter {letter!r} is out of range for {len(choices)} choices")]
    return []
