"""PromQL. For now: metric selectors (`name{label=~"re"}`), as the tsdb tools and the API need them.

Owns: parsing selectors into `Matcher`s with PromQL's string literal rules.
Reads from: erpmon.model.
Hands on: matcher lists to anything that calls `storage.Querier.select`.
"""

from erpmon.promql._selector import SelectorError, parse_metric_selector

__all__ = ["SelectorError", "parse_metric_selector"]
