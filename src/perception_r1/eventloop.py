"""Running coroutines from synchronous code. Pure (asyncio and threads only), so the judges and the
rewards can use it without importing the HTTP client."""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading


def run_sync(coro):
    """Run a coroutine from synchronous code, also when called inside a running loop's thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with concurrent.futures.ThreadPoolExecutor(1) as ex:
        return ex.submit(asyncio.run, coro).result()


class LoopThread:
    """One event loop kept alive in a daemon thread, for synchronous callers (TRL reward functions,
    `score`) that call an async client again and again: its pooled connections and concurrency bound
    survive across calls, and the caller's thread stays free while a batch is in flight."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = threading.Lock()

    def submit(self, coro) -> concurrent.futures.Future:
        with self._lock:
            if self._loop is None:
                self._loop = asyncio.new_event_loop()
                threading.Thread(target=self._loop.run_forever, daemon=True, name="perception-r1-loop").start()
        return asyncio.run_coroutine_threadsafe(coro, self._loop)

    def run(self, coro):
        return self.submit(coro).result()
