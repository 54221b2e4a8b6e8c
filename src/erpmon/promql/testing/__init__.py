"""Differential testing of PromQL against Prometheus 2.42: data, corpus, servers, comparison.

Owns: a seeded ERPGo-like data set written as OpenMetrics (`build_dataset`, `write_openmetrics`),
the benchmark data sets, the expression corpus (`build_corpus`, `Case`) and where it is evaluated
(`evaluations`), starting Prometheus and erpmon over backfilled copies (`start_prometheus`,
`start_erpmon`), querying them (`QueryClient`) and comparing answers (`compare`, `run_cases`,
`mismatch_report`).
Reads from: the `prometheus`/`promtool` binaries and `python -m erpmon` as subprocesses, over HTTP.
Imports nothing of the engine: erpmon is tested from outside, as Prometheus is.
Hands on: findings and reports to tests/promql/differential/ and bench/promql_vs_prometheus.py.
"""

from erpmon.promql.testing._benchsets import BENCH_SETS, BenchSet
from erpmon.promql.testing._compare import Outcome, compare, same_value
from erpmon.promql.testing._corpus import NATIVE_HISTOGRAM_FUNCTIONS, Case, build_corpus, keeps_order
from erpmon.promql.testing._dataset import DifferentialDataset, build_dataset
from erpmon.promql.testing._evaluations import Evaluation, evaluations
from erpmon.promql.testing._openmetrics import GenSeries, write_openmetrics
from erpmon.promql.testing._run import (
    Finding,
    evaluations_for,
    expectation_problems,
    mismatch_report,
    run_cases,
)
from erpmon.promql.testing._servers import (
    QueryClient,
    Server,
    ServerError,
    backfill_erpmon,
    backfill_prometheus,
    start_erpmon,
    start_prometheus,
)

__all__ = [
    "BENCH_SETS",
    "NATIVE_HISTOGRAM_FUNCTIONS",
    "BenchSet",
    "Case",
    "DifferentialDataset",
    "Evaluation",
    "Finding",
    "GenSeries",
    "Outcome",
    "QueryClient",
    "Server",
    "ServerError",
    "backfill_erpmon",
    "backfill_prometheus",
    "build_corpus",
    "build_dataset",
    "compare",
    "evaluations",
    "evaluations_for",
    "expectation_problems",
    "keeps_order",
    "mismatch_report",
    "run_cases",
    "same_value",
    "start_erpmon",
    "start_prometheus",
    "write_openmetrics",
]
