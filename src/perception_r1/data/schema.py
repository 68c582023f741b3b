"""The data contract (DESIGN.md §3): one record per problem."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
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
        """Build from a plain dict, raising RecordError for a missing id, problem or answer."""
        rid = row.get("id")
        rid = str(rid) if rid is not None else f"<line {index}>"
        for name in ("problem", "answer"):
            if row.get(name) is None or str(row.get(name)).strip() == "":
                raise RecordError(rid, name, "missing or empty")
        if row.get("id") is None:
            raise RecordError(rid, "id", "missing")
        images = row.get("images")
        if images is None and row.get("image") is not None:
            images = [row["image"]]
        if isinstance(images, (str, bytes, dict)):
            images = [images]
        images = [_image_value(x) for x in (images or [])]
        return cls(
            id=rid,
            images=images,
            problem=str(row["problem"]),
            answer=str(row["answer"]),
            choices=list(row["choices"]) if row.get("choices") else None,
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
