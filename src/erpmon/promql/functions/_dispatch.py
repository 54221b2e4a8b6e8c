"""call(): a function by name on evaluated arguments, at every step at once."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from erpmon.promql._values import F64, RangeWindows, StepScalar, StepString, StepVector, Value
from erpmon.promql.functions import (
    _histogram,
    _instant,
    _labels,
    _math,
    _over_time,
    _rate,
    _regression,
    _time,
)
from erpmon.promql.functions._context import CallContext

Result = StepVector | StepScalar
Handler = Callable[[Sequence[Value], CallContext], Result]


def _vec(args: Sequence[Value], i: int) -> StepVector:
    a = args[i]
    if not isinstance(a, StepVector):
        raise TypeError(f"argument {i + 1}: expected an instant vector, got {type(a).__name__}")
    return a


def _mat(args: Sequence[Value], i: int) -> RangeWindows:
    a = args[i]
    if not isinstance(a, RangeWindows):
        raise TypeError(f"argument {i + 1}: expected a range vector, got {type(a).__name__}")
    return a


def _num(args: Sequence[Value], i: int) -> F64:
    a = args[i]
    if not isinstance(a, StepScalar):
        raise TypeError(f"argument {i + 1}: expected a scalar, got {type(a).__name__}")
    values: F64 = np.asarray(a.values, dtype=np.float64)
    return values


def _str(args: Sequence[Value], i: int) -> str:
    a = args[i]
    if not isinstance(a, StepString):
        raise TypeError(f"argument {i + 1}: expected a string, got {type(a).__name__}")
    return a.value


def _range(fn: Callable[[RangeWindows], StepVector]) -> Handler:
    return lambda args, ctx: fn(_mat(args, 0))


def _unary(name: str) -> Handler:
    return lambda args, ctx: _math.unary(name, _vec(args, 0))


def _date(name: str) -> Handler:
    return lambda args, ctx: _time.date_function(name, _vec(args, 0) if args else None, ctx.step_times)


def _native_only(vector_arg: int) -> Handler:
    """histogram_count/sum/fraction read native histograms only, which erpmon does not store."""
    return lambda args, ctx: StepVector.empty(_vec(args, vector_arg).n_steps)


def _n_steps(ctx: CallContext) -> int:
    return int(np.asarray(ctx.step_times).shape[0])


HANDLERS: dict[str, Handler] = {
    "rate": lambda args, ctx: _rate.extrapolated_rate(_mat(args, 0), is_counter=True, is_rate=True),
    "increase": lambda args, ctx: _rate.extrapolated_rate(_mat(args, 0), is_counter=True, is_rate=False),
    "delta": lambda args, ctx: _rate.extrapolated_rate(_mat(args, 0), is_counter=False, is_rate=False),
    "irate": lambda args, ctx: _rate.instant_value(_mat(args, 0), is_rate=True),
    "idelta": lambda args, ctx: _rate.instant_value(_mat(args, 0), is_rate=False),
    "resets": _range(_rate.resets),
    "changes": _range(_rate.changes),
    "deriv": _range(_regression.deriv),
    "predict_linear": lambda args, ctx: _regression.predict_linear(
        _mat(args, 0), _num(args, 1), ctx.step_times
    ),
    "holt_winters": lambda args, ctx: _regression.holt_winters(_mat(args, 0), _num(args, 1), _num(args, 2)),
    "avg_over_time": _range(_over_time.avg_over_time),
    "count_over_time": _range(_over_time.count_over_time),
    "last_over_time": _range(_over_time.last_over_time),
    "max_over_time": _range(_over_time.max_over_time),
    "min_over_time": _range(_over_time.min_over_time),
    "present_over_time": _range(_over_time.present_over_time),
    "stddev_over_time": _range(_over_time.stddev_over_time),
    "stdvar_over_time": _range(_over_time.stdvar_over_time),
    "sum_over_time": _range(_over_time.sum_over_time),
    "quantile_over_time": lambda args, ctx: _over_time.quantile_over_time(_num(args, 0), _mat(args, 1)),
    "absent_over_time": lambda args, ctx: _over_time.absent_over_time(_mat(args, 0), ctx.absent_labels),
    "absent": lambda args, ctx: _instant.absent(_vec(args, 0), ctx.absent_labels),
    "clamp": lambda args, ctx: _math.clamp(_vec(args, 0), _num(args, 1), _num(args, 2)),
    "clamp_max": lambda args, ctx: _math.clamp_max(_vec(args, 0), _num(args, 1)),
    "clamp_min": lambda args, ctx: _math.clamp_min(_vec(args, 0), _num(args, 1)),
    "round": lambda args, ctx: _math.round_(_vec(args, 0), _num(args, 1) if len(args) > 1 else None),
    "histogram_quantile": lambda args, ctx: _histogram.histogram_quantile(_num(args, 0), _vec(args, 1)),
    "histogram_count": _native_only(0),
    "histogram_sum": _native_only(0),
    "histogram_fraction": _native_only(2),
    "label_replace": lambda args, ctx: _labels.label_replace(
        _vec(args, 0), _str(args, 1), _str(args, 2), _str(args, 3), _str(args, 4)
    ),
    "label_join": lambda args, ctx: _labels.label_join(
        _vec(args, 0), _str(args, 1), _str(args, 2), [_str(args, i) for i in range(3, len(args))]
    ),
    "timestamp": lambda args, ctx: _time.timestamp(_vec(args, 0), ctx.sample_times, ctx.step_times),
    "time": lambda args, ctx: _time.time_(ctx.step_times),
    "pi": lambda args, ctx: _instant.pi(_n_steps(ctx)),
    "vector": lambda args, ctx: _instant.vector(StepScalar(_num(args, 0))),
    "scalar": lambda args, ctx: _instant.scalar(_vec(args, 0)),
    "sort": lambda args, ctx: _instant.sort_vector(_vec(args, 0), descending=False),
    "sort_desc": lambda args, ctx: _instant.sort_vector(_vec(args, 0), descending=True),
}
HANDLERS.update({name: _unary(name) for name in _math.UNARY})
HANDLERS.update({name: _date(name) for name in _time.DATE_FUNCTIONS})


def call(name: str, args: Sequence[Value], ctx: CallContext) -> StepVector | StepScalar:
    """Evaluate PromQL function `name` on its evaluated arguments at every step.

    Arguments come in the order of the PromQL call: instant vectors as StepVector, range
    vectors as RangeWindows, scalars as StepScalar (one value per step), strings as StepString.
    Raises FunctionError for arguments Prometheus rejects while evaluating (label_replace's
    regex or label names, label_join's names, holt_winters' factors), and TypeError/KeyError for
    calls the parser should have refused (wrong argument types, unknown function).
    """
    try:
        handler = HANDLERS[name]
    except KeyError:
        raise KeyError(f"unknown function {name!r}") from None
    return handler(args, ctx)
