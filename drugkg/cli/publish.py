"""`drugkg publish`: upload the build to a SPARQL 1.1 Graph Store Protocol server, one graph per source."""

from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path
from urllib.parse import urlsplit

from drugkg.remote_auth import (
    AUTH_SCHEMES,
    ENV_PASSWORD,
    ENV_USER,
    check_no_userinfo,
    http_auth,
)

__all__ = ["EXAMPLE", "HELP", "add_arguments", "run"]

HELP = (
    "Upload the build to a SPARQL 1.1 Graph Store Protocol server (Oxigraph, Fuseki, ...), "
    "one named graph per source, all or nothing: staged, then swapped in by one SPARQL Update "
    "request (--update, required), so the remote graphs end as they were or fully replaced, never "
    "half. --no-transaction (no update endpoint) may leave a mix if interrupted."
)
EXAMPLE = (
    "drugkg publish --to http://localhost:7878/store --update http://localhost:7878/update "
    "--query http://localhost:7878/query"
)

log = logging.getLogger("drugkg.publish")


def _http_url(text: str) -> str:
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise argparse.ArgumentTypeError("not an http(s) URL" if "@" in text else f"{text!r} is not an http(s) URL")
    return text


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--to",
        required=True,
        type=_http_url,
        metavar="URL",
        help="the Graph Store Protocol endpoint (Oxigraph: http://HOST:7878/store; Fuseki: http://HOST:3030/DATASET/data)",
    )
    parser.add_argument(
        "--update",
        type=_http_url,
        metavar="URL",
        help="the server's SPARQL Update endpoint (Oxigraph: http://HOST:7878/update; Fuseki: "
        "http://HOST:3030/DATASET/update): graphs are staged, then swapped in with one request; "
        "required unless --no-transaction",
    )
    parser.add_argument(
        "--no-transaction",
        action="store_true",
        help="for a server without a SPARQL Update endpoint: replace each graph by its own PUT. "
        "NOT all or nothing: an interrupted publish leaves some graphs new and others old until "
        "a publish completes",
    )
    parser.add_argument(
        "--query",
        type=_http_url,
        metavar="URL",
        help="the server's SPARQL query endpoint (with --update): staging graphs left by an interrupted "
        "publish are dropped first, and drugkg graphs the build no longer has are dropped in the swap",
    )
    parser.add_argument(
        "--data",
        type=Path,
        default=Path("build"),
        metavar="DIR",
        help="the build folder to publish (default ./build)",
    )
    parser.add_argument(
        "--auth",
        choices=AUTH_SCHEMES,
        default=None,
        help=f"HTTP authentication for every request (Virtuoso's /sparql-graph-crud-auth: digest); the "
        f"user and password come from {ENV_USER} and {ENV_PASSWORD}, else from the netrc entry for the host",
    )
    parser.add_argument(
        "--netrc",
        type=Path,
        default=None,
        metavar="FILE",
        help="the netrc file to read credentials from (default $NETRC, else ~/.netrc)",
    )
    parser.add_argument(
        "--union-into-default",
        action="store_true",
        help="also replace the remote default graph with the union of every graph, for stores that "
        "query only the default graph (Oxigraph without --union-default-graph, Fuseki without "
        "unionDefaultGraph); the named graphs are published as well",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=120.0,
        metavar="SECONDS",
        help="time limit per HTTP request (default 120)",
    )


def run(args: argparse.Namespace) -> int:
    from drugkg.buildfolder import open_build
    from drugkg.publish import check_mode, publish

    check_mode(args.update, args.query, transaction=not args.no_transaction)
    for url in (args.to, args.update, args.query):
        if url:
            check_no_userinfo(url)
    auth = http_auth(args.to, args.auth, netrc_file=args.netrc)
    if args.no_transaction:
        log.warning(
            "drugkg publish: --no-transaction: graphs are replaced one by one; if this is "
            "interrupted, some graphs are new and others old until a publish completes"
        )
    build = open_build(args.data)
    started = time.perf_counter()
    report = publish(
        build,
        args.to,
        update_url=args.update,
        query_url=args.query,
        transaction=not args.no_transaction,
        timeout=args.timeout,
        auth=auth,
        union_into_default=args.union_into_default,
    )
    how = "swapped in at once" if report.atomic else "each replaced in turn, --no-transaction"
    log.info(
        "drugkg publish: %d graphs, %d triples published to %s (%s, checked by reading back) in %.1f s",
        len(report.graphs),
        report.triples,
        args.to,
        how,
        time.perf_counter() - started,
    )
    if report.leftovers:
        log.info(
            "drugkg publish: dropped staging graphs left by an earlier publish: %s",
            ", ".join(report.leftovers),
        )
    if report.dropped:
        log.info(
            "drugkg publish: dropped graphs no longer in the build: %s",
            ", ".join(report.dropped),
        )
    return 0
