"""What drugkg adds to a user's files before checking them against drugkg's shapes: its ontology."""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox

from drugkg.validation.inputs import ontology_quads

__all__ = ["background_quads"]


def background_quads() -> Iterator[ox.Quad]:
    """drugkg's ontology (classes, properties, value-set members), so users need not restate it."""
    yield from ontology_quads()
