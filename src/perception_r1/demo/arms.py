"""The two GRPO arms side by side: one worker process per arm, each with the demo's torch threads, so on a
2-core machine the pair takes the time of one arm (twice the steps within the same wall time).

The arms share nothing but their inputs (same base, data and seed; each its own folder), so running them at
once changes no result: an arm's run is the one `perception-r1 train --config …` gives alone. The parent keeps
the terminal — one bar per arm, fed by the workers' step reports — and the workers append to the run's log
file. A worker that fails stops the other (its error is raised in the parent, the traceback is in the log).
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import multiprocessing
import pickle
import queue as queues
from pathlib import Path
from typing import Any, Callable

from .config import DemoConfig
from .logs import log_file, log_to_file

log = logging.getLogger("perception_r1.demo")


class ArmFailed(RuntimeError):
    """An arm's training raised in its worker process."""


@contextlib.contextmanager
def _exit_handlers():
    """Run the atexit handlers when the worker's job ends: a multiprocessing child leaves by os._exit, which
    skips them, and then waits on its own children — math-verify's pool and the judge's deadline process,
    which those handlers stop — forever."""
    try:
        yield
    finally:
        atexit._run_exitfuncs()


def _portable(e: BaseException, arm: str) -> BaseException:
    """The exception itself when it survives pickling, so the parent raises what the arm raised (and the CLI
    tells a user's error from a bug as it would in one process); else ArmFailed with its text."""
    try:
        pickle.loads(pickle.dumps(e))
        return e
    except Exception:  # noqa: BLE001 — any exception that cannot travel is replaced by one that can
        return ArmFailed(f"grpo {arm}: {type(e).__name__}: {e}")


def _worker(reports: Any, log_path: str | None, cfg: DemoConfig, arm: str, base: str, train: str, out: str) -> None:
    from .pipeline import run_grpo

    with log_to_file(Path(log_path)) if log_path else contextlib.nullcontext(), _exit_handlers():
        try:
            path = run_grpo(cfg, arm, base, train, Path(out), note=lambda text: reports.put(("note", arm, text)),
                            sink=lambda step, total, loss: reports.put(("step", arm, step, total, loss)))
        except KeyboardInterrupt:  # Ctrl-C reaches the whole process group; the parent reports it
            reports.put(("interrupted", arm, None))
        except BaseException as e:  # noqa: BLE001 — a worker's error travels to the parent, raised there
            log.exception("grpo %s failed", arm)
            reports.put(("error", arm, _portable(e, arm)))
        else:
            reports.put(("done", arm, path))


def train_arms(cfg: DemoConfig, arms: dict[str, Path], base: str, train: str,
               note: Callable[[str], None]) -> dict[str, str]:
    """Train every arm in `arms` (name → output folder), `cfg.arm_jobs` at a time; their output folders."""
    from .pipeline import grpo_finished, run_grpo

    todo = [arm for arm, out in arms.items() if not grpo_finished(cfg, arm, base, train, out)]
    if cfg.arm_jobs <= 1 or len(todo) <= 1:
        return {arm: run_grpo(cfg, arm, base, train, out, note) for arm, out in arms.items()}
    done = {arm: run_grpo(cfg, arm, base, train, out, note) for arm, out in arms.items() if arm not in todo}  # reused
    from tqdm import tqdm

    ctx = multiprocessing.get_context("spawn")  # a fresh interpreter: no torch state forked mid-use
    reports = ctx.Queue()
    waiting, running = todo, {}
    bars: dict[str, Any] = {}
    try:
        while waiting or running:
            while waiting and len(running) < cfg.arm_jobs:
                arm = waiting.pop(0)
                # Not a daemon: an arm starts processes of its own (math-verify's pool, the judge's deadline).
                running[arm] = ctx.Process(target=_worker, name=f"grpo {arm}",
                                           args=(reports, log_file(), cfg, arm, base, train, str(arms[arm])))
                running[arm].start()
            try:
                kind, arm, value, *rest = reports.get(timeout=5)
            except queues.Empty:
                kind = None
            # A worker reports every end itself, so one gone without a word was killed (out of memory, a signal).
            dead = [a for a, p in running.items() if p.exitcode not in (None, 0) or (kind is None and not p.is_alive())]
            if dead:
                raise ArmFailed(f"grpo {dead[0]}: the worker process died (exit code {running[dead[0]].exitcode}); "
                                f"see the log")
            if kind is None:
                continue
            if kind == "step":
                total, loss = rest
                if arm not in bars:
                    bars[arm] = tqdm(total=total, desc=f"grpo {arm}", unit="step", dynamic_ncols=True,
                                     position=list(arms).index(arm), leave=True)
                bars[arm].update(value - bars[arm].n)
                if loss is not None:
                    bars[arm].set_postfix(loss=f"{loss:.3g}", refresh=False)
            elif kind == "note":
                note(value)
            elif kind == "done":
                done[arm] = value
                process = running.pop(arm)
                process.join(timeout=60)
                if process.is_alive():  # the run is saved and reported; do not wait on a stuck exit
                    log.warning("grpo %s: the worker did not exit after its run; stopped", arm)
                    process.terminate()
            elif kind == "interrupted":
                raise KeyboardInterrupt
            else:
                raise value
        return {arm: done[arm] for arm in arms}
    finally:
        for process in running.values():
            process.terminate()
            process.join()
        for bar in bars.values():
            bar.close()
