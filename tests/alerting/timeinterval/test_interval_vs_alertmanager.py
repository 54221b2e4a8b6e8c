"""What is inside a time interval, against the real Alertmanager 0.25.

Seeded random intervals (times, weekdays, days of the month with negative days, months, years, in
several zones) each guard one route through `active_time_intervals`. One alert per route goes to a
real Alertmanager; the routes whose interval holds now notify a webhook collector, the others stay
silent. Our `intervals_contain(now)` must name the same routes. Intervals whose answer would change
within five minutes of now are left out, so the test does not depend on when it runs.
"""

from __future__ import annotations

import calendar
import datetime as dt
import random
import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import yaml
from tests.support import need_binary

from erpmon.alerting.config import parse_alertmanager_config
from erpmon.alerting.testing import collector, real_alertmanager, rfc3339
from erpmon.alerting.timeinterval import intervals_contain
from erpmon.config import ConfigError

ZONES = [
    "UTC",
    "Europe/Berlin",
    "Asia/Tokyo",
    "America/Los_Angeles",
    "Pacific/Kiritimati",
    "Pacific/Pago_Pago",
]
WEEKDAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]
NS = 1_000_000_000


def hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def random_interval(rnd: random.Random, now: float) -> dict[str, Any]:
    zone = rnd.choice(ZONES)
    local = dt.datetime.fromtimestamp(now, ZoneInfo(zone))
    ti: dict[str, Any] = {"location": zone}
    if rnd.random() < 0.5:
        minute = local.hour * 60 + local.minute
        start = max(0, minute + rnd.randint(-300, 200))
        end = min(1440, start + rnd.randint(1, 400))
        ti["times"] = [{"start_time": hhmm(start), "end_time": hhmm(end)}]
    if rnd.random() < 0.5:
        a, b = sorted(rnd.randint(0, 6) for _ in range(2))
        if rnd.random() < 0.5:
            a = b = (local.weekday() + 1) % 7
        ti["weekdays"] = [WEEKDAYS[a] if a == b else f"{WEEKDAYS[a]}:{WEEKDAYS[b]}"]
    if rnd.random() < 0.6:
        kind = rnd.choice(["pos", "neg", "mixed", "today-neg"])
        if kind == "pos":
            a, b = sorted(rnd.randint(1, 31) for _ in range(2))
        elif kind == "neg":
            a, b = sorted(-rnd.randint(1, 31) for _ in range(2))
        elif kind == "mixed":
            a, b = rnd.randint(1, 28), -rnd.randint(1, 28)
        else:
            days = calendar.monthrange(local.year, local.month)[1]
            a = b = local.day - days - 1
        ti["days_of_month"] = [str(a) if a == b else f"{a}:{b}"]
    if rnd.random() < 0.4:
        a, b = sorted(rnd.randint(1, 12) for _ in range(2))
        ti["months"] = [f"{a}:{b}"]
    if rnd.random() < 0.3:
        ti["years"] = [
            rnd.choice([f"{local.year}", f"{local.year - 1}", f"{local.year - 2}:{local.year + 1}"])
        ]
    return ti


def config_text(intervals: list[dict[str, Any]], url: str) -> str:
    return yaml.safe_dump(
        {
            "route": {
                "receiver": "hook",
                "group_by": ["case"],
                "group_wait": "0s",
                "routes": [
                    {"matchers": [f'case="{i}"'], "receiver": "hook", "active_time_intervals": [f"t{i}"]}
                    for i in range(len(intervals))
                ],
            },
            "time_intervals": [{"name": f"t{i}", "time_intervals": [ti]} for i, ti in enumerate(intervals)],
            "receivers": [{"name": "hook", "webhook_configs": [{"url": url}]}],
        },
        sort_keys=False,
    )


def test_active_routes_agree_with_alertmanager(tmp_path: Path) -> None:
    need_binary("prometheus-alertmanager")
    now = time.time()
    rnd = random.Random(5)
    chosen: list[dict[str, Any]] = []
    expected: set[str] = set()
    while len(chosen) < 60:
        ti = random_interval(rnd, now)
        try:
            parsed = parse_alertmanager_config(config_text([ti], "http://127.0.0.1:1/")).time_intervals["t0"]
        except ConfigError:
            continue  # refusals are compared with amtool in test_interval.py
        answers = {intervals_contain(parsed, int((now + d) * NS)) for d in (-300, 0, 300, 600)}
        if len(answers) == 1:
            if answers.pop():
                expected.add(str(len(chosen)))
            chosen.append(ti)
    assert 10 <= len(expected) <= 50  # both kinds are well represented
    with collector() as (col, url):
        cfg = tmp_path / "am.yml"
        cfg.write_text(config_text(chosen, url))
        with real_alertmanager(cfg, tmp_path, "http://am") as am:
            alerts = [
                {"labels": {"alertname": "T", "case": str(i)}, "startsAt": rfc3339(now)} for i in range(60)
            ]
            httpx.post(am + "/api/v2/alerts", json=alerts, timeout=10).raise_for_status()
            deadline = time.monotonic() + 20

            def notified() -> set[str]:
                with col.lock:
                    return {a["labels"]["case"] for _, body in col.bodies for a in body["alerts"]}

            while notified() < expected and time.monotonic() < deadline:
                time.sleep(0.2)
            time.sleep(1.5)  # anything that should have stayed silent had the same chance to arrive
            assert notified() == expected
