"""Run kgx offline, against the Biolink Model schema of the installed `biolink-model` package.

Runs in the kgx environment (`make kgx-venv`: kgx and biolink-model pinned; kept apart from the
project's venv because kgx pins click<8.2 and pulls rdflib-jsonld, which replaces rdflib's JSON-LD
plugins). kgx 2.7.0 cannot run offline by itself: importing it builds a bmt Toolkit from GitHub,
bmt 1.4.8's Toolkit always downloads predicate_mapping.yaml, and kgx's PrefixManager downloads a
JSON-LD context. So, before kgx is imported, this script
  * refuses and records every socket connection and DNS lookup,
  * gives bmt a Toolkit over the packaged biolink_model.yaml (no predicate map: kgx's validator
    does not use it), and
  * gives kgx the packaged Biolink prefix map as its "biolink" JSON-LD context, and prefixcommons'
    packaged monarch and OBO contexts (read by kgx's RDF source).

  python scripts/kgx_offline.py [--prefixes P.json] validate NODES EDGES   # JSON report on stdout
  python scripts/kgx_offline.py kgx ARGS...            # the kgx command line (transform, merge, ...)
  python scripts/kgx_offline.py ranges NODES EDGES     # each edge's ends against the model's ranges

`validate` (TSV or JSON Lines, by file name) runs kgx's Validator and, as a second check, builds each node and edge as the pydantic
class of its category from biolink_model.datamodel (extra="forbid", enums checked); drugkg's own
`drugkg_*` columns are left out of that check, since the model does not define them.
"""

from __future__ import annotations

import csv
import importlib.resources
import json
import socket
import sys
from typing import Any

NETWORK_ATTEMPTS: list[str] = []


def _refuse_connect(self: socket.socket, address: Any) -> None:
    NETWORK_ATTEMPTS.append(f"connect {address}")
    raise OSError(f"network access refused during offline kgx run: {address}")


def _refuse_getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
    NETWORK_ATTEMPTS.append(f"getaddrinfo {host}:{port}")
    raise OSError(f"DNS lookup refused during offline kgx run: {host}")


def block_network() -> None:
    socket.socket.connect = _refuse_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _refuse_connect  # type: ignore[method-assign,assignment]
    socket.getaddrinfo = _refuse_getaddrinfo  # type: ignore[assignment]


def schema_path() -> str:
    return str(importlib.resources.files("biolink_model") / "schema" / "biolink_model.yaml")


def install_local_model(extra_prefixes: str | None = None) -> None:
    import bmt
    import kgx.config
    from linkml_runtime.utils.schemaview import SchemaView

    class LocalToolkit(bmt.Toolkit):  # type: ignore[misc]
        def __init__(self, schema: Any = None, predicate_map: Any = None) -> None:
            self.view = SchemaView(schema or schema_path())
            self.pmap: dict[str, Any] = {}

    bmt.Toolkit = LocalToolkit
    kgx.config.get_config()
    prefixes = importlib.resources.files("biolink_model") / "prefixmaps" / "biolink-model-prefix-map.json"
    context = json.loads(prefixes.read_text(encoding="utf-8"))
    if extra_prefixes:  # the export's own prefixes.json: drugkg's CURIEs are not in Biolink's map
        with open(extra_prefixes, encoding="utf-8") as fh:
            context.update(json.load(fh))
    kgx.config.jsonld_context_map["biolink"] = context
    # the RDF source also reads these two; prefixcommons ships the same files
    for name in ("monarch_context", "obo_context"):
        local = importlib.resources.files("prefixcommons") / "registry" / f"{name}.jsonld"
        kgx.config.jsonld_context_map[name] = json.loads(local.read_text(encoding="utf-8"))["@context"]


def _format(path: str) -> str:
    return "jsonl" if path.endswith(".jsonl") else "tsv"


def _rows(path: str) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8", newline="") as fh:
        if _format(path) == "jsonl":
            return [json.loads(line) for line in fh]
        return list(csv.DictReader(fh, delimiter="\t"))


_LIST_SLOTS = {"category", "xref", "provided_by", "publications", "synonym"}


def _model_record(row: dict[str, Any]) -> dict[str, Any]:
    record: dict[str, Any] = {}
    for key, value in row.items():
        if key.startswith("drugkg_") or value in ("", []):
            continue
        record[key] = value.split("|") if key in _LIST_SLOTS and isinstance(value, str) else value
    return record


def pydantic_errors(nodes: str, edges: str) -> list[str]:
    """Each row built as the pydantic class of its category; the errors, as 'id: message'."""
    from biolink_model.datamodel import pydanticmodel_v2 as model
    from pydantic import ValidationError

    errors: list[str] = []
    for path in (nodes, edges):
        for row in _rows(path):
            record = _model_record(row)
            for category in record.get("category", []):
                cls = getattr(model, category.removeprefix("biolink:"), None)
                if cls is None:
                    errors.append(f"{row['id']}: no class {category} in the model")
                    continue
                try:  # each class's category slot allows only that class: a node of two is built as each
                    cls(**{**record, "category": [category]})
                except ValidationError as err:
                    for e in err.errors():
                        errors.append(f"{row['id']}: {'.'.join(map(str, e['loc']))}: {e['msg']}")
    return errors


