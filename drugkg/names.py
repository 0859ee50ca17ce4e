"""Search keys: the lower-case form of a resource's names, stored as `drugkg:searchKey` so that a
name given in any letter case is found by an index look-up rather than by a filter over every label."""

from __future__ import annotations

__all__ = ["search_key"]


def search_key(name: str) -> str:
    """The key of a name: the name in lower case, as SPARQL's LCASE gives it (the shapes check the two agree)."""
    return name.lower()
