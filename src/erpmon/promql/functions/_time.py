"""time(), timestamp() and the UTC date functions (year, month, ..., days_in_month).

Dates follow Go's time package exactly, including its conversion of the value to whole seconds
(truncation; NaN and out-of-range values become the minimum int64, as on amd64) and its
wrap-around arithmetic for absurd years, so every float gives the same answer as Prometheus.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from erpmon.model import Labels
from erpmon.promql._values import F64, I64, StepScalar, StepVector

U64 = npt.NDArray[np.uint64]
Bool = npt.NDArray[np.bool_]

_INT64_MIN = np.iinfo(np.int64).min
_TWO63 = 9.223372036854775808e18
# Go: unixToInternal + internalToAbsolute, seconds from 1970 to its absolute zero year's Jan 1.
_UNIX_TO_ABSOLUTE = np.uint64(9223372028715321600)
_ABSOLUTE_ZERO_YEAR = -292277022399  # 1 mod 400, so 400-year cycles start on its Jan 1
_DAYS_400Y = 146097
_DAYS_100Y = 36524
_DAYS_4Y = 1461
_DAYS_BEFORE = np.array([0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365], dtype=np.int64)
_DAYS_IN = np.diff(_DAYS_BEFORE)


def time_(step_times: I64) -> StepScalar:
    return StepScalar(step_times / 1000)


def timestamp(v: StepVector, sample_times: F64 | None, step_times: I64) -> StepVector:
    """The sample timestamps in seconds (of a selector's samples), else the step times."""
    if sample_times is not None:
        values = np.asarray(sample_times, dtype=np.float64)
    else:
        values = np.broadcast_to((step_times / 1000)[None, :], v.values.shape).copy()
    return StepVector([lset.without_name() for lset in v.labels], values, v.present)


def _go_int64(v: F64) -> I64:
    """Go's int64(float64) on amd64: truncation; NaN and out-of-range give the minimum int64."""
    with np.errstate(invalid="ignore"):
        ok = (v >= -_TWO63) & (v < _TWO63)
    out: I64 = np.where(ok, np.trunc(np.where(ok, v, 0.0)), 0).astype(np.int64)
    out[~ok] = _INT64_MIN
    return out


def _absolute(unix_seconds: I64) -> U64:
    """Seconds since Go's absolute zero year, with Go's wrap-around."""
    result: U64 = unix_seconds.view(np.uint64) + _UNIX_TO_ABSOLUTE
    return result


def _is_leap(year: I64) -> Bool:
    leap: Bool = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    return leap


def _year_yday(abs_s: U64) -> tuple[I64, I64]:
    """Year and 0-based day of year, splitting days into 400-, 100-, 4- and 1-year cycles."""
    d = (abs_s // np.uint64(86400)).astype(np.int64)
    n = d // _DAYS_400Y
    y = 400 * n
    d = d - _DAYS_400Y * n
    n = d // _DAYS_100Y
    n = n - (n >> 2)  # the last day of a 400-year cycle is in the fourth century, not a fifth
    y += 100 * n
    d = d - _DAYS_100Y * n
    n = d // _DAYS_4Y
    y += 4 * n
    d = d - _DAYS_4Y * n
    n = d // 365
    n = n - (n >> 2)
    y += n
    d = d - 365 * n
    return y + _ABSOLUTE_ZERO_YEAR, d


def _month_day(year: I64, yday: I64) -> tuple[I64, I64]:
    leap = _is_leap(year)
    adj = np.where(leap & (yday > 59), yday - 1, yday)
    month = np.searchsorted(_DAYS_BEFORE[1:], adj, side="right").astype(np.int64) + 1
    day = adj - _DAYS_BEFORE[month - 1] + 1
    feb29 = leap & (yday == 59)
    return np.where(feb29, 2, month), np.where(feb29, 29, day)


def _year(a: U64) -> I64:
    return _year_yday(a)[0]


def _month(a: U64) -> I64:
    return _month_day(*_year_yday(a))[0]


def _day_of_month(a: U64) -> I64:
    return _month_day(*_year_yday(a))[1]


def _day_of_year(a: U64) -> I64:
    yday: I64 = _year_yday(a)[1] + 1
    return yday


def _day_of_week(a: U64) -> I64:
    # Go's absolute zero day is a Monday; Sunday is 0.
    out: I64 = ((a + np.uint64(86400)) % np.uint64(604800) // np.uint64(86400)).astype(np.int64)
    return out


def _hour(a: U64) -> I64:
    out: I64 = (a % np.uint64(86400) // np.uint64(3600)).astype(np.int64)
    return out


def _minute(a: U64) -> I64:
    out: I64 = (a % np.uint64(3600) // np.uint64(60)).astype(np.int64)
    return out


def _days_in_month(a: U64) -> I64:
    year, yday = _year_yday(a)
    month, _ = _month_day(year, yday)
    out: I64 = np.where((month == 2) & _is_leap(year), 29, _DAYS_IN[month - 1])
    return out


DATE_FUNCTIONS: dict[str, Callable[[U64], I64]] = {
    "year": _year,
    "month": _month,
    "day_of_month": _day_of_month,
    "day_of_year": _day_of_year,
    "day_of_week": _day_of_week,
    "hour": _hour,
    "minute": _minute,
    "days_in_month": _days_in_month,
}


def _go_div1000(ms: I64) -> I64:
    """Go's integer ms / 1000 (truncating toward zero)."""
    q = ms // 1000
    out: I64 = q + ((ms % 1000 != 0) & (ms < 0))
    return out


def date_function(name: str, v: StepVector | None, step_times: I64) -> StepVector:
    """With no argument: one series without labels, for the step times; else per sample, name dropped."""
    fn = DATE_FUNCTIONS[name]
    if v is None:
        seconds = _go_div1000(np.asarray(step_times, dtype=np.int64))
        values = fn(_absolute(seconds)).astype(np.float64)[None, :]
        return StepVector([Labels()], values, np.ones(values.shape, dtype=bool))
    values = fn(_absolute(_go_int64(v.values).ravel())).astype(np.float64).reshape(v.values.shape)
    return StepVector([lset.without_name() for lset in v.labels], values, v.present)
