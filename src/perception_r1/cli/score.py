"""`perception-r1 score --data D --responses R --out O`: score responses offline with every reward.

One JSON line per response, in input order: `id`, `format`, `accuracy`, `perception`, `repetition`,
`total`, `judgments` (0/1 per annotation, or null). Responses are scored in chunks and each chunk is
appended to O as soon as it is done; judge verdicts live in an on-disk cache, so an interrupted run
loses nothing paid for (`--resume` continues after the lines already in O). Example:

    perception-r1 score --data data/synth --responses responses.jsonl --out scores.jsonl \\
        --judge openai --judge-url http://localhost:8001/v1 --judge-model Qwen/Qwen2.5-32B-Instruct-AWQ
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

COMPONENTS = ("format", "accuracy", "perception", "repetition", "total")
DEFAULT_CACHE = os.environ.get("PERCEPTION_R1_JUDGE_CACHE",
                               str(Path.home() / ".cache" / "perception-r1" / "judge.sqlite"))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from ..judges import JUDGES
    from ..judges.openai_judge import DEFAULT_URL

    parser.add_argument("--data", required=True,
                        help="dataset (folder with data.jsonl, .jsonl, .parquet, datasets folder)")
    parser.add_argument("--responses", required=True, help="JSONL with `id` and `response` (several per id allowed)")
    parser.add_argument("--out", required=True, help="output JSONL, one line per response in input order")
    j = parser.add_argument_group("judge (perception reward)")
    j.add_argument("--judge", choices=list(JUDGES), default="symbolic",
                   help="symbolic: offline, math facts; openai: LLM judge; hybrid: symbolic then LLM; "
                        "mllm: MLLM-as-reward-model baseline (default: symbolic)")
    j.add_argument("--judge-url", default=DEFAULT_URL, help="OpenAI-compatible server root (default: %(default)s)")
    j.add_argument("--judge-model", default=None, help="model name on that server (default: the judge's own)")
    j.add_argument("--judge-timeout", type=float, default=60.0, help="seconds per request (default: %(default)s)")
    j.add_argument("--judge-retries", type=int, default=4, help="HTTP retries per request (default: %(default)s)")
    j.add_argument("--judge-concurrency", type=int, default=64, help="requests in flight (default: %(default)s)")
    j.add_argument("--judge-cache", default=DEFAULT_CACHE,
                   help="SQLite verdict cache; 'none' keeps it in memory (default: %(default)s, "
                        "or $PERCEPTION_R1_JUDGE_CACHE)")
    j.add_argument("--on-judge-error", choices=["raise", "skip"], default="raise",
                   help="after retries: stop with an error, or record the judgment as null (default: raise)")
    w = parser.add_argument_group("reward weights (defaults: the released run)")
    w.add_argument("--alpha", type=float, default=0.1, help="format weight")
    w.add_argument("--beta", type=float, default=0.9, help="accuracy weight")
    w.add_argument("--gamma", type=float, default=0.7, help="perception weight")
    w.add_argument("--ngram", type=int, default=20, help="repetition penalty n-gram size")
    w.add_argument("--max-penalty", type=float, default=-2.0, help="repetition penalty at full repetition")
    parser.add_argument("--chunk-size", type=int, default=256,
                        help="responses per scoring chunk (default: %(default)s)")
    parser.add_argument("--resume", action="store_true", help="keep the lines already in --out and score the rest")


def make_judge(args: argparse.Namespace):
    """The judge named by --judge with the CLI's options (symbolic takes none of them)."""
    from ..judges import build_judge, judge_options

    if args.judge == "symbolic":
        return build_judge("symbolic", **({"on_error": args.on_judge_error}
                                          if "on_error" in judge_options("symbolic") else {}))
    options: dict[str, Any] = {"url": args.judge_url, "timeout": args.judge_timeout,
                               "concurrency": args.judge_concurrency, "max_retries": args.judge_retries,
                               "on_error": args.on_judge_error,
                               "cache": None if args.judge_cache.lower() == "none" else args.judge_cache}
    if args.judge_model:
        options["model"] = args.judge_model
    return build_judge(args.judge, **options)


