"""drugkg: a structured drug knowledge graph published as linked data."""

__version__ = "0.1.0"
__all__ = ["__version__"]
