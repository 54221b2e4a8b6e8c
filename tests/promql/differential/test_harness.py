"""The differential harness checked on its own: comparator rules, data set shapes, corpus coverage,
the corpus's claims against Prometheus, and two Prometheus servers agreeing through it."""

from __future__ import annotations

import math
import re
from typing import Any

import httpx
import numpy as np
import pytest

from erpmon.promql._signatures import FUNCTIONS
from erpmon.promql.testing import (
    NATIVE_HISTOGRAM_FUNCTIONS,
    Case,
    Evaluation,
    Finding,
    Outcome,
    QueryClient,
    build_corpus,
    build_dataset,
    compare,
    evaluations,
    evaluations_for,
    expectation_problems,
    keeps_order,
    mismatch_report,
    run_cases,
    same_value,
    write_openmetrics,
)

DATASET = build_dataset()
CORPUS = build_corpus(DATASET)
NAMES = ("erpmon", "prometheus")


def vector(*samples: tuple[dict[str, str], str], t: float = 100.0) -> Outcome:
    return Outcome(True, 200, "vector", [{"metric": m, "value": [t, v]} for m, v in samples])


def matrix(*series: tuple[dict[str, str], list[tuple[float, str]]]) -> Outcome:
    return Outcome(True, 200, "matrix", [{"metric": m, "values": [list(p) for p in ps]} for m, ps in series])


def error(kind: str = "bad_data", message: str = "parse error") -> Outcome:
    return Outcome(False, 400, error_type=kind, error=message)


A, B, C = {"job": "a"}, {"job": "b"}, {"job": "c"}


def diffs(actual: Outcome, expected: Outcome, ordered: bool = False) -> list[str]:
    return compare(actual, expected, ordered=ordered, names=NAMES)


def test_values_are_equal_within_tolerance_with_nan_and_infinities() -> None:
    assert same_value("1", "1.0000000001")
    assert not same_value("1", "1.00001")
    assert same_value("1e-13", "0") and not same_value("1e-11", "0")
    assert same_value("NaN", "NaN") and not same_value("NaN", "0")
    assert same_value("+Inf", "+Inf") and not same_value("+Inf", "-Inf") and not same_value("+Inf", "1e308")
    assert same_value("-0", "0")


def test_vectors_compare_by_label_set_and_value() -> None:
    base = vector((A, "1"), (B, "2"))
    assert diffs(vector((B, "2"), (A, "1")), base) == []
    assert diffs(vector((A, "1")), base) == ['series only in prometheus (1): {job="b"}']
    assert diffs(vector((A, "1"), (B, "2"), (C, "3")), base) == ['series only in erpmon (1): {job="c"}']
    assert diffs(vector((A, "1"), (B, "2.5")), base) == [
        'values differ (1 of 2 series): {job="b"}: erpmon 2.5 prometheus 2'
    ]
    assert diffs(vector((A, "1"), (B, "2"), t=101), base)[0].startswith("values differ")
    assert "twice" in diffs(vector((A, "1"), (A, "1"), (B, "2")), base)[0]


def test_the_same_float_must_be_written_as_prometheus_writes_it() -> None:
    got = diffs(vector((A, "1000000000000000000000")), vector((A, "1e+21")))
    assert got and "written differently" in got[0]
    assert diffs(vector((A, "-0")), vector((A, "0"))) != []  # -0 is written "-0" by Prometheus
    assert diffs(vector((A, "NaN")), vector((A, "NaN"))) == []


def test_order_counts_only_where_prometheus_keeps_it_and_ties_may_permute() -> None:
    expected = vector((A, "3"), (B, "2"), (C, "2"))
    shuffled = vector((B, "2"), (A, "3"), (C, "2"))
    assert diffs(shuffled, expected) == []
    assert diffs(shuffled, expected, ordered=True)[0].startswith("order differs")
    assert diffs(vector((A, "3"), (C, "2"), (B, "2")), expected, ordered=True) == []
    nan_first = vector((A, "NaN"), (B, "1"))
    assert diffs(vector((B, "1"), (A, "NaN")), nan_first, ordered=True) != []


def test_matrices_compare_timestamps_and_values() -> None:
    expected = matrix((A, [(1, "1"), (2, "2")]), (B, [(1, "5")]))
    assert diffs(matrix((B, [(1, "5")]), (A, [(1, "1"), (2, "2")])), expected) == []
    missing = diffs(matrix((A, [(1, "1")]), (B, [(1, "5")])), expected)
    assert len(missing) == 1 and "timestamps differ" in missing[0] and "[2.0]" in missing[0]
    value = diffs(matrix((A, [(1, "1"), (2, "2.1")]), (B, [(1, "5")])), expected)
    assert value == ['series differ (1 of 2): {job="a"} @2: erpmon 2.1 prometheus 2']


