"""A build's statements as KGX nodes and edges in the Biolink Model.

One edge per statement (an approved indication or off-label use adds one edge per symptom it
treats, in the condition's context; a disease mechanism without a gene is one condition -> finding
edge per consequence, and not exported without consequences). A formulation and a dosing regimen
are nodes too: product -> drug, regimen -> drug and -> each formulation it applies to, and one edge
per dose adjustment, regimen -> population. A warning is one edge from the drug to each population,
effect and context it concerns. Every edge names its statement in `drugkg_statement`. What the
Biolink Model has no slot for is carried in `drugkg_*` columns (a dose's figures in
`drugkg_<property>__<sub-property>` ones), so nothing is lost on the way back.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

import drugkg.export.biolink as bl
from drugkg.errors import DrugkgError
from drugkg.export.curies import VOCAB_PREFIX, drugkg_curie, xref_curie
from drugkg.export.figures import Figures, figure_columns, local_name, read_figures, snake_case
from drugkg.export.queries import KNOWLEDGE_LEVELS, NODES, STATEMENTS
from drugkg.namespaces import PROV, RDF, RDFS, VOCAB

__all__ = ["EDGE_COLUMNS", "NODE_COLUMNS", "KgxGraph", "Row", "knowledge_levels", "read_graph"]

NODE_COLUMNS = ("id", "category", "name", "xref", "provided_by")
EDGE_COLUMNS = (
    "id",
    "subject",
    "predicate",
    "object",
    "category",
    "knowledge_level",
    "agent_type",
    "primary_knowledge_source",
    "publications",
    "clinical_approval_status",
    "disease_context_qualifier",
    "causal_mechanism_qualifier",
    "drugkg_statement",
    "drugkg_kind",
)

_V = str(VOCAB)
_TYPE, _LABEL, _DERIVED = str(RDF.type), str(RDFS.label), str(PROV.wasDerivedFrom)
_FOR_DRUG, _CERTAINTY = _V + "forDrug", _V + "certainty"
_CAUSAL_GENE, _CONSEQUENCE = _V + "causalGene", _V + "consequence"
_SELF = "(the statement itself)"  # a formulation or regimen is its edge's subject node
# kind -> the property giving the edge's subject (None: the drug) and the one giving its object
_ENDPOINTS: dict[str, tuple[str | None, str]] = {
    "ApprovedIndication": (None, _V + "condition"),
    "OffLabelUse": (None, _V + "condition"),
    "AdverseEffectAssociation": (None, _V + "effect"),
    "MechanismOfAction": (None, _V + "target"),
    "DiseaseMechanism": (_CAUSAL_GENE, _V + "condition"),  # without a gene: _phenotype_edges
    "Formulation": (_SELF, _FOR_DRUG),
    "DosingRegimen": (_SELF, _FOR_DRUG),
}
# kind -> the one Biolink edge kind of its statements (the other kinds: _edge_kind decides)
_FIXED_KINDS: dict[str, bl.EdgeKind] = {
    "ApprovedIndication": bl.INDICATION,
    "OffLabelUse": bl.OFF_LABEL_USE,
    "MechanismOfAction": bl.TARGET_INTERACTION,
    "Formulation": bl.FORMULATION,
    "DosingRegimen": bl.REGIMEN,
    "DoseAdjustment": bl.DOSE_ADJUSTMENT,
    "Warning": bl.WARNING,
}
# a warning's edges: one per value of each of these (fragment of the edge id, property)
_WARNING_OBJECTS = (("population", _V + "population"), ("effect", _V + "aboutEffect"), ("context", _V + "context"))
# a statement's further edges: the main edge again, the object one value of the property
_COPIES: dict[str, tuple[str, str]] = {
    "ApprovedIndication": ("treats", _V + "treats"),
    "OffLabelUse": ("treats", _V + "treats"),
    "DosingRegimen": ("formulation", _V + "appliesToFormulation"),
}
_SECTION, _ADJUSTMENT = _V + "sourceSection", _V + "doseAdjustment"
_NOT_EXTENSIONS = frozenset({_TYPE, _LABEL, _FOR_DRUG, _DERIVED})

Row = dict[str, Any]


@dataclass
class Statement:
    """A drugkg statement: its IRI, its kind (local name) and every property value as an RDF term."""

    iri: str
    kind: str
    values: dict[str, set[ox.NamedNode | ox.Literal]] = field(default_factory=dict)

    def terms(self, prop: str) -> list[ox.NamedNode | ox.Literal]:
        return sorted(self.values.get(prop, ()), key=str)

    def one(self, prop: str) -> ox.NamedNode | ox.Literal | None:
        found = self.terms(prop)
        if len(found) > 1:
            raise DrugkgError(
                f"statement {self.iri} has {len(found)} values of {prop}",
                expected="at most one (the shapes require it; validate the build)",
            )
        return found[0] if found else None

    def required(self, prop: str) -> str:
        term = self.one(prop)
        if not isinstance(term, ox.NamedNode):
            raise DrugkgError(f"statement {self.iri} has no {prop} resource", expected="one (validate the build)")
        return term.value


@dataclass
class NodeInfo:
    iri: str
    types: set[str] = field(default_factory=set)
    labels: set[str] = field(default_factory=set)
    matches: set[str] = field(default_factory=set)
    subunits: set[str] = field(default_factory=set)

    @property
    def categories(self) -> list[str]:
        category = self.category
        if category == "biolink:Drug" and _V + "Drug" in self.types:
            return [category, bl.DRUG_EXTRA_CATEGORY]
        return [category]

    @property
    def category(self) -> str:
        if _V + "Target" in self.types and len(self.subunits) > 1:
            return bl.COMPLEX_CATEGORY
        for cls, category in bl.NODE_CATEGORIES.items():
            if cls in self.types:
                return category
        raise AssertionError(f"{self.iri} has no exported type")  # NODES selects only these types


@dataclass
class KgxGraph:
    """The export: node rows and edge rows (column -> value; lists for multivalued slots)."""

    nodes: list[Row]
    edges: list[Row]


def _statements(store: ox.Store) -> list[Statement]:
    found: dict[str, Statement] = {}
    for sol in store.query(STATEMENTS, use_default_graph_as_union=True):  # type: ignore[union-attr]
        s, kind, p, o = sol["s"], sol["kind"], sol["p"], sol["o"]
        if not isinstance(s, ox.NamedNode) or isinstance(o, (ox.BlankNode, ox.Triple)) or o is None:
            continue
        st = found.setdefault(s.value, Statement(s.value, kind.value.removeprefix(_V)))
        st.values.setdefault(p.value, set()).add(o)
    return sorted(found.values(), key=lambda st: st.iri)


def _nodes(store: ox.Store) -> dict[str, NodeInfo]:
    found: dict[str, NodeInfo] = {}
    for sol in store.query(NODES, use_default_graph_as_union=True):  # type: ignore[union-attr]
        n = sol["n"]
        if not isinstance(n, ox.NamedNode):
            continue
        info = found.setdefault(n.value, NodeInfo(n.value))
        info.types.add(sol["type"].value)
        for var, into in (("label", info.labels), ("match", info.matches), ("subunit", info.subunits)):
            term = sol[var]
            if term is not None:
                into.add(term.value)
    return found


def _preferred_id(info: NodeInfo) -> str | None:
    curies = sorted(c for c in (xref_curie(m) for m in info.matches) if c)
    for prefix in bl.PREFERRED_PREFIXES.get(info.category, ()):
        with_prefix = [c for c in curies if c.split(":", 1)[0] == prefix]
        if len(with_prefix) == 1:
            return with_prefix[0]
        if with_prefix:  # two exact matches in one namespace: no single identity to take
            return None
    return None


def _node_ids(nodes: dict[str, NodeInfo]) -> dict[str, str]:
    """drugkg IRI -> node id: the preferred exact-match CURIE, unless another node claims it too."""
    preferred = {iri: _preferred_id(info) for iri, info in nodes.items()}
    claims: dict[str, int] = {}
    for curie in preferred.values():
        if curie:
            claims[curie] = claims.get(curie, 0) + 1
    ids: dict[str, str] = {}
    for iri, curie in preferred.items():
        ids[iri] = curie if curie and claims[curie] == 1 else (drugkg_curie(iri) or iri)
    return ids


class _Renderer:
    """Turns RDF terms into KGX values, and remembers which nodes were referenced."""

    def __init__(self, nodes: dict[str, NodeInfo], levels: dict[str, str], structured: Figures) -> None:
        self.nodes = nodes
        self.levels = levels
        self.structured = structured
        self.ids = _node_ids(nodes)
        self.used: set[str] = set()

    def node(self, iri: str, statement: str) -> str:
        if iri not in self.nodes:
            raise DrugkgError(
                f"statement {statement} points at {iri}, which has no exported class",
                expected="a typed resource (validate the build)",
            )
        self.used.add(iri)
        return self.ids[iri]

    def value(self, term: ox.NamedNode | ox.Literal) -> str:
        if isinstance(term, ox.Literal):
            return term.value
        if term.value in self.nodes:
            self.used.add(term.value)
            return self.ids[term.value]
        return drugkg_curie(term.value) or xref_curie(term.value) or term.value


def knowledge_levels(store: ox.Store) -> dict[str, str]:
    """Certainty level -> Biolink knowledge level: the ontology's drugkg:biolinkKnowledgeLevel where
    it gives one, else drugkg's table."""
    annotated: dict[str, set[str]] = {}
    for sol in store.query(KNOWLEDGE_LEVELS, use_default_graph_as_union=True):  # type: ignore[union-attr]
        annotated.setdefault(sol["level"].value, set()).add(sol["knowledgeLevel"].value)
    levels = dict(bl.KNOWLEDGE_LEVEL)
    for level, values in sorted(annotated.items()):
        if len(values) > 1:
            raise DrugkgError(
                f"{level} has {len(values)} values of drugkg:biolinkKnowledgeLevel {tuple(sorted(values))}",
                expected="one",
            )
        value = values.pop()
        if value not in bl.KNOWLEDGE_LEVEL_ENUM:
            raise DrugkgError(
                f"{level} has drugkg:biolinkKnowledgeLevel {value!r}",
                expected="a value of Biolink's KnowledgeLevelEnum: " + ", ".join(sorted(bl.KNOWLEDGE_LEVEL_ENUM)),
            )
        levels[level] = value
    return levels


