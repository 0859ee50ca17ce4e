"""The catalogue queries with parameter values that exist in a synthetic data set.

The catalogue's defaults name baclofen; a synthetic build has no baclofen, so each parameter is
bound to a resource of the first synthetic drug instead (the same values for every engine).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import yaml

from drugkg.catalogue import load_catalogue
from drugkg.namespaces import RESOURCE
from drugkg.querying import bind_parameters, with_values

__all__ = ["catalogue_http_texts", "catalogue_with_bindings", "parameters_of", "synthetic_parameters"]


def synthetic_parameters(data_dir: Path) -> dict[str, str]:
    """Parameter values (by parameter name) taken from the first synthetic monograph of `data_dir`."""
    return parameters_of(sorted((Path(data_dir) / "drugs").glob("*.yaml"))[0])


def parameters_of(first: Path) -> dict[str, str]:
    """Parameter values (by parameter name) taken from one synthetic monograph."""
    m: dict[str, Any] = yaml.load(
        first.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    )
    drug = m["drug"]["id"]
    ae = m["adverse_effects"][0]
    warned = [pid for w in m.get("warnings", []) for pid in w.get("populations", [])]
    adjusted = {a["population"] for r in m.get("regimens", []) for a in r.get("adjustments", [])}
    # a population the drug's warnings and dose adjustments both name, so that the query has rows to return
    pops = [pid for pid in warned if pid in adjusted] or warned or [p["id"] for p in m["terms"].get("populations", [])]
    ind = m["indications"][0]
    route = m["formulations"][0]["route"]
    return {
        "drug": f"{RESOURCE}drug/{drug}",
        "resource": f"{RESOURCE}drug/{drug}",
        "condition": f"{RESOURCE}condition/{ind['condition']}",
        "symptom": f"{RESOURCE}finding/{ind['treats'][0]}",
        "effect": f"{RESOURCE}finding/{ae['effects'][0]}",
        "name": next(t["label"] for t in m["terms"]["findings"] if t["id"] == ae["effects"][0]),
        "population": f"{RESOURCE}population/{pops[0]}" if pops else f"{RESOURCE}population/elderly",
        "route": f"{RESOURCE}route/{route}",
        "fact": f"{RESOURCE}warning/{drug}-{m['warnings'][0]['id']}",
    }


def catalogue_with_bindings(params: dict[str, str]) -> Iterator[tuple[str, str, dict[str, ox.Term]]]:
    """(name, query text, typed bindings) for every catalogue query."""
    for q in load_catalogue():
        given = {p.name: params[p.name] for p in q.parameters if p.name in params}
        yield q.name, q.text, bind_parameters(q, given)


def catalogue_http_texts(params: dict[str, str]) -> list[tuple[str, str]]:
    """(name, query text with its parameters in a VALUES block): what a client sends over HTTP."""
    return [
        (name, with_values(text, bindings) if bindings else text)
        for name, text, bindings in catalogue_with_bindings(params)
    ]
