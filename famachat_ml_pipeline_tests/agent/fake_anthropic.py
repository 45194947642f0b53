"""A fake Anthropic Messages API on loopback, speaking the real wire format (JSON and SSE streaming).

The test scripts its replies in order; each request is recorded (path, headers, JSON body) so a test
can check what the real `anthropic` client sent. Only the HTTP boundary is fake: the client is real.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    """One scripted model turn: content blocks (text / tool_use dicts) and a stop reason."""

    content: list[dict[str, Any]]
    stop_reason: str = "end_turn"


@dataclass
class Failure:
    """An HTTP error in the API's error shape (e.g. 429 rate_limit_error, 500 api_error)."""

    status: int
    error_type: str
    message: str
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class StreamError:
    """A stream that starts (HTTP 200, `message_start`) and then fails with an SSE `error` event, as the
    API does when it is overloaded mid-answer."""

    error_type: str = "overloaded_error"
    message: str = "Overloaded"


@dataclass
class Stall:
    """Answer only after `seconds` (longer than the client's timeout)."""

    seconds: float


def text(value: str) -> dict[str, Any]:
    return {"type": "text", "text": value}


def tool_use(tool_id: str, name: str, args: dict[str, Any]) -> dict[str, Any]:
    return {"type": "tool_use", "id": tool_id, "name": name, "input": args}


def _sse(event: str, data: dict[str, Any]) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


def _chunks(value: str, size: int) -> list[str]:
    return [value[i : i + size] for i in range(0, len(value), size)] or [""]


def stream_events(reply: Reply, model: str, msg_id: str) -> Iterator[bytes]:
    """The SSE events of a streamed message, as the Messages API sends them."""
    yield _sse(
        "message_start",
        {
            "type": "message_start",
            "message": {
                "id": msg_id,
                "type": "message",
                "role": "assistant",
                "model": model,
                "content": [],
                "stop_reason": None,
                "stop_sequence": None,
                "usage": {"input_tokens": 50, "output_tokens": 1},
            },
        },
    )
    yield _sse("ping", {"type": "ping"})
    for index, block in enumerate(reply.content):
        if block["type"] == "text":
            start, pieces = {"type": "text", "text": ""}, _chunks(block["text"], 12)
            deltas = [{"type": "text_delta", "text": p} for p in pieces]
        else:
            start = {"type": "tool_use", "id": block["id"], "name": block["name"], "input": {}}
            deltas = [
                {"type": "input_json_delta", "partial_json": p}
                for p in _chunks(json.dumps(block["input"]), 9)
            ]
        yield _sse(
            "content_block_start", {"type": "content_block_start", "index": index, "content_block": start}
        )
        for delta in deltas:
            yield _sse("content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta})
        yield _sse("content_block_stop", {"type": "content_block_stop", "index": index})
    yield _sse(
        "message_delta",
        {
            "type": "message_delta",
            "delta": {"stop_reason": reply.stop_reason, "stop_sequence": None},
            "usage": {"output_tokens": 20},
        },
    )
    yield _sse("message_stop", {"type": "message_stop"})


class FakeAnthropic:
    def __init__(self, script: list[Reply | Failure | Stall | StreamError]) -> None:
        self.script = list(script)
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def _next(self) -> Reply | Failure | Stall | StreamError | None:
        with self._lock:
            return self.script.pop(0) if self.script else None

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def _json(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(raw)))
                self.send_header("request-id", f"req_fake_{len(fake.requests)}")
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(raw)

            def _stream_error(self, step: StreamError, model: str, n: int) -> None:
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.send_header("connection", "close")
                self.end_headers()
                start = next(stream_events(Reply([]), model, f"msg_{n}"))
                error = {"type": "error", "error": {"type": step.error_type, "message": step.message}}
                self.wfile.write(start + _sse("error", error))
                self.wfile.flush()
                self.close_connection = True

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("content-length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                with fake._lock:
                    fake.requests.append(
                        {
                            "path": self.path,
                            "headers": {k.lower(): v for k, v in self.headers.items()},
                            "body": body,
                        }
                    )
                    n = len(fake.requests)
                if self.path.split("?")[0] != "/v1/messages":
                    self._json(
                        404, {"type": "error", "error": {"type": "not_found_error", "message": self.path}}
                    )
                    return
                step = fake._next()
                if isinstance(step, Stall):
                    time.sleep(step.seconds)
                    # the client has timed out by now, or (a slow LLM) it sees the connection close
                    self.close_connection = True
                    return
                if step is None:
                    step = Failure(500, "api_error", "script exhausted")
                if isinstance(step, Failure):
                    self._json(
                        step.status,
                        {"type": "error", "error": {"type": step.error_type, "message": step.message}},
                        step.headers,
                    )
                    return
                model = body.get("model", "claude")
                if isinstance(step, StreamError):
                    self._stream_error(step, model, n)
                    return
                if not body.get("stream"):
                    self._json(
                        200,
                        {
                            "id": f"msg_{n}",
                            "type": "message",
                            "role": "assistant",
                            "model": model,
                            "content": step.content,
                            "stop_reason": step.stop_reason,
                            "stop_sequence": None,
                            "usage": {"input_tokens": 50, "output_tokens": 20},
                        },
                    )
                    return
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.send_header("cache-control", "no-cache")
                self.send_header("request-id", f"req_fake_{n}")
                self.send_header("connection", "close")
                self.end_headers()
                try:
                    for chunk in stream_events(step, model, f"msg_{n}"):
                        self.wfile.write(chunk)
                        self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test): nothing left to send
                self.close_connection = True

        return Handler

    def __enter__(self) -> FakeAnthropic:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


@contextmanager
def fake_anthropic(script: list[Reply | Failure | Stall | StreamError]) -> Iterator[FakeAnthropic]:
    with FakeAnthropic(script) as fake:
        yield fake
