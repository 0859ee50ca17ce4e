"""The read-only SPARQL endpoint, linked-data pages and query page of `drugkg serve`."""

from __future__ import annotations

__all__: list[str] = []
