"""Exposition formats: Prometheus text 0.0.4 and OpenMetrics 1.0 payloads -> sample columns.

Owns: `parse` / `parse_text` / `parse_openmetrics` (what Prometheus 2.42's textparse accepts,
errors worded alike), `ParsedExposition` (keys, numpy values and ms timestamps, `Labels` for new
series, HELP/TYPE/UNIT), `ParseError`, `MetricType`, the scrape `ACCEPT_HEADER` and
Content-Type negotiation.
Reads from: erpmon.model (`Labels`).
Hands on: `ParsedExposition` to the scrape loop, which keeps a key -> storage ref cache and
passes its keys back as `known`, and to the `tsdb create-blocks-from openmetrics` backfill.
"""

from erpmon.exposition._parse import (
    ACCEPT_HEADER,
    OPENMETRICS_MEDIA_TYPE,
    content_type_is_openmetrics,
    parse,
    parse_openmetrics,
    parse_text,
)
from erpmon.exposition._types import (
    NO_TIMESTAMP,
    NORMAL_NAN,
    NORMAL_NAN_BITS,
    MetricType,
    ParsedExposition,
    ParseError,
)

__all__ = [
    "ACCEPT_HEADER",
    "NORMAL_NAN",
    "NORMAL_NAN_BITS",
    "NO_TIMESTAMP",
    "OPENMETRICS_MEDIA_TYPE",
    "MetricType",
    "ParseError",
    "ParsedExposition",
    "content_type_is_openmetrics",
    "parse",
    "parse_openmetrics",
    "parse_text",
]
