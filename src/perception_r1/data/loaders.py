"""Read and write datasets in the contract's three layouts: a folder (data.jsonl + images/),
a parquet file (images as bytes, HF Image layout) and a `datasets.save_to_disk` folder."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any, Callable, Iterator

from .schema import Record, RecordError, check_row


def detect_layout(path: str | Path) -> str:
    """Return 'folder', 'jsonl', 'parquet' or 'datasets' for a dataset path."""
    p = Path(path)
    if p.is_file() and p.suffix == ".parquet":
        return "parquet"
    if p.is_file() and p.suffix == ".jsonl":
        return "jsonl"
    if p.is_dir() and (p / "data.jsonl").exists():
        return "folder"
    if p.is_dir() and ((p / "dataset_info.json").exists() or (p / "dataset_dict.json").exists()):
        return "datasets"
    if p.is_dir() and list(p.glob("*.parquet")):
        return "parquet"
    raise FileNotFoundError(f"{p}: not a dataset (expected data.jsonl, *.parquet or a datasets folder)")


def dataset_root(path: str | Path) -> Path:
    """The folder a dataset's image paths must stay inside (the folder itself, or a file's folder)."""
    p = Path(path)
    return p if p.is_dir() else p.parent


def read_text(path: str | Path) -> str:
    """A whole UTF-8 text file (a config, a JSON document); one that is not UTF-8 is a ValueError naming
    the file and the line, not a byte offset."""
    raw = Path(path).read_bytes()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw[:e.start].count(b"\n") + 1
        raise ValueError(f"{path}: line {line} is not UTF-8 ({e.reason} at byte {e.start})") from None


def _jsonl_lines(path: Path) -> Iterator[tuple[int, str | RecordError]]:
    """(line number, text) of every non-blank line; a line that is not UTF-8 comes as a RecordError
    naming it (the caller raises it or collects it and goes on)."""
    with open(path, "rb") as f:
        for n, raw in enumerate(f, 1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as e:
                yield n, RecordError(f"<line {n}>", "encoding",
                                     f"{path}: line {n} is not UTF-8 ({e.reason} at byte {e.start})")
                continue
            if line.strip():
                yield n, line


def iter_rows(path: str | Path, on_error: Callable[[RecordError], None] | None = None
              ) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield (index, raw row) with image paths made absolute; rows are not validated here.

    A JSONL line that is not a JSON object raises RecordError, or, when `on_error` is given, is handed
    to it and skipped, so a checker can report every bad line instead of stopping at the first."""
    p = Path(path)
    layout = detect_layout(p)
    if layout in ("folder", "jsonl"):
        jsonl = p / "data.jsonl" if layout == "folder" else p
        base = jsonl.parent
        for n, line in _jsonl_lines(jsonl):
            if isinstance(line, RecordError):
                if on_error is None:
                    raise line
                on_error(line)
                continue
            try:
                row = json.loads(line)
                if not isinstance(row, dict):
                    raise ValueError(f"expected a JSON object, got {type(row).__name__}")
            except ValueError as e:
                err = RecordError(f"<line {n}>", "json", f"{jsonl}: line {n}: {e}")
                if on_error is None:
                    raise err from None
                on_error(err)
                continue
            yield n - 1, _absolute_images(row, base)
    elif layout == "parquet":
        import pyarrow.parquet as pq

        files = [p] if p.is_file() else sorted(p.glob("*.parquet"))
        i = 0
        for fp in files:
            for row in pq.read_table(fp).to_pylist():
                yield i, _absolute_images(row, fp.parent)
                i += 1
    else:
        import datasets

        ds = datasets.load_from_disk(str(p))
        if isinstance(ds, datasets.DatasetDict):
            ds = ds[next(iter(ds))]
        # Undecoded {bytes, path} structs, for a list column `images` or the common single `image` column.
        if "images" in ds.column_names:
            ds = ds.cast_column("images", datasets.Sequence(datasets.Image(decode=False)))
        elif "image" in ds.column_names:
            ds = ds.cast_column("image", datasets.Image(decode=False))
        for i, row in enumerate(ds):
            yield i, _absolute_images(row, p)


