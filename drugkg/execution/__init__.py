"""Run queries in supervised worker processes, under time, memory and row budgets.

pyoxigraph's `Store.query` cannot be stopped from outside, so every query runs in a worker
process (`drugkg.execution.worker`) that is killed to stop it. Each worker has its own pair of
pipes and a persistent, length-prefixed protocol; answers come back as bytes already serialised
by the worker, so the server only copies them to the socket. Workers reading the store on disk
are child processes; workers holding it in memory (`PoolSettings.store`) are forks of one
template process that loaded it once (`drugkg.execution.template`), so they share its pages
and a replacement is ready in milliseconds.

- `Executor` (the server's): a pool of workers under asyncio. Any worker death (kill -9, abort
  on its memory limit, segfault) is seen at once as end-of-file on its pipe, logged, and the
  worker replaced; the query it was running is failed with `WorkerDied` (a 503, never a 500).
  Queries past their time are stopped (`QueryTimeout`), workers whose memory grows past the
  budget are killed (`MemoryExceeded`) and a worker left holding memory after a query is
  recycled, so idle memory returns to its baseline. The queue is bounded (`Overloaded`), and
  each client (by address) has at most `client_workers` queries running, `client_queue`
  outstanding and `client_seconds` of worker time per minute (`ClientLimited`, a 429).
- `run_once` (the CLI's): the same worker and protocol, one query, synchronously.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import math
import os
import pickle
import selectors
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from drugkg.execution.allocator import preload_for
from drugkg.execution.jobs import Answer, JobFailed
from drugkg.execution.template import ForkedProcess, Template
from drugkg.execution.worker import HEADER, PAGE_SIZE, rss_bytes, where_to_hold

__all__ = [
    "ClientLimited",
    "Executor",
    "JobFailed",
    "Limits",
    "MemoryExceeded",
    "Overloaded",
    "PoolSettings",
    "QueryTimeout",
    "Unavailable",
    "WorkerDied",
    "run_once",
]

log = logging.getLogger("drugkg.serve")
MIB = 1024 * 1024
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])
_WATCH_INTERVAL = 0.02
# Not `-m`: the module must be imported under its own name, so its exception classes are shared.
_WORKER_MAIN = "import sys; from drugkg.execution.worker import main; sys.exit(main())"
_TEMPLATE_MAIN = "import sys; from drugkg.execution.worker import template_main; sys.exit(template_main())"
# A retired worker still alive after this many seconds is killed.
_RETIRE_WITHIN = 5.0
# A worker holding this much more than when it started, after a query, is replaced.
_RECYCLE_ABOVE = 96 * MIB
# A client whose recent queries take this long (a moving average) is "heavy": its queries run in
# the heavy lane (at most all workers but one, at idle CPU priority).
HEAVY_QUERY_SECONDS = 0.25
# Worker time charged to a client whose query ended its worker (a replacement costs a start).
DEATH_PENALTY_SECONDS = 1.0


@dataclass(frozen=True)
class Limits:
    """What one query may use: seconds of worker time, MiB above the worker's baseline (0: no
    limit), rows."""

    timeout: float = 10.0
    memory_mb: int = 1024
    max_rows: int = 10_000


@dataclass(frozen=True)
class PoolSettings:
    """The pool's size and how it is shared between clients (0 for client_workers: half the pool).

    Spare workers are started and ready but take no query: when a worker dies, a spare takes its
    place at once (a new process needs a few hundred milliseconds to be ready). Extra workers are
    spares lent to a light client's query while every worker runs one past HEAVY_QUERY_SECONDS.
    """

    workers: int = 2
    spare_workers: int = 1
    extra_workers: int | None = None  # None: as many as `workers`; 0: none (see Executor._add_extra)
    max_queue: int = 64
    client_workers: int = 0
    client_queue: int = 16
    client_seconds: float = 60.0
    allocator: str = "auto"  # the workers' malloc: "auto" (jemalloc if installed), "jemalloc" or "system"
    store: str = "auto"  # where each worker holds the store: "memory", "disk" or "auto" (see worker.STORE_MODES)

    @property
    def per_client_workers(self) -> int:
        return self.client_workers or max(1, self.workers // 2)

    @property
    def most_extra_workers(self) -> int:
        return self.workers if self.extra_workers is None else self.extra_workers


class Unavailable(Exception):
    """The query was not answered for a reason of capacity or budget; `status` 503 or 429."""

    status = 503

    def __init__(self, message: str, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


class QueryTimeout(Unavailable):
    """The query ran past its time limit; its worker was killed."""


class WorkerDied(Unavailable):
    """The worker running the query died (killed, crashed, or aborted at its memory limit)."""


class MemoryExceeded(Unavailable):
    """The query used more memory than its budget; its worker was killed."""


class Overloaded(Unavailable):
    """The queue is full."""


class ClientLimited(Unavailable):
    """This client has used its share (concurrent queries or query-seconds per minute)."""

    status = 429


def _frame(payload: Any) -> bytes:
    data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
    return HEADER.pack(len(data)) + data


class _Frames:
    """Reassembles frames from the chunks read off a worker's pipe."""

    def __init__(self) -> None:
        self.buffer = bytearray()

    def feed(self, data: bytes) -> list[Any]:
        self.buffer += data
        out = []
        while len(self.buffer) >= HEADER.size:
            (length,) = HEADER.unpack_from(self.buffer)
            end = HEADER.size + length
            if len(self.buffer) < end:
                break
            out.append(pickle.loads(bytes(self.buffer[HEADER.size : end])))
            del self.buffer[:end]
        return out


