"""The process pool that runs math-verify where its time limits work.

math-verify bounds each parse and comparison with `signal.alarm`, which works only in a main thread, and
sympy can hang on a pathological answer that a GRPO policy will find. Workers are separate processes
whose main thread runs the check; a wall-clock backstop terminates a worker stuck in C code.

Started by `spawn` (safe after CUDA and threads in the parent), but **without re-importing the parent's
`__main__`**: the stock spawn start method re-runs a user's script in every worker, so a script without
an `if __name__ == "__main__":` guard ran its own top level there, failed to start the pool and scored
correct answers 0. Workers here import only this package and math-verify (never torch): nothing they run
comes from `__main__`. Size: env PERCEPTION_R1_MATH_WORKERS, default min(4, CPUs).
"""

from __future__ import annotations

import atexit
import concurrent.futures as cf
import io
import logging
import multiprocessing
import os
import sys
import threading
from collections.abc import Hashable, Sequence
from multiprocessing import context, spawn, util

from .equivalence import same_answer

log = logging.getLogger("perception_r1.rewards")

TIMEOUT = "timeout"   # math-verify ran out of time (in the worker, or past the backstop)
FAILED = "failed"     # the pool could not start or its worker died: no answer at all


def _worker_init() -> None:
    import math_verify  # noqa: F401 — pay sympy's import once per worker, not on the first item


def _worker_check(key: tuple, timeout: int) -> bool | str:
    from math_verify.errors import TimeoutException

    try:
        return same_answer(*key, timeout)
    except TimeoutException:
        return TIMEOUT


if sys.platform != "win32":
    from multiprocessing import popen_spawn_posix

    class _NoMainPopen(popen_spawn_posix.Popen):
        """CPython's `popen_spawn_posix.Popen._launch`, with the preparation data stripped of the
        parent's `__main__` (the only change), so the child never re-runs the user's script."""

        def _launch(self, process_obj):
            from multiprocessing import resource_tracker

            tracker_fd = resource_tracker.getfd()
            self._fds.append(tracker_fd)
            prep_data = spawn.get_preparation_data(process_obj._name)
            prep_data.pop("init_main_from_path", None)
            prep_data.pop("init_main_from_name", None)
            fp = io.BytesIO()
            context.set_spawning_popen(self)
            try:
                context.reduction.dump(prep_data, fp)
                context.reduction.dump(process_obj, fp)
            finally:
                context.set_spawning_popen(None)
            parent_r = child_w = child_r = parent_w = None
            try:
                parent_r, child_w = os.pipe()
                child_r, parent_w = os.pipe()
                cmd = spawn.get_command_line(tracker_fd=tracker_fd, pipe_handle=child_r)
                self._fds.extend([child_r, child_w])
                self.pid = util.spawnv_passfds(spawn.get_executable(), cmd, self._fds)
                self.sentinel = parent_r
                with open(parent_w, "wb", closefd=False) as f:
                    f.write(fp.getbuffer())
            finally:
                self.finalizer = util.Finalize(self, util.close_fds, [fd for fd in (parent_r, parent_w) if fd is not None])
                for fd in (child_r, child_w):
                    if fd is not None:
                        os.close(fd)

    class _NoMainProcess(context.SpawnProcess):
        @staticmethod
        def _Popen(process_obj):
            return _NoMainPopen(process_obj)

    class _NoMainContext(context.SpawnContext):
        Process = _NoMainProcess

    CONTEXT: multiprocessing.context.BaseContext = _NoMainContext()
else:  # Windows spawns through its own Popen; there a calling script needs the usual guard
    CONTEXT = multiprocessing.get_context("spawn")


class MathPool:
    """A persistent pool, created on first use and recreated after it breaks."""

    def __init__(self):
        self._pool: cf.ProcessPoolExecutor | None = None
        self._workers = 1
        self._lock = threading.Lock()
        atexit.register(self.close)

    def _get(self) -> cf.ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._workers = max(1, int(os.environ.get("PERCEPTION_R1_MATH_WORKERS",
                                                          min(4, os.cpu_count() or 1))))
                self._pool = cf.ProcessPoolExecutor(max_workers=self._workers, mp_context=CONTEXT,
                                                    initializer=_worker_init)
            return self._pool

    def start(self, wait: bool = False) -> None:
        """Start the workers now (they take seconds to import sympy), so the first batch does not wait:
        the TRL adapter calls this while the model is still loading; `wait` blocks until they are up."""
        try:
            pool = self._get()
            started = [pool.submit(_worker_init) for _ in range(self._workers)]
            if wait:
                for fut in started:
                    fut.result()
        except Exception as e:  # noqa: BLE001 — a pool that cannot start is handled at the first batch
            log.warning("math-verify pool did not start: %s", e)

    def close(self) -> None:
        """Stop the workers (at exit while the interpreter is still whole; after a hang, by force)."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            # A worker stuck in uninterruptible C code would block a plain shutdown: terminate it.
            for proc in list((getattr(pool, "_processes", None) or {}).values()):
                proc.terminate()
            pool.shutdown(wait=False, cancel_futures=True)

    def checks(self, keys: Sequence[Hashable], timeout: int) -> dict:
        """Each distinct key (pred, gold, choices) → True, False, TIMEOUT or FAILED. A broken pool (start-up
        failure, dead worker) is recreated once for the keys it left unanswered; what fails again is FAILED."""
        out = self._round(list(keys), timeout)
        again = [k for k, v in out.items() if v == FAILED]
        if again:
            out.update(self._round(again, timeout))
        return out

    def _round(self, keys: list, timeout: int) -> dict:
        try:
            pool = self._get()
            futures = {pool.submit(_worker_check, k, timeout): k for k in keys}
        except Exception as e:  # noqa: BLE001 — e.g. no processes left, a broken pool
            log.warning("math-verify pool could not start: %s", e)
            self.close()
            return dict.fromkeys(keys, FAILED)
        # An item makes up to 3 bounded math-verify calls per comparison, and up to 2 + (number of
        # choices) comparisons; queueing behind other items adds rounds of that.
        per_item = 3 * timeout * (2 + max(len(k[2] or ()) for k in keys))
        backstop = per_item * (len(keys) // self._workers + 1) + 30
        done, pending = cf.wait(futures, timeout=backstop)
        out = {}
        broken = False
        for fut in done:
            try:
                out[futures[fut]] = fut.result()
            except Exception as e:  # noqa: BLE001 — BrokenProcessPool, a worker that failed to start
                broken = True
                out[futures[fut]] = FAILED
                log.warning("math-verify worker failed: %s", e)
        for fut in pending:
            out[futures[fut]] = TIMEOUT
        if pending or broken:
            self.close()
        return out


POOL = MathPool()
