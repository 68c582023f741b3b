"""A real chat-completions HTTP server on 127.0.0.1, for tests and benchmarks.

It answers `POST /v1/chat/completions` with whatever `handler(body)` returns, after a fixed latency,
with at most `capacity` requests served at once (the rest queue, like a server's slots), and can
inject faults per request: 500, 429 (with Retry-After), a timeout (sleeps past the client's limit),
a garbage body, a reply without choices, or a dropped connection. `GET /v1/models` lists the served
model names and `GET /health` answers 200, as vLLM's server does, so scripts that wait for a server
(`scripts/train_7b_geo3k.sh`) see it come up. `perception-r1 serve-loopback` runs one from the shell.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

Handler = Callable[[dict[str, Any]], "str | list[str]"]
Faults = Callable[[int, dict[str, Any]], "str | None"]
FAULTS = ("500", "429", "timeout", "garbage", "nochoices", "drop")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # The listen backlog is fixed when the socket binds, so it must be a class attribute: with the
    # default of 5, a burst of 64 connects overflows it and clients stall ~1 s in SYN retransmits.
    request_queue_size = 1024

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up (a cancelled or timed-out request, a process stopped with Ctrl-C) is
        expected; anything else is printed as socketserver does."""
        import sys

        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


class LoopbackServer:
    """Context manager: `with LoopbackServer(handler) as srv: LLMClient(srv.url, "m")`.

    Args:
        handler: request body -> reply content (or one content per choice when `n` > 1).
        latency: seconds each request takes once it holds a slot.
        capacity: requests served at once (None: unbounded).
        faults: (request index, body) -> a name from FAULTS or None.
        retry_after: value of the Retry-After header on injected 429s.
        timeout_sleep: how long a "timeout" fault stalls before closing.
        host, port: where to listen (port 0: a free one, see `url`).
        models: the names `GET /v1/models` lists.
    """

    def __init__(self, handler: Handler, *, latency: float = 0.0, capacity: int | None = None,
                 faults: Faults | None = None, retry_after: float = 0.05, timeout_sleep: float = 3.0,
                 host: str = "127.0.0.1", port: int = 0, models: tuple[str, ...] = ("loopback",)):
        self.handler = handler
        self.models = tuple(models)
        self.latency = latency
        self.faults = faults
        self.retry_after = retry_after
        self.timeout_sleep = timeout_sleep
        self.requests: list[dict[str, Any]] = []
        self.fault_log: list[str] = []
        self.max_in_flight = 0  # most requests being served at once: how much concurrency a client used
        self._in_flight = 0
        self._slots = threading.BoundedSemaphore(capacity) if capacity else None
        self._lock = threading.Lock()
        self._server = _Server((host, port), self._make_handler())
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def __enter__(self) -> "LoopbackServer":
        # A short poll interval makes shutdown (every test's exit) take milliseconds, not 0.5 s.
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _record(self, body: dict[str, Any]) -> tuple[int, str | None]:
        with self._lock:
            index = len(self.requests)
            self.requests.append(body)
        fault = self.faults(index, body) if self.faults else None
        if fault is not None:
            if fault not in FAULTS:
                raise ValueError(f"unknown fault {fault!r}; expected one of {FAULTS}")
            with self._lock:
                self.fault_log.append(fault)
        return index, fault

    def _make_handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, so clients can reuse connections
            # Headers and body go out in two writes; with Nagle on, the body waits for the client's
            # delayed ACK (~40 ms per request), which would swamp any latency being measured.
            disable_nagle_algorithm = True

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 (http.server naming)
                path = self.path.rstrip("/")
                if path == "/v1/models":
                    return self._send(200, {"object": "list", "data": [
                        {"id": m, "object": "model", "created": 0, "owned_by": "perception-r1"} for m in server.models]})
                if path == "/health":
                    return self._send_raw(200, b"")
                return self._send(404, {"error": {"message": f"no route {self.path}"}})

            def do_POST(self) -> None:  # noqa: N802 (http.server naming)
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                if self.path.rstrip("/") != "/v1/chat/completions":
                    return self._send(404, {"error": {"message": f"no route {self.path}"}})
                _, fault = server._record(body)
                if fault == "drop":
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return None
                if fault == "timeout":
                    time.sleep(server.timeout_sleep)
                    self.close_connection = True
                    return None
                if fault == "500":
                    return self._send(500, {"error": {"message": "injected server error"}})
                if fault == "429":
                    return self._send(429, {"error": {"message": "rate limited"}},
                                      {"Retry-After": str(server.retry_after)})
                if server._slots:
                    server._slots.acquire()
                start = time.perf_counter()
                with server._lock:
                    server._in_flight += 1
                    server.max_in_flight = max(server.max_in_flight, server._in_flight)
                try:
                    # The reply is computed inside the latency, not after it: a request holds its slot
                    # for `latency` seconds (or for the handler's time, if that is longer), as on a
                    # server whose latency includes its own work.
                    if fault == "garbage":
                        data = b"<html>not json"
                    elif fault == "nochoices":
                        data = json.dumps({"id": "x", "object": "chat.completion", "choices": []}).encode()
                    else:
                        data = json.dumps(_completion(body, server.handler(body))).encode()
                    time.sleep(max(0.0, server.latency - (time.perf_counter() - start)))
                    return self._send_raw(200, data)
                finally:
                    with server._lock:
                        server._in_flight -= 1
                    if server._slots:
                        server._slots.release()

            def _send(self, status: int, obj: dict[str, Any], headers: dict[str, str] | None = None) -> None:
                self._send_raw(status, json.dumps(obj).encode(), headers)

            def _send_raw(self, status: int, data: bytes, headers: dict[str, str] | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

        return _Handler


def _completion(body: dict[str, Any], reply: str | list[str]) -> dict[str, Any]:
    n = int(body.get("n") or 1)
    texts = reply if isinstance(reply, list) else [reply] * n
    prompt_tokens = len(json.dumps(body.get("messages", []))) // 4
    return {
        "id": "chatcmpl-loopback",
        "object": "chat.completion",
        "model": body.get("model", ""),
        "choices": [{"index": i, "message": {"role": "assistant", "content": t}, "finish_reason": "stop"}
                    for i, t in enumerate(texts)],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": sum(len(t) // 4 for t in texts),
                  "total_tokens": prompt_tokens + sum(len(t) // 4 for t in texts)},
    }