def _knowledge_level(st: Statement, levels: dict[str, str]) -> str:
    certainty = st.one(_CERTAINTY)
    if certainty is None:
        return bl.KNOWLEDGE_LEVEL_ABSENT
    if certainty.value not in levels:
        raise DrugkgError(
            f"statement {st.iri} has an unknown certainty {certainty.value}",
            expected="drugkg:Stated, drugkg:Possible, drugkg:Reported or drugkg:Unknown",
        )
    return levels[certainty.value]


def _edge_kind(st: Statement) -> bl.EdgeKind:
    if st.kind in _FIXED_KINDS:
        return _FIXED_KINDS[st.kind]
    if st.kind == "AdverseEffectAssociation":
        contexts = {t.value for t in st.terms(_V + "context")}
        return bl.SIDE_EFFECT if contexts == {_V + "CommonUse"} else bl.ADVERSE_EVENT
    sole = st.one(_V + "mainButNotSoleCause")
    return bl.GENE_CONTRIBUTES if sole is not None and sole.value == "true" else bl.GENE_CAUSES


def _biolink_qualifiers(st: Statement) -> Row:
    row: Row = {}
    if st.kind in ("ApprovedIndication", "OffLabelUse"):
        row["clinical_approval_status"] = (
            "approved_for_condition" if st.kind == "ApprovedIndication" else "off_label_use"
        )
    if st.kind == "MechanismOfAction":
        action = st.one(_V + "action")
        if action is not None and action.value in bl.CAUSAL_MECHANISM:
            row["causal_mechanism_qualifier"] = bl.CAUSAL_MECHANISM[action.value]
    return row


