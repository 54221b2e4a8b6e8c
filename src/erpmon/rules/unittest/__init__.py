"""Rule unit tests: `erpmon rules test`, Prometheus 2.42's `promtool test rules`.

Owns: the unit-test file format (`rule_files`, `evaluation_interval`, `group_eval_order`, `tests`
with `input_series`, `alert_rule_test`, `promql_expr_test`), the series notation of `input_series`
(`0+10x5`, `_`, `stale`), running each test group against a fresh embedded store, and promtool's
output and exit codes.
Reads from: erpmon.rules (rule files, groups, alert states), erpmon.promql (the engine as the rules'
query function), erpmon.tsdb (one temporary store per test group), erpmon.config (YAML decoding).
Hands on: an exit code (0 all passed, 1 any failure) and promtool's report on stdout/stderr.
"""

from erpmon.rules.unittest._runner import run_unit_tests
from erpmon.rules.unittest._series import SeriesParseError, parse_metric, parse_series_desc

__all__ = ["SeriesParseError", "parse_metric", "parse_series_desc", "run_unit_tests"]
