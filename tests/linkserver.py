"""A real HTTP/1.1 server on 127.0.0.1 for the link-check tests and the benchmark.

stdlib :class:`http.server.ThreadingHTTPServer` in a daemon thread, port chosen by the
kernel (bind to port 0). Every request is counted per ``(method, path)``; endpoints
whose answer changes (429 then 200, 503 then 200) count per path.

Endpoints (``ROUTES``), each answering HEAD and GET alike unless stated:

======================  =====================================================
``/ok``                 200
``/moved``              301 -> ``/ok``
``/chain/1``            308 -> ``/chain/2`` -> 308 ``/chain/3`` -> 308 ``/ok``
``/temporary``          302 -> ``/ok``
``/missing``            404
``/gone``               410
``/rate-limited``       429 with ``Retry-After: 1`` the first time, then 200
``/unavailable``        503 (no Retry-After) the first time, then 200
``/always-503``         503 with ``Retry-After: 0``, always
``/no-head``            HEAD 405, GET 200
``/head-forbidden``     HEAD 403, GET 200 (a server that takes HEAD for a bot)
``/forbidden``          403 always
``/login``              401
``/linkedin``           999 (LinkedIn's "go away")
``/slow``               200 after ``slow`` seconds (longer than the client timeout)
``/loop/a``             301 -> ``/loop/b`` -> 301 ``/loop/a``
anything else           200 (benchmark URLs ``/bench/<n>``)
======================  =====================================================

``latency`` (s) delays every response (the benchmark's 100 ms).

Run as a script (``python tests/linkserver.py --latency 0.1``) it serves in its own
process — so its threads do not compete with the client for one interpreter lock —
prints its port, and answers ``/__stats`` (JSON: ``requests``, ``peak``) and
``/__reset``, which are not counted.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def _redirect(code: int, to: str):
    return lambda n, method: (code, {"Location": to})


ROUTES = {
    "/ok": lambda n, m: (200, {}),
    "/moved": _redirect(301, "/ok"),
    "/chain/1": _redirect(308, "/chain/2"),
    "/chain/2": _redirect(308, "/chain/3"),
    "/chain/3": _redirect(308, "/ok"),
    "/temporary": _redirect(302, "/ok"),
    "/missing": lambda n, m: (404, {}),
    "/gone": lambda n, m: (410, {}),
    "/rate-limited": lambda n, m: (429, {"Retry-After": "1"}) if n == 1 else (200, {}),
    "/unavailable": lambda n, m: (503, {}) if n == 1 else (200, {}),
    "/always-503": lambda n, m: (503, {"Retry-After": "0"}),
    "/no-head": lambda n, m: (405, {"Allow": "GET"}) if m == "HEAD" else (200, {}),
    "/head-forbidden": lambda n, m: (403, {}) if m == "HEAD" else (200, {}),
    "/forbidden": lambda n, m: (403, {}),
    "/login": lambda n, m: (401, {"WWW-Authenticate": 'Basic realm="cv"'}),
    "/linkedin": lambda n, m: (999, {}),
    "/loop/a": _redirect(301, "/loop/b"),
    "/loop/b": _redirect(301, "/loop/a"),
}


class LinkServer:
    """The server. Use as a context manager or call :meth:`start`/:meth:`stop`.

    ``url(path)`` gives the absolute URL, ``hits[(method, path)]`` the requests seen,
    ``requests(path)`` their total for a path, ``peak`` the most requests it was working
    on at once (from arrival until the answer is sent), ``closed_port_url()`` a URL on a port nothing listens on.
    """

    def __init__(self, *, latency: float = 0.0, slow: float = 3.0) -> None:
        self.latency = latency
        self.slow = slow
        self.hits: Counter[tuple[str, str]] = Counter()
        self._per_path: Counter[str] = Counter()
        self.peak = 0
        self._in_flight = 0
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format, *args):  # noqa: A002 - silence the access log
                pass

            def do_HEAD(self):
                self._answer("HEAD")

            def do_GET(self):
                self._answer("GET")

            def _answer(self, method: str) -> None:
                path = self.path.split("?", 1)[0]
                if path in ("/__stats", "/__reset"):
                    if path == "/__reset":
                        server.reset()
                    with server._lock:
                        stats = {"requests": sum(server.hits.values()), "peak": server.peak}
                    body = json.dumps(stats).encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body if method == "GET" else b"")
                    return
                with server._lock:
                    server.hits[(method, path)] += 1
                    server._per_path[path] += 1
                    n = server._per_path[path]
                    server._in_flight += 1
                    server.peak = max(server.peak, server._in_flight)
                try:
                    if server.latency:
                        time.sleep(server.latency)
                    if path == "/slow":
                        time.sleep(server.slow)
                finally:
                    # Counted until just before the answer leaves: the client cannot have
                    # sent its next request on this slot yet, so ``peak`` never overcounts.
                    with server._lock:
                        server._in_flight -= 1
                code, headers = ROUTES.get(path, lambda n, m: (200, {}))(n, method)
                body = f"{code} {path}\n".encode()
                try:
                    self.send_response(code)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Type", "text/plain")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    if method == "GET":
                        self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 256

            def handle_error(self, request, client_address):  # clients that hang up are fine
                pass

        self._server = Server(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="linkserver", daemon=True)

    def url(self, path: str) -> str:
        return self.base + path

    def requests(self, path: str) -> int:
        """Requests for ``path``, all methods."""
        with self._lock:
            return sum(count for (_, p), count in self.hits.items() if p == path)

    def reset(self) -> None:
        with self._lock:
            self.hits.clear()
            self._per_path.clear()
            self.peak = 0

    @staticmethod
    def closed_port_url() -> str:
        """``http://127.0.0.1:<port>/`` for a port that was free a moment ago (nothing listens)."""
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        return f"http://127.0.0.1:{port}/"

    def start(self) -> "LinkServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> "LinkServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Serve the link-check endpoints on 127.0.0.1.")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds before every answer")
    args = parser.parse_args()
    standalone = LinkServer(latency=args.latency)
    print(standalone.port, flush=True)
    try:
        standalone._server.serve_forever()
    except KeyboardInterrupt:
        pass
