"""One `TimeInterval`: ranges of clock times, weekdays, days of the month, months and years."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from yaml import SequenceNode

from erpmon.config._decode import Decoder
from erpmon.config._yamlnode import Node, is_null

_WEEKDAYS = {
    name: i
    for i, name in enumerate(["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"])
}
_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTH_NAMES = {i: name for name, i in _MONTHS.items()}
# 0.25's validTime: 00:00 to 23:59, or 24:00.
_TIME = re.compile(r"(?:(?:[01][0-9]|2[0-3]):[0-5][0-9]|24:00)\Z")

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
    for item in _seq(dec, f.get("times"), "[]timeinterval.TimeRange"):
        tf = dec.fields(item, "timeinterval.yamlTimeRange", ("start_time", "end_time"))
        if tf is None:
            continue
        start_text, end_text = dec.string(tf.get("start_time")), dec.string(tf.get("end_time"))
        if not start_text or not end_text:
            dec.error(item, "both start and end times must be provided")
            continue
        start = _clock(dec, tf.get("start_time"), start_text)
        end = _clock(dec, tf.get("end_time"), end_text) if start is not None else None
        if start is not None and end is not None:
            if start >= end:
                dec.error(item, "start time cannot be equal or greater than end time")
            times.append((start, end))
    location = _location(dec, f.get("location"))
    ti = TimeInterval(
        tuple(times),
        _ranges(dec, f.get("weekdays"), _weekday_range, "[]timeinterval.WeekdayRange"),
        _ranges(dec, f.get("days_of_month"), _day_range, "[]timeinterval.DayOfMonthRange"),
        _ranges(dec, f.get("months"), _month_range, "[]timeinterval.MonthRange"),
        _ranges(dec, f.get("years"), _year_range, "[]timeinterval.YearRange"),
        location,
    )
    return ti if dec.clean(mark) else None


def _location(dec: Decoder, node: Node | None) -> str:
    """`time.LoadLocation`: "" and "UTC" are UTC; erpmon runs in UTC, so "Local" is UTC too."""
    if node is None:
        return "UTC"
    name = dec.string(node)
    if name in ("", "UTC", "Local"):
        return "UTC"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        dec.error(node, f"unknown time zone {name}")
        return "UTC"
    return name


# Go's strconv.Atoi: an optional sign and ASCII digits, nothing else (no spaces, no underscores).
_ATOI = re.compile(r"[+-]?[0-9]+\Z")


def _atoi(text: str) -> int:
    if not _ATOI.match(text):
        raise ValueError(f'strconv.Atoi: parsing "{text}": invalid syntax')
    return int(text)


def _weekday(text: str) -> int:
    if text not in _WEEKDAYS:
        raise ValueError(f"{text} is not a valid weekday")
    return _WEEKDAYS[text]


def _month(text: str) -> int:
    if text in _MONTHS:
        return _MONTHS[text]
    try:
        return _atoi(text)
    except ValueError:
        raise ValueError(f"{text} is not a valid month") from None


def _split(text: str, member: Callable[[str], int]) -> Range:
    """`stringableRangeFromString`: lower-cased, `a` or `a:b`, each side parsed by `member`."""
    text = text.lower()
    if ":" not in text:
        value = member(text)
        return value, value
    parts = text.split(":")
    if len(parts) != 2:
        raise ValueError(f"couldn't parse range {text}, invalid format")
    return member(parts[0]), member(parts[1])


def _weekday_range(text: str) -> Range:
    begin, end = _split(text, _weekday)
    if begin > end:
        raise ValueError("start day cannot be before end day")
    return begin, end


def _day_range(text: str) -> Range:
    begin, end = _split(text, _atoi)
    for day in (begin, end):
        if day == 0 or not -31 <= day <= 31:
            raise ValueError(f"{day} is not a valid day of the month: out of range")
    if begin < 0 < end:
        raise ValueError("end day must be negative if start day is negative")
    # 0.25 compares negative days as if the month had 28 days.
    if (28 + begin if begin < 0 else begin) > (28 + end if end < 0 else end):
        raise ValueError(f"end day {end} is always before start day {begin}")
    return begin, end


def _month_range(text: str) -> Range:
    begin, end = _split(text, _month)
    if begin > end:
        # Numbers outside 1..12 are accepted and print as "" here, as in 0.25.
        raise ValueError(
            f"end month {_MONTH_NAMES.get(end, '')} is before start month {_MONTH_NAMES.get(begin, '')}"
        )
    return begin, end


def _year_range(text: str) -> Range:
    begin, end = _split(text, _atoi)
    if begin > end:
        raise ValueError(f"end year {end} is before start year {begin}")
    return begin, end


def _clock(dec: Decoder, node: Node | None, text: str) -> int | None:
    if not _TIME.match(text):
        dec.error(node, f"couldn't parse timestamp {text}, invalid format")
        return None
    hour, minute = text.split(":")
    return int(hour) * 60 + int(minute)


def _ranges(
    dec: Decoder, node: Node | None, parse: Callable[[str], Range], go_type: str
) -> tuple[Range, ...]:
    out: list[Range] = []
    for item in _seq(dec, node, go_type):
        try:
            out.append(parse(dec.string(item)))
        except ValueError as err:
            dec.error(item, str(err))
    return tuple(out)


def _seq(dec: Decoder, node: Node | None, go_type: str) -> list[Node]:
    if node is None or is_null(node):
        return []
    if not isinstance(node, SequenceNode):
        dec.terror(node, go_type)
        return []
    return list(node.value)
