"""The settings of one `drugkg serve` process."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from drugkg.execution import Limits, PoolSettings
from drugkg.namespaces import BASE

__all__ = [
    "DEFAULT_MAX_QUERY_BYTES",
    "DEFAULT_MAX_ROWS",
    "DEFAULT_MEMORY_MB",
    "DEFAULT_TIMEOUT",
    "ServerConfig",
]

DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_ROWS = 10_000
DEFAULT_MAX_QUERY_BYTES = 20_000
DEFAULT_MEMORY_MB = 1024


@dataclass(frozen=True)
class ServerConfig:
    """Where the build is and the limits each query runs under.

    `public_base` is the IRI base of the graph's own resources (`https://w3id.org/drugkg/`):
    a request for `/resource/drug/baclofen` on this server is about
    `<public_base>resource/drug/baclofen`, and links in pages point back to this server.
    """

    build_dir: Path
    timeout: float = DEFAULT_TIMEOUT
    max_rows: int = DEFAULT_MAX_ROWS
    max_query_bytes: int = DEFAULT_MAX_QUERY_BYTES
    public_base: str = BASE
    # 4 on 2 cores measured faster than 2 (bench/serve_speed: 0.63x -> 0.88x of Oxigraph at 4
    # clients): a query's hops between processes leave a CPU idle that another worker uses.
    workers: int = 4
    # Where clients reach this server; the service description, VoID and pages use it, never
    # the request's Host header. Empty: http://127.0.0.1:PORT/ (set by `drugkg serve`).
    public_url: str = "http://127.0.0.1/"
    spare_workers: int = 1
    extra_workers: int | None = None  # lent to light queries while every worker runs a long one; None: `workers`
    memory_mb: int = DEFAULT_MEMORY_MB
    max_queue: int = 64
    client_workers: int = 0
    client_queue: int = 16
    client_seconds: float = 60.0
    # one client for the budgets: an IPv4 address, an IPv6 /64 (drugkg.server.clients)
    client_ipv4_prefix: int = 32
    client_ipv6_prefix: int = 64
    # whose X-Forwarded-For names the client (uvicorn's default; () for nobody's)
    trusted_proxies: tuple[str, ...] = ("127.0.0.1", "::1")
    header_timeout: float = 10.0
    keepalive_timeout: float = 5.0
    max_connections: int = 4096
    access_log: str = "text"  # "text", "json" or "off"
    result_cache_mb: int = 64
    allocator: str = "auto"
    store: str = "auto"  # where the query workers hold the store: memory, disk or auto
    fast_path: bool = True  # a program's GET of /sparql answered by the protocol (drugkg.server.fast_path)

    @property
    def limits(self) -> Limits:
        return Limits(timeout=self.timeout, memory_mb=self.memory_mb, max_rows=self.max_rows)

    @property
    def pool(self) -> PoolSettings:
        return PoolSettings(
            workers=self.workers,
            spare_workers=self.spare_workers,
            extra_workers=self.extra_workers,
            max_queue=self.max_queue,
            client_workers=self.client_workers,
            client_queue=self.client_queue,
            client_seconds=self.client_seconds,
            allocator=self.allocator,
            store=self.store,
        )

    def shown(self) -> dict[str, Any]:
        """The HTTP limits, as /health shows them (the pool's come from the executor)."""
        return {
            "header_timeout_s": self.header_timeout,
            "keepalive_timeout_s": self.keepalive_timeout,
            "max_connections": self.max_connections,
            "max_query_bytes": self.max_query_bytes,
            "result_cache_mb": self.result_cache_mb,
            "public_url": self.public_url,
            "client_ipv4_prefix": self.client_ipv4_prefix,
            "client_ipv6_prefix": self.client_ipv6_prefix,
            "trusted_proxies": list(self.trusted_proxies),
        }

    @property
    def store_dir(self) -> Path:
        return self.build_dir / "store"
