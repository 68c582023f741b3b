"""`perception-r1 eval --benchmark NAME --data PATH (--model M | --responses R) --out DIR`.

Scores by the benchmark's official rules; writes DIR/results.jsonl, DIR/summary.json, DIR/summary.md
(and, with --model, DIR/responses.jsonl, appended batch by batch). A non-empty DIR is refused without
`--resume` (reuse its responses, generate only what is missing) or `--overwrite` (start over); DIR is
never one of the inputs.
The perception judge takes the same flags as in `score` (`--judge`, `--judge-url`, `--judge-model`, …,
`--judge-option KEY=VALUE` for any other option; `cli/judge_args.py`).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..data import MAX_PIXELS, MIN_PIXELS
from ..data.prompt import DEFAULT_PRESET, PROMPT_PRESETS
from ..urls import is_http_url
from .judge_args import add_judge_arguments, judge_options_from_args


def add_arguments(p: argparse.ArgumentParser) -> None:
    from ..eval.benchmarks import BENCHMARKS

    p.add_argument("--benchmark", required=True, choices=sorted(BENCHMARKS))
    p.add_argument("--data", required=True, help="the benchmark's release file or folder (see docs/evaluation.md)")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--model", help="model folder (or hub id) to generate responses with")
    src.add_argument("--responses", help="JSONL with id and response, generated elsewhere")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--limit", type=int, help="evaluate only the first N items")
    p.add_argument("--backend", choices=["transformers", "vllm"], default="transformers")
    p.add_argument("--max-new-tokens", type=int, default=1024)
    p.add_argument("--prompt-preset", default=DEFAULT_PRESET, choices=sorted(PROMPT_PRESETS),
                   help="the prompt the model was trained with (release: the released run's user-turn instruction)")
    p.add_argument("--batch-size", type=int, default=8)
    p.add_argument("--min-pixels", type=int, default=MIN_PIXELS)
    p.add_argument("--max-pixels", type=int, default=MAX_PIXELS)
    p.add_argument("--extractor-url", help="OpenAI-compatible server for LLM answer extraction (e.g. http://localhost:8000/v1)")
    p.add_argument("--extractor-model", help="model name on the extractor server")
    p.add_argument("--extractor-api-key-env", default="OPENAI_API_KEY")
    p.add_argument("--samples", type=int, default=0, metavar="K",
                   help="also K sampled responses per item: avg@K (with its spread) and pass@K beside greedy")
    p.add_argument("--temperature", type=float, default=1.0, help="sampling temperature of --samples (default 1.0)")
    p.add_argument("--llm-scoring", action="store_true",
                   help="MathVerse: run the official LLM judgement (step 2) on the --extractor-url server")
    add_judge_arguments(p, on_error="raise", cache=None)
    p.add_argument("--perception-threshold", type=float, default=1.0,
                   help="perception_ok when the hit ratio is at least this (default 1.0: every fact stated)")
    p.add_argument("--resume", action="store_true",
                   help="continue the run in --out: keep its generated responses and generate only what is missing")
    p.add_argument("--overwrite", action="store_true",
                   help="replace a non-empty --out (without it, or --resume, finished work is never replaced)")


def run(args: argparse.Namespace) -> int:
    from ..eval.run import EvalConfig, evaluate
    from .errors import check_folder_target, refuse_overwrite

    # (flag, value, least, most): past `most` a typo, not a plan (no accelerator holds it).
    for flag, value, least, most in (("--limit", args.limit, 1, None), ("--max-new-tokens", args.max_new_tokens, 1, 2**20),
                                     ("--batch-size", args.batch_size, 1, 2**16), ("--samples", args.samples, 0, 2**10)):
        if value is not None and value < least:
            raise ValueError(f"{flag} must be at least {least}, got {value}")
        if value is not None and most is not None and value > most:
            raise ValueError(f"{flag} must be at most {most}, got {value}")
    if not 0 <= args.perception_threshold <= 1:
        raise ValueError(f"--perception-threshold must be between 0 and 1, got {args.perception_threshold}")
    if not 0 < args.min_pixels <= args.max_pixels:
        raise ValueError(f"need 0 < --min-pixels <= --max-pixels, got {args.min_pixels}, {args.max_pixels}")
    if args.extractor_url is not None and not is_http_url(args.extractor_url):
        raise ValueError(f"--extractor-url must be an http(s) URL such as http://localhost:8000/v1, "
                         f"got {args.extractor_url!r}")
    if args.model is not None:
        from ..train.config import check_model_path

        check_model_path(args.model, "--model")
    # Before anything is read or generated: an input is never an output, finished work is kept.
    inputs = tuple(x for x in (args.data, args.responses, args.model) if x is not None and Path(x).exists())
    refuse_overwrite(args.out, args.overwrite, inputs=inputs, resume=args.resume)
    check_folder_target(args.out)
    cfg = EvalConfig(benchmark=args.benchmark, data=args.data, out=args.out, model=args.model,
                     responses=args.responses, limit=args.limit, backend=args.backend,
                     max_new_tokens=args.max_new_tokens, batch_size=args.batch_size,
                     min_pixels=args.min_pixels, max_pixels=args.max_pixels,
                     extractor_url=args.extractor_url, extractor_model=args.extractor_model,
                     extractor_api_key_env=args.extractor_api_key_env, judge=args.judge,
                     judge_options=judge_options_from_args(args), perception_threshold=args.perception_threshold,
                     samples=args.samples, temperature=args.temperature, llm_scoring=args.llm_scoring,
                     prompt_preset=args.prompt_preset, resume=args.resume)
    summary = evaluate(cfg)  # a bad record, file or value raises; cli.errors prints one line, exit 2
    print(f"{summary['benchmark']}: accuracy {100 * summary['accuracy']:.2f}% ({summary['correct']}/{summary['total']})")
    if "sampling" in summary:
        g = summary["sampling"]
        print(f"sampling: avg@{g['k']} {100 * g['avg_at_k']:.2f}% ± {100 * g['std']:.2f}, "
              f"pass@{g['k']} {100 * g['pass_at_k']:.2f}%")
    if "perception" in summary:
        p = summary["perception"]
        print(f"perception: mean {100 * p['mean']:.2f}%, perception_ok {100 * p['ok_rate']:.2f}% ({p['items']} items)")
    print(f"wrote {args.out}/results.jsonl, summary.json, summary.md")
    return 0
