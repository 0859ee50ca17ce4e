"""`drugkg serve`: a read-only SPARQL endpoint, linked-data pages and a query page over the build."""

from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path
from typing import Any

from drugkg.cli.buildpolicy import ensure_build
from drugkg.errors import DrugkgError
from drugkg.execution.allocator import CHOICES, preload_for
from drugkg.execution.worker import MEMORY_STORE_MAX_QUADS, STORE_MODES
from drugkg.namespaces import BASE
from drugkg.server.clients import parse_trusted_proxies
from drugkg.server.config import (
    DEFAULT_MAX_QUERY_BYTES,
    DEFAULT_MAX_ROWS,
    DEFAULT_MEMORY_MB,
    DEFAULT_TIMEOUT,
    ServerConfig,
)

__all__ = ["EXAMPLE", "HELP", "add_arguments", "check_valid", "prepare_build", "run"]

HELP = "Serve the graph: SPARQL endpoint (/sparql), query page (/), resource pages, VoID and dumps."
EXAMPLE = "drugkg serve --port 8000   # then open http://127.0.0.1:8000/"

log = logging.getLogger("drugkg.serve")
DEFAULT_BUILD = Path("build")
MAX_VIOLATIONS_SHOWN = 10


def _positive(kind: type) -> Any:
    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if value <= 0:
            raise argparse.ArgumentTypeError(f"{text!r} must be above 0")
        return value

    return parse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1; 0.0.0.0 for all)",
    )
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    parser.add_argument(
        "--data",
        type=Path,
        metavar="DIR",
        help="serve this existing build folder (default: ./build, built first if missing)",
    )
    parser.add_argument(
        "--allow-invalid",
        action="store_true",
        help="serve even if SHACL validation finds violations (they are still listed)",
    )
    parser.add_argument(
        "--timeout",
        type=_positive(float),
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"time limit per query; a query past it is stopped and answered 503 (default {DEFAULT_TIMEOUT:g})",
    )
    parser.add_argument(
        "--max-rows",
        type=_positive(int),
        default=DEFAULT_MAX_ROWS,
        metavar="N",
        help=f"most result rows (or triples) per answer; a cut answer carries X-SPARQL-MaxRows (default {DEFAULT_MAX_ROWS})",
    )
    parser.add_argument(
        "--max-query-bytes",
        type=_positive(int),
        default=DEFAULT_MAX_QUERY_BYTES,
        metavar="N",
        help=f"longest query accepted; longer ones get 413 (default {DEFAULT_MAX_QUERY_BYTES})",
    )
    parser.add_argument(
        "--workers",
        type=_positive(int),
        default=ServerConfig.workers,
        metavar="N",
        help=f"query worker processes (default {ServerConfig.workers})",
    )
    _add_limit_arguments(parser)
    parser.add_argument(
        "--public-base",
        default=BASE,
        metavar="URL",
        help=f"IRI base of the graph's resources, answered under this server's address (default {BASE})",
    )


