"""Validation of drugkg graphs: SHACL shapes (fast engine on Oxigraph, or plain pySHACL) and OWL reasoning.

from drugkg.validation import validate_build
outcome = validate_build(Path("build"))
if not outcome.conforms:
    for r in outcome.results: print(r.focus, r.path, r.component, r.severity, r.message)
"""

from drugkg.validation.engine import (
    ENGINES,
    validate_build,
    validate_files,
    validate_paths,
    validate_store,
)
from drugkg.validation.inputs import MAX_INPUT_BYTES
from drugkg.validation.report import (
    Path,
    ReasoningOutcome,
    ValidationOutcome,
    ValidationResult,
)

__all__ = [
    "ENGINES",
    "MAX_INPUT_BYTES",
    "Path",
    "ReasoningOutcome",
    "ValidationOutcome",
    "ValidationResult",
    "validate_build",
    "validate_files",
    "validate_paths",
    "validate_store",
]
