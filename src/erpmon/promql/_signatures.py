"""Prometheus 2.42's function table (promql/parser/functions.go): argument and return types."""

from __future__ import annotations

from dataclasses import dataclass

from erpmon.promql._ast import ValueType

SCALAR, VECTOR, MATRIX, STRING = ValueType.SCALAR, ValueType.VECTOR, ValueType.MATRIX, ValueType.STRING


@dataclass(frozen=True)
class FunctionSignature:
    name: str
    arg_types: tuple[ValueType, ...]
    variadic: int  # 0: exactly arg_types; n > 0: up to n trailing args optional; -1: any number more
    return_type: ValueType
    experimental: bool = False


FUNCTIONS: dict[str, FunctionSignature] = {
    "abs": FunctionSignature("abs", (VECTOR,), 0, VECTOR),
    "absent": FunctionSignature("absent", (VECTOR,), 0, VECTOR),
    "absent_over_time": FunctionSignature("absent_over_time", (MATRIX,), 0, VECTOR),
    "acos": FunctionSignature("acos", (VECTOR,), 0, VECTOR),
    "acosh": FunctionSignature("acosh", (VECTOR,), 0, VECTOR),
    "asin": FunctionSignature("asin", (VECTOR,), 0, VECTOR),
    "asinh": FunctionSignature("asinh", (VECTOR,), 0, VECTOR),
    "atan": FunctionSignature("atan", (VECTOR,), 0, VECTOR),
    "atanh": FunctionSignature("atanh", (VECTOR,), 0, VECTOR),
    "avg_over_time": FunctionSignature("avg_over_time", (MATRIX,), 0, VECTOR),
    "ceil": FunctionSignature("ceil", (VECTOR,), 0, VECTOR),
    "changes": FunctionSignature("changes", (MATRIX,), 0, VECTOR),
    "clamp": FunctionSignature("clamp", (VECTOR, SCALAR, SCALAR), 0, VECTOR),
    "clamp_max": FunctionSignature("clamp_max", (VECTOR, SCALAR), 0, VECTOR),
    "clamp_min": FunctionSignature("clamp_min", (VECTOR, SCALAR), 0, VECTOR),
    "cos": FunctionSignature("cos", (VECTOR,), 0, VECTOR),
    "cosh": FunctionSignature("cosh", (VECTOR,), 0, VECTOR),
    "count_over_time": FunctionSignature("count_over_time", (MATRIX,), 0, VECTOR),
    "days_in_month": FunctionSignature("days_in_month", (VECTOR,), 1, VECTOR),
    "day_of_month": FunctionSignature("day_of_month", (VECTOR,), 1, VECTOR),
    "day_of_week": FunctionSignature("day_of_week", (VECTOR,), 1, VECTOR),
    "day_of_year": FunctionSignature("day_of_year", (VECTOR,), 1, VECTOR),
    "deg": FunctionSignature("deg", (VECTOR,), 0, VECTOR),
    "delta": FunctionSignature("delta", (MATRIX,), 0, VECTOR),
    "deriv": FunctionSignature("deriv", (MATRIX,), 0, VECTOR),
    "exp": FunctionSignature("exp", (VECTOR,), 0, VECTOR),
    "floor": FunctionSignature("floor", (VECTOR,), 0, VECTOR),
    "histogram_count": FunctionSignature("histogram_count", (VECTOR,), 0, VECTOR),
    "histogram_sum": FunctionSignature("histogram_sum", (VECTOR,), 0, VECTOR),
    "histogram_fraction": FunctionSignature("histogram_fraction", (SCALAR, SCALAR, VECTOR), 0, VECTOR),
    "histogram_quantile": FunctionSignature("histogram_quantile", (SCALAR, VECTOR), 0, VECTOR),
    "holt_winters": FunctionSignature("holt_winters", (MATRIX, SCALAR, SCALAR), 0, VECTOR),
    "hour": FunctionSignature("hour", (VECTOR,), 1, VECTOR),
    "idelta": FunctionSignature("idelta", (MATRIX,), 0, VECTOR),
    "increase": FunctionSignature("increase", (MATRIX,), 0, VECTOR),
    "irate": FunctionSignature("irate", (MATRIX,), 0, VECTOR),
    "label_replace": FunctionSignature("label_replace", (VECTOR, STRING, STRING, STRING, STRING), 0, VECTOR),
    "label_join": FunctionSignature("label_join", (VECTOR, STRING, STRING, STRING), -1, VECTOR),
    "last_over_time": FunctionSignature("last_over_time", (MATRIX,), 0, VECTOR),
    "ln": FunctionSignature("ln", (VECTOR,), 0, VECTOR),
    "log10": FunctionSignature("log10", (VECTOR,), 0, VECTOR),
    "log2": FunctionSignature("log2", (VECTOR,), 0, VECTOR),
    "max_over_time": FunctionSignature("max_over_time", (MATRIX,), 0, VECTOR),
    "min_over_time": FunctionSignature("min_over_time", (MATRIX,), 0, VECTOR),
    "minute": FunctionSignature("minute", (VECTOR,), 1, VECTOR),
    "month": FunctionSignature("month", (VECTOR,), 1, VECTOR),
    "pi": FunctionSignature("pi", (), 0, SCALAR),
    "predict_linear": FunctionSignature("predict_linear", (MATRIX, SCALAR), 0, VECTOR),
    "present_over_time": FunctionSignature("present_over_time", (MATRIX,), 0, VECTOR),
    "quantile_over_time": FunctionSignature("quantile_over_time", (SCALAR, MATRIX), 0, VECTOR),
    "rad": FunctionSignature("rad", (VECTOR,), 0, VECTOR),
    "rate": FunctionSignature("rate", (MATRIX,), 0, VECTOR),
    "resets": FunctionSignature("resets", (MATRIX,), 0, VECTOR),
    "round": FunctionSignature("round", (VECTOR, SCALAR), 1, VECTOR),
    "scalar": FunctionSignature("scalar", (VECTOR,), 0, SCALAR),
    "sgn": FunctionSignature("sgn", (VECTOR,), 0, VECTOR),
    "sin": FunctionSignature("sin", (VECTOR,), 0, VECTOR),
    "sinh": FunctionSignature("sinh", (VECTOR,), 0, VECTOR),
    "sort": FunctionSignature("sort", (VECTOR,), 0, VECTOR),
    "sort_desc": FunctionSignature("sort_desc", (VECTOR,), 0, VECTOR),
    "sqrt": FunctionSignature("sqrt", (VECTOR,), 0, VECTOR),
    "stddev_over_time": FunctionSignature("stddev_over_time", (MATRIX,), 0, VECTOR),
    "stdvar_over_time": FunctionSignature("stdvar_over_time", (MATRIX,), 0, VECTOR),
    "sum_over_time": FunctionSignature("sum_over_time", (MATRIX,), 0, VECTOR),
    "tan": FunctionSignature("tan", (VECTOR,), 0, VECTOR),
    "tanh": FunctionSignature("tanh", (VECTOR,), 0, VECTOR),
    "time": FunctionSignature("time", (), 0, SCALAR),
    "timestamp": FunctionSignature("timestamp", (VECTOR,), 0, VECTOR),
    "vector": FunctionSignature("vector", (SCALAR,), 0, VECTOR),
    "year": FunctionSignature("year", (VECTOR,), 1, VECTOR),
}
