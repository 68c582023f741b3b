"""Speed of `perception-r1 score` against the judge: 1,024 responses (128 problems x 8) scored with the
`openai` judge on a loopback server of fixed latency and capacity (default 0.5 s, 64 slots), through
the CLI as a user runs it and in-process through `score_responses`.

    .venv/bin/python benchmarks/score_speed.py
    .venv/bin/python benchmarks/score_speed.py --latency 0.2 --capacity 32 --problems 64

The judge-bound limit is ceil(requests / capacity) x latency: the time the judge server alone needs
for the batch. Each path's ratio is its wall time over that limit, measured in this run:

- CLI: the `perception-r1 score` process from launch to exit (interpreter start, imports, reading the
  data, math-verify, writing the output: everything a user waits for), with the command's own
  defaults (the judge's 128 requests in flight, chunks of 256, on-disk cache in a fresh file); the
  time the command itself reports (after its imports) is printed beside it, and its CPU time (with
  its math-verify workers) per response.
- in-process: one `score_responses` call on a fresh judge (connections opened inside the timing),
  the persistent math-verify pool already started; the CPU time of this process per response.

Target: the CLI at <= 1.10x (the exit status checks it). Every response is distinct, so no cache
helps; the judge server runs in its own process, as a real one would, and holds each slot for the
latency (its own work included). Responses and problems are the ones of benchmarks/reward_stage.py.

Measured on the 2-CPU development machine with other sessions' jobs running (wall ratios move with
the load average, CPU per response less), before (c432b99) and after this session's changes:

    load 0.9  before: CLI 10.60 s = 1.32x, 3.93 ms CPU per response; in-process 1.13x, 1.89 ms
    load 0.8  after:  CLI  8.52 s = 1.06x, 2.66 ms CPU per response; in-process 1.05x, 1.68 ms
    load 3.1  before: CLI 12.04 s = 1.50x, 4.53 ms CPU per response; in-process 1.30x, 2.19 ms
    load 3.1  after:  CLI  8.62 s = 1.08x, 2.91 ms CPU per response; in-process 1.07x, 1.90 ms

What moved it: the judge keeps twice a server's slots in flight, so a freed slot finds the next
request queued (the server's waves are then 0.50 s apart, the whole batch 8.07-8.12 s from the
first request to the last reply); its requests go out before math-verify's workers start importing
sympy; the first request reaches the server 0.25-0.45 s after the judge starts instead of ~2.7 s
at load ~3.5 (no trio or httpx CLI import, no CA bundle for plain http, the prompts of queued
requests built when they get a slot, one cache query per batch); the pool is stopped before exit
instead of joined by it (~1 s); the fence builds a prompt in 58 us instead of 144 us; the cache
commits once per batch. What is left: the command's start-up (~0.25 s of interpreter and imports
before the first request goes out, ~0.3 s until the server has it) and the interpreter's exit
(~0.1-0.2 s). httpx's ~1 ms of CPU per request remains (a single pool sized to the concurrency
costs 5-8 ms per request: httpcore scans its pool on every event, hence pools of 4); it is now
hidden behind the judge's latency.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
from reward_stage import judge_server, make_batch  # noqa: E402

from perception_r1.data import Record, write_folder  # noqa: E402
from perception_r1.judges.openai_judge import OpenAIJudge  # noqa: E402
from perception_r1.rewards import accuracy  # noqa: E402
from perception_r1.rewards.composite import RewardConfig, score_responses  # noqa: E402

TARGET = 1.10


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 200, 200)).save(buf, format="PNG")
    return buf.getvalue()


def write_inputs(responses: list[str], rows: list[dict], tmp: Path) -> tuple[Path, Path]:
    """The batch as a user has it: a dataset folder (one record per problem) and a responses file."""
    png, seen, records = _png(), set(), []
    for row in rows:
        if row["id"] not in seen:
            seen.add(row["id"])
            records.append(Record(row["id"], [png], "Find the value.", row["answer"],
                                  visual_annotations=row["visual_annotations"]))
    data = write_folder(records, tmp / "data")
    resp = tmp / "responses.jsonl"
    resp.write_text("".join(json.dumps({"id": row["id"], "response": r}) + "\n" for r, row in zip(responses, rows)),
                    encoding="utf-8")
    return Path(data), resp


def bench_cli(data: Path, resp: Path, url: str, tmp: Path) -> tuple[float, float | None, str, float]:
    """(process wall time, the command's own reported seconds, its stdout, its CPU seconds)."""
    cmd = [sys.executable, "-m", "perception_r1.cli.main", "score", "--data", str(data), "--responses", str(resp),
           "--out", str(tmp / "scores.jsonl"), "--judge", "openai", "--judge-url", url, "--judge-model", "bench-judge",
           "--judge-cache", str(tmp / "cli-cache.sqlite")]
    cpu0 = _children_cpu()
    t0 = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    wall = time.perf_counter() - t0
    if done.returncode != 0:
        raise SystemExit(f"score failed ({done.returncode}):\n{done.stderr[-2000:]}")
    m = re.search(r"scored \d+ response\(s\) in ([0-9.]+) s", done.stdout)
    return wall, float(m.group(1)) if m else None, done.stdout, _children_cpu() - cpu0


def _children_cpu() -> float:
    """User + system CPU seconds of the finished child processes (the score command and its
    math-verify workers; the judge server is still running, so it is not counted)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def bench_in_process(responses: list[str], rows: list[dict], url: str) -> float:
    accuracy.accuracy_batch(["\\boxed{1}"], ["1"])  # the persistent pool, as in a training run
    judge = OpenAIJudge(url, "bench-judge-2")  # another model name: nothing from the CLI's run is reused
    cpu0, t0 = time.process_time(), time.perf_counter()
    scored = score_responses(responses, rows, judge, RewardConfig())
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    assert all(b.judgments is not None for b in scored)
    return wall, cpu


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--latency", type=float, default=0.5, help="judge seconds per request (default: %(default)s)")
    p.add_argument("--capacity", type=int, default=64, help="judge slots served at once (default: %(default)s)")
    p.add_argument("--problems", type=int, default=128)
    p.add_argument("--group", type=int, default=8, help="responses per problem (GRPO G)")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)

    responses, rows = make_batch(args.problems, args.group, args.seed)
    limit = math.ceil(len(responses) / args.capacity) * args.latency
    print(f"score speed: {len(responses)} distinct responses ({args.problems} problems x {args.group}); judge "
          f"latency {args.latency} s, capacity {args.capacity}; {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.1f}")
    print(f"  judge-bound limit: ceil({len(responses)} / {args.capacity}) x {args.latency} s = {limit:.2f} s")
    with tempfile.TemporaryDirectory() as tmp, judge_server(args.latency, args.capacity) as url:
        data, resp = write_inputs(responses, rows, Path(tmp))
        wall, reported, out, cpu = bench_cli(data, resp, url, Path(tmp))
        requests = re.search(r"requests (\d+)", out)
        assert requests and int(requests.group(1)) == len(responses), out
        n = len(responses)
        print(f"  CLI (`perception-r1 score`, defaults): {wall:.2f} s process wall, ratio {wall / limit:.2f}x "
              f"(target <= {TARGET:.2f}x); the command reports {reported:.2f} s after its imports "
              f"({reported / limit:.2f}x); CPU {cpu:.2f} s with its math-verify workers "
              f"({1000 * cpu / n:.2f} ms per response)")
        inproc, inproc_cpu = bench_in_process(responses, rows, url)
        print(f"  in-process (`score_responses`, fresh judge): {inproc:.2f} s wall, ratio {inproc / limit:.2f}x; "
              f"CPU of this process {inproc_cpu:.2f} s ({1000 * inproc_cpu / n:.2f} ms per response; the "
              "math-verify workers not counted)")
    accuracy.shutdown_pool()
    print(f"  load average at the end: {os.getloadavg()[0]:.1f} (the machine's other work stretches both figures)")
    return 0 if wall / limit <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
