"""A chat-completions server on 127.0.0.1 whose replies are written byte by byte by the test: the
shapes and timings a real server (or a hostile one) can produce that LoopbackServer's faults do not."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

from perception_r1.llm.loopback import LoopbackServer


# LoopbackServer's writer of a whole HTTP response (status, JSON content type, length, extra headers, body).
# It lives on the handler class LoopbackServer builds per server and uses nothing of that server, so the class
# is built once here without one (perception_r1.llm.loopback is not this test helper's to change).
_send_raw = LoopbackServer._make_handler(None)._send_raw  # type: ignore[arg-type]


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up (a cancelled or timed-out request) is expected here, not a failure to
        print on the stderr the tests read."""


def completion(content: Any, usage: Any = None) -> bytes:
    """A chat-completion body whose message content is `content` (any JSON value)."""
    body = {"id": "x", "object": "chat.completion",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}]}
    if usage is not None:
        body["usage"] = usage
    return json.dumps(body).encode()


class RawServer:
    """`reply(index, body, handler)` writes the whole HTTP response with `handler.send(...)` or by hand."""

    def __init__(self, reply: Callable[[int, dict, "BaseHTTPRequestHandler"], None]):
        self.reply = reply
        self.requests: list[dict] = []
        self.headers: list[dict] = []
        srv = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                srv.requests.append(body)
                srv.headers.append(dict(self.headers))
                try:
                    srv.reply(len(srv.requests) - 1, body, self)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            # send(status, data, headers=None): the whole response, as LoopbackServer writes its own.
            send = _send_raw

            def drip(self, data: bytes, every: float) -> None:
                """Send `data` one byte every `every` seconds (each read is quick; the whole is slow)."""
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                for b in data:
                    self.wfile.write(bytes([b]))
                    self.wfile.flush()
                    time.sleep(every)

        self._server = _Server(("127.0.0.1", 0), Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def __enter__(self) -> "RawServer":
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._server.shutdown()
        self._server.server_close()