def _spawn(
    store_path: Path, memory_mb: int, preload: str | None = None, store: str = "disk", *, template: int | None = None
) -> subprocess.Popen[bytes]:
    """A worker of its own (pipes on its stdin and stdout), or with `template` (a socket), the fork
    template of workers holding the store in memory (drugkg.execution.template)."""
    env = dict(os.environ)
    if preload:
        env["LD_PRELOAD"] = " ".join(p for p in (preload, env.get("LD_PRELOAD", "")) if p)
    env["RUST_BACKTRACE"] = "0"  # an allocation past RLIMIT_AS: one line in the log, not a backtrace
    env["PYTHONPATH"] = os.pathsep.join(p for p in (_PACKAGE_ROOT, env.get("PYTHONPATH", "")) if p)
    if template is not None:
        return subprocess.Popen(
            [sys.executable, "-c", _TEMPLATE_MAIN, str(store_path), str(memory_mb * MIB)], stdin=template, env=env
        )
    return subprocess.Popen(
        [sys.executable, "-c", _WORKER_MAIN, str(store_path), str(memory_mb * MIB), store],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=env,
    )


def _where_to_hold(store_path: Path, mode: str) -> str:
    """ "memory" or "disk" for the pool's workers ("disk" when the store cannot be read here:
    the workers then fail to start and say why)."""
    if mode != "auto":
        return mode
    import pyoxigraph

    try:
        return where_to_hold(pyoxigraph.Store.read_only(str(store_path)), mode)
    except OSError:
        return "disk"