def load_inputs(data: str, responses: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(responses, the record row of each); an id missing from the dataset is a RecordError."""
    from ..data import RecordError, load_records, read_responses

    by_id: dict[str, dict[str, Any]] = {}
    for rec in load_records(data):
        if rec.id in by_id:
            raise RecordError(rec.id, "id", f"{data}: duplicated id")
        by_id[rec.id] = rec.to_dict()
    resp = read_responses(responses)
    for n, r in enumerate(resp, 1):
        if r["id"] not in by_id:
            raise RecordError(r["id"], "id", f"{responses}: response {n} names an id that is not in {data}")
        if not isinstance(r["response"], str):
            raise RecordError(r["id"], "response", f"{responses}: response {n} is not a string")
    return resp, [by_id[r["id"]] for r in resp]


def resume_point(out: Path, resp: list[dict[str, Any]]) -> int:
    """How many leading responses O already holds (their ids must match the input order)."""
    if not out.exists():
        return 0
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines() if line.strip()]
    for n, (line, r) in enumerate(zip(lines, resp), 1):
        if str(line.get("id")) != r["id"]:
            raise ValueError(f"{out}: line {n} has id {line.get('id')!r} but response {n} is {r['id']!r}; "
                             "it was written for other inputs (drop --resume to start over)")
    if len(lines) > len(resp):
        raise ValueError(f"{out}: {len(lines)} lines for {len(resp)} responses (drop --resume to start over)")
    return len(lines)


def run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from ..data import RecordError
    from ..judges import JudgeError
    from ..rewards import accuracy as acc
    from ..rewards.composite import RewardConfig, score_responses

    t0 = time.perf_counter()
    try:
        resp, rows = load_inputs(args.data, args.responses)
        out = Path(args.out)
        start = resume_point(out, resp) if args.resume else 0
        judge = make_judge(args)
    except (RecordError, ValueError, TypeError, FileNotFoundError) as e:
        print(f"score: error: {e}", file=sys.stderr)
        return 1
    config = RewardConfig(alpha=args.alpha, beta=args.beta, gamma=args.gamma, ngram=args.ngram,
                          max_penalty=args.max_penalty)
    out.parent.mkdir(parents=True, exist_ok=True)
    sums = {c: [0.0, 0] for c in COMPONENTS}
    missing = 0
    with open(out, "a" if start else "w", encoding="utf-8") as f, \
            tqdm(total=len(resp), initial=start, unit="resp", desc="score", file=sys.stderr) as bar:
        for lo in range(start, len(resp), args.chunk_size):
            hi = min(lo + args.chunk_size, len(resp))
            try:
                scored = score_responses([r["response"] for r in resp[lo:hi]], rows[lo:hi], judge, config)
            except JudgeError as e:
                bar.close()
                print(f"score: error: responses {lo + 1}-{hi} (ids {resp[lo]['id']} … {resp[hi - 1]['id']}): {e}\n"
                      f"score: {lo} scored line(s) are kept in {out}; fix the judge or use "
                      "--on-judge-error skip, then rerun with --resume", file=sys.stderr)
                return 1
            for r, row, b in zip(resp[lo:hi], rows[lo:hi], scored):
                line = {"id": r["id"], **{c: getattr(b, c) for c in COMPONENTS}, "judgments": b.judgments}
                f.write(json.dumps(line) + "\n")
                for c in COMPONENTS:
                    if line[c] is not None:
                        sums[c][0] += line[c]
                        sums[c][1] += 1
                missing += b.perception is None and bool(row.get("visual_annotations"))
            f.flush()
            bar.update(hi - lo)
    print(_summary(len(resp) - start, sums, missing, judge, acc.STATS.timeouts, time.perf_counter() - t0, out))
    return 0


def _summary(n: int, sums: dict[str, list], missing: int, judge, timeouts: int, seconds: float, out: Path) -> str:
    means = "  ".join(f"{c} {s / k:.3f}" if k else f"{c} -" for c, (s, k) in sums.items())
    st = judge.stats.as_dict()
    lines = [f"scored {n} response(s) in {seconds:.1f} s ({n / seconds if seconds else 0:.1f}/s) -> {out}",
             f"means     {means}",
             f"judge     {judge.name}: requests {st['requests']}  cache hits {st['cache_hits']}  "
             f"failures {st['failures']}  mean latency {st['latency_mean']:.2f} s",
             f"missing   perception null for {missing} response(s) with annotations; "
             f"math-verify timeouts {timeouts}"]
    return "\n".join(lines)
