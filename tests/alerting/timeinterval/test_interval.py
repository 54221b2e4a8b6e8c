"""Time intervals: ranges of times, weekdays, days of the month (negative), months, years, zones."""

from __future__ import annotations

import datetime as dt

import pytest

from erpmon.alerting.config import parse_alertmanager_config
from erpmon.alerting.timeinterval import intervals_contain
from erpmon.config import ConfigError


def at(text: str) -> int:
    return int(dt.datetime.fromisoformat(text).timestamp()) * 1_000_000_000


def intervals(body: str) -> object:
    head = "route: {receiver: r}\nreceivers: [{name: r}]\ntime_intervals:\n  - name: x\n    time_intervals:\n"
    text = head + body
    return parse_alertmanager_config(text).time_intervals["x"]


@pytest.mark.parametrize(
    ("body", "instant", "inside"),
    [
        ("      - times: [{start_time: '09:00', end_time: '17:00'}]\n", "2024-05-06T09:00:00+00:00", True),
        ("      - times: [{start_time: '09:00', end_time: '17:00'}]\n", "2024-05-06T17:00:00+00:00", False),
        ("      - weekdays: ['monday:friday']\n", "2024-05-04T12:00:00+00:00", False),  # a Saturday
        ("      - weekdays: ['saturday', 'sunday']\n", "2024-05-05T12:00:00+00:00", True),
        ("      - days_of_month: ['-1']\n", "2024-02-29T12:00:00+00:00", True),
        ("      - days_of_month: ['-1']\n", "2024-02-28T12:00:00+00:00", False),
        ("      - days_of_month: ['1:5']\n        months: ['february']\n", "2024-02-03T00:00:00+00:00", True),
        (
            "      - months: ['december:december']\n        years: ['2023']\n",
            "2024-12-03T00:00:00+00:00",
            False,
        ),
        (
            "      - times: [{start_time: '09:00', end_time: '10:00'}]\n        location: 'Europe/Berlin'\n",
            "2024-07-01T07:30:00+00:00",  # 09:30 in Berlin (summer time)
            True,
        ),
    ],
)
def test_contains(body: str, instant: str, inside: bool) -> None:
    assert intervals_contain(intervals(body), at(instant)) is inside  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("      - weekdays: ['funday']\n", "funday is not a valid weekday"),
        (
            "      - times: [{start_time: '10:00', end_time: '09:00'}]\n",
            "start time cannot be equal or greater",
        ),
        ("      - days_of_month: ['0']\n", "0 is not a valid day of month"),
        ("      - location: 'Mars/Olympus'\n", "unknown time zone Mars/Olympus"),
    ],
)
def test_refuses(body: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        intervals(body)