def _add_limit_arguments(parser: argparse.ArgumentParser) -> None:
    """Budgets and HTTP limits; every one of them is shown at /health."""
    number, whole = _positive(float), _positive(int)
    options: list[tuple[str, Any, Any, str, str]] = [
        (
            "--memory-mb",
            whole,
            DEFAULT_MEMORY_MB,
            "MiB",
            "memory per query above a worker's start; past it the query gets 503 and the worker is replaced",
        ),
        ("--spare-workers", _non_negative_int, 1, "N", "workers started ahead, taking a dead worker's place at once"),
        (
            "--extra-workers",
            _non_negative_int,
            None,
            "N",
            "spares lent to a light client's query while every worker runs one past 0.25 s, at most N at "
            "once (default: as many as --workers; 0: none)",
        ),
        ("--max-queue", whole, 64, "N", "queries waiting for a worker; past it 503 with Retry-After"),
        (
            "--client-workers",
            whole,
            None,
            "N",
            "queries one client (IP address) may run at once (default: half the workers, at least 1)",
        ),
        ("--client-queue", whole, 16, "N", "queries one client may have waiting or running; past it 429"),
        (
            "--client-seconds",
            number,
            60.0,
            "SECONDS",
            "worker time one client may use per minute; past it 429 with Retry-After",
        ),
        (
            "--client-ipv4-prefix",
            _prefix_length(32),
            32,
            "BITS",
            "IPv4 clients sharing one budget: those in the same network of this many bits",
        ),
        (
            "--client-ipv6-prefix",
            _prefix_length(128),
            64,
            "BITS",
            "IPv6 clients sharing one budget: those in the same network of this many bits "
            "(a subscriber is usually given a /64 of its own)",
        ),
        (
            "--header-timeout",
            number,
            10.0,
            "SECONDS",
            "time to send a whole request (headers and body); slower connections are closed",
        ),
        ("--keepalive-timeout", number, 5.0, "SECONDS", "idle time before a kept-alive connection is closed"),
        (
            "--max-connections",
            whole,
            4096,
            "N",
            "open connections; past it the oldest idle one is closed (the open-file limit is raised to fit)",
        ),
        (
            "--result-cache-mb",
            _non_negative_int,
            64,
            "MiB",
            "answers kept in memory (the store is read-only, they never go stale); 0 turns the cache off",
        ),
    ]
    for flag, kind, default, metavar, text in options:
        shown = "" if default is None else f" (default {default:g})"
        parser.add_argument(flag, type=kind, default=default, metavar=metavar, help=text + shown)
    parser.add_argument(
        "--public-url",
        metavar="URL",
        help="where clients reach this server (e.g. https://drugkg.example.org/); the service "
        "description and pages use it, never the request's Host header (default http://HOST:PORT/)",
    )
    parser.add_argument(
        "--trusted-proxies",
        type=_trusted_proxies,
        default=ServerConfig.trusted_proxies,
        metavar="IPS",
        help="reverse proxies whose X-Forwarded-For names the client, comma-separated addresses or "
        "networks; * for any, '' for none (default 127.0.0.1,::1)",
    )
    parser.add_argument(
        "--access-log",
        choices=("text", "json", "off"),
        default="text",
        help="one line per request on stderr: time, client, method, path, status, ms, bytes (default text)",
    )
    parser.add_argument(
        "--no-fast-path",
        dest="fast_path",
        action="store_false",
        help="send every request through the application, including a program's GET of /sparql, "
        "which is otherwise answered by the HTTP protocol itself (the same answer, sooner)",
    )
    parser.add_argument(
        "--allocator",
        choices=CHOICES,
        default="auto",
        help="the query workers' memory allocator: jemalloc (faster queries), the system's, or auto: "
        "jemalloc where installed (default auto)",
    )
    parser.add_argument(
        "--store",
        choices=STORE_MODES,
        default="auto",
        help="where the query workers read the store: one copy in memory that they share, being forks "
        "of the process holding it (queries take about a quarter of the CPU; about 130 MB and 1 s of "
        "start-up per 100,000 quads), RocksDB on disk, or auto: in memory up to "
        f"{MEMORY_STORE_MAX_QUADS:,} quads (default auto)",
    )


def _prefix_length(most: int) -> Any:
    def parse(text: str) -> int:
        if not text.isdigit() or not 1 <= int(text) <= most:
            raise argparse.ArgumentTypeError(f"{text!r} is not a prefix length from 1 to {most}")
        return int(text)

    return parse