def test_errors_agree_on_failing_not_on_wording() -> None:
    assert diffs(error(message="one wording"), error(message="another")) == []
    assert diffs(error("execution"), error("bad_data")) == [
        "errorType erpmon 'execution' prometheus 'bad_data'"
    ]
    both = diffs(vector((A, "1")), error())
    assert both == ["erpmon: vector of 1", "prometheus: error (HTTP 400, bad_data): parse error"]
    assert diffs(Outcome(True, 200, "scalar", [1, "1"]), vector())[0].startswith("resultType")
    scalar_format = diffs(Outcome(True, 200, "scalar", [1, "1.0"]), Outcome(True, 200, "scalar", [1, "1"]))
    assert scalar_format == ["scalar erpmon 1.0 prometheus 1 (equal values, written differently)"]
    assert diffs(Outcome(True, 200, "string", [1, "a"]), Outcome(True, 200, "string", [1, "b"])) != []


def test_a_missing_endpoint_is_not_mistaken_for_an_answer() -> None:
    got = Outcome.from_response(httpx.Response(404, text="Not Found"))
    assert not got.ok and got.http_status == 404 and got.error_type == "<not the API>"
    body = {"status": "error", "errorType": "execution", "error": "boom"}
    assert Outcome.from_response(httpx.Response(422, json=body)) == Outcome(
        False, 422, "", None, "execution", "boom"
    )


def test_report_names_expression_evaluation_url_and_both_answers() -> None:
    case = Case("g", "rate(x[5m])")
    at = Evaluation("mid", "instant", time_s=1677628807.25)
    bad = Finding(case, at, vector((A, "1")), error(), tuple(diffs(vector((A, "1")), error())))
    both = Finding(case, at, error("execution", "boom"), error(), ("errorType differs",))
    good = Finding(case, at, vector(), vector(), ())
    assert mismatch_report([good], NAMES) == ""
    report = mismatch_report([good, bad], NAMES)
    assert report.startswith("1 of 2 evaluations differ between erpmon and prometheus (1 of 1 expressions)")
    assert "time=1677628807.250" in report and "GET /api/v1/query?query=rate%28x%5B5m%5D%29" in report
    assert "    - prometheus: error (HTTP 400, bad_data): parse error" in report
    assert report.count("prometheus: error") == 1
    report = mismatch_report([both], NAMES)
    assert "    erpmon: error (HTTP 400, execution): boom" in report
    assert "    prometheus: error (HTTP 400, bad_data): parse error" in report


def test_evaluations_for_each_kind_of_case() -> None:
    evals = evaluations(DATASET)
    assert [e.kind for e in evals].count("instant") == 7 and [e.kind for e in evals].count("range") == 3
    assert evaluations_for(Case("g", "up"), evals) == evals
    assert {e.kind for e in evaluations_for(Case("g", "up[5m]", evals="instant"), evals)} == {"instant"}
    assert [e.name for e in evaluations_for(Case("g", "1 >", expect="error"), evals)] == ["mid", "1h@60s"]


def test_the_data_set_is_deterministic_and_has_the_shapes_the_corpus_relies_on(tmp_path: Any) -> None:
    again = build_dataset()
    assert len(again.series) == len(DATASET.series) > 200
    for s, t in zip(DATASET.series, again.series, strict=True):
        assert s.name == t.name and s.labels == t.labels
        assert np.array_equal(s.ts_ms, t.ts_ms) and np.array_equal(s.values, t.values, equal_nan=True)
    assert not np.array_equal(build_dataset(seed=1).series[0].values, DATASET.series[0].values)

    by_name: dict[str, list[Any]] = {}
    for s in DATASET.series:
        by_name.setdefault(s.name, []).append(s)
    values = np.concatenate([s.values for s in DATASET.series])
    assert np.isnan(values).any() and np.isposinf(values).any() and np.isneginf(values).any()
    assert (values < 0).any()
    assert any((np.diff(s.values) < 0).any() for s in by_name["erpgo_http_requests_total"])  # resets
    assert any((s.ts_ms % 1000 != 0).any() for s in DATASET.series)  # jitter
    assert min(int(s.ts_ms[0]) for s in by_name["erpgo_cache_hits_total"]) > (DATASET.start_s + 3600) * 1000
    assert max(int(s.ts_ms[-1]) for s in by_name["erpgo_legacy_queue_depth"]) == DATASET.legacy_stop_s * 1000
    assert np.diff(by_name["erpgo_sync_lag_seconds"][0].ts_ms).max() > 5 * 60_000  # gaps beyond lookback
    les = {dict(s.labels)["le"] for s in by_name["erpgo_http_request_duration_seconds_bucket"]}
    assert "+Inf" in les and len(les) == 12
    assert {dict(s.labels)["quantile"] for s in by_name["erpgo_rpc_duration_seconds"]} == {
        "0.5",
        "0.9",
        "0.99",
    }
    dims = {k for s in by_name["erpgo_http_requests_total"] for k, _ in s.labels}
    assert dims == {"job", "instance", "method", "code", "endpoint"}
    assert len(by_name["node_cpu_seconds_total"]) == 32 and "erpgo_orders_created_total" in by_name

    path = tmp_path / "d.om"
    assert write_openmetrics(DATASET.series[-2:], path) == sum(len(s.ts_ms) for s in DATASET.series[-2:])
    text = path.read_text()
    assert text.endswith("\n# EOF\n") and text.startswith('erpgo_legacy_requests_total{job="erpgo-legacy",')


