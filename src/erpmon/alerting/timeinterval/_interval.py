"""One `TimeInterval`: ranges of clock times, weekdays, days of the month, months and years."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from erpmon.config._decode import Decoder
from erpmon.config._yamlnode import Node

_WEEKDAYS = {
    name: i
    for i, name in enumerate(["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"])
}
_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_TIME = re.compile(r"^(\d{2}):(\d{2})$")

Range = tuple[int, int]


@dataclass(frozen=True)
class TimeInterval:
    times: tuple[Range, ...] = ()  # minutes since midnight, [start, end)
    weekdays: tuple[Range, ...] = ()  # 0 = Sunday, inclusive
    days_of_month: tuple[Range, ...] = ()  # 1..31 or negative from the month's end, inclusive
    months: tuple[Range, ...] = ()  # 1..12 inclusive
    years: tuple[Range, ...] = ()
    location: str = "UTC"

    def contains(self, now_ns: int) -> bool:
        t = dt.datetime.fromtimestamp(now_ns / 1e9, tz=ZoneInfo(self.location))
        if self.times:
            minute = t.hour * 60 + t.minute
            if not any(s <= minute < e for s, e in self.times):
                return False
        if self.days_of_month:
            last = calendar.monthrange(t.year, t.month)[1]

            def norm(d: int) -> int:
                return d if d > 0 else last + d + 1

            if not any(norm(s) <= t.day <= min(norm(e), last) for s, e in self.days_of_month):
                return False
        if self.months and not any(s <= t.month <= e for s, e in self.months):
            return False
        weekday = (t.weekday() + 1) % 7
        if self.weekdays and not any(s <= weekday <= e for s, e in self.weekdays):
            return False
        return not self.years or any(s <= t.year <= e for s, e in self.years)


def intervals_contain(intervals: Sequence[TimeInterval], now_ns: int) -> bool:
    return any(i.contains(now_ns) for i in intervals)


_KEYS = ("times", "weekdays", "days_of_month", "months", "years", "location")


def decode_time_interval(dec: Decoder, node: Node) -> TimeInterval | None:
    f = dec.fields(node, "timeinterval.TimeInterval", _KEYS)
    if f is None:
        return TimeInterval()
    mark = dec.mark()
    times: list[Range] = []
    for item in _seq(dec, f.get("times")):
        tf = dec.fields(item, "timeinterval.TimeRange", ("start_time", "end_time"))
        if tf is None:
            continue
        start = _clock(dec, tf.get("start_time"), item)
        end = _clock(dec, tf.get("end_time"), item)
        if start is not None and end is not None:
            if start >= end:
                dec.error(item, "start time cannot be equal or greater than end time")
            times.append((start, end))
    location = dec.string(f.get("location"), "UTC") or "UTC"
    if location.lower() == "local":
        location = "UTC"
    try:
        ZoneInfo(location)
    except (ZoneInfoNotFoundError, ValueError):
        dec.error(f.get("location"), f"unknown time zone {location}")
        location = "UTC"
    ti = TimeInterval(
        tuple(times),
        _ranges(dec, f.get("weekdays"), lambda s: _WEEKDAYS.get(s.lower()), "weekday", 0, 6),
        _ranges(dec, f.get("days_of_month"), _int, "day of month", -31, 31, nonzero=True),
        _ranges(dec, f.get("months"), lambda s: _MONTHS.get(s.lower(), _int(s)), "month", 1, 12),
        _ranges(dec, f.get("years"), _int, "year", 0, 9999),
        location,
    )
    return ti if dec.clean(mark) else None


def _int(s: str) -> int | None:
    try:
        return int(s)
    except ValueError:
        return None


def _clock(dec: Decoder, node: Node | None, owner: Node) -> int | None:
    text = dec.string(node)
    m = _TIME.match(text)
    if m is None:
        dec.error(node or owner, f"couldn't parse timestamp {text}, invalid format")
        return None
    hour, minute = int(m.group(1)), int(m.group(2))
    if hour > 24 or minute > 59 or (hour == 24 and minute):
        dec.error(node, f"timestamp {text} out of range")
        return None
    return hour * 60 + minute


def _ranges(
    dec: Decoder, node: Node | None, parse: object, what: str, lo: int, hi: int, nonzero: bool = False
) -> tuple[Range, ...]:
    out: list[Range] = []
    for item in _seq(dec, node):
        text = dec.string(item).strip()
        first, _, second = text.partition(":")
        values = []
        for part in (first, second or first):
            v = parse(part.strip()) if callable(parse) else None
            if v is None or not lo <= v <= hi or (nonzero and v == 0):
                dec.error(item, f"{text} is not a valid {what}")
                break
            values.append(v)
        else:
            start, end = values
            if start > end and not (nonzero and start > 0 > end):
                dec.error(item, f"start {what} cannot be after end {what}")
                continue
            out.append((start, end))
    return tuple(out)


def _seq(dec: Decoder, node: Node | None) -> list[Node]:
    from yaml import SequenceNode

    from erpmon.config._yamlnode import is_null

    if node is None or is_null(node):
        return []
    if not isinstance(node, SequenceNode):
        dec.terror(node, "[]string")
        return []
    return list(node.value)
