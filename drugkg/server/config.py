"""The settings of one `drugkg serve` process."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from drugkg.namespaces import BASE

__all__ = [
    "ServerConfig",
    "DEFAULT_TIMEOUT",
    "DEFAULT_MAX_ROWS",
    "DEFAULT_MAX_QUERY_BYTES",
]

DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_ROWS = 10_000
DEFAULT_MAX_QUERY_BYTES = 20_000


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
    workers: int = 2

    @property
    def store_dir(self) -> Path:
        return self.build_dir / "store"