def _open_statm(pid: int) -> int:
    try:
        return os.open(f"/proc/{pid}/statm", os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return -1


def describe_exit(code: int | None) -> str:
    """How a worker ended, for people: 'killed by SIGKILL', 'exit code 1', ..."""
    if code is None:
        return "ended"
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


def _reply(payload: Any, memory_mb: int) -> Answer:
    """A worker's answer; JobFailed or MemoryExceeded otherwise."""
    if payload[0] == "ok":
        return Answer(*payload[1:])
    if payload[0] == "memory":
        raise MemoryExceeded(_memory_message(memory_mb))
    raise JobFailed(payload[2], payload[1])


def _memory_message(memory_mb: int) -> str:
    return (
        f"query stopped: it needed more than the memory budget of {memory_mb} MiB "
        "per query. Make it more selective and try again."
    )


def _timeout_message(timeout: float) -> str:
    return (
        f"query stopped: it ran past the time limit of {timeout:g} s. "
        "Make it more selective (or add LIMIT) and try again."
    )


# ---------------------------------------------------------------- the CLI: one query, synchronously


def run_once(store_path: Path, job: Any, limits: Limits) -> Answer:
    """Answer one job in a fresh worker under `limits`; raises JobFailed or an Unavailable."""
    proc = _spawn(store_path, limits.memory_mb)
    assert proc.stdout is not None and proc.stdin is not None
    frames = _Frames()
    try:
        with selectors.DefaultSelector() as selector:
            selector.register(proc.stdout, selectors.EVENT_READ)
            status = _next_frame(proc, selector, frames, None, limits)
            proc.stdin.write(_frame((job, False)))
            proc.stdin.flush()
            deadline = time.monotonic() + limits.timeout
            return _reply(_next_frame(proc, selector, frames, (deadline, status["rss"]), limits), limits.memory_mb)
    finally:
        proc.kill()
        proc.wait()


def _next_frame(
    proc: subprocess.Popen[bytes],
    selector: selectors.BaseSelector,
    frames: _Frames,
    watch: tuple[float, int] | None,
    limits: Limits,
) -> Any:
    fd = proc.stdout.fileno()  # type: ignore[union-attr]
    while True:
        if watch is not None:
            deadline, baseline = watch
            if time.monotonic() > deadline:
                raise QueryTimeout(_timeout_message(limits.timeout))
            if limits.memory_mb and rss_bytes(proc.pid) - baseline > limits.memory_mb * MIB:
                raise MemoryExceeded(_memory_message(limits.memory_mb))
        if selector.select(_WATCH_INTERVAL * 2):
            data = os.read(fd, 1 << 20)
            if not data:
                code = proc.wait()
                if watch is not None and code == -signal.SIGABRT:
                    raise MemoryExceeded(_memory_message(limits.memory_mb))
                raise WorkerDied(f"the query worker stopped ({describe_exit(code)})")
            got = frames.feed(data)
            if got:
                return got[0]


# ---------------------------------------------------------------- the server: a supervised pool


@dataclass
class _Task:
    job: Any
    client: str
    limits: Limits
    future: asyncio.Future[Answer]
    started: float = 0.0
    heavy: bool = False
    always_heavy: bool = False

    def __post_init__(self) -> None:
        self.always_heavy = self.heavy


@dataclass
class _Client:
    tokens: float
    running: int = 0
    outstanding: int = 0
    refilled: float = field(default_factory=time.monotonic)
    typical: float | None = None  # moving average of its queries' worker seconds


class _Worker:
    """One worker process and its pipes, as the pool's event loop sees it."""

    def __init__(self, pool: Executor, proc: subprocess.Popen[bytes] | ForkedProcess) -> None:
        self.pool = pool
        self.proc = proc
        self.pid = proc.pid or 0  # a forked worker's comes with its first frame
        self.frames = _Frames()
        self.ready = False
        self.baseline = 0
        self.network_blocked = False
        self.allocator = "system"
        self.store = "disk"
        self.task: _Task | None = None
        self.spare = False
        self.retiring = False  # told to end: an extra no longer needed
        self.timer: asyncio.TimerHandle | None = None
        self.ended = False
        self.fd = proc.stdout.fileno()  # type: ignore[union-attr]
        self.statm = _open_statm(self.pid) if self.pid else -1
        os.set_blocking(self.fd, False)
        pool.loop.add_reader(self.fd, self._readable)

    @property
    def lost_with_template(self) -> bool:
        """A forked worker whose template ended after it had been ready (not a start failure)."""
        return isinstance(self.proc, ForkedProcess) and self.proc.lost_with_template

    def rss(self) -> int:
        """Resident bytes, read again from the worker's open /proc statm (0 once it is gone)."""
        try:
            return int(os.pread(self.statm, 128, 0).split()[1]) * PAGE_SIZE
        except (OSError, IndexError, ValueError):
            return 0

    @property
    def state(self) -> str:
        if not self.ready:
            return "starting"
        if self.retiring:
            return "retiring"
        return "busy" if self.task else ("spare" if self.spare else "idle")

    def _readable(self) -> None:
        try:
            data = os.read(self.fd, 1 << 20)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            self._ended()
            return
        for payload in self.frames.feed(data):
            self._on_frame(payload)

    def _on_frame(self, payload: Any) -> None:
        if not self.ready:
            self.ready = True
            if not self.pid:
                self.pid = int(payload["pid"])
                self.statm = _open_statm(self.pid)
            self.baseline = int(payload["rss"])
            self.network_blocked = bool(payload["network_blocked"])
            self.allocator = str(payload.get("allocator", "system"))
            self.store = str(payload.get("store", "disk"))
            self.pool._worker_ready(self)
            return
        task, self.task = self.task, None
        if self.timer:
            self.timer.cancel()
        if task is None or task.future.done():
            self.pool._worker_free(self, task)
            return
        try:
            task.future.set_result(_reply(payload, task.limits.memory_mb))
        except (JobFailed, Unavailable) as err:
            task.future.set_exception(err)
        self.pool._worker_free(self, task)

    def start(self, task: _Task) -> None:
        self.task = task
        task.started = time.monotonic()
        self.timer = self.pool.loop.call_later(task.limits.timeout, self._time_is_up)
        try:
            # a heavy client's job runs at idle CPU priority (see execution_worker)
            os.write(self.proc.stdin.fileno(), _frame((task.job, task.heavy)))  # type: ignore[union-attr]
        except OSError:
            self._ended()

    def _time_is_up(self) -> None:
        if self.task is not None:
            self.stop_task(QueryTimeout(_timeout_message(self.task.limits.timeout)))

    def stop_task(self, reason: Unavailable | None) -> None:
        """Kill the worker to stop what it runs; the task (if any) fails with `reason`."""
        task = self.task
        if task is not None and reason is not None and not task.future.done():
            task.future.set_exception(reason)
        self.kill()

    def kill(self) -> None:
        if not self.ended:
            try:
                self.proc.kill()
            except ProcessLookupError:
                pass
            self._ended()

    def _ended(self) -> None:
        if self.ended:
            return
        self.ended = True
        self.pool.loop.remove_reader(self.fd)
        if self.timer:
            self.timer.cancel()
        self.pool._worker_ended(self)

    def retire(self) -> None:
        """End this idle worker cleanly: its input closed, it finishes and exits (killed if it lingers)."""
        self.retiring = True
        try:
            self.proc.stdin.close()  # type: ignore[union-attr]
        except OSError:
            pass
        self.pool.loop.call_later(_RETIRE_WITHIN, self.kill)

    def close_pipes(self) -> None:
        if self.statm >= 0:
            os.close(self.statm)
            self.statm = -1
        for pipe in (self.proc.stdin, self.proc.stdout):
            try:
                pipe.close()  # type: ignore[union-attr]
            except OSError:
                pass


def _template_status(template: Template) -> dict[str, Any]:
    return {
        "pid": template.proc.pid,
        "state": "ended" if template.ended else ("ready" if template.ready else "starting"),
    }


class Executor:
    """A supervised pool of query workers over one read-only store (use from one event loop)."""

    def __init__(self, store_path: Path, limits: Limits, settings: PoolSettings) -> None:
        self.store_path = Path(store_path)
        self.limits = limits
        self.settings = settings
        self.workers: list[_Worker] = []
        self.queue: collections.deque[_Task] = collections.deque()
        self.clients: dict[str, _Client] = {}
        self.restarts = 0
        self.deaths: dict[str, int] = collections.Counter()
        self.loop: asyncio.AbstractEventLoop = None  # type: ignore[assignment]
        self._watch: asyncio.Task[None] | None = None
        self._stopping = False
        self.preload = preload_for(settings.allocator)
        self.held = "disk"  # where the workers hold the store, decided at start
        self.template: Template | None = None

    # -------------------------------------------------------- lifecycle

    async def start(self, wait: float = 60.0) -> None:
        """Start every worker and wait until they are all ready."""
        self.loop = asyncio.get_running_loop()
        self.held = _where_to_hold(self.store_path, self.settings.store)
        for _ in range(self.settings.workers):
            self._add_worker()
        for _ in range(self.settings.spare_workers):
            self._add_worker(spare=True)
        self._watch = self.loop.create_task(self._watch_loop())
        deadline = time.monotonic() + wait
        wanted = self.settings.workers + self.settings.spare_workers
        while sum(1 for w in self.workers if w.ready) < wanted:
            if self.restarts >= 3 * wanted:
                from drugkg.errors import DrugkgError

                raise DrugkgError(
                    "the query workers keep ending as they start (see the messages above)", file=str(self.store_path)
                )
            if time.monotonic() > deadline:
                from drugkg.errors import DrugkgError

                raise DrugkgError(
                    f"the query workers did not start within {wait:g} s (see the messages above)",
                    file=str(self.store_path),
                )
            await asyncio.sleep(0.01)
        if self.preload is None and self.settings.allocator == "auto":
            log.info(
                "query workers use the system's malloc: jemalloc is not installed (with it, queries take "
                "about 17%% less CPU; Debian: apt-get install libjemalloc2)"
            )
        held = "in memory (forks of one copy)" if self.held == "memory" else "on disk"
        log.info("query workers hold the store %s; --store sets where", held)
        if not all(w.network_blocked for w in self.workers):
            log.warning(
                "query workers could not be cut off the network (seccomp unavailable here); "
                "SERVICE is still refused before evaluation"
            )

    async def stop(self) -> None:
        self._stopping = True
        if self._watch:
            self._watch.cancel()
        for task in list(self.queue):
            if not task.future.done():
                task.future.set_exception(Overloaded("the server is stopping", 5))
        self.queue.clear()
        for worker in list(self.workers):
            worker.stop_task(Overloaded("the server is stopping", 5))
        for worker in list(self.workers):
            await asyncio.to_thread(worker.proc.wait)
            worker.close_pipes()
        self.workers.clear()
        if self.template is not None:
            await self.template.stop()

    def _add_worker(self, *, spare: bool = False) -> None:
        proc: subprocess.Popen[bytes] | ForkedProcess
        if self.held == "memory":
            proc = self._template().fork()
        else:
            proc = _spawn(self.store_path, self.limits.memory_mb, self.preload, "disk")
        worker = _Worker(self, proc)
        worker.spare = spare
        self.workers.append(worker)

    def _template(self) -> Template:
        """The fork template: if it has ended, its standby (which holds the same copy), else a new one."""
        if self.template is None or self.template.ended:
            successor = None if self.template is None else self.template.successor()
            if successor is not None:
                successor.promote(self._template_ended)
                self.template = successor
            else:
                self.template = Template.spawn(
                    self.loop,
                    lambda control: _spawn(self.store_path, self.limits.memory_mb, self.preload, template=control),
                    self._template_ended,
                )
        return self.template

    def _template_ended(self, template: Template) -> None:
        if not self._stopping:
            standby = template.standby
            log.warning(
                "the query workers' fork template %s ended; its workers ended with it, and they are being "
                "replaced (%s)",
                template.proc.pid,
                f"from its standby {standby.proc.pid}" if standby and not standby.ended else "from a new copy",
            )

    def _answering(self) -> list[_Worker]:
        return [w for w in self.workers if not w.spare and not w.retiring]

    def _top_up(self) -> None:
        """Back to `workers` answering and `spare_workers` waiting: a spare takes a dead one's place."""
        answering = self._answering()
        spares = sorted((w for w in self.workers if w.spare), key=lambda w: not w.ready)
        for _ in range(self.settings.workers - len(answering)):
            if spares:
                spares.pop(0).spare = False
            else:
                self._add_worker()
        for _ in range(self.settings.spare_workers - len(spares)):
            self._add_worker(spare=True)

    # -------------------------------------------------------- events from workers

    def _worker_ready(self, worker: _Worker) -> None:
        self._dispatch()

    def _worker_free(self, worker: _Worker, task: _Task | None) -> None:
        if task is not None:
            self._task_done(task)
        held = worker.rss() - worker.baseline
        if held > _RECYCLE_ABOVE:
            log.info("query worker %d holds %d MiB above its start; replacing it", worker.pid, held // MIB)
            worker.kill()
            return
        self._dispatch()
        if worker.task is None and len(self._answering()) > self.settings.workers:
            self._give_back(worker)

    def _give_back(self, worker: _Worker) -> None:
        """An answering worker above `workers`, now idle: a spare again if one is missing, else retired."""
        if sum(1 for w in self.workers if w.spare) < self.settings.spare_workers:
            worker.spare = True
        else:
            worker.retire()

    def _worker_ended(self, worker: _Worker) -> None:
        if worker in self.workers:
            self.workers.remove(worker)
        task, worker.task = worker.task, None
        if task is not None:  # charged now: the client may ask again before the reap
            self._task_done(task, penalty=DEATH_PENALTY_SECONDS)
        self.loop.create_task(self._reap(worker, task))
        if self._stopping or (worker.retiring and task is None):
            return
        self.restarts += 1
        if worker.ready or worker.lost_with_template:
            self._respawn()
        else:  # it died starting (a broken store?): no respawn storm, try again in a second
            self.loop.call_later(1.0, self._respawn)

    def _respawn(self) -> None:
        if not self._stopping:
            self._top_up()
            self._dispatch()

    async def _reap(self, worker: _Worker, task: _Task | None) -> None:
        code = await asyncio.to_thread(worker.proc.wait)
        worker.close_pipes()
        if worker.retiring and task is None and code == 0:
            log.info("query worker %d retired (an extra worker no longer needed)", worker.pid)
            return
        how = describe_exit(code)
        if code is None and worker.lost_with_template:
            how = "ended with its fork template"
        self.deaths[how] += 1
        if task is not None and not task.future.done():
            if code == -signal.SIGABRT:  # Rust aborts when an allocation fails (RLIMIT_AS)
                task.future.set_exception(MemoryExceeded(_memory_message(task.limits.memory_mb)))
            else:
                task.future.set_exception(
                    WorkerDied(
                        f"the query worker running this query stopped ({how}); it has been replaced, try again", 1
                    )
                )
        if not self._stopping:
            level = logging.INFO if code == 0 and task is None else logging.WARNING  # 0: it recycled itself
            log.log(
                level,
                "query worker %d ended (%s)%s; a new worker was started",
                worker.pid,
                how,
                " while running a query" if task else "",
            )

    # -------------------------------------------------------- scheduling

    def _client(self, client: str) -> _Client:
        state = self.clients.get(client)
        if state is None:
            state = self.clients[client] = _Client(tokens=self.settings.client_seconds)
        now = time.monotonic()
        rate = self.settings.client_seconds / 60.0
        state.tokens = min(self.settings.client_seconds, state.tokens + (now - state.refilled) * rate)
        state.refilled = now
        return state

    def _admit(self, client: str) -> _Client:
        state = self._client(client)
        if state.tokens <= 0:
            wait = min(60, max(1, math.ceil(-state.tokens / (self.settings.client_seconds / 60.0) - 1e-6)))
            raise ClientLimited(
                f"this client has used its {self.settings.client_seconds:g} s of query time per "
                f"minute; try again in {wait} s",
                wait,
            )
        if state.outstanding >= self.settings.client_queue:
            raise ClientLimited(
                f"this client already has {state.outstanding} queries waiting or running "
                f"(at most {self.settings.client_queue}); wait for their answers",
                1,
            )
        # half the queue stays for light clients
        limit = self.settings.max_queue // 2 if self._heavy(state) else self.settings.max_queue
        if len(self.queue) >= max(1, limit):
            raise Overloaded(f"the server is busy ({len(self.queue)} queries waiting); try again shortly", 1)
        return state

    async def run(self, job: Any, client: str, limits: Limits | None = None, *, heavy: bool = False) -> Answer:
        """Answer `job` for `client`; JobFailed or Unavailable (see `submit`)."""
        return await self.submit(job, client, limits, heavy=heavy)

    def submit(
        self, job: Any, client: str, limits: Limits | None = None, *, heavy: bool = False
    ) -> asyncio.Future[Answer]:
        """Queue `job` for `client`: the future of its answer (JobFailed or Unavailable), or
        Unavailable now when the client or the queue has no room. Cancelling the future drops
        the job from the queue, or kills the worker running it.

        `heavy`: run it in the heavy lane whoever asks (linked-data pages: they cost more than
        most queries, and must not take the workers from SPARQL).
        """
        state = self._admit(client)
        task = _Task(job, client, limits or self.limits, self.loop.create_future(), heavy=heavy)
        state.outstanding += 1
        task.future.add_done_callback(lambda future: self._settled(task, state, future))
        self.queue.append(task)
        self._dispatch()
        return task.future

    def _settled(self, task: _Task, state: _Client, future: asyncio.Future[Answer]) -> None:
        state.outstanding -= 1
        if future.cancelled():
            self._abandon(task)

    def _abandon(self, task: _Task) -> None:
        """The client went away: drop its queued task, or kill the worker running it."""
        if task in self.queue:
            self.queue.remove(task)
            return
        for worker in self.workers:
            if worker.task is task:
                log.info("client %s went away; stopping its query (worker %d)", task.client, worker.pid)
                worker.stop_task(None)
                return

    def _task_done(self, task: _Task, penalty: float = 0.0) -> None:
        state = self._client(task.client)
        state.running = max(0, state.running - 1)
        seconds = time.monotonic() - task.started + penalty
        state.typical = seconds if state.typical is None else 0.7 * state.typical + 0.3 * seconds
        # taken from the client's budget, at most one window's worth of debt
        state.tokens = max(-self.settings.client_seconds, state.tokens - seconds)

    def _heavy(self, state: _Client) -> bool:
        """A client whose recent queries typically take long, or that spent half its budget."""
        return (state.typical or 0.0) > HEAVY_QUERY_SECONDS or state.tokens < self.settings.client_seconds / 2

    def _next_task(self, heavy_running: int) -> _Task | None:
        """The queued task to run next: light clients first, then whoever used the least time.

        Heavy clients together hold at most all workers but one, so a light client's query
        never waits behind them for a worker.
        """
        cap = self.settings.per_client_workers
        heavy_cap = max(1, self.settings.workers - 1)
        best: tuple[bool, float] | None = None
        chosen = None
        for task in self.queue:
            state = self._client(task.client)
            heavy = task.always_heavy or self._heavy(state)
            if state.running >= cap or (heavy and heavy_running >= heavy_cap):
                continue
            rank = (heavy, -state.tokens)
            if best is None or rank < best:
                best, chosen = rank, task
                chosen.heavy = heavy
        return chosen

    def _dispatch(self) -> None:
        if not self.queue:
            return
        heavy_running = sum(1 for w in self.workers if w.task is not None and w.task.heavy)
        for worker in self.workers:
            if not worker.ready or worker.task is not None or worker.ended or worker.spare or worker.retiring:
                continue
            task = self._next_task(heavy_running)
            if task is None:
                return
            self._run(task, worker)
            if not self.queue:
                return
            heavy_running += task.heavy
        if self.queue:
            self._add_extra()

    def _run(self, task: _Task, worker: _Worker) -> None:
        self.queue.remove(task)
        self._client(task.client).running += 1
        worker.start(task)

    def _add_extra(self) -> None:
        """A light query waits and every worker runs one past HEAVY_QUERY_SECONDS (new clients'
        first queries are light until they are timed): a ready spare takes it as an extra worker,
        at most `most_extra_workers` at once, and a new spare is started in its place."""
        answering = self._answering()
        if len(answering) - self.settings.workers >= self.settings.most_extra_workers:
            return
        now = time.monotonic()
        if any(w.task is None or now - w.task.started < HEAVY_QUERY_SECONDS for w in answering):
            return
        spare = next((w for w in self.workers if w.spare and w.ready and not w.ended), None)
        task = self._next_task(heavy_running=len(self.workers))  # past the heavy cap: light tasks only
        if spare is None or task is None:
            return
        spare.spare = False
        log.info("every query worker runs a long query: spare %d takes a light one as an extra worker", spare.pid)
        self._run(task, spare)
        self._top_up()

    # -------------------------------------------------------- memory watch

    async def _watch_loop(self) -> None:
        pruned = time.monotonic()
        while True:
            await asyncio.sleep(_WATCH_INTERVAL)
            for worker in list(self.workers):
                task = worker.task
                if task is None or worker.ended or not task.limits.memory_mb:
                    continue
                if worker.rss() - worker.baseline > task.limits.memory_mb * MIB:
                    log.warning(
                        "query from %s stopped: over the memory budget of %d MiB", task.client, task.limits.memory_mb
                    )
                    worker.stop_task(MemoryExceeded(_memory_message(task.limits.memory_mb)))
            if self.queue:
                self._add_extra()  # the running queries may have become long since the last dispatch
            if time.monotonic() - pruned > 10:
                pruned = time.monotonic()
                self._prune_clients()

    def _prune_clients(self) -> None:
        for name in [
            n
            for n, s in self.clients.items()
            if s.outstanding == 0 and s.running == 0 and (s.typical or 0.0) <= HEAVY_QUERY_SECONDS
        ]:
            if self._client(name).tokens >= self.settings.client_seconds:
                del self.clients[name]

    # -------------------------------------------------------- state

    def status(self) -> dict[str, Any]:
        """The pool as /health shows it."""
        workers = [
            {
                "pid": w.pid,
                "state": w.state,
                "rss_mib": round(w.rss() / MIB, 1),
                "allocator": w.allocator,
                "store": w.store,
            }
            for w in self.workers
        ]
        template = self.template
        return {
            "workers": workers,
            "template": None if template is None else _template_status(template),
            "standby_template": None
            if template is None or template.standby is None
            else _template_status(template.standby),
            "ready_workers": sum(1 for w in self._answering() if w.ready),
            "busy_workers": sum(1 for w in self.workers if w.task is not None),
            "extra_workers": max(0, len(self._answering()) - self.settings.workers),
            "queued": len(self.queue),
            "restarts": self.restarts,
            "worker_exits": dict(self.deaths),
            "limits": {
                "timeout_s": self.limits.timeout,
                "memory_mb_per_query": self.limits.memory_mb,
                "max_rows": self.limits.max_rows,
                "workers": self.settings.workers,
                "spare_workers": self.settings.spare_workers,
                "extra_workers": self.settings.most_extra_workers,
                "max_queue": self.settings.max_queue,
                "client_workers": self.settings.per_client_workers,
                "client_queue": self.settings.client_queue,
                "client_seconds_per_minute": self.settings.client_seconds,
                "allocator": self.settings.allocator,
                "store": self.settings.store,
            },
        }

    @property
    def alive(self) -> bool:
        return any(w.ready and not w.ended and not w.spare for w in self.workers)
