"""Parsing Prometheus API parameters: times (unix seconds or RFC 3339) and durations."""

from __future__ import annotations

import datetime as dt
import math
import re

from erpmon.config import parse_duration

# Prometheus's minTime / maxTime for unbounded series and label queries.
MIN_TIME_MS = -9223372036854775808 // 1_000_000 * 1000
MAX_TIME_MS = 9223372036854775807 // 1_000_000 * 1000

_RFC3339 = re.compile(r"^(\d{4}-\d{2}-\d{2})[Tt](\d{2}:\d{2}:\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


class ParamError(ValueError):
    pass


def parse_time_ms(text: str, name: str) -> int:
    """A unix timestamp in (fractional) seconds or an RFC 3339 time, as Prometheus's parseTime."""
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        if math.isnan(seconds) or math.isinf(seconds):
            raise ParamError(f'invalid parameter "{name}": cannot parse "{text}" to a valid timestamp')
        return round(seconds * 1000)
    m = _RFC3339.match(text)
    if m:
        date, clock, frac, zone = m.groups()
        zone = "+00:00" if zone in ("Z", "z") else zone
        base = dt.datetime.fromisoformat(f"{date}T{clock}{zone}")
        ms = int(base.timestamp()) * 1000
        if frac:
            ms += int((frac[1:] + "000")[:3])
        return ms
    raise ParamError(f'invalid parameter "{name}": cannot parse "{text}" to a valid timestamp')


def parse_duration_ms(text: str, name: str) -> int:
    """A duration as float seconds or Prometheus's duration syntax."""
    try:
        seconds = float(text)
    except ValueError:
        try:
            return parse_duration(text)
        except ValueError:
            raise ParamError(
                f'invalid parameter "{name}": cannot parse "{text}" to a valid duration'
            ) from None
    if math.isnan(seconds) or math.isinf(seconds):
        raise ParamError(f'invalid parameter "{name}": cannot parse "{text}" to a valid duration')
    ms = round(seconds * 1000)
    if ms > 2**62:
        raise ParamError(
            f'invalid parameter "{name}": cannot parse "{text}" to a valid duration. It overflows int64'
        )
    return ms
