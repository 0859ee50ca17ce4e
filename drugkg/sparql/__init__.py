"""All handling of SPARQL text: the grammar's tokens, the policy, the dataset and exact parameters.

`drugkg.sparql.policy.analyse` is the one place that decides what a query is and whether drugkg
runs it; the catalogue, the CLI, the endpoint and publish all go through it.
"""

from __future__ import annotations

from drugkg.sparql.dataset import Dataset, request_dataset, store_options
from drugkg.sparql.params import binding_problem, with_values
from drugkg.sparql.policy import (
    MAX_DEPTH,
    DatasetClause,
    QueryRefused,
    QueryText,
    analyse,
)

__all__ = [
    "MAX_DEPTH",
    "Dataset",
    "DatasetClause",
    "QueryRefused",
    "QueryText",
    "analyse",
    "binding_problem",
    "request_dataset",
    "store_options",
    "with_values",
]
