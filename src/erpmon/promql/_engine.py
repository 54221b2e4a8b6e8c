"""The query engine: parse, evaluate at every step, shape the result as Prometheus's API does."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from erpmon.model import Labels, format_api_value
from erpmon.promql._ast import Expr, ValueType
from erpmon.promql._check import expr_type
from erpmon.promql._errors import QueryBadData, QueryError, QueryTimeout
from erpmon.promql._evaluator import Evaluator, Limits, QueryWindow
from erpmon.promql._values import RangeWindows, StepScalar, StepString, StepVector, Value
from erpmon.storage import Queryable

MAX_POINTS_PER_SERIES = 11_000


@dataclass(frozen=True)
class EngineOptions:
    """Prometheus's query flags: --query.lookback-delta, --query.timeout, --query.max-samples,
    --query.max-concurrency, and the global evaluation_interval subqueries default to."""

    lookback_ms: int = 300_000
    timeout_s: float = 120.0
    max_samples: int = 50_000_000
    max_concurrency: int = 20
    default_eval_interval_ms: int = 60_000


@dataclass
class QueryResult:
    """`data` of a successful /api/v1/query(_range) response."""

    result_type: str
    result: Any
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"resultType": self.result_type, "result": self.result}


def _ts(ms: int) -> float | int:
    """Prometheus prints times as seconds with up to millisecond decimals."""
    return ms // 1000 if ms % 1000 == 0 else ms / 1000.0


@dataclass(frozen=True)
class InstantVector:
    """An instant query's samples as rules see them: one label set and one value per series."""

    labels: list[Labels]
    values: np.ndarray

    def __len__(self) -> int:
        return len(self.labels)


@dataclass(frozen=True)
class StepVectors:
    """An expression at every step: per series, values and presence of shape (series, steps)."""

    labels: list[Labels]
    values: np.ndarray
    present: np.ndarray


class Engine:
    def __init__(self, queryable: Queryable, options: EngineOptions | None = None) -> None:
        self._queryable = queryable
        self.options = options or EngineOptions()
        self._slots = threading.BoundedSemaphore(self.options.max_concurrency)
        self._parsed: dict[str, Expr] = {}

    def instant_vector(self, query: str, t_ms: int) -> InstantVector:
        """Prometheus's `rules.EngineQueryFunc`: a vector as is, a scalar as one unlabelled sample.

        Rule expressions repeat every evaluation, so their parse trees are kept.
        """
        expr = self._parsed.get(query)
        if expr is None:
            expr = self.parse(query)
            if len(self._parsed) >= 10_000:
                self._parsed.clear()
            self._parsed[query] = expr
        value = self._run(expr, np.array([t_ms], dtype=np.int64), QueryWindow(t_ms, t_ms))
        if isinstance(value, StepScalar):
            return InstantVector([Labels()], value.values[:1].astype(np.float64))
        if isinstance(value, StepVector):
            rows = np.flatnonzero(value.present[:, 0])
            return InstantVector([value.labels[i] for i in rows.tolist()], value.values[rows, 0])
        raise QueryError("rule result is not a vector or scalar")

    def parse(self, query: str) -> Expr:
        from erpmon.promql._parser import PromQLSyntaxError, parse_expr

        try:
            return parse_expr(query)
        except PromQLSyntaxError as err:
            raise QueryBadData(f'invalid parameter "query": {err}') from err

    def instant_query(self, query: str, t_ms: int) -> QueryResult:
        expr = self.parse(query)
        value = self._run(expr, np.array([t_ms], dtype=np.int64), QueryWindow(t_ms, t_ms))
        return _instant_result(value, t_ms)

    def step_vectors(self, query: str, steps: np.ndarray) -> StepVectors:
        """`instant_vector` at every one of `steps` (ascending ms) in one evaluation.

        What rule unit tests use to evaluate a rule over a whole test at once.
        """
        expr = self.parse(query)
        value = self._run(expr, steps.astype(np.int64), QueryWindow(int(steps[0]), int(steps[-1])))
        if isinstance(value, StepScalar):
            return StepVectors(
                [Labels()], value.values[None, :].astype(np.float64), np.ones((1, steps.size), bool)
            )
        if isinstance(value, StepVector):
            return StepVectors(list(value.labels), value.values, value.present)
        raise QueryError("rule result is not a vector or scalar")

    def range_query(self, query: str, start_ms: int, end_ms: int, step_ms: int) -> QueryResult:
        if step_ms <= 0:
            raise QueryBadData(
                "zero or negative query resolution step widths are not accepted. Try a positive integer"
            )
        if end_ms < start_ms:
            raise QueryBadData("end timestamp must not be before start time")
        if (end_ms - start_ms) // step_ms > MAX_POINTS_PER_SERIES:
            raise QueryBadData(
                "exceeded maximum resolution of 11,000 points per timeseries. "
                "Try decreasing the query resolution (?step=XX)"
            )
        expr = self.parse(query)
        kind = expr_type(expr)
        if kind not in (ValueType.SCALAR, ValueType.VECTOR):
            names = {ValueType.MATRIX: "range vector", ValueType.STRING: "string"}
            raise QueryBadData(
                f'invalid expression type "{names[kind]}" for range query, must be Scalar or instant Vector'
            )
        steps = np.arange(start_ms, end_ms + 1, step_ms, dtype=np.int64)
        value = self._run(expr, steps, QueryWindow(start_ms, end_ms))
        return _range_result(value, steps)

    def _run(self, expr: Expr, steps: np.ndarray, window: QueryWindow) -> Value:
        o = self.options
        if not self._slots.acquire(timeout=o.timeout_s):
            raise QueryTimeout("query timed out in query queue")
        try:
            limits = Limits(
                o.lookback_ms, o.default_eval_interval_ms, o.max_samples, time.monotonic() + o.timeout_s
            )
            return Evaluator(self._queryable, steps, window, limits).eval(expr)
        finally:
            self._slots.release()


