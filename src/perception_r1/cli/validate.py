"""`perception-r1 validate PATH`: check every record against the data contract.

Exit 0 when all records pass; otherwise exit 1 with one line per problem on stderr (record id and field)
followed by a count; exit 2 with one line when PATH is not a dataset at all. Example: `perception-r1 validate data/synth`."""

from __future__ import annotations

import argparse
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", help="a dataset: folder with data.jsonl, a .jsonl, a .parquet, or a datasets folder")
    parser.add_argument("--no-images", action="store_true", help="skip decoding images (only check they exist)")


def run(args: argparse.Namespace) -> int:
    from ..data.validate import validate_path

    # A path that is not a dataset at all raises (cli.errors: one line, exit 2); bad records are listed.
    n, problems = validate_path(args.path, check_images=not args.no_images, progress=True)
    if problems:
        for p in problems:
            print(p, file=sys.stderr)
        if n:  # an empty dataset's one problem says so already
            bad = len({p.record_id for p in problems})
            print(f"{len(problems)} problem(s) in {bad} of {n} record(s)", file=sys.stderr)
        return 1
    print(f"OK: {n} record(s) pass the data contract ({args.path})")
    return 0