def _extensions(st: Statement, render: _Renderer, endpoints: set[str]) -> Row:
    row: Row = {}
    for prop in sorted(st.values):
        if prop in _NOT_EXTENSIONS or prop in endpoints or not prop.startswith(_V):
            continue
        column = "drugkg_" + snake_case(prop[len(_V) :])
        ordered = sorted(st.terms(prop), key=render.value)
        row[column] = "|".join(render.value(t) for t in ordered)
        row.update(figure_columns(column, list(ordered), render.structured, render.value))
    return row


def _edge(st: Statement, render: _Renderer, kind: bl.EdgeKind, ends: tuple[str, str], end_props: set[str]) -> Row:
    """The edge of `st` from node `ends[0]` to node `ends[1]`; `end_props` give them, so no drugkg_* column."""
    stmt_id = drugkg_curie(st.iri) or st.iri
    return {
        "id": stmt_id,
        "subject": render.node(ends[0], st.iri),
        "predicate": kind.predicate,
        "object": render.node(ends[1], st.iri),
        "category": [kind.category],
        "knowledge_level": _knowledge_level(st, render.levels),
        "agent_type": bl.AGENT_TYPE,
        "primary_knowledge_source": bl.DRUGKG_INFORES,
        "publications": [render.value(t) for t in st.terms(_DERIVED)],
        **_biolink_qualifiers(st),
        "drugkg_statement": stmt_id,
        "drugkg_kind": f"{VOCAB_PREFIX}:{st.kind}",
        **_extensions(st, render, end_props),
    }


def _slug(term: ox.NamedNode | ox.Literal) -> str:
    return local_name(term.value)


def _phenotype_edges(st: Statement, render: _Renderer) -> Iterator[Row]:
    """A disease mechanism without a gene: one condition -> finding edge per consequence (none without)."""
    consequences = st.terms(_CONSEQUENCE)
    if not consequences:
        return
    condition = st.required(_V + "condition")
    for finding in consequences:
        edge = _edge(st, render, bl.DISEASE_PHENOTYPE, (condition, finding.value), {_V + "condition", _CONSEQUENCE})
        yield {**edge, "id": f"{edge['id']}#consequence-{_slug(finding)}"}


