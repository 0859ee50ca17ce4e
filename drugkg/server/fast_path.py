"""GET /sparql answered inside uvicorn's httptools protocol, with no ASGI task, Starlette
Request or Response, or middleware around it.

A program's query, a GET of /sparql naming a query, is most of an endpoint's traffic. For it
the application's layers only pass the request through: CORS adds nothing without `Origin`,
ETags skip /sparql, and the router finds the same endpoint. So the protocol takes such a request
itself, when it has none of what those layers act on, and runs the endpoint's own steps
(drugkg.server.protocol: parse_get, plan_query, answer_reply, failure_reply) with the same
executor, result cache and access log. Everything else goes to the application as before,
and `drugkg serve --no-fast-path` sends every request there.

What it writes is what Starlette and uvicorn write (tests/query/test_w3c_sparql.py compares
the two servers' answers over the W3C suite).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from uvicorn.protocols.http.httptools_impl import HEADER_VALUE_RE, STATUS_LINE

from drugkg.execution import Unavailable
from drugkg.execution.jobs import Answer
from drugkg.server.clients import client_key
from drugkg.server.http import AccessLog
from drugkg.server.protocol import (
    WATCH_AFTER,
    PlannedQuery,
    ProtocolError,
    Reply,
    answer_reply,
    error_reply,
    failure_reply,
    parse_get,
    plan_query,
)

__all__ = ["FastPathProtocol", "SparqlFastPath"]

log = logging.getLogger("drugkg.serve")

# Headers that some layer of the application acts on: such requests go there.
_FOR_THE_APP = frozenset(
    (b"origin", b"x-forwarded-for", b"x-forwarded-proto", b"expect", b"upgrade", b"transfer-encoding")
)


class _Pending:
    """A query of one connection's request, waiting for its answer from the workers."""

    __slots__ = ("cycle", "fast", "future", "gone", "plan", "protocol", "started")

    def __init__(
        self, fast: SparqlFastPath, protocol: Any, cycle: Any, plan: PlannedQuery, future: Any, started: float
    ) -> None:
        self.fast = fast
        self.protocol = protocol
        self.cycle = cycle
        self.plan = plan
        self.future = future
        self.started = started
        self.gone = False

    def client_gone(self) -> None:
        """Stop the query once it has run WATCH_AFTER, as the application's endpoint does."""
        self.gone = True
        delay = self.started + WATCH_AFTER - time.perf_counter()
        if delay <= 0:
            self.future.cancel()
        else:
            self.protocol.loop.call_later(delay, self.future.cancel)

    def settled(self, future: asyncio.Future[Answer]) -> None:
        if self.protocol.fast_pending is self:
            self.protocol.fast_pending = None
        fast = self.fast
        if future.cancelled():
            if self.gone:
                fast.log(self.cycle, 499, 0, self.started)
                return
            reply = error_reply(503, "the server is shutting down; try again")
        elif (err := future.exception()) is not None:
            reply = failure_reply(err)
        else:
            answer = future.result()
            fast.state.result_cache.put(self.plan.job, answer)
            reply = answer_reply(self.plan, answer, fast.state.config.max_rows)
        fast.write(self.protocol, self.cycle, reply, self.started)


