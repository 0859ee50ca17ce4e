"""Upload a build to a SPARQL 1.1 Graph Store Protocol server, one named graph per source.

By default all or nothing: the remote graphs end as they were or fully replaced, never half.
That needs the server's SPARQL Update endpoint (`update_url`), because the Graph Store Protocol
alone cannot replace several graphs in one step:

0. with a query endpoint (`query_url`), the server's graphs are listed first: staging graphs left
   by an earlier, interrupted publish are dropped, and drugkg graphs the build no longer has are
   noted to be dropped in the swap;
1. every graph is uploaded (HTTP PUT) under a staging name derived from its live name
   (`urn:drugkg:staging:<hash>`, the same on every run, so a later publish overwrites what an
   interrupted one left); the live graphs are not touched;
2. one update request moves every staged graph onto its live name (`MOVE`, not `SILENT`: a missing
   staging graph aborts the whole request rather than emptying a live graph) and drops the stale
   drugkg graphs. Servers run one update request as one transaction (Oxigraph, Fuseki), so readers
   see the old graphs or the new ones, never a mix;
3. if anything fails before the swap is confirmed, the staging graphs are dropped on a new
   connection (best effort; the error says whether that worked).

`transaction=False` (`drugkg publish --no-transaction`) is for servers without an update
endpoint: each live graph is replaced by its own PUT. Each graph is swapped whole, but a failure
part-way leaves earlier graphs new and later ones old until a publish completes.

Afterwards each live graph is read back and its triple count compared with the build's.
One publish at a time per server: two at once share the staging names.
"""

from __future__ import annotations

import functools
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
import pyoxigraph as ox

from drugkg.buildfolder import BuildFolder
from drugkg.errors import DrugkgError
from drugkg.namespaces import GRAPH
from drugkg.progress import track

__all__ = [
    "DEFAULT_GRAPH",
    "STAGING_PREFIX",
    "PublishReport",
    "check_mode",
    "graph_payloads",
    "publish",
    "staging_name",
]

log = logging.getLogger("drugkg.publish")
STAGING_PREFIX = "urn:drugkg:staging:"
# the key of the remote default graph among the payloads (with union_into_default)
DEFAULT_GRAPH = "default graph"
_NT = "application/n-triples"


@dataclass
class PublishReport:
    """What was published where, and how the swap was made."""

    graphs: dict[str, int] = field(default_factory=dict)  # live graph IRI -> triples
    atomic: bool = False
    # drugkg graphs the build no longer has, dropped in the swap
    dropped: list[str] = field(default_factory=list)
    # staging graphs left by an earlier, interrupted publish, dropped first
    leftovers: list[str] = field(default_factory=list)

    @property
    def triples(self) -> int:
        return sum(self.graphs.values())


def graph_payloads(build: BuildFolder) -> dict[str, tuple[bytes, int]]:
    """Each named graph of the build as N-Triples, with its triple count."""
    store = ox.Store.read_only(str(build.store))
    payloads: dict[str, tuple[bytes, int]] = {}
    for graph in sorted(store.named_graphs(), key=lambda g: str(g)):
        if not isinstance(graph, ox.NamedNode):
            continue
        triples = [q.triple for q in store.quads_for_pattern(None, None, None, graph)]
        payloads[graph.value] = (
            ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"",
            len(triples),
        )
    if not payloads:
        raise DrugkgError("the build has no named graphs to publish", file=str(build.path))
    return payloads


def _with_union(payloads: dict[str, tuple[bytes, int]], build: BuildFolder) -> dict[str, tuple[bytes, int]]:
    """The payloads plus the union of every graph (the build's N-Triples dump) for the default graph."""
    union = (build.path / "drugkg.nt").read_bytes()
    return {**payloads, DEFAULT_GRAPH: (union, union.count(b"\n"))}


def _gsp_params(graph: str) -> dict[str, str]:
    """The Graph Store Protocol query parameters naming `graph` (or the default graph)."""
    return {"default": ""} if graph == DEFAULT_GRAPH else {"graph": graph}


def _target(graph: str) -> str:
    """`graph` as the target of a SPARQL Update MOVE or DROP."""
    return "DEFAULT" if graph == DEFAULT_GRAPH else f"GRAPH {_iri(graph)}"


def _check(response: httpx.Response, doing: str) -> None:
    if response.status_code in (401, 403):
        raise DrugkgError(
            f"{doing}: the server answered {response.status_code} {response.reason_phrase}: it refused "
            "the request without credentials, or the credentials given",
            expected="--auth basic|digest with the user and password of an account allowed to write "
            "(from DRUGKG_REMOTE_USER / DRUGKG_REMOTE_PASSWORD or a netrc file)",
        )
    if response.status_code >= 400:
        detail = response.text.strip().splitlines()[0][:300] if response.text.strip() else ""
        raise DrugkgError(
            f"{doing}: the server answered {response.status_code} {response.reason_phrase}"
            + (f": {detail}" if detail else "")
        )