def _warning_edges(st: Statement, render: _Renderer) -> Iterator[Row]:
    """drug -> each population, effect and context the warning concerns."""
    ends = [(name, term) for name, prop in _WARNING_OBJECTS for term in st.terms(prop)]
    if not ends:
        raise DrugkgError(
            f"warning {st.iri} names no population, effect or context",
            expected="at least one, the object of its edges (a warning without an edge would be lost)",
        )
    objects = {prop for _, prop in _WARNING_OBJECTS}
    for name, term in ends:
        edge = _edge(st, render, bl.WARNING, (st.required(_FOR_DRUG), term.value), objects)
        yield {**edge, "id": f"{edge['id']}#{name}-{_slug(term)}"}


def _adjustment_edges(regimen: Statement, render: _Renderer, statements: dict[str, Statement]) -> Iterator[Row]:
    """regimen -> population, one edge per dose adjustment, with the adjustment's own certainty; an
    adjustment without provenance of its own has its regimen's."""
    for term in regimen.terms(_ADJUSTMENT):
        adjustment = statements.get(term.value)
        if adjustment is None:
            raise DrugkgError(
                f"regimen {regimen.iri} has the dose adjustment {term.value}, which is no drugkg:DoseAdjustment",
                expected="a typed dose adjustment (validate the build)",
            )
        population = adjustment.required(_V + "population")
        edge = _edge(adjustment, render, bl.DOSE_ADJUSTMENT, (regimen.iri, population), {_V + "population"})
        if not adjustment.terms(_DERIVED):
            edge["publications"] = [render.value(t) for t in regimen.terms(_DERIVED)]
        if not adjustment.terms(_SECTION):
            edge["drugkg_source_section"] = "|".join(sorted(render.value(t) for t in regimen.terms(_SECTION)))
        yield edge


def _copies(st: Statement, render: _Renderer, edge: Row) -> Iterator[Row]:
    """The main edge again for each symptom a use treats (in the condition's context) or each
    formulation a regimen applies to."""
    if st.kind not in _COPIES:
        return
    name, prop = _COPIES[st.kind]
    for term in st.terms(prop):
        copy = {**edge, "id": f"{edge['id']}#{name}-{_slug(term)}", "object": render.node(term.value, st.iri)}
        if name == "treats":
            copy["disease_context_qualifier"] = edge["object"]
        yield copy


def _statement_edges(st: Statement, render: _Renderer, statements: dict[str, Statement]) -> Iterator[Row]:
    if st.kind == "DiseaseMechanism" and st.one(_CAUSAL_GENE) is None:
        yield from _phenotype_edges(st, render)
        return
    if st.kind == "Warning":
        yield from _warning_edges(st, render)
        return
    if st.kind == "DoseAdjustment":  # among its regimen's edges
        return
    subject_prop, object_prop = _ENDPOINTS[st.kind]
    subject = st.iri if subject_prop == _SELF else st.required(subject_prop or _FOR_DRUG)
    ends = (subject, st.required(object_prop))
    edge = _edge(st, render, _edge_kind(st), ends, {p for p in (subject_prop, object_prop) if p})
    yield edge
    yield from _copies(st, render, edge)
    if st.kind == "DosingRegimen":
        yield from _adjustment_edges(st, render, statements)


def _node_row(info: NodeInfo, node_id: str) -> Row:
    own = drugkg_curie(info.iri) or info.iri
    xrefs = sorted({c for c in (xref_curie(m) for m in info.matches) if c} | {own})
    return {
        "id": node_id,
        "category": info.categories,
        "name": min(info.labels) if info.labels else "",
        "xref": [x for x in xrefs if x != node_id],
        "provided_by": [bl.DRUGKG_INFORES],
    }


def read_graph(store: ox.Store) -> KgxGraph:
    """The KGX nodes and edges of every exported statement in the store."""
    render = _Renderer(_nodes(store), knowledge_levels(store), read_figures(store))
    statements = _statements(store)
    by_iri = {st.iri: st for st in statements}
    edges = [edge for st in statements for edge in _statement_edges(st, render, by_iri)]
    counts = Counter(e["id"] for e in edges)
    if len(counts) != len(edges):
        dup = min(i for i, n in counts.items() if n > 1)
        raise DrugkgError(f"two edges would share the id {dup}", expected="one statement per IRI")
    nodes = [_node_row(render.nodes[iri], render.ids[iri]) for iri in sorted(render.used, key=lambda i: render.ids[i])]
    return KgxGraph(nodes=nodes, edges=edges)
