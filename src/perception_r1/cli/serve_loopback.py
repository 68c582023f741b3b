"""`perception-r1 serve-loopback [--port 8000] [--reply judge|fixed] …`: the loopback chat-completions
server (`llm.loopback`) on a port, until Ctrl-C: a stand-in judge for trying the paper-scale scripts, the
annotate pipeline or `score` without GPUs. `--reply judge` answers the judge prompt (verdict 1 for each
fact the response states verbatim: `judges.prompts.loopback_judge_reply`); `--reply fixed` answers
`--text` to every request. It serves `GET /v1/models` and `GET /health` like vLLM."""

from __future__ import annotations

import argparse
import sys
import threading


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    p.add_argument("--port", type=int, default=8000,
                   help="port (default: %(default)s, the judge's port in scripts/serve_judge.sh and the configs)")
    p.add_argument("--model", action="append", dest="models",
                   help="model name GET /v1/models lists (repeatable; default: the judge model the configs name)")
    p.add_argument("--reply", choices=("judge", "fixed"), default="judge", help="what to answer (default: %(default)s)")
    p.add_argument("--text", default="", help="the reply of --reply fixed")
    p.add_argument("--latency", type=float, default=0.0, help="seconds per request (default: %(default)s)")
    p.add_argument("--capacity", type=int, default=None, help="requests served at once (default: unbounded)")


def run(args: argparse.Namespace) -> int:
    from perception_r1.judges.openai_judge import DEFAULT_MODEL
    from perception_r1.llm.loopback import LoopbackServer

    if args.reply == "judge":
        from perception_r1.judges.prompts import loopback_judge_reply as handler
    else:
        def handler(body, text=args.text):
            return text
    if args.capacity is not None and args.capacity < 1:
        print(f"perception-r1 serve-loopback: --capacity must be at least 1, got {args.capacity}", file=sys.stderr)
        return 2
    try:
        server = LoopbackServer(handler, latency=args.latency, capacity=args.capacity, host=args.host,
                                port=args.port, models=tuple(args.models or (DEFAULT_MODEL,)))
    except OSError as e:  # port in use, address not available
        print(f"perception-r1 serve-loopback: cannot listen on {args.host}:{args.port}: {e.strerror or e}",
              file=sys.stderr)
        return 2
    with server:
        print(f"serving {args.reply} replies at {server.url} (models: {', '.join(server.models)}); Ctrl-C stops",
              flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
    return 0
