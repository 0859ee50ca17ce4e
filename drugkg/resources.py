"""Locate the files that ship with drugkg (ontology, shapes, queries, curated data)."""

from __future__ import annotations

from pathlib import Path

__all__ = ["data_dir", "ontology_dir", "queries_dir", "resource_dir", "shapes_dir"]

_PACKAGE = Path(__file__).resolve().parent
_CHECKOUT = _PACKAGE.parent


def resource_dir(name: str) -> Path:
    """The folder `name` inside the installed wheel, or at the top of a source checkout."""
    installed = _PACKAGE / "resources" / name
    if installed.is_dir():
        return installed
    return _CHECKOUT / name


def ontology_dir() -> Path:
    return resource_dir("ontology")


def shapes_dir() -> Path:
    return resource_dir("shapes")


def queries_dir() -> Path:
    return resource_dir("queries")


def data_dir() -> Path:
    return resource_dir("data")
