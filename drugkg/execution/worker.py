"""The query worker process: opens the store read-only, then answers framed jobs on its pipes.

Started by `drugkg.execution` as a Python process running `main(STORE, MEMORY_BYTES)`. The
protocol on stdin/stdout is a stream of frames, each a 4-byte big-endian length and a pickle:
the server sends a job (`QueryJob` or `PageJob`), the worker answers with a tuple, the body in it
already serialised (`("ok", kind, truncated, rows, body)` or `("error", status, message)`).
The first frame the worker sends is its status (`{"pid", "network_blocked", "rss", "allocator",
"store"}`).

The store is opened read-only and, when asked (`STORE_MODES`), copied into memory: pyoxigraph's
in-memory store answers the catalogue's queries in about a quarter of the CPU time RocksDB needs
(bench/serve_speed), with the same engine and the same terms, blank nodes' labels included. The
server's workers then come from `template_main`, one process holding that copy and forking a
worker whenever the server asks for one (drugkg.execution.template).

The worker is cut off the network (seccomp) before it opens anything, ignores SIGINT (the
server decides when it stops), runs SCHED_BATCH (a heavy client's job SCHED_IDLE, see
`_set_policy`) and, when given a memory budget, runs under `RLIMIT_AS`: an
allocation past it aborts the process, which the supervisor reports as a 503 and replaces.
"""

from __future__ import annotations

import os
import pickle
import resource
import signal
import struct
import sys
from collections.abc import Callable
from typing import Any, BinaryIO

__all__ = [
    "HEADER",
    "MEMORY_STORE_MAX_QUADS",
    "PAGE_SIZE",
    "STORE_MODES",
    "main",
    "open_store",
    "read_frame",
    "rss_bytes",
    "serve_jobs",
    "template_main",
    "where_to_hold",
    "write_frame",
]

HEADER = struct.Struct(">I")
# Where the workers read the store: "memory" (one copy, in the fork template: about 130 MB and
# 0.9 s of start-up per 100,000 quads), "disk" (RocksDB), or "auto": in memory when the store
# holds at most MEMORY_STORE_MAX_QUADS quads.
STORE_MODES = ("auto", "memory", "disk")
OOM_SCORE_ADJ = 500  # a worker's /proc/self/oom_score_adj (raising it needs no privilege)
MEMORY_STORE_MAX_QUADS = 200_000
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def rss_bytes(pid: int) -> int:
    """The resident memory of process `pid` (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as statm:
            return int(statm.read().split()[1]) * PAGE_SIZE
    except (OSError, IndexError, ValueError):
        return 0


def _vm_size() -> int:
    with open("/proc/self/statm", "rb") as statm:
        return int(statm.read().split()[0]) * PAGE_SIZE


def write_frame(out: BinaryIO, payload: Any) -> None:
    data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
    out.write(HEADER.pack(len(data)) + data)
    out.flush()


def read_frame(source: BinaryIO) -> Any:
    """The next frame from `source`; EOFError when the other side has gone."""
    head = source.read(HEADER.size)
    if len(head) < HEADER.size:
        raise EOFError
    (length,) = HEADER.unpack(head)
    data = source.read(length)
    if len(data) < length:
        raise EOFError
    return pickle.loads(data)


def _limit_memory(budget: int) -> None:
    """Cap the address space at what the worker holds now plus `budget` bytes."""
    if budget <= 0:
        return
    ceiling = _vm_size() + budget
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        ceiling = min(ceiling, hard)
    resource.setrlimit(resource.RLIMIT_AS, (ceiling, hard))


def _die_with_parent() -> None:
    """Linux: the kernel kills this worker when the server process ends, however it ends."""
    import ctypes

    try:
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _set_policy(policy: int) -> bool:
    """Switch this worker's CPU scheduling policy; False when not allowed.

    SCHED_BATCH for ordinary jobs: a worker woken by a job does not preempt the server's event
    loop (measured, it shortened the server's pipe writes). SCHED_IDLE for the jobs of heavy
    clients: they get the CPU only when nothing else wants it, so a few clients' runaways,
    memory bombs or page crawls cannot slow the others' queries. Leaving SCHED_IDLE needs
    CAP_SYS_NICE or RLIMIT_NICE; without them the worker ends after the job and is replaced.
    """
    try:
        os.sched_setscheduler(0, policy, os.sched_param(0))
        return True
    except (AttributeError, OSError):
        return False


def where_to_hold(store: Any, mode: str) -> str:
    """ "memory" or "disk": `mode`, with "auto" decided by the size of `store` (a pyoxigraph Store)."""
    if mode == "auto":
        return "memory" if len(store) <= MEMORY_STORE_MAX_QUADS else "disk"
    return mode


def open_store(store_path: str, mode: str) -> tuple[Any, str]:
    """The store to answer from, and where it is held ("memory" or "disk")."""
    import pyoxigraph

    disk = pyoxigraph.Store.read_only(store_path)
    if where_to_hold(disk, mode) == "disk":
        return disk, "disk"
    memory = pyoxigraph.Store()
    for graph in disk.named_graphs():  # empty named graphs too: GRAPH ?g {} sees them
        memory.add_graph(graph)
    memory.extend(disk.quads_for_pattern(None, None, None, None))
    return memory, "memory"


def _answer(store: Any, job: Any, context: dict[str, Any]) -> tuple[Any, ...]:
    from drugkg.execution.jobs import JobFailed, answer_job

    try:
        return ("ok", *answer_job(store, job, context))
    except JobFailed as err:
        return ("error", err.status, err.message)


def _output_to_the_log() -> None:
    """Once the protocol's fds are taken: anything printed goes to stderr (the server's log)."""
    os.dup2(2, 1)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)


def _prepare() -> bool:
    """What every worker (and the fork template) does first; True when cut off the network."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with_parent()
    _set_policy(os.SCHED_BATCH)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a worker aborted at its memory limit dumps no core
    from drugkg.execution.sandbox import block_network

    return block_network()


