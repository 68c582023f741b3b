"""`perception-r1 score --data D --responses R --out O`: score responses offline with every reward.

One JSON line per response, in input order: `id`, `format`, `accuracy`, `perception`, `repetition`,
`total`, `judgments` (0/1 per annotation, or null). Responses are scored in chunks and each chunk is
appended to O as soon as it is done; judge verdicts live in an on-disk cache, so an interrupted run
loses nothing paid for (`--resume` continues after the lines already in O). A non-empty O is refused
without `--resume` or `--overwrite`, and O is never one of the inputs. Example:

    perception-r1 score --data data/synth --responses responses.jsonl --out scores.jsonl \\
        --judge openai --judge-url http://localhost:8000/v1 --judge-model Qwen/Qwen2.5-32B-Instruct-AWQ
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import json
import sys
import time
from collections import deque
from pathlib import Path
from typing import Any

from .judge_args import DEFAULT_CACHE, add_judge_arguments, judge_from_args

# Chunks whose judgments are in flight at once. More responses queued than the judge serves at a
# time keep its server busy while finished chunks are combined and written; a bound keeps memory
# flat on a large file.
CHUNKS_AHEAD = 8


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from ..rewards.composite import RewardConfig

    parser.add_argument("--data", required=True,
                        help="dataset (folder with data.jsonl, .jsonl, .parquet, datasets folder)")
    parser.add_argument("--responses", required=True, help="JSONL with `id` and `response` (several per id allowed)")
    parser.add_argument("--out", required=True, help="output JSONL, one line per response in input order")
    add_judge_arguments(parser, on_error="raise", cache=DEFAULT_CACHE)
    d = RewardConfig()
    w = parser.add_argument_group("reward weights (defaults: the released run)")
    w.add_argument("--alpha", type=float, default=d.alpha, help="format weight (default: %(default)s)")
    w.add_argument("--beta", type=float, default=d.beta, help="accuracy weight (default: %(default)s)")
    w.add_argument("--gamma", type=float, default=d.gamma, help="perception weight (default: %(default)s)")
    w.add_argument("--ngram", type=int, default=d.ngram, help="repetition penalty n-gram size (default: %(default)s)")
    w.add_argument("--max-penalty", type=float, default=d.max_penalty,
                   help="repetition penalty at full repetition (default: %(default)s)")
    parser.add_argument("--chunk-size", type=int, default=256,
                        help="responses per chunk written to --out (default: %(default)s)")
    parser.add_argument("--resume", action="store_true", help="keep the lines already in --out and score the rest")
    parser.add_argument("--overwrite", action="store_true",
                        help="replace a non-empty --out (without it, or --resume, finished work is never replaced)")


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
    from ..rewards import accuracy as acc
    from ..rewards.composite import REWARDS, RewardConfig

    t0 = time.perf_counter()
    try:
        from .errors import refuse_overwrite

        out = Path(args.out)
        # Before anything is read or asked: an input is never an output, finished work is kept.
        refuse_overwrite(out, args.overwrite or args.resume, inputs=(args.data, args.responses))
        resp, rows = load_inputs(args.data, args.responses)
        start = resume_point(out, resp) if args.resume else 0
        judge = judge_from_args(args)
    except (RecordError, ValueError, TypeError, FileNotFoundError) as e:
        print(f"score: error: {e}", file=sys.stderr)
        return 1
    config = RewardConfig(alpha=args.alpha, beta=args.beta, gamma=args.gamma, ngram=args.ngram,
                          max_penalty=args.max_penalty)
    components = (*REWARDS, "total")
    out.parent.mkdir(parents=True, exist_ok=True)
    sums = {c: [0.0, 0] for c in components}
    missing = {"perception": 0, "accuracy": 0}
    f = None  # opened (and, without --resume, truncated) only once the first chunk is scored
    with tqdm(total=len(resp), initial=start, unit="resp", desc="score", file=sys.stderr) as bar:
        try:
            for lo, hi, scored in _scored_chunks(resp, rows, start, args.chunk_size, judge, config):
                f = f or open(out, "a" if start else "w", encoding="utf-8")
                for r, row, b in zip(resp[lo:hi], rows[lo:hi], scored):
                    line = {"id": r["id"], **{c: getattr(b, c) for c in components}, "judgments": b.judgments}
                    f.write(json.dumps(line) + "\n")
                    for c in components:
                        if line[c] is not None:
                            sums[c][0] += line[c]
                            sums[c][1] += 1
                    missing["perception"] += b.perception is None and bool(row.get("visual_annotations"))
                    missing["accuracy"] += b.accuracy is None
                f.flush()
                bar.update(hi - lo)
        except _ChunkError as e:
            bar.close()
            lo, hi = e.span
            print(f"score: error: responses {lo + 1}-{hi} (ids {resp[lo]['id']} … {resp[hi - 1]['id']}): {e.error}\n"
                  f"score: {lo} scored line(s) are kept in {out}; fix the judge or use "
                  "--on-judge-error skip, then rerun with --resume", file=sys.stderr)
            return 1
        finally:
            if f is not None:
                f.close()
    print(_summary(len(resp) - start, sums, missing, judge, acc.STATS.timeouts, time.perf_counter() - t0, out))
    return 0


class _ChunkError(Exception):
    def __init__(self, span: tuple[int, int], error: Exception):
        super().__init__(str(error))
        self.span, self.error = span, error


def _scored_chunks(resp, rows, start: int, size: int, judge, config):
    """(lo, hi, breakdowns) chunk after chunk, in input order. The next `CHUNKS_AHEAD` chunks'
    judgments are in flight on the judge's loop, and their math-verify checks queued in a thread,
    while a finished chunk is combined and written: the judge never waits for the writer. A judge
    error stops the rest (cancelling what is in flight)."""
    from ..judges import JudgeError
    from ..rewards.composite import ajudge_rows, combine, start_accuracy

    spans = deque((lo, min(lo + size, len(resp))) for lo in range(start, len(resp), size))
    texts = [r["response"] for r in resp]
    flight: deque = deque()
    with cf.ThreadPoolExecutor(1) as ex:
        try:
            while spans or flight:
                while spans and len(flight) < CHUNKS_AHEAD:
                    lo, hi = spans.popleft()
                    accuracy = start_accuracy(ex, texts[lo:hi], rows[lo:hi], config)
                    judged = judge.submit(ajudge_rows(texts[lo:hi], rows[lo:hi], judge)) \
                        if config.use_perception else None
                    flight.append((lo, hi, accuracy, judged))
                lo, hi, accuracy, judged = flight.popleft()
                try:
                    judgments = judged.result() if judged is not None else None
                except JudgeError as e:
                    raise _ChunkError((lo, hi), e) from e
                yield lo, hi, combine(texts[lo:hi], accuracy.result() if accuracy else None, judgments, config)
        finally:
            for _, _, accuracy, judged in flight:
                for fut in (accuracy, judged):
                    if fut is not None:
                        fut.cancel()


def _summary(n: int, sums: dict[str, list], missing: dict[str, int], judge, timeouts: int, seconds: float,
             out: Path) -> str:
    means = "  ".join(f"{c} {s / k:.3f}" if k else f"{c} -" for c, (s, k) in sums.items())
    st = judge.stats.as_dict()
    lines = [f"scored {n} response(s) in {seconds:.1f} s ({n / seconds if seconds else 0:.1f}/s) -> {out}",
             f"means     {means}",
             f"judge     {judge.name}: requests {st['requests']}  cache hits {st['cache_hits']}  "
             f"failures {st['failures']}  mean latency {st['latency_mean']:.2f} s",
             f"missing   perception null for {missing['perception']} response(s) with annotations; "
             f"accuracy null for {missing['accuracy']}; math-verify timeouts {timeouts}"]
    return "\n".join(lines)