def load_records(path: str | Path) -> list[Record]:
    """Load every record under the contract `validate` checks (`schema.check_row`: types, choices,
    letters, image files present and inside the dataset folder; images are not decoded here) and
    unique ids; raise RecordError naming the first bad record and field, or ValueError when the
    dataset has no records — before any caller spends a request or a GPU hour on it."""
    root = dataset_root(path)
    records: list[Record] = []
    seen: dict[str, int] = {}
    for i, row in iter_rows(path):
        rid = str(row["id"]) if row.get("id") is not None else f"<line {i + 1}>"
        problems = check_row(row, rid, check_images=False, root=root)
        if problems:
            raise problems[0].error(len(problems) - 1)
        if rid in seen:
            raise RecordError(rid, "id", f"{path}: duplicate id (records {seen[rid]} and {len(records) + 1})")
        seen[rid] = len(records) + 1
        records.append(Record.from_dict(row, index=i + 1))
    if not records:
        raise ValueError(f"{path}: the dataset has no records")
    return records


def write_folder(records: list[Record], out: str | Path) -> Path:
    """Write records as `out/data.jsonl` + `out/images/`, images stored byte-for-byte."""
    out = Path(out)
    seen: set[str] = set()
    for rec in records:  # a duplicate id would silently overwrite the first record's image file
        if rec.id in seen:
            raise RecordError(rec.id, "id", "duplicate id; image file names are derived from ids")
        seen.add(rec.id)
    (out / "images").mkdir(parents=True, exist_ok=True)
    with open(out / "data.jsonl", "w", encoding="utf-8") as f:
        for rec in records:
            row = rec.to_dict()
            row["images"] = [_store_image(img, out, f"{_safe(rec.id)}_{k}") for k, img in enumerate(rec.images)]
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    return out


def write_parquet(records: list[Record], out: str | Path) -> Path:
    """Write records to one parquet file with images as HF Image structs ({bytes, path})."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = []
    for rec in records:
        row = rec.to_dict()
        row["images"] = [{"bytes": _read_bytes(img), "path": None} for img in rec.images]
        row["meta"] = json.dumps(row["meta"])
        rows.append(row)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows), out)
    return out


def read_responses(path: str | Path) -> list[dict[str, Any]]:
    """A responses file: JSONL with `id` and `response` (several per id allowed), in file order."""
    rows = []
    for n, line in _jsonl_lines(Path(path)):
        if isinstance(line, RecordError):
            raise line
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            raise RecordError(f"<line {n}>", "json", f"{path}: line {n}: {e}") from None
        for key in ("id", "response"):
            if not isinstance(row, dict) or key not in row:
                rid = row.get("id", f"<line {n}>") if isinstance(row, dict) else f"<line {n}>"
                raise RecordError(str(rid), key, f"{path}: line {n}: missing in responses file")
        if not isinstance(row["response"], str):
            raise RecordError(str(row["id"]), "response", f"{path}: line {n}: expected a string, "
                              f"got {type(row['response']).__name__}")
        row["id"] = str(row["id"])
        rows.append(row)
    if not rows:
        raise ValueError(f"{path}: the responses file has no responses")
    return rows


def _absolute_images(row: dict[str, Any], base: Path) -> dict[str, Any]:
    row = dict(row)
    if isinstance(row.get("meta"), str):
        try:
            row["meta"] = json.loads(row["meta"])
        except json.JSONDecodeError:
            row["meta"] = {"raw": row["meta"]}
    images = row.get("images", row.get("image"))
    if images is None:
        return row
    if not isinstance(images, list):
        images = [images]
    fixed = []
    for img in images:
        if isinstance(img, dict):
            img = img.get("bytes") or img.get("path")
        if isinstance(img, str) and not Path(img).is_absolute():
            img = str((base / img).resolve())
        fixed.append(img)
    row["images"] = fixed
    row.pop("image", None)
    return row


def _read_bytes(img: str | bytes) -> bytes:
    return img if isinstance(img, (bytes, bytearray)) else Path(img).read_bytes()


def _store_image(img: str | bytes, out: Path, stem: str) -> str:
    if isinstance(img, (bytes, bytearray)):
        ext = _sniff_ext(img)
        (out / "images" / f"{stem}{ext}").write_bytes(img)
    else:
        ext = Path(img).suffix or ".png"
        dst = out / "images" / f"{stem}{ext}"
        if Path(img).resolve() != dst.resolve():
            shutil.copyfile(img, dst)
    return f"images/{stem}{ext}"


def _sniff_ext(data: bytes) -> str:
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return ".png"
    if data[:3] == b"\xff\xd8\xff":
        return ".jpg"
    return ".bin"


def _safe(rid: str) -> str:
    """A file-name stem for an id; ids that needed changes get a hash suffix so that 'a/b' and 'a_b' differ."""
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in rid)
    return safe if safe == rid else f"{safe}-{hashlib.sha1(rid.encode()).hexdigest()[:8]}"
