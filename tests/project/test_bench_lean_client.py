"""bench.overhead.lean_times, the client the overhead figures are measured with, waits for the
whole answer (Content-Length or chunked) and refuses one that is not 200."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Iterator

import pytest

from bench.overhead import lean_times

PAUSE = 0.2  # seconds between an answer's first bytes and its last


class _Slow(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        if "fail" in self.path:
            self.send_response(503)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        if "chunked" in self.path:
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.wfile.write(b"5\r\nhello\r\n")
            self.wfile.flush()
            time.sleep(PAUSE)
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.send_header("Content-Length", "10")
            self.end_headers()
            self.wfile.write(b"hello")
            self.wfile.flush()
            time.sleep(PAUSE)
            self.wfile.write(b"world")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Slow)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.mark.parametrize("path", ["/length", "/chunked"])
def test_each_time_covers_the_whole_answer(base: str, path: str) -> None:
    times = lean_times(base + path, ["ASK {}", "ASK { ?s ?p ?o }"])
    assert len(times) == 2  # the second pass only
    assert all(PAUSE * 1000 <= ms < PAUSE * 1000 + 500 for ms in times), times


def test_an_answer_that_is_not_200_stops_the_measure(base: str) -> None:
    with pytest.raises(SystemExit, match=r"HTTP 503 for a workload query"):
        lean_times(base + "/fail", ["ASK {}"])
