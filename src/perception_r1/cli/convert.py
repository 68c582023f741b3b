"""`perception-r1 convert`: Geometry3K releases -> the data contract (data.jsonl + images/).

    perception-r1 convert perception-r1 data/geo3k_with_visual_key_info.parquet --out data/geometry3k_perception
    perception-r1 convert geometry3k geometry3k/train --annotations logic-forms --out data/geometry3k_logic_forms
    perception-r1 convert geometry3k path/to/geometry3k/train --out geo3k-train/     # then: perception-r1 annotate
    perception-r1 convert easyr1 geometry3k/train-00000-of-00001.parquet --out geo3k-easyr1/

The written folder is checked with the data contract's validator before the command reports success.
"""

from __future__ import annotations

import argparse
import sys


def add_arguments(p: argparse.ArgumentParser) -> None:
    from ..annotate.converters import ANNOTATION_SOURCES, CONVERTERS

    p.add_argument("format", choices=sorted(CONVERTERS), help="source layout")
    p.add_argument("src", help="source folder or parquet file")
    p.add_argument("--out", required=True, help="output folder (data.jsonl + images/)")
    p.add_argument("--limit", type=int, default=None, help="only the first N problems")
    p.add_argument("--overwrite", action="store_true", help="replace what is in a non-empty --out folder")
    p.add_argument("--annotations", choices=ANNOTATION_SOURCES, default="none",
                   help="geometry3k only: 'logic-forms' writes visual annotations from each figure's "
                        "diagram_logic_form (docs/annotation.md); default none")
    p.add_argument("--incidence", action="store_true",
                   help="with --annotations logic-forms: also keep PointLiesOnLine / PointLiesOnCircle facts")
    p.add_argument("--logic-forms", default=None, metavar="FILE",
                   help="geometry3k only: InterGPS's diagram_logic_forms_annot.json (or the zip holding it), "
                        "for problem folders without a logic_form.json")


def run(args: argparse.Namespace) -> int:
    from ..annotate.converters import CONVERTERS
    from ..data import write_folder
    from ..data.validate import validate_path

    g3k_only = [flag for flag, used in (("--annotations", args.annotations != "none"), ("--incidence", args.incidence),
                                        ("--logic-forms", args.logic_forms is not None)) if used]
    if args.format != "geometry3k" and g3k_only:
        raise ValueError(f"{', '.join(g3k_only)} only apply to the geometry3k format (its figures' logic forms)")
    if args.incidence and args.annotations != "logic-forms":
        raise ValueError("--incidence needs --annotations logic-forms")
    from .errors import refuse_overwrite

    refuse_overwrite(args.out, args.overwrite, inputs=(args.src,))
    if args.limit is not None and args.limit < 1:
        raise ValueError(f"--limit must be at least 1, got {args.limit}")
    kwargs = (dict(annotations=args.annotations, incidence=args.incidence, logic_forms=args.logic_forms)
              if args.format == "geometry3k" else {})
    records = CONVERTERS[args.format](args.src, **kwargs)  # a bad source raises: one line, exit 2 (cli.errors)
    if args.limit is not None:
        records = records[:args.limit]
    if not records:
        raise ValueError(f"{args.src}: no problems to convert")
    out = write_folder(records, args.out)
    n, problems = validate_path(out)
    for problem in problems[:20]:
        print(f"invalid: {problem}", file=sys.stderr)
    annotated = [len(r.visual_annotations) for r in records if r.visual_annotations]
    detail = ""
    if annotated:
        detail = (f" ({len(annotated)} with visual annotations, {sum(annotated) / len(annotated):.1f} per problem"
                  + (f"; {len(records) - len(annotated)} left with none" if len(annotated) < len(records) else "")
                  + ")")
    print(f"converted {len(records)} {args.format} problems -> {out}/data.jsonl" + detail
          + (f"; {len(problems)} contract problems" if problems else "; valid"))
    return 1 if problems else 0
