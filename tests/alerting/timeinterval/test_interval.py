"""Time intervals: ranges of times, weekdays, days of the month (negative), months, years, zones.

What is inside an interval follows 0.25's `ContainsTime`; what is refused is checked against
`amtool check-config` (0.25) on the same file, our reason containing amtool's.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
import subprocess
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from tests.support import need_binary

from erpmon.alerting.config import parse_alertmanager_config
from erpmon.alerting.timeinterval import TimeInterval, intervals_contain
from erpmon.config import ConfigError

HEAD = "route: {receiver: r}\nreceivers: [{name: r}]\ntime_intervals:\n  - name: x\n    time_intervals:\n"


def at(text: str) -> int:
    return int(dt.datetime.fromisoformat(text).timestamp()) * 1_000_000_000


def intervals(body: str) -> Sequence[TimeInterval]:
    return parse_alertmanager_config(HEAD + body).time_intervals["x"]


@pytest.mark.parametrize(
    ("body", "instant", "inside"),
    [
        ("      - times: [{start_time: '09:00', end_time: '17:00'}]\n", "2024-05-06T09:00:00+00:00", True),
        ("      - times: [{start_time: '09:00', end_time: '17:00'}]\n", "2024-05-06T16:59:59+00:00", True),
        ("      - times: [{start_time: '09:00', end_time: '17:00'}]\n", "2024-05-06T17:00:00+00:00", False),
        ("      - times: [{start_time: '22:00', end_time: '24:00'}]\n", "2024-05-06T23:59:59+00:00", True),
        ("      - times: [{start_time: '00:00', end_time: '00:01'}]\n", "2024-05-06T00:00:59+00:00", True),
        ("      - weekdays: ['monday:friday']\n", "2024-05-04T12:00:00+00:00", False),  # a Saturday
        ("      - weekdays: ['monday:friday']\n", "2024-05-03T12:00:00+00:00", True),  # a Friday
        ("      - weekdays: ['saturday', 'sunday']\n", "2024-05-05T12:00:00+00:00", True),
        ("      - weekdays: ['Sunday:Monday']\n", "2024-05-06T12:00:00+00:00", True),  # case-insensitive
        ("      - days_of_month: ['-1']\n", "2024-02-29T12:00:00+00:00", True),  # leap year
        ("      - days_of_month: ['-1']\n", "2024-02-28T12:00:00+00:00", False),
        ("      - days_of_month: ['-1']\n", "2023-02-28T12:00:00+00:00", True),
        ("      - days_of_month: ['-7:-1']\n", "2024-04-24T00:00:00+00:00", True),  # 30-day month
        ("      - days_of_month: ['-7:-1']\n", "2024-04-23T23:59:59+00:00", False),
        ("      - days_of_month: ['31']\n", "2024-04-30T12:00:00+00:00", False),  # no 31st in April
        ("      - days_of_month: ['25:31']\n", "2024-02-29T12:00:00+00:00", True),  # clamped end
        ("      - days_of_month: ['30:31']\n", "2024-02-29T12:00:00+00:00", False),  # start past the end
        # in February -31:-30 is days -1..0: never (as in 0.25, which clamps but does not shift)
        ("      - days_of_month: ['-31:-30']\n", "2024-02-01T12:00:00+00:00", False),
        ("      - days_of_month: ['-31:-29']\n", "2024-02-01T12:00:00+00:00", True),
        ("      - days_of_month: ['1:-1']\n", "2024-02-15T12:00:00+00:00", True),
        ("      - days_of_month: ['1:5']\n        months: ['february']\n", "2024-02-03T00:00:00+00:00", True),
        ("      - months: ['3:may']\n", "2024-06-01T00:00:00+00:00", False),
        (
            "      - months: ['december:december']\n        years: ['2023']\n",
            "2024-12-03T00:00:00+00:00",
            False,
        ),
        ("      - years: ['2020:2024']\n", "2024-12-31T23:59:59+00:00", True),
        (
            "      - times: [{start_time: '09:00', end_time: '10:00'}]\n        location: 'Europe/Berlin'\n",
            "2024-07-01T07:30:00+00:00",  # 09:30 in Berlin (summer time)
            True,
        ),
        (
            "      - times: [{start_time: '09:00', end_time: '10:00'}]\n        location: 'Europe/Berlin'\n",
            "2024-01-01T07:30:00+00:00",  # 08:30 in Berlin (winter time)
            False,
        ),
        (  # the weekday is the zone's: Monday 01:00 in Tokyo is still Sunday in UTC
            "      - weekdays: ['monday']\n        location: 'Asia/Tokyo'\n",
            "2024-05-05T16:00:00+00:00",
            True,
        ),
        ("      - {}\n", "2024-05-05T16:00:00+00:00", True),  # an empty interval is always inside
    ],
)
def test_contains(body: str, instant: str, inside: bool) -> None:
    assert intervals_contain(intervals(body), at(instant)) is inside


def test_any_interval_of_the_list() -> None:
    both = intervals("      - weekdays: ['monday']\n      - weekdays: ['tuesday']\n")
    assert intervals_contain(both, at("2024-05-07T12:00:00+00:00"))  # a Tuesday
    assert not intervals_contain(both, at("2024-05-08T12:00:00+00:00"))
    assert not intervals_contain([], at("2024-05-08T12:00:00+00:00"))


REFUSED = [
    "      - weekdays: ['funday']\n",
    "      - weekdays: [' monday']\n",
    "      - weekdays: ['friday:monday']\n",
    "      - weekdays: ['monday:tuesday:friday']\n",
    "      - times: [{start_time: '10:00', end_time: '09:00'}]\n",
    "      - times: [{start_time: '10:00', end_time: '10:00'}]\n",
    "      - times: [{start_time: '10:00'}]\n",
    "      - times: [{start_time: '9:00', end_time: '10:00'}]\n",
    "      - times: [{start_time: '24:01', end_time: '10:00'}]\n",
    "      - times: [{start: '09:00', end_time: '10:00'}]\n",
    "      - days_of_month: ['0']\n",
    "      - days_of_month: ['32']\n",
    "      - days_of_month: ['-32:-1']\n",
    "      - days_of_month: ['-3:4']\n",
    "      - days_of_month: ['10:3']\n",
    "      - days_of_month: ['-1:-3']\n",
    "      - days_of_month: ['x']\n",
    "      - days_of_month: ['1_0']\n",
    "      - months: ['smarch']\n",
    "      - months: ['may:march']\n",
    "      - months: ['13:12']\n",
    "      - years: ['2030:2020']\n",
    "      - years: ['twenty']\n",
    "      - location: 'Mars/Olympus'\n",
    "      - hours: ['1']\n",
]


def amtool_reason(path: Path) -> str:
    done = subprocess.run([need_binary("amtool"), "check-config", str(path)], capture_output=True, text=True,
                          timeout=30)  # fmt: skip
    assert done.returncode == 1, done.stdout
    m = re.search(r"FAILED: (.*?)\n\n", done.stdout, re.S)
    assert m is not None
    return re.sub(r"^yaml: unmarshal errors:\s*line \d+: ", "", m.group(1)).strip()


@pytest.mark.parametrize("body", REFUSED)
def test_refuses_as_amtool(tmp_path: Path, body: str) -> None:
    path = tmp_path / "am.yml"
    path.write_text(HEAD + body)
    with pytest.raises(ConfigError) as err:
        parse_alertmanager_config(path.read_text(), str(path))
    assert re.match(rf"{re.escape(str(path))}:\d+:\d+: ", str(err.value))
    assert amtool_reason(path) in str(err.value)


@pytest.mark.parametrize(
    "body",
    [
        "      - months: ['13']\n",  # 0.25 does not range-check month numbers
        "      - days_of_month: ['+5']\n",
        "      - location: 'Local'\n",
        "      - location: ''\n",
        "      - times: [{start_time: '23:00', end_time: '24:00'}]\n",
    ],
)
def test_accepts_as_amtool(tmp_path: Path, body: str) -> None:
    path = tmp_path / "am.yml"
    path.write_text(HEAD + body)
    parse_alertmanager_config(path.read_text(), str(path))
    done = subprocess.run([need_binary("amtool"), "check-config", str(path)], capture_output=True, timeout=30)
    assert done.returncode == 0


def random_ranges(n: int, seed: int) -> list[tuple[str, str]]:
    """(field, YAML flow item) pairs: numbers, names, negatives, ranges, odd shapes."""
    rnd = random.Random(seed)
    members = {
        "weekdays": ["monday", "Friday", "SUNDAY", "funday", "1", ""],
        "days_of_month": ["1", "-1", "31", "-31", "0", "32", "-32", "15", "-15", "+3", "x", "28", "-28"],
        "months": ["january", "May", "december", "1", "12", "13", "0", "-1", "smarch"],
        "years": ["2020", "2030", "0", "-5", "99999", "y"],
    }
    out = []
    for _ in range(n):
        field = rnd.choice(sorted(members))
        parts = [rnd.choice(members[field]) for _ in range(rnd.choice([1, 2, 2, 2, 3]))]
        out.append((field, json.dumps(":".join(parts))))
    return out


def test_random_ranges_agree_with_amtool(tmp_path: Path) -> None:
    cases = random_ranges(120, seed=11)

    def check(i: int) -> tuple[bool, str]:
        field, item = cases[i]
        path = tmp_path / f"{i}.yml"
        path.write_text(HEAD + f"      - {field}: [{item}]\n")
        args = [need_binary("amtool"), "check-config", str(path)]
        done = subprocess.run(args, capture_output=True, text=True, timeout=30)
        m = re.search(r"FAILED: (.*?)\n\n", done.stdout, re.S)
        reason = re.sub(r"^yaml: unmarshal errors:\s*line \d+: ", "", m.group(1)).strip() if m else ""
        return done.returncode == 0, reason

    with ThreadPoolExecutor(4) as pool:
        verdicts = list(pool.map(check, range(len(cases))))
    assert 20 <= sum(ok for ok, _ in verdicts) <= len(cases) - 20
    for (field, item), (ok, reason) in zip(cases, verdicts, strict=True):
        text = HEAD + f"      - {field}: [{item}]\n"
        if ok:
            parse_alertmanager_config(text)
            continue
        with pytest.raises(ConfigError) as err:
            parse_alertmanager_config(text)
        assert reason in str(err.value), (field, item)