class SparqlFastPath:
    """Takes a program's GET of /sparql from the protocol, and answers it (see the module)."""

    def __init__(self, state: Any, access: AccessLog) -> None:
        self.state = state  # the application's: config, executor, result_cache
        self.access = access
        self.answered = 0

    def status(self) -> dict[str, Any]:
        return {"on": True, "answered": self.answered}

    @staticmethod
    def takes(scope: Any) -> bool:
        if scope["method"] != "GET" or scope["path"] != "/sparql":
            return False
        for name, value in scope["headers"]:
            if name in _FOR_THE_APP:
                return False
            if name == b"accept" and b"text/html" in value:
                return False
            if name == b"content-length" and value.strip() != b"0":
                return False
        return True

    def handle(self, protocol: Any, cycle: Any) -> bool:
        """Answer `cycle`'s request, or False to leave it to the application."""
        scope = cycle.scope
        if not self.takes(scope):
            return False
        started = time.perf_counter()
        try:
            parsed = parse_get(scope["query_string"])
        except ProtocolError as err:
            self.reply_soon(protocol, cycle, error_reply(err.status, err.message), started)
            return True
        if parsed.query is None and not parsed.update:
            return False  # the service description
        state = self.state
        config = state.config
        accept = next((value.decode("latin-1") for name, value in scope["headers"] if name == b"accept"), None)
        plan = plan_query(parsed, accept, config)
        if isinstance(plan, Reply):
            self.reply_soon(protocol, cycle, plan, started)
            return True
        cached = state.result_cache.get(plan.job)
        if cached is not None:
            self.reply_soon(protocol, cycle, answer_reply(plan, cached, config.max_rows), started)
            return True
        client = (
            client_key(protocol.client[0], config.client_ipv4_prefix, config.client_ipv6_prefix)
            if protocol.client
            else "unknown"
        )
        try:
            future = state.executor.submit(plan.job, client)
        except Unavailable as err:
            self.reply_soon(protocol, cycle, failure_reply(err), started)
            return True
        pending = _Pending(self, protocol, cycle, plan, future, started)
        protocol.fast_pending = pending
        future.add_done_callback(pending.settled)
        return True

    def reply_soon(self, protocol: Any, cycle: Any, reply: Reply, started: float | None = None) -> None:
        # after the parser's callbacks: uvicorn's on_message_complete still has to see this request
        protocol.loop.call_soon(self.write, protocol, cycle, reply, started or time.perf_counter())

    def write(self, protocol: Any, cycle: Any, reply: Reply, started: float) -> None:
        """Write `reply` as uvicorn writes Starlette's Response, then finish the request's cycle."""
        if not cycle.disconnected and not protocol.transport.is_closing():
            try:
                data = _response(protocol.server_state.default_headers, reply, cycle.keep_alive)
            except (ValueError, UnicodeEncodeError) as err:  # a header uvicorn would refuse too
                log.error("reply not written (%s); answered 503", err)
                reply = error_reply(503, "the answer could not be written; try again")
                data = _response(protocol.server_state.default_headers, reply, cycle.keep_alive)
            protocol.transport.write(data)
        cycle.response_started = True
        cycle.response_complete = True
        cycle.message_event.set()
        if not cycle.keep_alive:
            protocol.transport.close()
        self.answered += 1
        self.log(cycle, reply.status, len(reply.body), started)
        cycle.on_response()

    def log(self, cycle: Any, status: int, size: int, started: float) -> None:
        self.access.write(cycle.scope, status, size, time.perf_counter() - started)


def _response(default_headers: list[tuple[bytes, bytes]], reply: Reply, keep_alive: bool) -> bytes:
    """The status line, headers and body, as uvicorn writes a Starlette Response's."""
    head = [STATUS_LINE[reply.status]]
    for name, value in default_headers:
        head += [name, b": ", value, b"\r\n"]
    for text_name, text_value in reply.headers:
        value = text_value.encode("latin-1")
        if HEADER_VALUE_RE.search(value):
            raise ValueError(f"a control character in the {text_name} header")
        head += [text_name.lower().encode("latin-1"), b": ", value, b"\r\n"]
    head += [b"content-length: ", str(len(reply.body)).encode(), b"\r\n"]
    if reply.content_type is not None:
        head += [b"content-type: ", reply.content_type.encode("latin-1"), b"\r\n"]
    if not keep_alive:
        head.append(b"connection: close\r\n")
    head += [b"\r\n", reply.body]
    return b"".join(head)


class FastPathProtocol:
    """Mixed into uvicorn's httptools protocol: requests the fast path takes never become ASGI tasks."""

    fast_path: SparqlFastPath
    fast_pending: _Pending | None = None
    app: Any

    def _start_asgi_task(self, cycle: Any, app: Any) -> None:
        # `app` is not the application when uvicorn answers 503 for its concurrency limit
        if app is not self.app:
            super()._start_asgi_task(cycle, app)  # type: ignore[misc]
            return
        try:
            taken = self.fast_path.handle(self, cycle)
        except Exception:  # a bug here must not leave the client waiting, nor answer 500
            log.exception("the fast path failed on a request")
            self.fast_path.reply_soon(self, cycle, error_reply(503, "the query could not be run just now; try again"))
            return
        if not taken:
            super()._start_asgi_task(cycle, app)  # type: ignore[misc]

    def connection_lost(self, exc: Exception | None) -> None:
        super().connection_lost(exc)  # type: ignore[misc]
        pending = self.fast_pending
        if pending is not None and not pending.future.done():
            pending.client_gone()
