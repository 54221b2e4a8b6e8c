"""What a function call sees besides its arguments, and the error it raises."""

from __future__ import annotations

from dataclasses import dataclass, field

from erpmon.model import Labels
from erpmon.promql._errors import QueryError
from erpmon.promql._values import F64, I64


class FunctionError(QueryError, ValueError):
    """A function argument Prometheus rejects at evaluation (worded as Prometheus words it)."""


@dataclass(frozen=True)
class CallContext:
    """The query's steps and what Prometheus takes from the argument expressions rather than their values.

    step_times: (T,) the evaluation timestamps in ms of the steps being computed (Prometheus's
        `enh.Ts`, before any offset or @): time(), the date functions' default argument,
        predict_linear's intercept time, timestamp() of a non-selector argument.
    sample_times: for timestamp() whose argument is a vector selector (parenthesised or @-pinned
        included), the (n, T) timestamps in *seconds* of the samples the selector picked, as
        `_selectors.instant_vector` returns them; None for any other argument (timestamp() then
        gives the step times, as Prometheus does for computed vectors).
    absent_labels: for absent() and absent_over_time(), the label set Prometheus derives from
        the argument's selector matchers (createLabelsForAbsentFunction: each `name="value"`
        matcher other than `__name__`, a name matched twice or by another matcher type dropped);
        empty Labels() when the argument is not a selector.
    """

    step_times: I64
    sample_times: F64 | None = None
    absent_labels: Labels = field(default_factory=Labels)