def _instant_result(value: Value, t_ms: int) -> QueryResult:
    t = _ts(t_ms)
    if isinstance(value, StepScalar):
        return QueryResult("scalar", [t, format_api_value(float(value.values[0]))])
    if isinstance(value, StepString):
        return QueryResult("string", [t, value.value])
    if isinstance(value, StepVector):
        rows = np.flatnonzero(value.present[:, 0])
        return QueryResult(
            "vector",
            [
                {
                    "metric": value.labels[i].to_dict(),
                    "value": [t, format_api_value(float(value.values[i, 0]))],
                }
                for i in rows.tolist()
            ],
        )
    if isinstance(value, RangeWindows):
        out: list[tuple[Labels, dict[str, Any]]] = []
        for i, lset in enumerate(value.labels):
            lo, hi = int(value.start[i, 0]), int(value.end[i, 0])
            if hi > lo:
                points = [
                    [_ts(int(t)), format_api_value(float(v))]
                    for t, v in zip(value.ts[lo:hi], value.vs[lo:hi], strict=True)
                ]
                out.append((lset, {"metric": lset.to_dict(), "values": points}))
        out.sort(key=lambda pair: pair[0])
        return QueryResult("matrix", [series for _, series in out])
    raise QueryError(f"unexpected result {type(value).__name__}")


def _range_result(value: Value, steps: np.ndarray) -> QueryResult:
    times = [_ts(int(t)) for t in steps.tolist()]
    if isinstance(value, StepScalar):
        points = [[t, format_api_value(v)] for t, v in zip(times, value.values.tolist(), strict=True)]
        return QueryResult("matrix", [{"metric": {}, "values": points}])
    if not isinstance(value, StepVector):
        raise QueryError(f"unexpected result {type(value).__name__} for a range query")
    series = []
    order = sorted(range(len(value.labels)), key=lambda i: value.labels[i])
    for i in order:
        cols = np.flatnonzero(value.present[i])
        if cols.size == 0:
            continue
        vals = value.values[i, cols].tolist()
        series.append(
            {
                "metric": value.labels[i].to_dict(),
                "values": [[times[c], format_api_value(v)] for c, v in zip(cols.tolist(), vals, strict=True)],
            }
        )
    return QueryResult("matrix", series)
