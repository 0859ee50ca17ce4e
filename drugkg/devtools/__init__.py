"""Tools for developers of drugkg: synthetic monographs and generated docs. Not used by the pipeline."""
