"""The data contract (docs/architecture.md): one record per problem, and `check_row`, the one check of it that
`validate` and every loader apply."""

from __future__ import annotations

import string
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

FIELDS = ("id", "images", "problem", "answer", "choices", "visual_annotations", "cot", "source", "meta")


class RecordError(ValueError):
    """A record that breaks the contract; the message names the record id and the field."""

    def __init__(self, record_id: str, field_name: str, message: str):
        self.record_id = record_id
        self.field = field_name
        super().__init__(f"record {record_id!r}: field {field_name!r}: {message}")


@dataclass
class Record:
    """One problem. `images` holds absolute paths (str) or raw encoded bytes once loaded."""

    id: str
    images: list[str | bytes]
    problem: str
    answer: str
    choices: list[str] | None = None
    visual_annotations: list[str] | None = None
    cot: str | None = None
    source: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, row: dict[str, Any], *, index: int | None = None) -> "Record":
        """Build from a plain dict, raising RecordError (record id and field) for the first contract
        problem but the images' (a string where a list belongs is never split into characters)."""
        rid = row.get("id")
        rid = str(rid) if rid is not None else f"<line {index}>"
        images = row.get("images")
        if images is None and row.get("image") is not None:
            images = [row["image"]]
        if isinstance(images, (str, bytes, dict)):
            images = [images]
        images = [_image_value(x) for x in (images or [])]
        problems = [p for p in check_row({**row, "images": images}, rid, check_images=False)
                    if not p.field.startswith("images")]
        if problems:
            raise problems[0].error(len(problems) - 1)
        return cls(
            id=rid,
            images=images,
            problem=str(row["problem"]),
            answer=str(row["answer"]),
            choices=list(row["choices"]) if row.get("choices") is not None else None,
            visual_annotations=list(row["visual_annotations"]) if row.get("visual_annotations") is not None else None,
            cot=row.get("cot"),
            source=row.get("source"),
            meta=dict(row.get("meta") or {}),
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _image_value(x: Any) -> str | bytes:
    # HF `datasets` Image feature stores {"bytes": ..., "path": ...}.
    if isinstance(x, dict):
        return x.get("bytes") or x.get("path")
    return x


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

    def error(self, more: int = 0) -> RecordError:
        """This problem as the RecordError a loader raises (`more`: how many others the record has)."""
        suffix = f" (and {more} more problem(s); `perception-r1 validate` lists them all)" if more else ""
        return RecordError(self.record_id, self.field, self.message + suffix)


def check_row(row: dict[str, Any], record_id: str, *, check_images: bool = True,
              root: Path | None = None) -> list[Problem]:
    """Every contract problem of one raw row. Image paths must exist (and, with `root`, lie inside that
    folder: a dataset may not point at files elsewhere); images are decoded only when `check_images`."""
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
    out.extend(_check_images(row.get("images"), record_id, decode=check_images, root=root))
    out.extend(_check_str_list(row, "visual_annotations", record_id))
    out.extend(_check_str_list(row, "choices", record_id))
    out.extend(_check_letter_answer(row, record_id))
    for name in ("cot", "source"):
        if row.get(name) is not None and not isinstance(row[name], str):
            bad(name, f"expected a string, got {type(row[name]).__name__}")
    if row.get("meta") is not None and not isinstance(row["meta"], dict):
        bad("meta", f"expected an object, got {type(row['meta']).__name__}")
    return out




def _check_images(images: Any, rid: str, *, decode: bool, root: Path | None) -> list[Problem]:
    if images is None or images == []:
        return [Problem(rid, "images", "missing: a record needs at least one image")]
    if not isinstance(images, list):
        return [Problem(rid, "images", f"expected a list, got {type(images).__name__}")]
    out = []
    for k, img in enumerate(images):
        field = f"images[{k}]"
        if isinstance(img, str):
            if root is not None and not Path(img).resolve().is_relative_to(root.resolve()):
                out.append(Problem(rid, field, f"outside the dataset folder {root}: {img}"))
                continue
            if not Path(img).is_file():
                out.append(Problem(rid, field, f"file not found: {img}"))
                continue
        elif not isinstance(img, (bytes, bytearray)):
            out.append(Problem(rid, field, f"expected a path or bytes, got {type(img).__name__}"))
            continue
        if decode:
            from .images import open_image

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
