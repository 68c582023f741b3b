"""The one argument group of every command that takes a perception judge (`score`, `eval`): the same
flags with the same spellings, and the judges' own defaults (a flag left out is not passed, so the
judge's constructor decides). `train` and `sft` accept the same spellings for the same settings
through `MethodArgs` (`train/config.py`).

    --judge NAME --judge-url URL --judge-model M --judge-api-key-env VAR --judge-timeout S
    --judge-retries N --judge-concurrency N --judge-cache PATH|none --on-judge-error raise|skip
    --judge-option KEY=VALUE (repeatable: any other option of the judge, JSON values)
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
from pathlib import Path
from typing import Any

DEFAULT_CACHE = os.environ.get("PERCEPTION_R1_JUDGE_CACHE",
                               str(Path.home() / ".cache" / "perception-r1" / "judge.sqlite"))

# flag destination -> the `judges.build_judge` option it sets.
OPTIONS = {"judge_url": "url", "judge_model": "model", "judge_api_key_env": "api_key_env",
           "judge_timeout": "timeout", "judge_retries": "max_retries", "judge_concurrency": "concurrency",
           "judge_cache": "cache", "on_judge_error": "on_error"}


def add_judge_arguments(parser: argparse.ArgumentParser, *, on_error: str = "raise",
                        cache: str | None = None) -> None:
    """The judge flags, with this command's defaults for the failure policy and the verdict cache
    (applied only to judges that take them)."""
    from ..judges import JUDGES
    from ..judges.base import ON_ERROR_POLICIES
    from ..judges.openai_judge import DEFAULT_URL, OpenAIJudge

    network = inspect.signature(OpenAIJudge.__init__).parameters
    g = parser.add_argument_group("judge (perception reward r_v)")
    g.add_argument("--judge", choices=list(JUDGES), default="symbolic",
                   help="symbolic: offline, math facts; openai: LLM judge; hybrid: symbolic then LLM; "
                        "mllm: MLLM-as-reward-model baseline (default: %(default)s)")
    g.add_argument("--judge-url", help=f"OpenAI-compatible server root, …/v1 (default: {DEFAULT_URL})")
    g.add_argument("--judge-model", help="model name on that server (default: the judge's own)")
    g.add_argument("--judge-api-key-env", metavar="VAR",
                   help=f"environment variable holding the API key (default: {network['api_key_env'].default})")
    g.add_argument("--judge-timeout", type=float, help=f"seconds per request (default: {network['timeout'].default})")
    g.add_argument("--judge-retries", type=int,
                   help=f"HTTP retries per request (default: {network['max_retries'].default})")
    g.add_argument("--judge-concurrency", type=int,
                   help=f"requests in flight (default: {network['concurrency'].default})")
    g.add_argument("--judge-cache", metavar="PATH",
                   help=f"SQLite verdict cache; 'none' keeps it in memory (default: {cache or 'none'}"
                        + (", or $PERCEPTION_R1_JUDGE_CACHE)" if cache == DEFAULT_CACHE else ")"))
    g.add_argument("--on-judge-error", choices=list(ON_ERROR_POLICIES),
                   help=f"after retries: stop with an error, or record the judgment as null (default: {on_error})")
    g.add_argument("--judge-option", action="append", default=[], metavar="KEY=VALUE",
                   help="any other option of the judge, e.g. parse_retries=1 (repeatable; values are JSON)")
    parser.set_defaults(judge_defaults={"on_error": on_error, "cache": cache})


def parse_key_values(pairs: list[str], flag: str = "--judge-option") -> dict[str, Any]:
    """`KEY=VALUE` pairs as a dict; a value that parses as JSON is taken as that JSON value."""
    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ValueError(f"{flag} expects KEY=VALUE, got {pair!r}")
        try:
            out[key] = json.loads(value)
        except json.JSONDecodeError:
            out[key] = value
    return out


def judge_options_from_args(args: argparse.Namespace) -> dict[str, Any]:
    """The `build_judge(args.judge, **options)` options the flags set. An option set explicitly that
    the judge does not take is build_judge's error; the command's defaults go only where they apply."""
    from ..judges import judge_options

    opts = {option: getattr(args, dest) for dest, option in OPTIONS.items() if getattr(args, dest) is not None}
    opts.update(parse_key_values(args.judge_option))
    accepted = judge_options(args.judge)
    for option, value in args.judge_defaults.items():
        if option not in opts and option in accepted and value is not None:
            opts[option] = value
    if isinstance(opts.get("cache"), str) and opts["cache"].lower() == "none":
        opts["cache"] = None
    for option, flag, least in (("concurrency", "--judge-concurrency", 1), ("max_retries", "--judge-retries", 0)):
        if option in opts and (not isinstance(opts[option], int) or opts[option] < least):
            raise ValueError(f"{flag} must be an integer of at least {least}, got {opts[option]!r}")
    if "timeout" in opts and not (isinstance(opts["timeout"], (int, float)) and opts["timeout"] > 0):
        raise ValueError(f"--judge-timeout must be a positive number of seconds, got {opts['timeout']!r}")
    return opts


def judge_from_args(args: argparse.Namespace):
    """The judge the flags name, built through the registry."""
    from ..judges import build_judge

    try:
        return build_judge(args.judge, **judge_options_from_args(args))
    except TypeError as e:  # an option the judge does not take (--judge-option): the user's mistake
        raise ValueError(str(e)) from None