def test_the_corpus_covers_the_language() -> None:
    text = "\n".join(c.expr for c in CORPUS)
    assert len(CORPUS) >= 400
    for name in sorted(set(FUNCTIONS) - NATIVE_HISTOGRAM_FUNCTIONS):
        assert re.search(rf"\b{name}\(", text), f"no case calls {name}()"
    for op in ("sum", "min", "max", "avg", "group", "stddev", "stdvar", "count"):
        assert re.search(rf"\b{op} by \(", text) and re.search(rf"\b{op} without \(", text), op
    for op in ("topk", "bottomk", "quantile", "count_values"):
        assert re.search(rf"\b{op}( by| without)? ?\(", text), op
    for op in ("+", "-", "*", "/", "%", "^", "atan2", "and", "or", "unless"):
        assert f" {op} " in text, op
    for op in ("==", "!=", ">", "<", ">=", "<="):
        assert f" {op} " in text and f" {op} bool " in text, op
    for needle in (
        "on(",
        "ignoring(",
        "group_left(region)",
        "group_right(region, tier)",
        "group_left ",
        "offset -",
        "@ start()",
        "@ end()",
        "[10m:]",
        ":30s])[30m:2m])",  # nested subqueries
        "-2^2",
        "2^3^2",
        "1 + 2 * 3 > bool 6",
        "histogram_quantile(0.95, sum by (le) (",
        "absent_over_time(",
        "label_join(",
    ):
        assert needle in text, needle
    assert sum(c.expect == "error" for c in CORPUS) >= 50
    assert sum(c.expect == "some-error" for c in CORPUS) >= 15
    ordered = {c.expr for c in CORPUS if c.ordered}
    assert "topk by (instance) (2, rate(erpgo_http_requests_total[5m]))" in ordered
    assert "(sort_desc(erpgo_temperature_celsius))" in ordered and "sort(erpgo_weird_values)" in ordered
    assert "topk(3, rate(erpgo_http_requests_total[5m])) + 0" not in ordered
    assert "sum(topk(5, rate(erpgo_http_requests_total[5m])))" not in ordered


@pytest.mark.parametrize(
    ("expr", "ordered"),
    [
        ("sort(x)", True),
        (" ( (sort_desc(x)) ) ", True),
        ("topk(3, x)", True),
        ("topk by (a) (3, x)", True),
        ("bottomk(3, x) without (a)", True),
        ("topk(3, x) + 0", False),
        ("sort(x) or sort(y)", False),
        ("sum(topk(3, x))", False),
        ('sort(label_replace(x, "a", ")", "b", "(.*)"))', True),
        ('sort(label_replace(x, "a", "\\")", "b", ""))', True),
        ("sortx(y)", False),
        ("(sort(x))[5m:1m]", False),
    ],
)
def test_which_results_keep_their_order(expr: str, ordered: bool) -> None:
    assert keeps_order(expr) is ordered


def test_two_prometheus_servers_agree_through_the_harness(
    prometheus_twin: Any, reference: Any, diff_evaluations: Any
) -> None:
    """A third of the corpus, two Prometheus servers over copies of one store: nothing differs, each
    case does what the corpus says, and most valid ones see data somewhere. (The whole corpus:
    ERPMON_DIFF_AGAINST=prometheus pytest tests/promql/differential/test_differential.py.)"""
    with QueryClient("prometheus-twin", prometheus_twin.url) as twin:
        findings = run_cases(CORPUS[::3], diff_evaluations, twin, reference)
    assert len(findings) > 1500
    assert mismatch_report(findings, ("prometheus-twin", "prometheus")) == ""
    assert expectation_problems(findings) == []
    seen: dict[str, bool] = {}
    for f in findings:
        got = f.expected
        has_data = got.ok and (got.result_type not in ("vector", "matrix") or bool(got.result))
        seen[f.case.expr] = seen.get(f.case.expr, False) or has_data
    valid = [c.expr for c in CORPUS[::3] if c.expect == "ok"]
    empty = [e for e in valid if not seen[e]]
    assert len(empty) <= len(valid) // 20, f"{len(empty)} valid expressions never return data: {empty}"


def test_the_comparator_sees_real_differences(reference: Any, diff_evaluations: Any) -> None:
    """The same query 15 s apart differs nearly always: the comparison is not vacuous on real answers."""
    mid = next(e for e in diff_evaluations if e.name == "mid")
    later = Evaluation("mid+15s", "instant", time_s=mid.time_s + 15)
    exprs = [
        "rate(erpgo_http_requests_total[5m])",
        "erpgo_temperature_celsius",
        "sort_desc(erpgo_db_connections)",
        "histogram_quantile(0.9, sum by (le) (rate(erpgo_http_request_duration_seconds_bucket[1m])))",
        "time()",
    ]
    for expr in exprs:
        now, then = reference.query(mid, expr), reference.query(later, expr)
        assert now.ok and then.ok
        assert compare(then, now, ordered=expr.startswith("sort"), names=NAMES), expr
    assert math.isfinite(mid.time_s)
