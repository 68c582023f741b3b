"""`perception-r1 annotate`: teacher trajectories -> verified -> extracted visual annotations.

Example:
    perception-r1 annotate --data geo3k/ --out geo3k-annotated/ \\
        --teacher-url https://api.example.com/v1 --teacher-model gemini-2.5-pro \\
        --extractor-url http://localhost:8000/v1 --extractor-model Qwen/Qwen2.5-32B-Instruct --samples 4

Rerun the same command with `--resume` after an interruption: answered requests come from
`OUT/journal.sqlite`. An OUT that holds a previous run is refused without `--resume` or `--overwrite`, and
an OUT that is the input's folder always.
"""

from __future__ import annotations

import argparse
import logging
import sys

from ..data import MAX_PIXELS, MIN_PIXELS


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data", required=True, help="input dataset (folder, jsonl, parquet or datasets folder)")
    p.add_argument("--out", required=True, help="output folder: data.jsonl + images/, dropped.jsonl, report.md, journal")
    p.add_argument("--teacher-url", required=True, help="OpenAI-compatible base URL of the multimodal teacher (…/v1)")
    p.add_argument("--teacher-model", required=True)
    p.add_argument("--extractor-url", required=True, help="OpenAI-compatible base URL of the text extractor (…/v1)")
    p.add_argument("--extractor-model", required=True)
    p.add_argument("--samples", "-k", type=int, default=4, help="teacher trajectories per problem (default 4)")
    p.add_argument("--concurrency", type=int, default=16, help="requests in flight per server (default 16)")
    p.add_argument("--limit", type=int, default=None, help="only the first N problems (a trial run)")
    p.add_argument("--dry-run", action="store_true", help="print the first requests and an estimate; send nothing")
    p.add_argument("--api-key-env", default="OPENAI_API_KEY",
                   help="environment variable holding the API key (default OPENAI_API_KEY); never stored")
    p.add_argument("--extractor-api-key-env", default=None,
                   help="variable holding the extractor's key, when it differs from the teacher's (e.g. a hosted "
                        "teacher and a local vLLM extractor); default: --api-key-env")
    p.add_argument("--timeout", type=float, default=300.0, help="seconds per request (default 300)")
    p.add_argument("--max-retries", type=int, default=4)
    p.add_argument("--temperature", type=float, default=1.0, help="teacher sampling temperature (default 1.0)")
    p.add_argument("--max-tokens", type=int, default=4096, help="teacher completion limit per trajectory")
    p.add_argument("--extractor-max-tokens", type=int, default=1024)
    p.add_argument("--min-pixels", type=int, default=MIN_PIXELS)
    p.add_argument("--max-pixels", type=int, default=MAX_PIXELS)
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
    p.add_argument("--keep-facts-in", choices=["logic-forms"], default=None,
                   help="'logic-forms': annotations are the figure's logic-form facts (meta.logic_forms, from "
                        "`convert geometry3k`) that the verified trajectory states; the extracted ones go to "
                        "meta.annotate.extracted (docs/annotation.md)")
    p.add_argument("--resume", action="store_true", help="continue the run in --out (nothing answered is paid twice)")
    p.add_argument("--overwrite", action="store_true",
                   help="replace the outputs of a previous run in --out (its journal is still reused)")


def run(args: argparse.Namespace) -> int:
    from ..annotate.pipeline import AnnotateConfig, run_annotate

    cfg = AnnotateConfig(
        data=args.data, out=args.out, teacher_url=args.teacher_url, teacher_model=args.teacher_model,
        extractor_url=args.extractor_url, extractor_model=args.extractor_model, samples=args.samples,
        concurrency=args.concurrency, limit=args.limit, api_key_env=args.api_key_env,
        extractor_api_key_env=args.extractor_api_key_env, timeout=args.timeout,
        max_retries=args.max_retries, temperature=args.temperature, max_tokens=args.max_tokens,
        extractor_max_tokens=args.extractor_max_tokens, min_pixels=args.min_pixels, max_pixels=args.max_pixels,
        progress=not args.no_progress, keep_facts_in=args.keep_facts_in, resume=args.resume,
        overwrite=args.overwrite)
    # A bad input (a record, --keep-facts-in logic-forms on data without logic forms, an output that holds
    # a previous run) raises before any request; cli.errors turns it into one line and exit 2.
    if args.dry_run:
        from ..annotate.estimate import dry_run
        from ..annotate.pipeline import check_output

        check_output(cfg)  # what the run would refuse, the dry run refuses
        print(dry_run(cfg))
        return 0
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    summary = run_annotate(cfg)
    kept = sum(o.kept for o in summary.outcomes)
    n = len(summary.outcomes)
    print(f"kept {kept}/{n} problems -> {args.out}/data.jsonl; report: {args.out}/report.md", file=sys.stdout)
    return 0
