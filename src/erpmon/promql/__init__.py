"""PromQL: parsing and evaluating queries as Prometheus 2.42 does, over any `storage.Queryable`.

Owns: the syntax tree, the evaluator (every step of a query at once, numpy over series and
steps), aggregations, binary operators and vector matching, query limits, result shaping, and
metric selector parsing for the API's match[].
Reads from: erpmon.model, erpmon.storage (Queryable only — never the tsdb directly).
Hands on: `QueryResult`s in Prometheus's JSON shapes to erpmon.web, the CLI and (later) rules.
"""

from erpmon.promql._check import expr_type, format_expr
from erpmon.promql._engine import Engine, EngineOptions, InstantVector, QueryResult, StepVectors
from erpmon.promql._errors import QueryBadData, QueryError, QueryTimeout, TooManySamples
from erpmon.promql._parser import PromQLSyntaxError, parse_expr, parse_metric_selector

__all__ = [
    "Engine",
    "EngineOptions",
    "InstantVector",
    "PromQLSyntaxError",
    "QueryBadData",
    "QueryError",
    "QueryResult",
    "QueryTimeout",
    "StepVectors",
    "TooManySamples",
    "expr_type",
    "format_expr",
    "parse_expr",
    "parse_metric_selector",
]
