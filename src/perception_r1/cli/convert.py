"""`perception-r1 convert`: Geometry3K releases -> the data contract (data.jsonl + images/).

    perception-r1 convert geometry3k path/to/geometry3k/train --out geo3k-train/
    perception-r1 convert easyr1 geometry3k/train-00000-of-00001.parquet --out geo3k-easyr1/
    perception-r1 convert perception-r1 data/geo3k_with_visual_key_info.parquet --out pr1-release/

The written folder is checked with the data contract's validator before the command reports success.
"""

from __future__ import annotations

import argparse
import sys


def add_arguments(p: argparse.ArgumentParser) -> None:
    from ..annotate.converters import CONVERTERS

    p.add_argument("format", choices=sorted(CONVERTERS), help="source layout")
    p.add_argument("src", help="source folder or parquet file")
    p.add_argument("--out", required=True, help="output folder (data.jsonl + images/)")
    p.add_argument("--limit", type=int, default=None, help="only the first N problems")


def run(args: argparse.Namespace) -> int:
    from ..annotate.converters import CONVERTERS
    from ..data import RecordError, write_folder
    from ..data.validate import validate_path

    try:
        records = CONVERTERS[args.format](args.src)
    except (RecordError, FileNotFoundError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    if args.limit is not None:
        records = records[:args.limit]
    out = write_folder(records, args.out)
    n, problems = validate_path(out)
    for problem in problems[:20]:
        print(f"invalid: {problem}", file=sys.stderr)
    annotated = sum(1 for r in records if r.visual_annotations)
    print(f"converted {len(records)} {args.format} problems -> {out}/data.jsonl"
          + (f" ({annotated} with visual annotations)" if annotated else "")
          + (f"; {len(problems)} contract problems" if problems else "; valid"))
    return 1 if problems else 0
