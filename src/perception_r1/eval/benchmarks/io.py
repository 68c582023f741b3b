"""Read a benchmark's official release files as plain rows: JSON (a list, or a dict keyed by id as
MathVista's testmini.json), JSONL, or parquet (one file or a folder, searched recursively, as the
Hugging Face dataset repos ship them). Image cells stay as they are: a relative path, a HF Image
struct ({bytes, path}) or None."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


ID_COLUMNS = ("id", "pid", "sample_index", "question_id", "index")


class Row(dict):
    """A release row whose missing column is a RecordError naming the row and the column (a benchmark
    reading `row["question_type"]` from a file without it), not a bare KeyError."""

    where: str = ""

    def __missing__(self, key: str) -> Any:
        raise self.error(key, f"no column {key!r} in this row (is it the benchmark's release?)")

    def error(self, key: str, what: str):
        from ...data import RecordError

        rid = next((str(dict.get(self, k)) for k in ID_COLUMNS if dict.get(self, k) is not None), "?")
        return RecordError(rid, key, f"{self.where}: {what}")

    def text(self, key: str) -> str:
        """A required scalar cell as text; missing, null, a list or an object is an error naming the row and
        column (not the answer "None", nor a list's repr)."""
        value = self[key]
        if value is None or isinstance(value, (list, tuple, dict)):
            raise self.error(key, f"expected a text or a number, got {type(value).__name__} {value!r:.60}")
        return str(value)

    def texts(self, key: str) -> list[str]:
        """A list cell (a release's choices) as texts, [] when absent or null; a string is an error, not one
        choice per character ("ABCD"), and so is a null or nested element."""
        value = self.get(key)
        if value is None:
            return []
        if not isinstance(value, (list, tuple)) or any(v is None or isinstance(v, (list, tuple, dict)) for v in value):
            raise self.error(key, f"expected a list of texts, got {type(value).__name__} {value!r:.60}")
        return [str(v) for v in value]


def read_rows(path: str | Path, *, split: str | None = None) -> tuple[list[dict[str, Any]], Path]:
    """Rows of a release file or folder (each a `Row`), and the folder that relative image paths start
    from. `split` keeps only parquet files whose name starts with it (e.g. "validation", "testmini"). A
    file with no rows, a row that is not an object or a line that is not UTF-8 / JSON is an error naming it."""
    rows, base = _read(Path(path), split)
    if not rows:
        raise ValueError(f"{path}: no rows")
    out = []
    for n, row in enumerate(rows, 1):
        if not isinstance(row, dict):
            raise ValueError(f"{path}: row {n} is a {type(row).__name__}, not an object")
        row = Row(row)
        row.where = f"{path} row {n}"
        out.append(row)
    return out, base


def _read(p: Path, split: str | None) -> tuple[list[Any], Path]:
    if not p.exists():
        raise FileNotFoundError(f"{p}: no such file or folder")
    if p.is_dir():
        files = sorted(f for f in p.rglob("*.parquet") if split is None or f.name.startswith(split))
        if not files:
            raise FileNotFoundError(f"{p}: no {split + '*' if split else ''}.parquet files under this folder")
        rows: list[dict[str, Any]] = []
        for f in files:
            rows.extend(_parquet(f))
        return rows, p
    if p.suffix == ".parquet":
        return _parquet(p), p.parent
    if p.suffix == ".jsonl":
        return _jsonl(p), p.parent
    if p.suffix == ".json":
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise ValueError(f"{p}: not a JSON file ({e})") from None
        if isinstance(data, dict):
            data = list(data.values())
        if not isinstance(data, list):
            raise ValueError(f"{p}: expected a list of rows or an object of rows, got {type(data).__name__}")
        return data, p.parent
    raise ValueError(f"{p}: expected a .json, .jsonl or .parquet file, or a folder of parquet files")


def _jsonl(path: Path) -> list[Any]:
    rows = []
    with open(path, "rb") as f:
        for n, raw in enumerate(f, 1):
            try:
                if raw.strip():
                    rows.append(json.loads(raw.decode("utf-8")))
            except UnicodeDecodeError as e:
                raise ValueError(f"{path}: line {n} is not UTF-8 ({e.reason} at byte {e.start})") from None
            except json.JSONDecodeError as e:
                raise ValueError(f"{path}: line {n} is not JSON ({e.msg})") from None
    return rows


def _parquet(path: Path) -> list[dict[str, Any]]:
    import pyarrow.parquet as pq

    return pq.read_table(path).to_pylist()


def image_value(cell: Any, base: Path) -> str | bytes | None:
    """An image cell as bytes or an absolute path (the file need not exist: scoring needs no pixels)."""
    if cell is None:
        return None
    if isinstance(cell, dict):
        if cell.get("bytes"):
            return cell["bytes"]
        cell = cell.get("path")
        if not cell:
            return None
    if isinstance(cell, (bytes, bytearray)):
        return bytes(cell)
    cell = str(cell)
    return cell if Path(cell).is_absolute() else str((base / cell).resolve())
