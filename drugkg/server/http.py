"""HTTP plumbing around the application: access log, ETag/304, and uvicorn's connection guard.

- `AccessLog`: one line per request on stderr (time, client, method, path, status, ms, bytes),
  as text or JSON, written after the response has gone.
- `ConditionalGet`: every GET answer but SPARQL results and /health is immutable for the life of
  the build, so it carries an ETag made of the build manifest's hash and the negotiation inputs
  (path, query string, Accept), and `If-None-Match` with that tag is answered 304 at once.
- `OneSendPerResponse`: a response's head and body in one send.
- `ConnectionGuard`: mixed into uvicorn's protocol (httptools, or h11): a deadline for reading each request
  (headers and body: slowloris and stalled uploads are closed), and a connection cap that closes
  the oldest idle keep-alive connection to make room rather than refusing the new one.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import sys
import time
from collections.abc import Awaitable, Callable, MutableMapping
from datetime import UTC, datetime
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

__all__ = ["AccessLog", "ConditionalGet", "ConnectionGuard", "access_line", "guarded_protocol"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

access = logging.getLogger("drugkg.access")


class AccessLog:
    """Log each HTTP request once its response is complete ("text", "json"; "off" logs nothing)."""

    def __init__(self, app: ASGIApp, style: str = "text", stream: Any = None) -> None:
        self.app = app
        self.style = style
        self.stream = stream

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.style == "off":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        seen = {"status": 0, "bytes": 0}

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                seen["status"] = message["status"]
            elif message["type"] == "http.response.body":
                seen["bytes"] += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            self.write(scope, seen["status"] or 499, seen["bytes"], time.perf_counter() - started)

    def write(self, scope: Scope, status: int, size: int, seconds: float) -> None:
        if self.style != "off":
            (self.stream or sys.stderr).write(access_line(self.style, scope, status, size, seconds))


def access_line(style: str, scope: Scope, status: int, size: int, seconds: float) -> str:
    """One request's access-log line ("text" or "json"), ending in a newline."""
    client = scope.get("client") or ("-", 0)
    when = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    path = scope.get("path", "")
    if scope.get("query_string"):
        path += "?" + scope["query_string"][:200].decode("latin-1")
    if style == "json":
        line = json.dumps(
            {
                "time": when,
                "client": client[0],
                "method": scope["method"],
                "path": path,
                "status": status,
                "ms": round(seconds * 1000, 2),
                "bytes": size,
            }
        )
    else:
        line = f"{when} {client[0]} {scope['method']} {path} {status} {seconds * 1000:.1f}ms {size}B"
    return line + "\n"


_UNCACHED = ("/sparql", "/health")


class ConditionalGet:
    """ETag on immutable GET answers (the build's hash), and 304 for a matching If-None-Match."""

    def __init__(self, app: ASGIApp, build_hash: str) -> None:
        self.app = app
        self.build_hash = build_hash

    def tag(self, scope: Scope) -> str:
        accept = next((v for k, v in scope["headers"] if k == b"accept"), b"")
        digest = hashlib.sha256(
            b"\0".join([self.build_hash.encode(), scope.get("raw_path") or b"", scope.get("query_string", b""), accept])
        ).hexdigest()[:32]
        return f'"{digest}"'

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD") or scope["path"] in _UNCACHED:
            await self.app(scope, receive, send)
            return
        etag = self.tag(scope)
        wanted = next((v for k, v in scope["headers"] if k == b"if-none-match"), None)
        if wanted is not None and (
            wanted.strip() == b"*" or etag.encode() in [w.strip().removeprefix(b"W/") for w in wanted.split(b",")]
        ):
            await send(
                {
                    "type": "http.response.start",
                    "status": 304,
                    "headers": [(b"etag", etag.encode()), (b"vary", b"Accept")],
                }
            )
            await send({"type": "http.response.body", "body": b""})
            return

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 200:
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"etag"]
                message = {**message, "headers": [*headers, (b"etag", etag.encode())]}
            await send(message)

        await self.app(scope, receive, sending)


class OneSendPerResponse:
    """A transport that holds a response's head until its first body bytes, so both go out in one
    send: uvicorn writes them apart, which wakes the client twice and costs a system call."""

    def __init__(self, transport: Any) -> None:
        self.transport = transport
        self.head = b""

    def write(self, data: bytes) -> None:
        if not self.head and data.endswith(b"\r\n\r\n") and data.startswith(b"HTTP/") and data[9:10] != b"1":
            self.head = data  # not an interim "100 Continue": the client waits for that one
            return
        if self.head:
            head, self.head = self.head, b""
            self.transport.writelines([head, data])
            return
        self.transport.write(data)

    def flush(self) -> None:
        if self.head:
            head, self.head = self.head, b""
            self.transport.write(head)

    def close(self) -> None:
        self.flush()
        self.transport.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.transport, name)


class ConnectionGuard:
    """Mixed into uvicorn's protocol: a read deadline per request, and a connection cap that
    sheds the oldest idle connection. Relies on the protocol's `cycle`, `connections`, `loop`
    and `transport` (the same in uvicorn's h11 and httptools implementations)."""

    read_timeout = 10.0
    max_connections = 4096
    opened = 0
    cycle: Any
    connections: Any
    loop: Any
    transport: Any

    def connection_made(self, transport: Any) -> None:
        ConnectionGuard.opened += 1
        self.serial = ConnectionGuard.opened
        self.read_timer: Any = None
        super().connection_made(OneSendPerResponse(transport))  # type: ignore[misc]
        if len(self.connections) > self.max_connections:
            self._shed_idle()
        self._arm_read_deadline()

    def _idle(self) -> bool:
        return self.cycle is None or self.cycle.response_complete

    def _shed_idle(self) -> None:
        idle = [c for c in self.connections if c is not self and isinstance(c, ConnectionGuard) and c._idle()]
        if idle:
            min(idle, key=lambda c: c.serial).transport.close()

    def _arm_read_deadline(self) -> None:
        if self.read_timer is None:
            self.read_timer = self.loop.call_later(self.read_timeout, self._read_too_slow)

    def _read_too_slow(self) -> None:
        self.read_timer = None
        if not self.transport.is_closing():
            self.transport.close()

    def _disarm(self) -> None:
        if self.read_timer is not None:
            self.read_timer.cancel()
            self.read_timer = None

    def data_received(self, data: bytes) -> None:
        idle = self._idle()
        super().data_received(data)  # type: ignore[misc]
        if self.cycle is not None and not self.cycle.more_body and not self.cycle.response_complete:
            self._disarm()  # headers and body are in
        elif idle:
            self._arm_read_deadline()  # a new request's first bytes, not all of it yet

    def on_response_complete(self) -> None:
        self._disarm()
        self.transport.flush()  # a response without body bytes (HEAD, an empty body)
        super().on_response_complete()  # type: ignore[misc]

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)  # type: ignore[misc]


def guarded_protocol(read_timeout: float, max_connections: int) -> type[asyncio.Protocol]:
    """uvicorn's fastest HTTP/1.1 protocol (httptools, else h11) with the guard, for `Config(http=...)`."""
    base: type[asyncio.Protocol]
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

        base = HttpToolsProtocol
    except ImportError:
        base = H11Protocol
    return type(
        "Guarded" + base.__name__,
        (ConnectionGuard, base),
        {"read_timeout": read_timeout, "max_connections": max_connections},
    )
