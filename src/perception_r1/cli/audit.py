"""`perception-r1 audit`: write an HTML page to judge annotations by hand, or score the verdicts.

    perception-r1 audit OUT --sample 50 --out audit.html     # open in a browser, judge, download the verdicts
    perception-r1 audit OUT --verdicts ~/Downloads           # the newest download (or a file): accuracy, 95% CI
    perception-r1 audit OUT --against logic-forms            # Geometry3K: precision/recall per problem, no human
"""

from __future__ import annotations

import argparse
import json


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("data", help="annotated dataset (the output folder of `perception-r1 annotate`)")
    p.add_argument("--sample", type=int, default=50, help="problems on the page (default 50)")
    p.add_argument("--seed", type=int, default=0, help="sampling seed (default 0)")
    p.add_argument("--out", default="audit.html", help="HTML page to write (default audit.html)")
    p.add_argument("--verdicts", help="score this verdicts file, or the newest verdicts-*.json in this folder "
                                      "(the browser's downloads), instead of writing a page")
    p.add_argument("--json", dest="json_out", help="also write the score as JSON to this file")
    p.add_argument("--against", choices=["logic-forms"], default=None,
                   help="score the extracted annotations against each figure's logic forms (meta.logic_forms, "
                        "from `convert geometry3k`) with the symbolic judge instead of writing a page")


def run(args: argparse.Namespace) -> int:
    from ..annotate.audit import score_file, write_audit

    from .errors import refuse_overwrite

    if args.sample < 1:
        raise ValueError(f"--sample must be at least 1, got {args.sample}")
    inputs = tuple(x for x in (args.data, args.verdicts) if x is not None)
    if args.json_out:  # the score never replaces the data or the verdicts it reads
        refuse_overwrite(args.json_out, True, inputs=inputs, what="--json")

    if args.against == "logic-forms":
        from ..annotate.logic_check import check_records
        from ..data import load_records

        summary = check_records(load_records(args.data))
        if not summary.problems:
            raise ValueError(f"{args.data}: none of the {len(summary.skipped)} records has logic forms to check "
                             "against (meta.logic_forms: `perception-r1 convert geometry3k` writes them)")
        print(summary)
        if args.json_out:
            with open(args.json_out, "w", encoding="utf-8") as f:
                json.dump(summary.as_dict(), f, indent=2, ensure_ascii=False)
        return 0
    if args.verdicts:
        score, path = score_file(args.verdicts, args.data)
        print(f"{path}: {score}")
        print(json.dumps(score.as_dict()))
        if args.json_out:
            with open(args.json_out, "w", encoding="utf-8") as f:
                json.dump(score.as_dict(), f, indent=2)
        if not score.judged:
            raise ValueError(f"{path}: no annotation of {args.data} is judged in it (judge some on the page, then "
                             "download the verdicts again)")
        return 0
    refuse_overwrite(args.out, True, inputs=inputs)  # the page never replaces the data it shows
    path, n = write_audit(args.data, args.out, args.sample, args.seed)
    print(f"wrote {path} ({n} problems); open it in a browser, judge each annotation, download the verdicts, "
          f"then: perception-r1 audit {args.data} --verdicts <the file, or the folder it went to>")
    return 0
