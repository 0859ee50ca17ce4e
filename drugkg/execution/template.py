"""The server's side of the fork template (`drugkg.execution.worker.template_main`).

When the workers hold the store in memory, one template process loads it once and forks every
worker: the workers share the store's pages (copy-on-write) instead of holding a copy each, and
a replacement is ready in milliseconds instead of the seconds a load takes. The template is a
child of the server; the workers are its children, so it reaps them and reports how each ended.

- `Template`: the template process and its control socket, on the pool's event loop.
- `ForkedProcess`: one forked worker, with what the pool uses of `subprocess.Popen` (`pid`,
  `stdin`, `stdout`, `kill`, `wait`).
"""

from __future__ import annotations

import asyncio
import collections
import json
import logging
import os
import signal
import socket
import subprocess
import threading
from collections.abc import Callable
from typing import Any

__all__ = ["ForkedProcess", "Template"]

log = logging.getLogger("drugkg.serve")


class ForkedProcess:
    """A worker forked by the template; its pipes are made here and handed to the template."""

    def __init__(self) -> None:
        self.job_in, job_out = os.pipe()  # the worker reads its jobs from job_in
        answers_in, self.answer_out = os.pipe()  # and writes its answers to answer_out
        self.stdin = os.fdopen(job_out, "wb")
        self.stdout = os.fdopen(answers_in, "rb")
        self.pid: int | None = None
        self.pidfd: int | None = None
        self.returncode: int | None = None
        self.kill_wanted = False
        self.lost_with_template = False  # its template ended after it had been ready
        self._ended = threading.Event()

    def their_ends(self) -> list[int]:
        return [self.job_in, self.answer_out]

    def close_their_ends(self) -> None:
        """Close this side's copies of the worker's ends (once: a closed number may be reused)."""
        for fd in self.their_ends():
            if fd >= 0:
                os.close(fd)
        self.job_in = self.answer_out = -1

    def forked(self, pid: int, pidfd: int | None) -> None:
        self.pid, self.pidfd = pid, pidfd
        if self.kill_wanted:
            self.kill()

    def kill(self) -> None:
        if self._ended.is_set():
            return
        if self.pid is None:
            self.kill_wanted = True  # not forked yet: killed as soon as it is
            return
        try:
            if self.pidfd is not None:
                signal.pidfd_send_signal(self.pidfd, signal.SIGKILL)
            else:
                os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def ended(self, code: int | None) -> None:
        """How it ended, as the template saw it (None: the template itself ended first)."""
        if self._ended.is_set():
            return
        self.returncode = code
        if self.pidfd is not None:
            os.close(self.pidfd)
            self.pidfd = None
        self._ended.set()

    def wait(self) -> int | None:
        """Block until it has ended (call in a thread, as `Popen.wait`); its exit code."""
        self._ended.wait()
        return self.returncode


class Template:
    """The template process; `fork()` gives a new worker (forked as soon as the template is ready)."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        spawn: Callable[[int], subprocess.Popen[bytes]],
        on_end: Callable[[Template], None],
    ) -> None:
        self.loop = loop
        self.on_end = on_end
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            self.proc = spawn(theirs.fileno())
        finally:
            theirs.close()
        self.control = ours
        ours.setblocking(False)
        self.ready = False
        self.status: dict[str, Any] = {}
        self.ended = False
        self.asked: list[ForkedProcess] = []  # before the template was ready
        self.forking: collections.deque[ForkedProcess] = collections.deque()  # sent, pid not yet known
        self.children: dict[int, ForkedProcess] = {}
        self.reaped: asyncio.Task[int] | None = None
        loop.add_reader(ours.fileno(), self._readable)

    def fork(self) -> ForkedProcess:
        child = ForkedProcess()
        if self.ended:
            child.close_their_ends()
            child.ended(None)
        elif self.ready:
            self._send(child)
        else:
            self.asked.append(child)
        return child

    def _send(self, child: ForkedProcess) -> None:
        try:
            socket.send_fds(self.control, [b"fork"], child.their_ends())
        except BlockingIOError:  # the template has not read the last requests yet: again shortly
            self.asked.append(child)
            self.loop.call_later(0.01, self._send_asked)
            return
        except OSError:
            child.close_their_ends()
            child.ended(None)
            self._end()
            return
        child.close_their_ends()
        self.forking.append(child)

    def _send_asked(self) -> None:
        if self.ready and not self.ended:
            asked, self.asked = self.asked, []
            for child in asked:
                self._send(child)

    def _readable(self) -> None:
        while not self.ended:
            try:
                data, fds, _, _ = socket.recv_fds(self.control, 4096, 1)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                data, fds = b"", []
            if not data:
                self._end()
                return
            self._on_message(json.loads(data), fds)

    def _on_message(self, message: dict[str, Any], fds: list[int]) -> None:
        if "ready" in message:
            self.ready, self.status = True, message["ready"]
            self._send_asked()
        elif "forked" in message:
            child = self.forking.popleft()
            self.children[int(message["forked"])] = child
            child.forked(int(message["forked"]), fds[0] if fds else None)
        elif "exit" in message:
            ended = self.children.pop(int(message["exit"]), None)
            if ended is not None:
                ended.ended(int(message["code"]))

    def _end(self) -> None:
        """The template has gone (killed, or it could not load the store): so have its workers."""
        if self.ended:
            return
        self.ended = True
        self.loop.remove_reader(self.control.fileno())
        self.control.close()
        try:
            self.proc.kill()
        except ProcessLookupError:
            pass
        self.reaped = self.loop.create_task(asyncio.to_thread(self.proc.wait))
        for child in [*self.asked, *self.forking, *self.children.values()]:
            child.lost_with_template = self.ready
            child.close_their_ends()
            child.ended(None)
        self.asked.clear()
        self.forking.clear()
        self.children.clear()
        self.on_end(self)

    async def stop(self) -> None:
        if not self.ended:
            self.ended = True
            self.loop.remove_reader(self.control.fileno())
            self.control.close()  # the template reads end-of-file and exits
        await asyncio.to_thread(self.proc.wait)
        for child in [*self.asked, *self.forking, *self.children.values()]:
            child.ended(None)
