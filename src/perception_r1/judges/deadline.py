"""Time bounds for the symbolic judge: a cooperative budget, and a worker process with a deadline.

`budget(seconds)` sets a time budget that long loops check with `check()` (OverBudget when spent):
the judge stops reading a response that takes too long and counts a timeout. The last guard is
`DeadlineWorker`: should anything still run long (one sympy call), the call is abandoned at the
deadline and the worker killed. Workers are plain
`python -m perception_r1.judges.deadline` subprocesses talking length-prefixed pickles over their
stdin/stdout — no multiprocessing start method, so they never re-run the caller's `__main__` (a
training script without a main guard) and are safe beside the threads of network judges. A spare
worker is kept started, so the call after a kill does not wait for a fresh interpreter.
"""

from __future__ import annotations

import importlib
import os
import pickle
import select
import struct
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from typing import Any, Iterator

_HEADER = struct.Struct("!I")


class OverBudget(RuntimeError):
    """The time budget set by `budget` is spent."""


_deadline: float | None = None


@contextmanager
def budget(seconds: float | None) -> Iterator[None]:
    """Within the block, `check()` raises OverBudget once `seconds` have passed (None: never)."""
    global _deadline
    previous = _deadline
    _deadline = None if seconds is None else time.monotonic() + seconds
    try:
        yield
    finally:
        _deadline = previous


def check() -> None:
    if _deadline is not None and time.monotonic() > _deadline:
        raise OverBudget("time budget spent")


class DeadlineExceeded(RuntimeError):
    """The call ran past its deadline (the worker was killed)."""


class WorkerFailed(RuntimeError):
    """The call raised in the worker, or the worker died."""


def _read_exact(stream, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = stream.read(n - len(data))
        if not chunk:
            raise EOFError("worker closed its output")
        data += chunk
    return data


def _send(stream, obj: Any) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def _receive(stream) -> Any:
    (n,) = _HEADER.unpack(_read_exact(stream, _HEADER.size))
    return pickle.loads(_read_exact(stream, n))


def _serve(target: str) -> None:
    """The worker's loop: read args, call `target(*args)`, write ("ok", result) or ("error", text)."""
    module, name = target.split(":")
    fn = getattr(importlib.import_module(module), name)
    inp, out = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # anything the target prints must not corrupt the protocol
    try:
        _send(out, ("ready", None))
    except BrokenPipeError:  # closed before it was needed (a spare at exit)
        return
    while True:
        try:
            args = _receive(inp)
        except EOFError:
            return
        try:
            reply = ("ok", fn(*args))
        except OverBudget as e:
            reply = ("timeout", str(e))
        except Exception as e:  # noqa: BLE001 — reported to the parent, which applies the failure policy
            reply = ("error", f"{type(e).__name__}: {e}")
        _send(out, reply)


class _Process:
    def __init__(self, target: str):
        env = dict(os.environ)
        # the worker imports what this process imports (an editable install, a test's PYTHONPATH)
        env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
        env.setdefault("OMP_NUM_THREADS", "1")
        self.proc = subprocess.Popen([sys.executable, "-m", "perception_r1.judges.deadline", target],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
        self.ready = False

    def wait(self, timeout: float | None) -> bool:
        """Whether a reply is waiting on the worker's output within `timeout` seconds."""
        return bool(select.select([self.proc.stdout], [], [], timeout)[0])

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait()
        self.proc.stdin.close()
        self.proc.stdout.close()


class DeadlineWorker:
    """`call(args, timeout)` runs `target(*args)` ("module:function") in a worker process; the
    deadline counts from when the worker has the arguments (a worker still starting up is waited
    for up to `startup` seconds first)."""

    startup = 120.0
    grace = 0.5

    def __init__(self, target: str):
        self.target = target
        self._active: _Process | None = None
        self._spare: _Process | None = None
        self._lock = threading.Lock()

    def _take(self) -> _Process:
        if self._active is None or self._active.proc.poll() is not None:
            self._active, self._spare = (self._spare or _Process(self.target)), None
        if self._spare is None:
            self._spare = _Process(self.target)
        w = self._active
        if not w.ready:
            if not w.wait(self.startup):
                self._drop()
                raise WorkerFailed(f"worker did not start within {self.startup:g} s")
            status, _ = _receive(w.proc.stdout)
            w.ready = status == "ready"
        return w

    def _drop(self) -> None:
        if self._active is not None:
            self._active.kill()
            self._active = None

    def call(self, args: tuple, timeout: float) -> Any:
        """`target(*args)`; a target that keeps a `budget` of `timeout` answers in time, and one
        that does not is killed `grace` seconds later."""
        with self._lock:
            w = self._take()
            try:
                _send(w.proc.stdin, args)
                if not w.wait(timeout + self.grace):
                    self._drop()
                    raise DeadlineExceeded(f"no result within {timeout:g} s")
                status, value = _receive(w.proc.stdout)
            except (OSError, EOFError, pickle.PickleError) as e:
                self._drop()
                raise WorkerFailed(f"worker died: {e}") from e
            if status == "timeout":
                raise DeadlineExceeded(f"stopped reading after the {timeout:g} s budget")
            if status != "ok":
                raise WorkerFailed(value)
            return value

    def close(self) -> None:
        with self._lock:
            self._drop()
            if self._spare is not None:
                self._spare.kill()
                self._spare = None


if __name__ == "__main__":
    from perception_r1.judges.deadline import _serve as serve  # the module's own classes, not __main__'s

    serve(sys.argv[1])
