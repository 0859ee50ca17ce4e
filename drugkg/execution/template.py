"""The server's side of the fork template (`drugkg.execution.worker.template_main`).

When the workers hold the store in memory, one template process loads it once and forks every
worker: the workers share the store's pages (copy-on-write) instead of holding a copy each, and
a replacement is ready in milliseconds instead of the seconds a load takes. The template is a
child of the server; the workers are its children, so it reaps them and reports how each ended.
Each template keeps a standby: a fork of itself, sharing the same copy, that outlives it. When
the template dies, its workers die with it, and the standby takes its place at once, so that
new workers need no new copy of the store.

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
import select
import signal
import socket
import subprocess
import threading
from collections.abc import Callable
from typing import Any

__all__ = ["ForkedProcess", "Template"]

log = logging.getLogger("drugkg.serve")


def _sigkill(pid: int, pidfd: int | None) -> None:
    """SIGKILL to a process by its pidfd (never a reused pid) where there is one."""
    try:
        if pidfd is not None:
            signal.pidfd_send_signal(pidfd, signal.SIGKILL)
        else:
            os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


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
        _sigkill(self.pid, self.pidfd)

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


class Standby:
    """What the server has of a standby template's process: not its child (it is the template's),
    so it is killed by its pidfd and waited for on it, with no exit code."""

    def __init__(self) -> None:
        self.pid: int | None = None
        self.pidfd: int | None = None
        self.kill_wanted = False

    def adopt(self, pid: int, pidfd: int | None) -> None:
        self.pid, self.pidfd = pid, pidfd
        if self.kill_wanted:
            self.kill()

    def kill(self) -> None:
        if self.pid is None:
            self.kill_wanted = True
            return
        _sigkill(self.pid, self.pidfd)

    def wait(self) -> None:
        """Block until it has ended (a pidfd is readable then); call in a thread."""
        if self.pidfd is not None:
            select.select([self.pidfd], [], [])
            os.close(self.pidfd)
            self.pidfd = None


class Template:
    """The template process; `fork()` gives a new worker (forked as soon as the template is ready)."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        control: socket.socket,
        proc: subprocess.Popen[bytes] | Standby,
        on_end: Callable[[Template], None],
        *,
        keep_standby: bool,
    ) -> None:
        self.loop = loop
        self.on_end = on_end
        self.proc = proc
        self.control = control
        control.setblocking(False)
        self.ready = False
        self.status: dict[str, Any] = {}
        self.ended = False
        self.keep_standby = keep_standby
        self.standby: Template | None = None
        self.asked: list[ForkedProcess] = []  # before the template was ready
        self.forking: collections.deque[ForkedProcess] = collections.deque()  # sent, pid not yet known
        self.standing_by: collections.deque[Standby] = collections.deque()  # sent, pid not yet known
        self.children: dict[int, ForkedProcess] = {}
        self.reaped: asyncio.Task[Any] | None = None
        loop.add_reader(control.fileno(), self._readable)

    @classmethod
    def spawn(
        cls,
        loop: asyncio.AbstractEventLoop,
        spawn: Callable[[int], subprocess.Popen[bytes]],
        on_end: Callable[[Template], None],
    ) -> Template:
        """A new template process (`spawn` starts it on the socket it is given), with a standby."""
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            proc = spawn(theirs.fileno())
        finally:
            theirs.close()
        return cls(loop, ours, proc, on_end, keep_standby=True)

    def successor(self) -> Template | None:
        """This ended template's standby, to take its place (None if there is none)."""
        standby, self.standby = self.standby, None
        return None if standby is None or standby.ended else standby

    def promote(self, on_end: Callable[[Template], None]) -> None:
        """A standby takes its template's place: `on_end` is told of its end, and it keeps a standby."""
        self.on_end, self.keep_standby = on_end, True
        if self.ready:
            self._make_standby()

    def _make_standby(self) -> None:
        if self.ended or not self.keep_standby or (self.standby is not None and not self.standby.ended):
            return
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            socket.send_fds(self.control, [b"standby"], [theirs.fileno()])
        except BlockingIOError:
            ours.close()
            self.loop.call_later(0.01, self._make_standby)
            return
        except OSError:
            ours.close()
            return
        finally:
            theirs.close()
        proc = Standby()
        self.standing_by.append(proc)
        self.standby = Template(self.loop, ours, proc, self._standby_ended, keep_standby=False)

    def _standby_ended(self, standby: Template) -> None:
        if standby is self.standby:
            self.standby = None
            log.warning("the standby fork template %s ended; another is being made", standby.proc.pid)
            self.loop.call_later(1.0, self._make_standby)  # not at once: no storm if they keep ending

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
            self._make_standby()
        elif "standby" in message:
            self.standing_by.popleft().adopt(int(message["standby"]), fds[0] if fds else None)
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
        if self.standby is not None:
            await self.standby.stop()
        if not self.ended:
            self.ended = True
            self.loop.remove_reader(self.control.fileno())
            self.control.close()  # the template reads end-of-file and exits
        await asyncio.to_thread(self.proc.wait)
        for child in [*self.asked, *self.forking, *self.children.values()]:
            child.ended(None)
