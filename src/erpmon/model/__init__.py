"""Prometheus's data model: label sets, label matchers, samples and the staleness marker.

Owns: `Labels` (sorted, immutable), `Matcher` (=, !=, =~, !~ with anchored RE2, as Prometheus 2.42), the
staleness NaN, metric/label name validity.
Reads from: nothing inside erpmon; every other package imports this one.
Hands on: value types to scrape, storage, tsdb, promql and the web API.
"""

from erpmon.model._gofloat import format_api_value, format_e, format_f, format_g
from erpmon.model._gostrings import format_go_duration, go_quote
from erpmon.model._labels import METRIC_NAME, Labels, is_valid_label_name, is_valid_metric_name
from erpmon.model._matcher import Matcher, MatchType, RegexError
from erpmon.model._sample import STALE_NAN, STALE_NAN_BITS, is_stale_nan

__all__ = [
    "METRIC_NAME",
    "STALE_NAN",
    "STALE_NAN_BITS",
    "Labels",
    "MatchType",
    "Matcher",
    "RegexError",
    "format_api_value",
    "format_e",
    "format_f",
    "format_g",
    "format_go_duration",
    "go_quote",
    "is_stale_nan",
    "is_valid_label_name",
    "is_valid_metric_name",
]
