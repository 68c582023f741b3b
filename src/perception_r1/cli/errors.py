"""The CLI's error boundary: every command's failure ends in one line on stderr and a non-zero exit.

A user's mistake (a bad record, a missing file, a bad value, a YAML error, an unreachable server)
prints `perception-r1 CMD: error: <what, naming the record / field / file / line>` and exits 2; anything
else prints the same one line marked as an internal error and exits 1. `PERCEPTION_R1_TRACEBACK=1`
re-raises instead, for debugging.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Callable

TRACEBACK_ENV = "PERCEPTION_R1_TRACEBACK"
MAX_CHARS = 600


def describe(e: BaseException) -> str:
    """One line saying what went wrong, in the user's terms."""
    if isinstance(e, KeyError) and len(e.args) == 1 and isinstance(e.args[0], str):
        text = f"missing field or column {e.args[0]!r}"
    elif isinstance(e, UnicodeDecodeError):
        line = e.object[:e.start].count(b"\n") + 1 if isinstance(e.object, bytes) else None
        text = f"input is not UTF-8 ({e.reason} at byte {e.start}" + (f", line {line})" if line else ")")
    elif isinstance(e, OSError) and e.filename is not None and e.strerror:
        text = f"{e.strerror}: {e.filename}"
    else:
        text = str(e) or type(e).__name__
    text = " ".join(text.split())
    return text if len(text) <= MAX_CHARS else text[:MAX_CHARS] + " …"


def is_user_error(e: BaseException) -> bool:
    """Errors raised for bad input or an unreachable service (exit 2), not for a bug (exit 1)."""
    from ..judges.base import JudgeError
    from ..llm import LLMError

    user: tuple[type[BaseException], ...] = (ValueError, KeyError, OSError, LookupError, JudgeError, LLMError)
    try:
        import yaml

        user += (yaml.YAMLError,)
    except ImportError:  # pragma: no cover — pyyaml is a dependency
        pass
    return isinstance(e, user)


def run_command(name: str, run: Callable[[], int | None]) -> int:
    """`run()`'s exit code; an exception becomes one line on stderr and exit 2 (user) or 1 (internal)."""
    try:
        return int(run() or 0)
    except KeyboardInterrupt:
        print(f"perception-r1 {name}: interrupted", file=sys.stderr)
        return 130
    except Exception as e:  # noqa: BLE001 — the boundary: nothing past here may print a traceback
        if os.environ.get(TRACEBACK_ENV):
            raise
        if is_user_error(e):
            print(f"perception-r1 {name}: error: {describe(e)}", file=sys.stderr)
            return 2
        print(f"perception-r1 {name}: internal error: {type(e).__name__}: {describe(e)} "
              f"(set {TRACEBACK_ENV}=1 for the traceback)", file=sys.stderr)
        return 1


def refuse_overwrite(out: str | Path, overwrite: bool, *, inputs: tuple[str | Path, ...] = (), what: str = "--out",
                     resume: bool | None = None) -> None:
    """Raise ValueError when writing `out` would replace an input (always refused) or existing
    non-empty output (refused unless `overwrite` or `resume`). `resume` is None for a command without
    --resume; for one with it, the message names it, and --resume with --overwrite is refused."""
    if resume and overwrite:
        raise ValueError(f"--resume keeps what {what} holds and --overwrite replaces it: give one")
    overwrite = overwrite or bool(resume)
    hint = " (--resume continues it)" if resume is not None else ""
    p = Path(out).resolve()
    for src in inputs:
        s = Path(src).resolve()
        # The input itself, a folder holding it, or a file already inside an input folder (its data.jsonl).
        if s == p or (p.is_dir() and s.is_relative_to(p)) or (s.is_dir() and p.exists() and p.is_relative_to(s)):
            raise ValueError(f"{what} {out} would overwrite the input {src}; choose another path")
    if p.is_file() and p.stat().st_size > 0 and not overwrite:
        raise ValueError(f"{what} {out} exists; --overwrite replaces it{hint}")
    if p.is_dir() and any(p.iterdir()) and not overwrite:
        raise ValueError(f"{what} {out} is a non-empty folder; --overwrite replaces what is in it{hint}")


def check_folder_target(out: str | Path, what: str = "--out") -> None:
    """ValueError when `out` cannot become a folder: it is a file, a file stands where a parent folder
    must go, or the nearest existing parent is not writable. Checked before a run spends anything, not
    when its first output is written."""
    p = Path(out)
    if p.exists() and not p.is_dir():
        raise ValueError(f"{what} {out} is a file, not a folder")
    parent = next((a for a in (p, *p.parents) if a.exists()), Path("."))
    if not parent.is_dir():
        raise ValueError(f"{what} {out}: {parent} is a file, so the folder cannot be made")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ValueError(f"{what} {out}: {parent} is not writable")