def _trusted_proxies(text: str) -> tuple[str, ...]:
    try:
        return parse_trusted_proxies(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def _non_negative_int(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of 0 or more")
    return int(text)


def prepare_build(data: Path | None) -> Path:
    """The build folder to serve: --data as it is, or ./build, (re)built unless it is current."""
    return ensure_build(data or DEFAULT_BUILD, may_build=data is None, command="serve")


def check_valid(build_dir: Path, *, allow_invalid: bool) -> None:
    """Validate the build with SHACL; refuse (DrugkgError) on violations unless allow_invalid."""
    try:  # an ImportError may come from the module or one of its dependencies (pyshacl, ...)
        from drugkg.validation import validate_build
    except ImportError as err:
        raise DrugkgError(
            f"cannot validate the graph: the validation code does not import ({err})",
            expected="a complete drugkg installation with its dependencies (reinstall drugkg)",
        ) from None

    from drugkg.validation.stamp import has_valid_stamp, write_stamp

    if has_valid_stamp(build_dir):
        log.info("drugkg serve: this build passed validation before (validated.json matches it); skipping validation")
        return
    started = time.perf_counter()
    outcome = validate_build(build_dir)
    log.info("drugkg serve: validated in %.1f s", time.perf_counter() - started)
    write_stamp(build_dir, outcome)
    if outcome.conforms:
        return
    results = list(outcome.results)
    violations = [r for r in results if "Violation" in str(getattr(r, "severity", "Violation"))] or results
    lines = [f"  {r.focus} {r.path or ''}: {r.message}".rstrip() for r in violations[:MAX_VIOLATIONS_SHOWN]]
    if len(violations) > MAX_VIOLATIONS_SHOWN:
        lines.append(f"  ... and {len(violations) - MAX_VIOLATIONS_SHOWN} more (drugkg validate lists all)")
    summary = f"the graph in {build_dir} has {len(violations)} SHACL violation(s):\n" + "\n".join(lines)
    if not allow_invalid:
        raise DrugkgError(
            summary,
            expected="a graph that conforms; fix the data, or pass --allow-invalid",
            exit_code=1,
        )
    log.warning("drugkg serve: serving anyway (--allow-invalid): %s", summary)


def _public_url(args: argparse.Namespace) -> str:
    from drugkg.server.run import browser_url

    if not args.public_url:
        return browser_url(args.host, args.port)
    if not args.public_url.startswith(("http://", "https://")):
        raise DrugkgError(
            f"--public-url {args.public_url!r} is not an http(s) URL", expected="e.g. https://drugkg.example.org/"
        )
    return args.public_url if args.public_url.endswith("/") else args.public_url + "/"


def run(args: argparse.Namespace) -> int:
    from drugkg.buildfolder import open_build
    from drugkg.server.run import bind, serve

    if not 0 <= args.port <= 65535:
        raise DrugkgError(f"--port {args.port} is not a port number", expected="0 to 65535")
    public_base = args.public_base if args.public_base.endswith(("/", "#")) else args.public_base + "/"
    # Refuse a taken port or a missing allocator before any slow step (build, validation).
    bind(args.host, args.port).close()
    try:
        preload_for(args.allocator)
    except LookupError as err:
        raise DrugkgError(str(err), expected="--allocator auto or system, or jemalloc installed") from None
    build_dir = prepare_build(args.data)
    build = open_build(build_dir)
    check_valid(build.path, allow_invalid=args.allow_invalid)
    config = ServerConfig(
        build_dir=build.path,
        timeout=args.timeout,
        max_rows=args.max_rows,
        max_query_bytes=args.max_query_bytes,
        public_base=public_base,
        workers=args.workers,
        spare_workers=args.spare_workers,
        extra_workers=args.extra_workers,
        public_url=_public_url(args),
        memory_mb=args.memory_mb,
        max_queue=args.max_queue,
        client_workers=args.client_workers or 0,
        client_queue=args.client_queue,
        client_seconds=args.client_seconds,
        client_ipv4_prefix=args.client_ipv4_prefix,
        client_ipv6_prefix=args.client_ipv6_prefix,
        trusted_proxies=args.trusted_proxies,
        header_timeout=args.header_timeout,
        keepalive_timeout=args.keepalive_timeout,
        max_connections=args.max_connections,
        access_log=args.access_log,
        result_cache_mb=args.result_cache_mb,
        allocator=args.allocator,
        store=args.store,
        fast_path=args.fast_path,
    )
    serve(
        config,
        build,
        args.host,
        args.port,
        log_level="debug" if args.verbose else "info",
    )
    return 0
