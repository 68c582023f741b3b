"""Read a benchmark's official release files as plain rows: JSON (a list, or a dict keyed by id as
MathVista's testmini.json), JSONL, or parquet (one file or a folder, searched recursively, as the
Hugging Face dataset repos ship them). Image cells stay as they are: a relative path, a HF Image
struct ({bytes, path}) or None."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def read_rows(path: str | Path, *, split: str | None = None) -> tuple[list[dict[str, Any]], Path]:
    """Rows of a release file or folder, and the folder that relative image paths start from.
    `split` keeps only parquet files whose name starts with it (e.g. "validation", "testmini")."""
    p = Path(path)
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
        with open(p, encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()], p.parent
    if p.suffix == ".json":
        data = json.loads(p.read_text(encoding="utf-8"))
        if isinstance(data, dict):
            data = list(data.values())
        return list(data), p.parent
    raise ValueError(f"{p}: expected a .json, .jsonl or .parquet file, or a folder of parquet files")


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
