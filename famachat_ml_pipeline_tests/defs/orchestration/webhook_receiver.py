"""A real HTTP receiver on a loopback port, standing in for Slack: it records every POST body and answers
500 to the posts whose 1-based number is in `fail_posts`."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Receiver:
    url: str
    fail_posts: set[int] = field(default_factory=set)
    posts: int = 0
    delivered: list[dict] = field(default_factory=list)  # bodies answered 200


@contextmanager
def webhook_receiver(fail_posts: set[int] | None = None) -> Iterator[Receiver]:
    receiver = Receiver(url="", fail_posts=fail_posts or set())

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            receiver.posts += 1
            if receiver.posts in receiver.fail_posts:
                self.send_response(500)
            else:
                receiver.delivered.append(body)
                self.send_response(200)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_port}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