def _iri(value: str) -> str:
    """An IRI written as a SPARQL term (checked and escaped by pyoxigraph)."""
    return str(ox.NamedNode(value))


def staging_name(graph: str) -> str:
    """The staging graph of a live graph: the same on every run, so the next publish overwrites it."""
    return STAGING_PREFIX + hashlib.sha256(graph.encode()).hexdigest()[:24]


def _count(client: httpx.Client, store_url: str, graph: str, expected: int) -> int:
    response = client.get(store_url, params=_gsp_params(graph), headers={"Accept": _NT})
    if response.status_code == 404 and expected == 0:
        return 0  # many stores do not keep empty graphs
    _check(response, f"reading back {graph}")
    return sum(1 for _ in ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES))


def _server_graphs(client: httpx.Client, query_url: str) -> set[str]:
    """Every named graph on the server with at least one triple (needs a query endpoint)."""
    response = client.post(
        query_url,
        data={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"},
        headers={"Accept": "application/sparql-results+json"},
    )
    _check(response, "listing the server's graphs")
    return {row["g"]["value"] for row in response.json()["results"]["bindings"]}


def _drop_all(graphs: list[str]) -> str:
    return " ;\n".join(f"DROP SILENT GRAPH {_iri(g)}" for g in graphs)


def check_mode(update_url: str | None, query_url: str | None, *, transaction: bool) -> None:
    """Refuse (DrugkgError) a combination of endpoints that cannot publish as asked."""
    if transaction and update_url is None:
        raise DrugkgError(
            "publishing all or nothing needs the server's SPARQL Update endpoint: the Graph Store "
            "Protocol alone cannot replace several graphs at once, so an interrupted upload would "
            "leave some graphs new and others old",
            expected="--update URL (Oxigraph: http://HOST:7878/update; Fuseki: "
            "http://HOST:3030/DATASET/update), or --no-transaction to accept that risk",
        )
    if not transaction and update_url is not None:
        raise DrugkgError(
            "--no-transaction is for servers without a SPARQL Update endpoint",
            expected="either --update URL (all or nothing) or --no-transaction, not both",
        )
    if query_url is not None and update_url is None:
        raise DrugkgError(
            "--query is only used with --update",
            expected="--update URL as well, or no --query",
        )


def publish(
    build: BuildFolder,
    store_url: str,
    *,
    update_url: str | None = None,
    query_url: str | None = None,
    transaction: bool = True,
    timeout: float = 120.0,
    client_factory: Callable[..., httpx.Client] = httpx.Client,
    auth: httpx.Auth | None = None,
    union_into_default: bool = False,
) -> PublishReport:
    """Upload every named graph of `build` to the Graph Store Protocol endpoint `store_url`.

    All or nothing through `update_url` (required unless `transaction=False`, which replaces
    graph by graph and may leave a mix if interrupted). Raises DrugkgError on any failure, saying
    what state the remote graphs are in. `auth` (basic or digest) goes with every request;
    `union_into_default` also replaces the remote default graph with the union of the graphs,
    for stores that do not query the union by default.
    """
    check_mode(update_url, query_url, transaction=transaction)
    payloads = graph_payloads(build)
    if union_into_default:
        payloads = _with_union(payloads, build)
    if auth is not None:
        client_factory = functools.partial(client_factory, auth=auth)
    if not transaction:
        return _publish_graph_by_graph(payloads, store_url, timeout, client_factory)
    assert update_url is not None
    return _publish_all_or_nothing(payloads, store_url, update_url, query_url, timeout, client_factory)


def _publish_graph_by_graph(
    payloads: dict[str, tuple[bytes, int]],
    store_url: str,
    timeout: float,
    client_factory: Callable[..., httpx.Client],
) -> PublishReport:
    """Each live graph replaced by its own PUT: not all or nothing (see the module docstring)."""
    report = PublishReport(atomic=False)
    doing = "connecting"
    try:
        with client_factory(timeout=timeout, follow_redirects=True) as client:
            for graph, (body, count) in track(
                payloads.items(), total=len(payloads), desc="publish: uploading", unit="graph"
            ):
                doing = f"uploading {graph}"
                log.info("publish: replacing %s (%d triples)", graph, count)
                _check(
                    client.put(
                        store_url,
                        params=_gsp_params(graph),
                        content=body,
                        headers={"Content-Type": _NT},
                    ),
                    doing,
                )
                report.graphs[graph] = count
            for graph, count in report.graphs.items():
                doing = f"reading back {graph}"
                _verify(client, store_url, graph, count)
    except (httpx.HTTPError, DrugkgError) as err:
        state = (
            "no graph was replaced"
            if not report.graphs
            else f"{len(report.graphs)} of {len(payloads)} graphs were replaced, the others are "
            "as before (--no-transaction); publish again to finish"
        )
        raise _failure(err, store_url, doing, state) from None
    return report


def _publish_all_or_nothing(
    payloads: dict[str, tuple[bytes, int]],
    store_url: str,
    update_url: str,
    query_url: str | None,
    timeout: float,
    client_factory: Callable[..., httpx.Client],
) -> PublishReport:
    report = PublishReport(atomic=True)
    # live graph -> staging graph; empty graphs are not staged (many stores do not keep them)
    staging = {graph: staging_name(graph) for graph, (_, count) in payloads.items() if count}
    # staging graphs the server may hold (noted before each PUT)
    uploaded: list[str] = []
    phase, doing = "before", "connecting"
    try:
        with client_factory(timeout=timeout, follow_redirects=True) as client:
            if query_url:
                doing = "listing the server's graphs"
                graphs = _server_graphs(client, query_url)
                report.dropped = sorted(g for g in graphs if g.startswith(str(GRAPH)) and g not in payloads)
                report.leftovers = sorted(g for g in graphs if g.startswith(STAGING_PREFIX))
                if report.leftovers:
                    doing = "dropping staging graphs left by an earlier publish"
                    log.info("publish: %s: %s", doing, ", ".join(report.leftovers))
                    _check(
                        client.post(update_url, data={"update": _drop_all(report.leftovers)}),
                        doing,
                    )
            for graph, stage in track(staging.items(), total=len(staging), desc="publish: uploading", unit="graph"):
                body, count = payloads[graph]
                doing = f"uploading {graph}"
                log.info("publish: staging %s (%d triples)", graph, count)
                # noted before the PUT: the server may apply it and the answer be lost
                uploaded.append(stage)
                _check(
                    client.put(
                        store_url,
                        params={"graph": stage},
                        content=body,
                        headers={"Content-Type": _NT},
                    ),
                    doing,
                )
            operations = [f"DROP SILENT GRAPH {_iri(g)}" for g in report.dropped]
            operations += [f"MOVE GRAPH {_iri(stage)} TO {_target(graph)}" for graph, stage in staging.items()]
            operations += [f"DROP SILENT {_target(graph)}" for graph in payloads if graph not in staging]
            doing = "swapping the graphs in"
            phase = "swap"
            log.info("publish: swapping %d graphs in one update", len(payloads))
            _check(client.post(update_url, data={"update": " ;\n".join(operations)}), doing)
            phase = "after"
            uploaded.clear()
            report.graphs = {graph: count for graph, (_, count) in payloads.items()}
            for graph, count in report.graphs.items():
                doing = f"reading back {graph}"
                _verify(client, store_url, graph, count)
    except (httpx.HTTPError, DrugkgError) as err:
        if phase == "before":
            state = "the live graphs are unchanged"
        elif phase == "swap" and isinstance(err, DrugkgError):
            state = "the server refused the swap, so the live graphs are unchanged"
        elif phase == "swap":
            state = (
                "the answer to the swap was lost: it is one transaction, so the live graphs "
                "are either all as before or all replaced; publish again to be sure"
            )
        else:
            state = "the graphs were swapped in, all at once"
        if uploaded:
            state += "; " + _remove_staged(update_url, uploaded, timeout, client_factory)
        raise _failure(err, store_url, doing, state) from None
    return report


def _verify(client: httpx.Client, store_url: str, graph: str, count: int) -> None:
    found = _count(client, store_url, graph, count)
    if found != count:
        raise DrugkgError(f"{graph} holds {found} triples on the server after publishing, not {count}")


def _failure(err: httpx.HTTPError | DrugkgError, store_url: str, doing: str, state: str) -> DrugkgError:
    if isinstance(err, DrugkgError):
        return DrugkgError(f"{err.message}; {state}", expected=err.expected)
    try:  # the URL that failed (the store, query or update endpoint), without its query string
        url = str(err.request.url.copy_with(query=None))
    except RuntimeError:  # an error raised without a request
        url = store_url
    return DrugkgError(
        f"cannot reach {url} ({doing}): {err or type(err).__name__}; {state}",
        expected="a SPARQL 1.1 Graph Store Protocol endpoint",
    )


def _remove_staged(
    update_url: str,
    staged: list[str],
    timeout: float,
    client_factory: Callable[..., httpx.Client],
) -> str:
    """After a failure: drop the staging graphs on a new connection (best effort); say how it went."""
    try:
        with client_factory(timeout=timeout, follow_redirects=True) as client:
            _check(
                client.post(update_url, data={"update": _drop_all(staged)}),
                "dropping the staging graphs",
            )
    except (httpx.HTTPError, DrugkgError) as err:
        log.warning("publish: could not drop the staging graphs %s: %s", ", ".join(staged), err)
        return (
            f"the staging graphs could not be dropped ({err or type(err).__name__}); "
            "the next publish overwrites them, or drops them when given --query"
        )
    log.info("publish: dropped the staging graphs %s", ", ".join(staged))
    return "the staging graphs were dropped"