def _status(blocked: bool, held: str) -> dict[str, Any]:
    from drugkg.execution.allocator import in_use

    return {
        "pid": os.getpid(),
        "network_blocked": blocked,
        "rss": rss_bytes(os.getpid()),
        "allocator": in_use(),
        "store": held,
    }


def _first_for_the_oom_killer() -> None:
    """Linux: the kernel's OOM killer takes a query worker before the server or the template."""
    try:
        with open("/proc/self/oom_score_adj", "r+", encoding="ascii") as adj:
            if int(adj.read()) < OOM_SCORE_ADJ:  # only ever raised: lowering needs a privilege
                adj.seek(0)
                adj.write(str(OOM_SCORE_ADJ))
    except (OSError, ValueError):
        pass


def serve_jobs(store: Any, channel_in: BinaryIO, channel_out: BinaryIO, budget: int, status: dict[str, Any]) -> int:
    """Answer jobs from `channel_in` until it closes; the worker's exit code."""
    _first_for_the_oom_killer()
    _limit_memory(budget)
    write_frame(channel_out, {**status, "pid": os.getpid(), "rss": rss_bytes(os.getpid())})
    context: dict[str, Any] = {}
    while True:
        try:
            job, idle = read_frame(channel_in)
        except EOFError:
            return 0
        if idle:
            _set_policy(os.SCHED_IDLE)
        try:
            reply = _answer(store, job, context)
        except MemoryError:
            write_frame(channel_out, ("memory",))
            return 3
        write_frame(channel_out, reply)
        if idle and not _set_policy(os.SCHED_BATCH):
            return 0  # not allowed back to normal priority: end, the supervisor starts a fresh worker


def main(argv: list[str] | None = None) -> int:
    """A worker of its own: `main([STORE, MEMORY_BYTES, MODE])`, its protocol on fds 0 and 1."""
    args = sys.argv[1:] if argv is None else argv  # `python -c` leaves argv[0] as "-c"
    store_path, budget = args[0], int(args[1])
    mode = args[2] if len(args) > 2 else "disk"
    channel_in = os.fdopen(os.dup(0), "rb")  # the protocol owns fds 0 and 1
    channel_out = os.fdopen(os.dup(1), "wb")
    _output_to_the_log()
    blocked = _prepare()
    store, held = open_store(store_path, mode)
    from drugkg.execution.jobs import preload

    preload()
    return serve_jobs(store, channel_in, channel_out, budget, _status(blocked, held))


