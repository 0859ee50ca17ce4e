"""Start the HTTP server: bind the port (with a clear error when taken), then run uvicorn."""

from __future__ import annotations

import asyncio
import errno
import logging
import socket
from typing import Any

import uvicorn

from drugkg.buildfolder import BuildFolder
from drugkg.errors import DrugkgError
from drugkg.server.app import create_app
from drugkg.server.config import ServerConfig

__all__ = ["bind", "browser_url", "raise_open_file_limit", "serve", "uvicorn_config"]

log = logging.getLogger("drugkg.serve")


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on host:port; DrugkgError when the port is taken or the host unknown."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as err:
        raise DrugkgError(
            f"cannot listen on host {host!r}: {err.strerror}",
            expected="an IP address or host name of this machine",
        ) from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as err:
        sock.close()
        if err.errno == errno.EADDRINUSE:
            raise DrugkgError(
                f"port {port} on {host} is already in use (another drugkg serve, or another server?)",
                expected="a free port: pass --port, e.g. --port 8001",
            ) from None
        if err.errno == errno.EACCES:
            raise DrugkgError(f"not allowed to listen on port {port}", expected="a port above 1023") from None
        raise DrugkgError(f"cannot listen on {host}:{port}: {err.strerror}") from None
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def browser_url(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else ("[::1]" if host == "::" else host)
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/"


def raise_open_file_limit() -> int:
    """Raise this process's soft limit on open files to the hard limit; returns the new limit."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY:
        hard = 1 << 20
    if soft < hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            soft = hard
        except (ValueError, OSError):
            pass
    return int(soft)


def _protocol(app: Any, read_timeout: float, max_connections: int) -> type[asyncio.Protocol]:
    """uvicorn's protocol with the connection guard, and the fast path where the app has one."""
    from drugkg.server.fast_path import FastPathProtocol
    from drugkg.server.http import guarded_protocol

    guarded = guarded_protocol(read_timeout, max_connections)
    fast_path = getattr(getattr(app, "state", None), "fast_path", None)
    if fast_path is None or not hasattr(guarded, "_start_asgi_task"):  # h11 has no such hook
        return guarded
    return type("Fast" + guarded.__name__, (FastPathProtocol, guarded), {"fast_path": fast_path})


def uvicorn_config(app: Any, config: ServerConfig, *, log_level: str = "info") -> uvicorn.Config:
    """uvicorn's settings from the server's: timeouts, the connection cap, no access log of its own."""
    files = raise_open_file_limit()
    max_connections = min(config.max_connections, max(64, files - 256))
    if max_connections < config.max_connections:
        log.warning("drugkg serve: at most %d connections (the open-file limit is %d)", max_connections, files)
    return uvicorn.Config(
        app,
        log_level=log_level,
        lifespan="on",
        timeout_graceful_shutdown=5,
        access_log=False,
        http=_protocol(app, config.header_timeout, max_connections),
        timeout_keep_alive=max(1, round(config.keepalive_timeout)),
        # uvicorn answers 503 past this many tasks; the guard sheds idle connections before that
        limit_concurrency=max_connections + 64,
        backlog=2048,
        h11_max_incomplete_event_size=64 * 1024,
        proxy_headers=bool(config.trusted_proxies),
        forwarded_allow_ips=list(config.trusted_proxies) if config.trusted_proxies != ("*",) else "*",
    )


def serve(
    config: ServerConfig,
    build: BuildFolder,
    host: str,
    port: int,
    *,
    log_level: str = "info",
) -> None:
    """Serve `build` on host:port until interrupted."""
    sock = bind(host, port)
    app = create_app(config, build)
    url = browser_url(host, sock.getsockname()[1])

    class _Server(uvicorn.Server):
        async def startup(self, sockets: Any = None) -> None:
            await super().startup(sockets=sockets)
            if self.started:
                log.info(
                    "drugkg serve: ready. Open %s in a browser (query page); SPARQL endpoint %ssparql",
                    url,
                    url,
                )

    server = _Server(uvicorn_config(app, config, log_level=log_level))
    server.run(sockets=[sock])
    if not server.started:
        raise DrugkgError("the server did not start (see the messages above)")
