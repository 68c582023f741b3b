"""Throughput of `perception-r1 annotate` against a loopback server, as a fraction of its capacity.

    .venv/bin/python benchmarks/annotate_throughput.py                 # 800 problems, K=1, 32 slots, 0.2 s
    .venv/bin/python benchmarks/annotate_throughput.py --problems 400 --samples 4

The server (`perception_r1.llm.loopback.LoopbackServer`, run in a child process so it does not share
the pipeline's interpreter lock) serves at most `--slots` requests at once, each taking `--latency`
seconds, so its capacity is slots / latency requests per second. Teacher and extractor are the same
server. The pipeline runs end to end (image encoding, journal writes, verification, extraction,
output files) at `--concurrency`; the figure is requests answered / wall time / capacity.
Target: >= 90% at --concurrency 32. The last wave of extraction requests cannot overlap anything (each
problem's extraction waits for its own distillation), so short runs measure that tail: 200 problems
(400 requests, 12 waves) read 87% where 800 problems read 94% on the same idle machine.
The figures need a CPU to spare: on a loaded machine the client and the server starve, so the script
also prints the pipeline's CPU time per request and the load.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import re
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

from perception_r1.annotate.pipeline import AnnotateConfig, run_annotate
from perception_r1.data import Record, write_folder

_FIG_RE = re.compile(r"problem (\d+)\b")


def _text(body: dict) -> str:
    c = body["messages"][-1]["content"]
    return c if isinstance(c, str) else " ".join(p.get("text", "") for p in c if p["type"] == "text")


def handler(body: dict) -> str:
    """Teacher: a correct trajectory stating two facts. Extractor: those facts as a JSON array."""
    if isinstance(body["messages"][-1]["content"], str):
        facts = re.search(r"From the figure: (.*?)\.\n", _text(body)).group(1).split("; ")
        return json.dumps(facts)
    i = int(_FIG_RE.search(_text(body)).group(1))
    return (f"<think>\nFrom the figure: AB = {i}; BC = {i + 1}.\nSo x = {2 * i + 1}.\n</think>\n"
            f"<answer>\n\\boxed{{{2 * i + 1}}}\n</answer>")


def _serve(latency: float, slots: int, conn) -> None:
    """The server process: reports its URL, then (when told to stop) the requests served and the window
    from the first arrival to the last reply (time.time, comparable across processes)."""
    from perception_r1.llm.loopback import LoopbackServer

    stamps: list[float] = []

    def arrived(index: int, body: dict) -> None:
        stamps.append(time.time())  # the faults hook runs as each request arrives; it injects nothing

    def timed(body: dict) -> str:
        reply = handler(body)
        stamps.append(time.time())
        return reply

    with LoopbackServer(timed, latency=latency, capacity=slots, faults=arrived) as srv:
        conn.send(srv.url)
        cpu = time.process_time()
        conn.recv()  # block until told to stop
        conn.send((len(srv.requests), max(stamps) - min(stamps) if stamps else 0.0, time.process_time() - cpu))


def make_problems(root: Path, n: int) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    recs = []
    for i in range(n):
        path = root / f"img{i}.png"
        Image.new("RGB", (224, 224), (255, 255 - i % 200, 255)).save(path)
        recs.append(Record(id=f"b{i}", images=[str(path)], problem=f"Find x in problem {i}.", answer=str(2 * i + 1)))
    return write_folder(recs, root / "data")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--problems", type=int, default=800)
    ap.add_argument("--samples", type=int, default=1)
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--slots", type=int, default=32)
    ap.add_argument("--latency", type=float, default=0.2)
    args = ap.parse_args(argv)
    parent, child = mp.Pipe()
    server = mp.get_context("spawn").Process(target=_serve, args=(args.latency, args.slots, child), daemon=True)
    server.start()
    url = parent.recv()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            data = make_problems(Path(tmp) / "src", args.problems)
            cfg = AnnotateConfig(data=str(data), out=str(Path(tmp) / "out"), teacher_url=url, teacher_model="teacher",
                                 extractor_url=url, extractor_model="extractor", samples=args.samples,
                                 concurrency=args.concurrency, progress=False)
            load = os.getloadavg()[0]
            t0, c0 = time.perf_counter(), time.process_time()
            summary = run_annotate(cfg)
            wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    finally:
        parent.send("stop")
        served, window, server_cpu = parent.recv()
        server.join(5)
    kept = sum(o.kept for o in summary.outcomes)
    capacity = args.slots / args.latency
    ideal = served / capacity
    print(f"{args.problems} problems, K={args.samples}, concurrency {args.concurrency}: {served} requests, "
          f"{kept} problems kept; server capacity {capacity:.0f} req/s ({args.slots} slots x {args.latency} s), "
          f"so {ideal:.2f} s at best")
    print(f"while serving (first request in to last reply out, {window:.2f} s): "
          f"{served / window / capacity:.1%} of capacity")
    print(f"end to end (load data, encode images, all stages, write outputs, {wall:.2f} s): "
          f"{served / wall / capacity:.1%} of capacity")
    print(f"pipeline CPU {cpu:.2f} s, start-up included ({1000 * cpu / served:.1f} ms per request); "
          f"server CPU {1000 * server_cpu / served:.1f} ms per request; "
          f"1-min load average at start {load:.1f} on {os.cpu_count()} CPUs")
    return 0 if kept == args.problems else 1


if __name__ == "__main__":
    sys.exit(main())