def _class_name(view: Any, curie: str) -> str | None:
    from linkml_runtime.utils.formatutils import camelcase

    wanted = curie.removeprefix("biolink:")
    return next((c for c in view.all_classes() if camelcase(c) == wanted), None)


def _outside(view: Any, categories: list[str], allowed: str | None) -> bool:
    """True when none of the node's categories is the class `allowed` (a class or mixin name) or below it."""
    if allowed is None:
        return False
    names = [_class_name(view, category) for category in categories]
    return not any(name is not None and allowed in view.class_ancestors(name) for name in names)


def ranges(nodes: str, edges: str) -> dict[str, Any]:
    """Per distinct (subject category, predicate, object category, association category): where the
    ends fall outside the predicate's domain and range and the association's subject and object ranges."""
    from linkml_runtime.utils.schemaview import SchemaView

    view = SchemaView(schema_path())
    categories = {r["id"]: list(_model_record(r)["category"]) for r in _rows(nodes)}
    report: dict[str, list[str]] = {}
    for row in _rows(edges):
        subject, obj = categories[row["subject"]], categories[row["object"]]
        association = _model_record(row)["category"][0]
        key = f"{'|'.join(subject)} {row['predicate']} {'|'.join(obj)} ({association})"
        if key in report:
            continue
        predicate = view.induced_slot(row["predicate"].removeprefix("biolink:").replace("_", " "))
        assoc = _class_name(view, association)
        checks = {
            "predicate domain": (subject, predicate.domain),
            "predicate range": (obj, predicate.range),
            "association subject": (subject, view.induced_slot("subject", assoc).range if assoc else None),
            "association object": (obj, view.induced_slot("object", assoc).range if assoc else None),
        }
        report[key] = sorted(
            f"{name}: {'|'.join(cats)} is not a {allowed}"
            for name, (cats, allowed) in checks.items()
            if _outside(view, cats, allowed)
        )
        if predicate.deprecated:
            report[key].append(f"predicate deprecated: {predicate.deprecated}")
    return {"edge_kinds": report, "network_attempts": NETWORK_ATTEMPTS}


def validate(nodes: str, edges: str) -> dict[str, Any]:
    from kgx.transformer import Transformer
    from kgx.validator import Validator

    validator = Validator()
    seen = {"node": 0, "edge": 0}

    def inspect(entity_type: Any, record: list[Any]) -> None:  # counts what kgx read, then validates it
        seen[entity_type.value] = seen.get(entity_type.value, 0) + 1
        validator(entity_type, record)

    Transformer(stream=True).transform(
        input_args={"filename": [nodes, edges], "format": _format(nodes)},
        output_args={"format": "null"},
        inspector=inspect,
    )
    return {
        "kgx_read": seen,
        "biolink_version": validator.get_validation_model_version(),
        "kgx_errors": validator.get_errors(),
        "pydantic_errors": pydantic_errors(nodes, edges),
    }


def main(argv: list[str]) -> int:
    block_network()
    extra = None
    if argv[:1] == ["--prefixes"]:
        extra, argv = argv[1], argv[2:]
    install_local_model(extra)
    if argv[:1] == ["validate"] and len(argv) == 3:
        report = validate(argv[1], argv[2])
        report["network_attempts"] = NETWORK_ATTEMPTS
        json.dump(report, sys.stdout, indent=1, sort_keys=True)
        sys.stdout.write("\n")
        return 0
    if argv[:1] == ["ranges"] and len(argv) == 3:
        json.dump(ranges(argv[1], argv[2]), sys.stdout, indent=1, sort_keys=True)
        sys.stdout.write("\n")
        return 0
    if argv[:1] == ["kgx"]:
        from kgx.cli import cli
        from kgx.curie_lookup_service import CurieLookupService

        # it would download RO and BFO (OWL) for the labels of non-Biolink predicates: none here
        CurieLookupService.ontologies = {}

        try:
            cli.main(args=argv[1:], prog_name="kgx", standalone_mode=False)
        finally:
            if NETWORK_ATTEMPTS:
                print(f"network attempts: {NETWORK_ATTEMPTS}", file=sys.stderr)
        return 1 if NETWORK_ATTEMPTS else 0
    if argv[:1] == ["probe-network"]:  # shows the guard is live: one refused connection, recorded
        try:
            socket.create_connection(("127.0.0.1", 9), timeout=1)
        except OSError:
            pass
        json.dump({"network_attempts": NETWORK_ATTEMPTS}, sys.stdout)
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
