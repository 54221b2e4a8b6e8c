"""The expression corpus: every 2.42 function, operator, modifier and aggregation over the data set.

Each `Case` says what Prometheus is expected to do with it (`expect`), used to check the corpus
itself against Prometheus: "ok" succeeds at every evaluation, "error" fails at every one (parse and
type errors), "some-error" fails at some (run-time errors that depend on the data at that time).
`ordered` marks results whose order Prometheus keeps in instant queries (sort, sort_desc, topk,
bottomk at the top). Native-histogram functions (histogram_count/sum/fraction) are left out: the
data set has no native histograms.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Literal

from erpmon.promql.testing._dataset import DifferentialDataset

Expect = Literal["ok", "error", "some-error"]
Evals = Literal["all", "instant", "range"]

REQ = "erpgo_http_requests_total"
BUCKET = "erpgo_http_request_duration_seconds_bucket"
CPU = "node_cpu_seconds_total"
TEMP = "erpgo_temperature_celsius"
WEIRD = "erpgo_weird_values"
RATIO = "erpgo_cache_hit_ratio"
QUEUE = "erpgo_queue_depth"
LAG = "erpgo_sync_lag_seconds"
LEGACY = '{__name__=~"erpgo_legacy_.*"}'
INFO = "erpgo_instance_info"
RATE = f"rate({REQ}[5m])"
NATIVE_HISTOGRAM_FUNCTIONS = frozenset({"histogram_count", "histogram_sum", "histogram_fraction"})


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


MATH_FUNCTIONS = _words(
    "abs ceil floor exp ln log2 log10 sqrt sgn deg rad cos sin tan acos asin atan cosh sinh tanh "
    "acosh asinh atanh"
)
OVER_TIME = _words("avg min max sum count stddev stdvar last present")
DATE_FUNCTIONS = _words("year month day_of_month day_of_week day_of_year days_in_month hour minute")
AGGREGATIONS = _words("sum min max avg group stddev stdvar count")
ARITHMETIC = ("+", "-", "*", "/", "%", "^", "atan2")
COMPARISON = ("==", "!=", ">", "<", ">=", "<=")


@dataclass(frozen=True)
class Case:
    group: str
    expr: str
    expect: Expect = "ok"
    evals: Evals = "all"
    ordered: bool = False  # set by build_corpus: see keeps_order


def _selectors(ds: DifferentialDataset) -> Iterator[Case]:
    g = "selectors"
    for expr in (
        "up",
        f'{REQ}{{code="500"}}',
        f'{REQ}{{code!="200", method="POST"}}',
        f'{REQ}{{endpoint=~"/api/v1/orders.*", code=~"4..|5.."}}',
        f'{REQ}{{endpoint!~".*invoices"}}',
        f'{REQ}{{instance="api-3:8080", code="200"}}',
        LEGACY,
        '{__name__=~"erpgo_(cache|legacy)_.*_total", job!=""}',
        '{job="erpgo-worker"}',
        'up{job=~"node|erpgo-worker"}',
        'up{instance=""}',
        f'{TEMP}{{instance=""}}',
        f'{TEMP}{{instance!~".+", sensor=~"s[23]"}}',
        WEIRD,
        LAG,
        "erpgo_batch_progress_ratio",
        "erpgo_legacy_queue_depth",
        "erpgo_cache_hits_total",
        "erpgo_build_info",
        "nonexistent_metric",
        'up{job="erpgo-api", job!="x", instance=~"api-[12].*"}',
    ):
        yield Case(g, expr)
    for expr in (
        f"{TEMP}[1m]",
        f'{REQ}{{instance="api-2:8080", code="200", method="GET"}}[2m]',
        f"{LAG}[5m]",
        f"{WEIRD}[1m]",
        "up[30s] offset 1m",
        f'up{{job="node"}}[1m] @ {ds.start_s + 3 * 3600}',
        "erpgo_batch_progress_ratio[7m]",
        "erpgo_legacy_queue_depth[5m]",
    ):
        yield Case(g, expr, evals="instant")


def _modifiers(ds: DifferentialDataset) -> Iterator[Case]:
    g = "modifiers"
    mid = ds.start_s + 3 * 3600  # 2023-03-01T00:00:00Z
    for expr in (
        "up offset 5m",
        "up offset -5m",
        "erpgo_legacy_queue_depth offset 10m",
        "erpgo_legacy_queue_depth offset -10m",
        f'rate({REQ}{{code="200"}}[5m] offset 1h)',
        f'rate({REQ}{{code="200"}}[5m] offset -30m)',
        f"up @ {mid}",
        f"up @ {ds.start_s + 100}.5",
        f"erpgo_legacy_queue_depth @ {ds.legacy_stop_s}",
        f"erpgo_legacy_queue_depth @ {ds.legacy_stop_s + 301}",
        "up @ start()",
        "up @ end()",
        f'rate({CPU}{{mode="idle"}}[5m] @ end())',
        f"sum(rate({REQ}[5m] @ start()))",
        f"up @ {mid} offset 5m",
        f"up offset 5m @ {mid}",
        f"{TEMP} - {TEMP} offset 1h",
        f"{TEMP} @ start() - {TEMP} @ end()",
        "time() - erpgo_batch_last_success_timestamp_seconds",
        "timestamp(up @ end())",
        "timestamp(erpgo_legacy_queue_depth offset 3m)",
        f"sum_over_time({TEMP}[10m] @ {mid} offset -5m)",
        "up @ -1",
        f"{LAG} offset 7m",
        "up offset 1h30m",
        f"rate({REQ}[1m30s] offset 1h2m)",
    ):
        yield Case(g, expr)


def _math(ds: DifferentialDataset) -> Iterator[Case]:
    g = "functions/math"
    for f in MATH_FUNCTIONS:
        yield Case(g, f"{f}({TEMP})")
        yield Case(g, f"{f}({WEIRD})")
    for f in ("acos", "asin", "atanh", "ln", "log2", "sqrt"):
        yield Case(g, f"{f}({RATIO})")
    for expr in (
        f"acosh({RATIO} + 1)",
        "pi()",
        "exp(vector(1000))",
        "ln(vector(0))",
        f"sqrt(-abs({TEMP}))",
        f"round({TEMP})",
        f"round({TEMP}, 5)",
        f"round({TEMP}, 0.1)",
        f"round({WEIRD}, 0.5)",
        f"round(-{TEMP}, -2)",
        f"round({TEMP}, 0)",
        "round(vector(2.5)) + round(vector(-2.5)) * 10",
        f"clamp({TEMP}, -5, 5)",
        f"clamp({TEMP}, 5, -5)",
        f"clamp_min({TEMP}, 0)",
        f"clamp_max({TEMP}, 0)",
        f"clamp({WEIRD}, -1, 1)",
        f"clamp_min({WEIRD}, NaN)",
        f"clamp_max({WEIRD}, -Inf)",
        f"clamp({TEMP}, scalar({RATIO}), 10)",
        f"abs({REQ})",
        f"ceil(rate({CPU}[5m]))",
    ):
        yield Case(g, expr)


def _over_time(ds: DifferentialDataset) -> Iterator[Case]:
    g = "functions/over_time"
    for f in OVER_TIME:
        yield Case(g, f"{f}_over_time({TEMP}[5m])")
        yield Case(g, f"{f}_over_time({WEIRD}[2m])")
        yield Case(g, f"{f}_over_time({LAG}[10m])")
    for q in ("0", "0.25", "0.5", "0.99", "1", "-0.5", "1.5", "NaN"):
        yield Case(g, f"quantile_over_time({q}, {TEMP}[10m])")
    for expr in (
        f"quantile_over_time(0.5, {WEIRD}[3m])",
        f"quantile_over_time(scalar({RATIO}), {QUEUE}[10m])",
        "last_over_time(erpgo_legacy_queue_depth[10m])",
        "sum_over_time(erpgo_inventory_adjustment[10m])",
        "count_over_time(erpgo_batch_progress_ratio[5m])",
        "avg_over_time(erpgo_batch_progress_ratio[1m])",
        'max_over_time(erpgo_weird_values{kind="huge"}[2m])',
        'sum_over_time(erpgo_weird_values{kind="huge"}[2m])',
        'stddev_over_time(erpgo_weird_values{kind="tiny"}[5m])',
        "stdvar_over_time(up[10m])",
        "absent_over_time(nonexistent[5m])",
        f"absent_over_time({LAG}[5m])",
        'absent_over_time(erpgo_legacy_queue_depth{job="erpgo-legacy"}[1m])',
        'absent_over_time(nonexistent{job="x", instance=~"y", env="prod"}[1m])',
        "absent_over_time(erpgo_cache_hits_total[10m])",
        f"changes({TEMP}[10m])",
        "changes(erpgo_db_connections[5m])",
        f"changes({WEIRD}[5m])",
        f"resets({REQ}[30m])",
        f"resets({CPU}[5m])",
        f"resets({TEMP}[10m])",
        f"delta({TEMP}[5m])",
        f"delta({QUEUE}[10m])",
        f"delta({WEIRD}[5m])",
        f"deriv({TEMP}[10m])",
        f"deriv({QUEUE}[5m])",
        f"deriv({WEIRD}[5m])",
        f"idelta({TEMP}[1m])",
        f"idelta({QUEUE}[5m])",
        f"idelta({LAG}[2m])",
        f"predict_linear({TEMP}[10m], 3600)",
        f"predict_linear({QUEUE}[30m], -600)",
        f"predict_linear({LAG}[5m], 60)",
        f"holt_winters({TEMP}[10m], 0.5, 0.5)",
        f"holt_winters({QUEUE}[30m], 0.1, 0.9)",
        f"holt_winters({LAG}[5m], 0.3, 0.7)",
    ):
        yield Case(g, expr)


def _rates(ds: DifferentialDataset) -> Iterator[Case]:
    g = "functions/rate"
    for expr in (
        RATE,
        f"rate({REQ}[1m])",
        f"rate({REQ}[1h])",
        f"increase({REQ}[1h])",
        f"increase({REQ}[2m])",
        f"irate({REQ}[5m])",
        f"irate({REQ}[20s])",
        f'rate({REQ}{{instance="api-2:8080"}}[45s])',
        f'increase({REQ}{{instance="api-3:8080"}}[10m])',
        f"rate({CPU}[5m])",
        f"irate({CPU}[1m])",
        f"increase({CPU}[30m])",
        "increase(erpgo_orders_created_total[10m])",
        "rate(erpgo_orders_created_total[30s])",
        "irate(erpgo_orders_created_total[1m])",
        "rate(erpgo_cache_hits_total[5m])",
        "increase(erpgo_cache_requests_total[1h])",
        "increase(erpgo_legacy_requests_total[15m])",
        "rate(erpgo_legacy_requests_total[1m])",
        "rate(erpgo_http_request_duration_seconds_sum[5m])"
        " / rate(erpgo_http_request_duration_seconds_count[5m])",
        f"rate({TEMP}[5m])",
        f"rate({WEIRD}[5m])",
        f"irate({WEIRD}[1m])",
        f"increase({WEIRD}[2m])",
        f"delta({REQ}[5m])",
        "rate(up[5m])",
        "rate(erpgo_rpc_duration_seconds_count[5m])",
        "rate(erpgo_batch_progress_ratio[5m])",
        f"irate({LAG}[1m])",
    ):
        yield Case(g, expr)


def _histograms(ds: DifferentialDataset) -> Iterator[Case]:
    g = "functions/histogram_quantile"
    by_le = f"sum by (le) (rate({BUCKET}[5m]))"
    for q in ("0.95", "0.5", "0", "1", "-0.5", "1.5", "NaN", "0.999"):
        yield Case(g, f"histogram_quantile({q}, {by_le})")
    for expr in (
        by_le,
        f"histogram_quantile(0.5, sum by (le, endpoint) (rate({BUCKET}[5m])))",
        f"histogram_quantile(0.99, rate({BUCKET}[10m]))",
        f"histogram_quantile(0.9, {BUCKET})",
        f"histogram_quantile(0.9, sum by (le, instance) (increase({BUCKET}[1h])))",
        f'histogram_quantile(0.9, sum by (le) (rate({BUCKET}{{le!="+Inf"}}[5m])))',
        f'histogram_quantile(0.9, sum by (le) (rate({BUCKET}{{le=~"0.1|\\\\+Inf"}}[5m])))',
        f'histogram_quantile(0.9, sum by (le) (rate({BUCKET}{{le="+Inf"}}[5m])))',
        "histogram_quantile(0.5, erpgo_rpc_duration_seconds)",
        'histogram_quantile(0.5, label_replace(erpgo_rpc_duration_seconds, "le", "$1", "quantile", "(.*)"))',
        f"histogram_quantile(scalar({RATIO}), {by_le})",
        f"histogram_quantile(0.75, sum by (le, job) (rate({BUCKET}[5m])) * 0)",
        f"histogram_quantile(0.9, sum without (instance) (rate({BUCKET}[5m])))",
        f'histogram_quantile(0.5, sum by (le) (rate({BUCKET}{{le!="0.1"}}[5m])) '
        f'or sum by (le) (rate({BUCKET}{{le="0.1"}}[5m])) * 3)',
        f"histogram_quantile(0.5, sum by (le) (rate({BUCKET}[5m] offset 1h)))",
        f"histogram_quantile(0.9, sum by (le) (rate({BUCKET}[1m])))",
        f'histogram_quantile(0.5, sum by (le) (rate({BUCKET}{{instance="api-3:8080"}}[5m])))',
    ):
        yield Case(g, expr)


def _labels(ds: DifferentialDataset) -> Iterator[Case]:
    g = "functions/labels"
    for expr in (
        'label_replace(up, "host", "$1", "instance", "(.*):.*")',
        'label_replace(up, "host", "$1", "instance", "nomatch(.*)")',
        'label_replace(up, "new", "${1}-${2}", "instance", "(.*)-(\\\\d+):.*")',
        'label_replace(up, "__name__", "renamed", "", "")',
        f'label_replace({TEMP}, "sensor", "$0!", "sensor", "s(.)")',
        'label_replace(up, "a", "$1", "job", "(erpgo)-.*")',
        'label_replace(up, "a", "$9", "job", "(.*)")',
        'label_replace(up, "x", "y", "nonexistent", "")',
        'label_replace(up, "x", "$1", "job", "rpgo-(.*)")',
        'label_replace(up, "job", "", "job", "node")',
        f'label_replace(rate({REQ}[5m]), "code_class", "${{1}}xx", "code", "(.).*")',
        'label_join(up, "joined", ",", "job", "instance")',
        'label_join(up, "joined", "", "job")',
        'label_join(up, "job", "-", "instance", "job")',
        'label_join(up, "empty", "-")',
        f'label_join({TEMP}, "x", "/", "sensor", "nonexistent", "job")',
        'label_join(up, "__name__", "_", "job", "job")',
        f'sum by (code_class) (label_replace(rate({REQ}[5m]), "code_class", "$1xx", "code", "(.).."))',
    ):
        yield Case(g, expr)


def _misc(ds: DifferentialDataset) -> Iterator[Case]:
    g = "functions/misc"
    for expr in (
        "absent(up)",
        "absent(nonexistent)",
        'absent(nonexistent{job="a", instance=~"b", env="prod"})',
        'absent(nonexistent{job="a", job="b"})',
        "absent(erpgo_legacy_queue_depth)",
        "absent(sum(nonexistent))",
        f"absent({LAG})",
        "absent(erpgo_cache_hits_total)",
        "scalar(up)",
        'scalar(up{instance="api-1:8080"})',
        "scalar(sum(up))",
        "scalar(nonexistent)",
        "vector(1)",
        "vector(time())",
        "vector(scalar(sum(up)))",
        "time()",
        "time() - 1677618000",
        "timestamp(up)",
        f'timestamp({REQ}{{instance="api-2:8080", code="200", method="GET"}})',
        "timestamp(sum(up))",
        "timestamp(up offset 1m)",
        f"timestamp({LAG})",
        "timestamp(vector(1))",
    ):
        yield Case(g, expr)
    for expr in (
        f"sort({TEMP})",
        f"sort_desc({WEIRD})",
        f"sort({WEIRD})",
        f"sort(rate({CPU}[5m]))",
        f"sort_desc(sum by (instance) ({RATE}))",
        "sort(erpgo_inventory_adjustment)",
        "sort_desc(up)",
        f"(sort_desc({TEMP}))",
    ):
        yield Case(g, expr)
    for f in DATE_FUNCTIONS:
        yield Case(g, f"{f}()")
        yield Case(g, f"{f}(erpgo_batch_last_success_timestamp_seconds)")
    for expr in (
        "day_of_week(vector(1677628800))",
        "days_in_month(vector(1677628799))",
        "day_of_year(vector(1677628800))",
        "hour(timestamp(up))",
        f"minute({TEMP})",
        "month(vector(-1))",
        "year(vector(4102444800))",
        "days_in_month(vector(951782400))",
    ):
        yield Case(g, expr)


def _aggregations(ds: DifferentialDataset) -> Iterator[Case]:
    g = "aggregations"
    for op in AGGREGATIONS:
        yield Case(g, f"{op}({RATE})")
        yield Case(g, f"{op} by (job, method) ({RATE})")
        yield Case(g, f"{op} without (instance, code) ({RATE})")
        yield Case(g, f"{op} by (kind) ({WEIRD})")
        yield Case(g, f"{op}({TEMP})")
    for expr in (
        f"sum by (instance) ({REQ})",
        f"sum by (__name__) ({LEGACY})",
        "max without () (up)",
        "count by (nonexistent) (up)",
        'sum(erpgo_weird_values{kind="huge"})',
        'avg(erpgo_weird_values{kind="huge"})',
        'sum(erpgo_weird_values{kind=~"huge|tiny"}) by (job)',
        'stddev(erpgo_weird_values{kind="tiny"})',
        "stdvar by (sensor) (erpgo_temperature_celsius)",
        "group by (job) (up)",
        "sum(nonexistent)",
        "count(up) by (job)",
        'avg by (cpu) (rate(node_cpu_seconds_total{mode!="idle"}[5m]))',
        "max by (instance) (erpgo_db_connections) - min by (instance) (erpgo_db_connections)",
        f"quantile(0.5, {RATE})",
        "quantile by (job) (0.9, up)",
        f"quantile(0, {TEMP})",
        f"quantile(1, {TEMP})",
        f"quantile(-1, {TEMP})",
        f"quantile(2, {TEMP})",
        f"quantile(0.5, {WEIRD})",
        f"quantile(scalar({RATIO}), {TEMP})",
        "quantile(NaN, up)",
        f"quantile without (cpu) (0.75, rate({CPU}[5m]))",
        'count_values("value", erpgo_inventory_adjustment)',
        'count_values by (job) ("v", up)',
        'count_values("job", up)',
        f'count_values("v", {WEIRD})',
        f'count_values("v", {TEMP})',
        'count_values("v", erpgo_weird_values{kind="tiny"})',
        f'count_values("v", round({RATE}))',
        f"sum(topk(5, {RATE}))",
        f"topk(3, {RATE}) + 0",
    ):
        yield Case(g, expr)
    for expr in (
        f"topk(3, {RATE})",
        f"topk by (instance) (2, {RATE})",
        f"bottomk(2, {WEIRD})",
        f"topk(2, {WEIRD})",
        "topk(0, up)",
        "topk(-1, up)",
        "topk(1000, up)",
        "topk(2.7, up)",
        f"bottomk without (cpu) (1, rate({CPU}[5m]))",
        f"bottomk(3, {TEMP})",
        "topk(3, erpgo_inventory_adjustment)",
        f"bottomk by (endpoint) (1, sum by (endpoint, code) ({RATE}))",
    ):
        yield Case(g, expr)


def _arithmetic(ds: DifferentialDataset) -> Iterator[Case]:
    g = "binary/arithmetic"
    for op in ARITHMETIC:
        yield Case(g, f"{TEMP} {op} 3")
        yield Case(g, f"-3 {op} {TEMP}")
        yield Case(g, f"erpgo_cache_hits_total {op} erpgo_cache_requests_total")
        yield Case(g, f"7 {op} 2")
        yield Case(g, f"{WEIRD} {op} {WEIRD}")
        yield Case(g, f"{WEIRD} {op} 0")
    for expr in (
        "1 / 0",
        "-1 / 0",
        "0 / 0",
        "5 % 0",
        "-7 % 3",
        "7 % -3",
        "5.5 % 2",
        "2 ^ 0.5",
        "(-8) ^ (1/3)",
        "0 ^ 0",
        "NaN ^ 0",
        "Inf - Inf",
        "Inf * 0",
        f"{WEIRD} % 7",
        f"{WEIRD} ^ 2",
        f"{TEMP} / 0",
        f"0 / {TEMP}",
        f"{REQ} - {REQ} offset 1h",
        f"{RATE} * 60",
    ):
        yield Case(g, expr)


def _comparison(ds: DifferentialDataset) -> Iterator[Case]:
    g = "binary/comparison"
    for op in COMPARISON:
        yield Case(g, f"{TEMP} {op} 0")
        yield Case(g, f"{TEMP} {op} bool 0")
        yield Case(g, f"0 {op} {TEMP}")
        yield Case(g, f"1 {op} bool 2")
        yield Case(g, f"erpgo_cache_hits_total {op} erpgo_cache_requests_total * 0.9")
        yield Case(g, f"erpgo_cache_hits_total {op} bool erpgo_cache_requests_total * 0.9")
        yield Case(g, f"{WEIRD} {op} {WEIRD}")
        yield Case(g, f"{WEIRD} {op} bool 0")
    for expr in (
        "NaN == bool NaN",
        "Inf >= bool Inf",
        f"{RATE} > 1 < 10",
        "up == 0",
        f"{QUEUE} > bool on(instance) group_left avg by (instance) ({QUEUE})",
    ):
        yield Case(g, expr)


def _matching(ds: DifferentialDataset) -> Iterator[Case]:
    g = "binary/matching"
    for expr in (
        f"{REQ} * on(instance) group_left(region) {INFO}",
        f"{INFO} * on(instance) group_right(region, tier) {RATE}",
        f"{RATE} / ignoring(code) group_left sum without (code) ({RATE})",
        f"sum by (instance, endpoint) ({RATE}) / on(instance) group_left sum by (instance) ({RATE})",
        "up * on() group_left() vector(2)",
        "up == on(job) group_left count by (job) (up)",
        f"up * on(instance) {INFO}",
        f"up * ignoring(region, tier) {INFO}",
        f"{CPU} / on(instance, cpu) group_left sum by (instance, cpu) ({CPU})",
        f"{REQ} * on(instance) group_left(job) {INFO}",
        f"{RATE} > on(instance) group_left {INFO}",
        f"{RATE} > bool on(instance) group_left {INFO}",
        f"{INFO} + on(instance) group_right {RATE}",
        f"sum by (instance) ({RATE}) / on(instance) {INFO}",
        "erpgo_cache_hits_total / on(instance, cache) erpgo_cache_requests_total",
        "erpgo_cache_hits_total / ignoring(job) erpgo_cache_requests_total",
        f'{INFO} * on(instance) group_left(version, goversion) erpgo_build_info{{version="1.5.0"}}',
        f"{TEMP} - on(sensor) {TEMP} offset 5m",
        f"sum by (job) ({RATE}) / on(job) group_left sum by (job) (up)",
        f"count by (instance) ({REQ}) * on(instance) group_right() {INFO}",
    ):
        yield Case(g, expr)
    # One-to-one joins on instance fail while api-3's old and new build_info are both within lookback.
    for expr in (
        f"sum by (instance) ({RATE}) * on(instance) group_left(version) erpgo_build_info",
        "up * on(instance) group_left(version) erpgo_build_info",
    ):
        yield Case(g, expr, expect="some-error")


def _set_ops(ds: DifferentialDataset) -> Iterator[Case]:
    g = "binary/set"
    for expr in (
        f"up and {INFO}",
        f"up and on(instance) {INFO}",
        f"up or {INFO}",
        f"up unless on(instance) {INFO}",
        f"up unless ignoring(region, tier) {INFO}",
        f'{REQ} and ignoring(code) {REQ}{{code="500"}}',
        f"{LAG} or vector(0)",
        f"{RATE} > 1 and {RATE} < 10",
        f"up or on(job) {INFO}",
        "erpgo_legacy_queue_depth unless erpgo_legacy_requests_total",
        "erpgo_legacy_queue_depth unless ignoring(instance) up",
        "(up == 0) or (up == 1)",
        "sum(up) or vector(0)",
        f"{LEGACY} or up",
        f"{LEGACY} and on() vector(1)",
        f"{TEMP} > 0 or {TEMP} < -10",
        f"{WEIRD} and {WEIRD} > 0",
        "erpgo_cache_hits_total or erpgo_cache_requests_total",
        f"{LAG} unless {LAG} offset 10m",
        "nonexistent or up",
        "up and nonexistent",
    ):
        yield Case(g, expr)


def _precedence(ds: DifferentialDataset) -> Iterator[Case]:
    g = "precedence"
    for expr in (
        "-2^2",
        "2^3^2",
        "1 + 2 * 3 > bool 6",
        "(1 + 2) * 3",
        "2 * 3 % 4",
        "-up",
        "- -up",
        "+up",
        "-(-1)",
        "1 - -1",
        "2 ^ -1",
        "-2 ^ -2",
        "up + up * 2 - up / 2",
        "up > bool 0 == bool 1",
        "1 > bool 2 > bool 0",
        "up or up and up",
        "up unless up or up",
        "2 * 3 atan2 4",
        "1 + 2 atan2 3",
        "-1 ^ 0.5",
        "(-1) ^ 0.5",
        "100 / 10 / 2",
        "2 ^ 2 ^ -1",
        f"- {TEMP} ^ 2",
        "sum(up) + 1 * 2",
        "-sum(up)",
        "10 - 2 - 3",
        "((up))",
    ):
        yield Case(g, expr)


def _literals(ds: DifferentialDataset) -> Iterator[Case]:
    g = "literals"
    for expr in ("1", "-1.5", "0x1F", "1e3", "1E-3", "Inf", "-Inf", "NaN", "+Inf", ".5", "5.", "-0"):
        yield Case(g, expr)
    for expr in ('"foo"', "'single'", "`raw\\n`", '"esc\\"aped\\u00e9"'):
        yield Case(g, expr, evals="instant")


def _subqueries(ds: DifferentialDataset) -> Iterator[Case]:
    g = "subqueries"
    mid = ds.start_s + 3 * 3600
    for expr in (
        f'max_over_time(rate({REQ}{{code="200"}}[5m])[30m:1m])',
        f"avg_over_time(sum by (instance) ({RATE})[1h:5m])",
        "min_over_time(up[10m:])",
        "max_over_time(deriv(rate(erpgo_orders_created_total[5m])[10m:30s])[30m:2m])",
        f"sum_over_time({TEMP}[5m:37s])",
        f"count_over_time({LAG}[20m:1m])",
        "avg_over_time(erpgo_legacy_queue_depth[10m:1m] offset 5m)",
        "max_over_time(up[5m:1m] @ end())",
        f"last_over_time({TEMP}[5m:1m] @ {mid})",
        "sum_over_time(up[10m:1m] offset -5m)",
        f"quantile_over_time(0.9, rate({REQ}[1m])[15m:15s])",
        f'rate({REQ}{{code="200",method="GET"}}[5m:1m])',
        f"increase(sum({REQ})[30m:1m])",
        "changes(up[1h:1m])",
        f"absent_over_time({LAG}[2m:30s])",
        "holt_winters(sum(erpgo_queue_depth)[30m:1m], 0.3, 0.3)",
        "predict_linear(sum(erpgo_queue_depth)[30m:1m], 600)",
        f"deriv({TEMP}[10m:1m])",
        f"max_over_time(max_over_time({TEMP}[5m:1m])[15m:5m])",
        f"stddev_over_time(({TEMP} > 0)[30m:2m])",
        "sum_over_time(vector(1)[5m:1m])",
        f"count_over_time({TEMP}[1h:7m] @ start())",
    ):
        yield Case(g, expr)
    for expr in (
        f'rate({REQ}{{code="500"}}[5m])[10m:]',
        "(up)[5m:1m]",
        f"{TEMP}[4m:1m] offset 2m",
        "vector(time())[3m:1m]",
    ):
        yield Case(g, expr, evals="instant")


def _invalid(ds: DifferentialDataset) -> Iterator[Case]:
    g = "invalid/parse"
    for expr in (
        "sum(up",
        'up{job="a"',
        "rate(up)",
        "rate(up[5m], 1)",
        "abs(up[5m])",
        "unknown_func(up)",
        "up[5m][5m]",
        "sum by (job) up",
        "topk(up, up)",
        'histogram_quantile("0.9", up)',
        'quantile("a", up)',
        "count_values(1, up)",
        '{job=~"("}',
        '{__name__=~".*"}',
        "{}",
        '{job=""}',
        "1 > 2",
        "up + bool 1",
        '"a" + 1',
        'up == "x"',
        "1 and 1",
        "up and 1",
        f"up * on(instance) group_left(instance) {INFO}",
        f"up * group_left {INFO}",
        f"up and on(instance) group_left {INFO}",
        "rate(up[5m] offset)",
        "up offset 5",
        "up[5]",
        "time(1)",
        "vector(up)",
        "scalar(1)",
        "absent(up[5m])",
        'round(up, "x")',
        "quantile_over_time(up[5m], 0.5)",
        'count_values(up, "v")',
        'up @ "x"',
        "up @ start",
        "1 @ 5",
        "sum(up) @ 5",
        "up offset 5m offset 5m",
        "up @ 5 @ 6",
        "up[5m] + 1",
        '-"a"',
        "sum without(job) by (instance) (up)",
        'label_join(up, "a-b", ",", "job")',
        'label_replace(up, "1x", "$1", "job", "(.*)")',
        'label_replace(up, "x", "$1", "job", "(.*")',
        "min_over_time(time()[3m:45s])",
        "holt_winters(up[5m], 0.5)",
        "up[5m:1m:1m]",
        "timestamp(up[5m:1m])",
        "",
        "# just a comment",
        "up{job='a',,}",
        "sum(up) by",
        "rate(up[-5m])",
    ):
        yield Case(g, expr, expect="error")
    for expr in ("up[5m]", '"foo"', "up[5m:1m]"):
        yield Case(g, expr, expect="error", evals="range")
    g = "invalid/runtime"
    for expr in (
        f"{REQ} * on(instance) {REQ}",
        f"{REQ} * on(instance) group_left {REQ}",
        "erpgo_cache_hits_total / ignoring(cache) erpgo_cache_requests_total",
        'label_replace(up, "instance", "", "", "")',
        f"{LEGACY} + 1",
        f"abs({LEGACY})",
        f"rate({LEGACY}[5m])",
        f"{LEGACY} + on() group_left vector(1)",
        f"holt_winters({TEMP}[10m], 0, 0.5)",
        f"holt_winters({TEMP}[10m], 0.5, 1)",
        f'label_join({REQ}, "instance", "", "job")',
        'count_values("a-b", up)',
        'count_values("", up)',
        'label_join(up, "a", ",", "b-c")',
        f"{LEGACY} * on(instance) group_left {LEGACY}",
        # No series before the data starts: count() is empty, the scalar NaN overflows int64.
        "topk(scalar(count(up)) / 2, up)",
        f"bottomk(scalar(count({LAG})), {LAG})",
    ):
        yield Case(g, expr, expect="some-error")


GROUPS = (
    _selectors,
    _modifiers,
    _math,
    _over_time,
    _rates,
    _histograms,
    _labels,
    _misc,
    _aggregations,
    _arithmetic,
    _comparison,
    _matching,
    _set_ops,
    _precedence,
    _literals,
    _subqueries,
    _invalid,
)


_ORDER_KEEPING = re.compile(r"(sort|sort_desc|topk|bottomk)\b\s*(?:(?:by|without)\s*\([^()]*\)\s*)?\(")
_GROUPING_TAIL = re.compile(r"\s*(?:(?:by|without)\s*\([^()]*\))?\s*")


def _closing(expr: str, at: int) -> int:
    """Index of the parenthesis closing the one at `at`, skipping string literals; -1 if none."""
    depth, i = 0, at
    while i < len(expr):
        ch = expr[i]
        if ch in "\"'`":
            i += 1
            while i < len(expr) and expr[i] != ch:
                i += 2 if expr[i] == "\\" and ch != "`" else 1
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


def keeps_order(expr: str) -> bool:
    """Whether Prometheus's instant result keeps the order the outermost operation made:
    sort, sort_desc, topk or bottomk at the top, perhaps in parentheses."""
    e = expr.strip()
    while e.startswith("(") and _closing(e, 0) == len(e) - 1:
        e = e[1:-1].strip()
    m = _ORDER_KEEPING.match(e)
    if not m:
        return False
    end = _closing(e, m.end() - 1)
    return end >= 0 and _GROUPING_TAIL.fullmatch(e[end + 1 :]) is not None


def build_corpus(ds: DifferentialDataset) -> tuple[Case, ...]:
    cases = tuple(replace(case, ordered=keeps_order(case.expr)) for group in GROUPS for case in group(ds))
    seen: set[tuple[str, str]] = set()
    for case in cases:
        key = (case.expr, case.evals)
        if key in seen:
            raise ValueError(f"duplicate corpus expression: {case.expr!r}")
        seen.add(key)
    return cases