def template_main(argv: list[str] | None = None) -> int:
    """The fork template: holds the store in memory and forks a worker for each request.

    `template_main([STORE, MEMORY_BYTES])`, with a SOCK_SEQPACKET socket on fd 0. It sends its
    status as JSON, then takes "fork" messages, each with the two pipe ends of a new worker
    (its jobs in, its answers out). Each worker is a fork of this process, so the workers share
    the store's memory (copy-on-write) and a new one is ready in milliseconds. For every fork it
    answers {"forked": PID} (with a pidfd of the child where Linux has them), and when a child
    ends, {"exit": PID, "code": CODE} (negative: the signal that ended it).

    A "standby" message brings one socket instead: the control socket of a standby template, a
    fork of this one that shares the same copy, does not die with it, and answers on that socket
    as this one does on fd 0 (answered {"standby": PID}, with a pidfd).
    """
    import socket

    args = sys.argv[1:] if argv is None else argv
    store_path, budget = args[0], int(args[1])
    control = socket.socket(fileno=os.dup(0))
    _output_to_the_log()
    blocked = _prepare()
    store, held = open_store(store_path, "memory")
    from drugkg.execution.jobs import preload

    preload()
    return _serve_as_template(control, store, budget, _status(blocked, held))


def _serve_as_template(control: Any, store: Any, budget: int, status: dict[str, Any]) -> int:
    """Say ready on `control`, then fork on its requests until the server closes it."""
    _send_json(control, {"ready": {**status, "pid": os.getpid()}})
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGCHLD, lambda number, frame: None)
    try:
        _fork_on_request(control, store, budget, status, (wake_read, wake_write))
    except (BrokenPipeError, ConnectionError):
        pass  # the server has gone
    return 0


def _fork_on_request(control: Any, store: Any, budget: int, status: dict[str, Any], wake: tuple[int, int]) -> None:
    import select
    import socket

    wake_read = wake[0]
    while True:
        readable = select.select([control.fileno(), wake_read], [], [])[0]
        if wake_read in readable:
            os.read(wake_read, 512)
        _reap_children(control)
        if control.fileno() in readable:
            message, fds, _, _ = socket.recv_fds(control, 64, 2)
            if not message:
                return  # the server has gone
            if message == b"standby" and len(fds) == 1:
                pid = os.fork()
                if pid == 0:
                    _forked_standby(store, fds[0], budget, status, (control.fileno(), *wake))
                _announce_fork(control, pid, fds, "standby")
                continue
            if len(fds) != 2:
                for fd in fds:
                    os.close(fd)
                continue
            pid = os.fork()
            if pid == 0:
                _forked_worker(store, fds, budget, status, (control.fileno(), *wake))
            _announce_fork(control, pid, fds)


def _send_json(control: Any, message: dict[str, Any], fds: list[int] | None = None) -> None:
    import json
    import socket

    socket.send_fds(control, [json.dumps(message).encode()], fds or [])


def _forked_worker(
    store: Any, fds: list[int], budget: int, status: dict[str, Any], template_fds: tuple[int, ...]
) -> None:
    """In the child of a fork: a worker on the two pipe ends `fds`; never returns."""

    def work() -> int:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        _die_with_parent()
        return serve_jobs(store, os.fdopen(fds[0], "rb"), os.fdopen(fds[1], "wb"), budget, status)

    _in_the_child(template_fds, work)


def _forked_standby(store: Any, fd: int, budget: int, status: dict[str, Any], template_fds: tuple[int, ...]) -> None:
    """In the child of a fork: a standby template on the control socket `fd`; never returns.

    It keeps no parent-death signal (a fork clears it), so the template's death leaves it
    running; it ends when the server closes its socket, as the server's own death does."""
    import socket

    _in_the_child(template_fds, lambda: _serve_as_template(socket.socket(fileno=fd), store, budget, status))


def _in_the_child(template_fds: tuple[int, ...], run: Callable[[], int]) -> None:
    """Drop the template's own fds and signal wake-up, then `run`, and exit with its code (1 on an error)."""
    code = 1
    try:
        signal.set_wakeup_fd(-1)
        for fd in template_fds:
            os.close(fd)
        code = run()
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        os._exit(code)


def _announce_fork(control: Any, pid: int, fds: list[int], what: str = "forked") -> None:
    """In the template after a fork: drop the child's ends, tell the server its pid (and a pidfd)."""
    for fd in fds:
        os.close(fd)
    try:
        pidfds = [os.pidfd_open(pid)]
    except (AttributeError, OSError):
        pidfds = []
    _send_json(control, {what: pid}, pidfds)
    for fd in pidfds:
        os.close(fd)


def _reap_children(control: Any) -> None:
    while True:
        try:
            pid, wait_status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        _send_json(control, {"exit": pid, "code": os.waitstatus_to_exitcode(wait_status)})


if __name__ == "__main__":
    sys.exit(main())
