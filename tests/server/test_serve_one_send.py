"""A response's head and body leave in one send (drugkg.server.http.OneSendPerResponse)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import support.serving as fx
from support.serving import running_server

from drugkg.server.http import OneSendPerResponse

tiny_build = fx.tiny_build


class _Recorder:
    def __init__(self) -> None:
        self.sends: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        self.sends.append(data)

    def writelines(self, chunks: list[bytes]) -> None:
        self.sends.append(b"".join(chunks))

    def close(self) -> None:
        self.closed = True

    def get_extra_info(self, name: str) -> Any:
        return ("127.0.0.1", 9) if name == "peername" else None


HEAD = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n"


def test_head_and_body_go_out_in_one_send() -> None:
    recorder = _Recorder()
    transport = OneSendPerResponse(recorder)
    transport.write(HEAD)
    assert recorder.sends == []
    transport.write(b"ok")
    transport.write(b"more")  # a later chunk of the same body goes straight through
    assert recorder.sends == [HEAD + b"ok", b"more"]
    assert transport.get_extra_info("peername") == ("127.0.0.1", 9)


def test_an_interim_100_continue_is_not_held() -> None:
    recorder = _Recorder()
    OneSendPerResponse(recorder).write(b"HTTP/1.1 100 Continue\r\n\r\n")
    assert recorder.sends == [b"HTTP/1.1 100 Continue\r\n\r\n"]


def test_a_head_without_body_is_sent_on_flush_and_on_close() -> None:
    recorder = _Recorder()
    transport = OneSendPerResponse(recorder)
    transport.write(HEAD)
    transport.flush()
    transport.flush()
    assert recorder.sends == [HEAD]
    transport.write(HEAD)
    transport.close()
    assert recorder.sends == [HEAD, HEAD] and recorder.closed


@pytest.fixture(scope="module")
def server(tiny_build: Path) -> Iterator[str]:
    with running_server(tiny_build, result_cache_mb=0, access_log="off") as url:
        yield url


def _exchange(sock: socket.socket, request: bytes, until: bytes) -> bytes:
    sock.sendall(request)
    data = b""
    while until not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def test_head_requests_and_bodies_on_one_kept_alive_connection(server: str) -> None:
    host, port = server.removeprefix("http://").rstrip("/").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        head = _exchange(sock, b"HEAD /health HTTP/1.1\r\nHost: x\r\n\r\n", b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200 OK\r\n") and head.endswith(b"\r\n\r\n")
        ask = b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\nAccept: application/sparql-results+json\r\n\r\n"
        answer = _exchange(sock, ask, b'"boolean"')
        assert answer.startswith(b"HTTP/1.1 200 OK\r\n")
        assert answer.endswith(b'{"head":{},"boolean":true}')
