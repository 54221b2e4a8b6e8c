"""Prometheus 2.42's number functions: convertToFloat (Go's strconv.ParseFloat for strings),
humanize, humanize1024, humanizeDuration, humanizePercentage, humanizeTimestamp and toTime, each
formatting with fmt's `%.4g` exactly as template/template.go does.
"""

from __future__ import annotations

import math
from typing import Any

from erpmon.model import format_g, go_quote
from erpmon.templates._fmt import sprintf
from erpmon.templates._gotime import GoTime
from erpmon.templates._types import type_name


def parse_go_float(s: str) -> float:
    """strconv.ParseFloat(s, 64) with Go's accepted syntax and error texts."""
    bad = ValueError(f"strconv.ParseFloat: parsing {go_quote(s)}: invalid syntax")
    if "_" in s and ("__" in s or not all(_digit_around(s, i) for i, c in enumerate(s) if c == "_")):
        raise bad
    text = s.replace("_", "")
    if text != text.strip() or text == "":
        raise bad
    low = text.lower().lstrip("+-")
    try:
        v = float.fromhex(text) if low.startswith("0x") else float(text)
    except ValueError:
        raise bad from None
    if low.startswith("0x") and "p" not in low:
        raise bad
    if math.isinf(v) and low not in ("inf", "infinity"):
        raise ValueError(f"strconv.ParseFloat: parsing {go_quote(s)}: value out of range")
    return v


def _digit_around(s: str, i: int) -> bool:
    """Go's underscoreOK: an underscore sits between digits (or after a base prefix)."""
    before = s[i - 1] if i > 0 else ""
    after = s[i + 1] if i + 1 < len(s) else ""
    return (before.isalnum()) and after.isalnum()


def convert_to_float(i: Any) -> float:
    if isinstance(i, float):
        return i
    if isinstance(i, str) and type(i) is str:
        return parse_go_float(i)
    if isinstance(i, int) and not isinstance(i, bool):
        return float(i)
    raise ValueError(f"can't convert {type_name(i)} to float")


def humanize(i: Any) -> str:
    v = convert_to_float(i)
    if v == 0 or math.isnan(v) or math.isinf(v):
        return sprintf("%.4g", v)
    prefix = ""
    if abs(v) >= 1:
        for p in ("k", "M", "G", "T", "P", "E", "Z", "Y"):
            if abs(v) < 1000:
                break
            prefix = p
            v /= 1000
        return sprintf("%.4g%s", v, prefix)
    for p in ("m", "u", "n", "p", "f", "a", "z", "y"):
        if abs(v) >= 1:
            break
        prefix = p
        v *= 1000
    return sprintf("%.4g%s", v, prefix)


def humanize1024(i: Any) -> str:
    v = convert_to_float(i)
    if abs(v) <= 1 or math.isnan(v) or math.isinf(v):
        return sprintf("%.4g", v)
    prefix = ""
    for p in ("ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"):
        if abs(v) < 1024:
            break
        prefix = p
        v /= 1024
    return sprintf("%.4g%s", v, prefix)


def humanize_duration(i: Any) -> str:
    v = convert_to_float(i)
    if math.isnan(v) or math.isinf(v):
        return sprintf("%.4g", v)
    if v == 0:
        return sprintf("%.4gs", v)
    if abs(v) >= 1:
        sign = ""
        if v < 0:
            sign, v = "-", -v
        duration = _go_int64(v)
        seconds = _rem(duration, 60)
        minutes = _rem(_quo(duration, 60), 60)
        hours = _rem(_quo(duration, 3600), 24)
        days = _quo(duration, 86400)
        if days != 0:
            return f"{sign}{days}d {hours}h {minutes}m {seconds}s"
        if hours != 0:
            return f"{sign}{hours}h {minutes}m {seconds}s"
        if minutes != 0:
            return f"{sign}{minutes}m {seconds}s"
        return sprintf("%s%.4gs", sign, v)
    prefix = ""
    for p in ("m", "u", "n", "p", "f", "a", "z", "y"):
        if abs(v) >= 1:
            break
        prefix = p
        v *= 1000
    return sprintf("%.4g%ss", v, prefix)


def _quo(a: int, b: int) -> int:
    """Go's integer division (truncates toward zero)."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q


def _rem(a: int, b: int) -> int:
    return a - b * _quo(a, b)


def _go_int64(v: float) -> int:
    """Go's int64(v) on amd64: truncation; out-of-range values give math.MinInt64."""
    if math.isnan(v) or not -(2.0**63) <= v < 2.0**63:
        return -(1 << 63)
    return int(v)


def humanize_percentage(i: Any) -> str:
    return sprintf("%.4g%%", convert_to_float(i) * 100)


class _NaNOrInf(Exception):
    pass


def float_to_time(v: float) -> GoTime:
    if math.isnan(v) or math.isinf(v):
        raise _NaNOrInf
    timestamp = v * 1e9
    if timestamp > 2.0**63 - 1 or timestamp < -(2.0**63):
        raise ValueError(
            f"{format_g(v)} cannot be represented as a nanoseconds timestamp since it overflows int64"
        )
    ns = _go_int64(timestamp)
    ms = abs(ns) // 1_000_000 * (1 if ns >= 0 else -1)
    return GoTime(ms)


def humanize_timestamp(i: Any) -> str:
    v = convert_to_float(i)
    try:
        return float_to_time(v).String()
    except _NaNOrInf:
        return sprintf("%.4g", v)


def to_time(i: Any) -> GoTime:
    try:
        return float_to_time(convert_to_float(i))
    except _NaNOrInf:
        raise ValueError("value is NaN or Inf") from None
