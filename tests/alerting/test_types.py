"""Alert fingerprints and RFC 3339 times, checked against what the real Alertmanager 0.25 reports."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from tests.support import need_binary

from erpmon.alerting import (
    Alert,
    fingerprint,
    format_fingerprint,
    format_rfc3339milli,
    format_rfc3339nano,
    parse_rfc3339,
)
from erpmon.alerting.testing import real_alertmanager
from erpmon.model import Labels

S = 1_000_000_000

LABEL_SETS = [
    {"alertname": "A"},
    {"alertname": "HighErrorRate", "service": "application", "severity": "critical"},
    {"alertname": "ünïcode", "path": "/api/v1/orders/{id}", "q": 'say "hi"\n'},
    {"alertname": "x", "a": "", "b": "1"},
    {f"l{i}": str(i) for i in range(30)} | {"alertname": "many"},
]


def test_fingerprints_match_alertmanager(tmp_path: Path) -> None:
    need_binary("prometheus-alertmanager")
    cfg = tmp_path / "am.yml"
    cfg.write_text("route: {receiver: r}\nreceivers: [{name: r}]\n")
    with real_alertmanager(cfg, tmp_path, "http://x") as url:
        httpx.post(url + "/api/v2/alerts", json=[{"labels": ls} for ls in LABEL_SETS]).raise_for_status()
        got = {a["labels"]["alertname"]: a["fingerprint"] for a in httpx.get(url + "/api/v2/alerts").json()}
    # Alertmanager drops empty-valued labels before it stores an alert.
    ours = {
        ls["alertname"]: format_fingerprint(fingerprint(Labels({k: v for k, v in ls.items() if v})))
        for ls in LABEL_SETS
    }
    assert got == ours


@pytest.mark.parametrize(
    ("text", "ns", "nano", "milli"),
    [
        ("2024-01-02T03:04:05Z", 1704164645 * S, "2024-01-02T03:04:05Z", "2024-01-02T03:04:05.000Z"),
        (
            "2024-01-02T03:04:05.120Z",
            1704164645 * S + 120_000_000,
            "2024-01-02T03:04:05.12Z",
            "2024-01-02T03:04:05.120Z",
        ),
        (
            "2024-01-02T05:04:05.000000001+02:00",
            1704164645 * S + 1,
            "2024-01-02T03:04:05.000000001Z",
            "2024-01-02T03:04:05.000Z",
        ),
        ("0001-01-01T00:00:00Z", None, "0001-01-01T00:00:00Z", "0001-01-01T00:00:00.000Z"),
    ],
)
def test_rfc3339_round_trip(text: str, ns: int | None, nano: str, milli: str) -> None:
    assert parse_rfc3339(text) == ns
    assert format_rfc3339nano(ns) == nano
    assert format_rfc3339milli(ns) == milli


@pytest.mark.parametrize("bad", ["2024-01-02", "2024-13-02T00:00:00Z", "2024-01-02T00:00:00", "yesterday"])
def test_rfc3339_rejects_what_go_rejects(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_rfc3339(bad)


def alert(starts: int, ends: int | None, updated: int, timeout: bool = False) -> Alert:
    return Alert(Labels({"alertname": "A"}), Labels(), starts, ends, updated_at=updated, timeout=timeout)


def test_merge_keeps_earliest_start_and_the_newer_update() -> None:
    now = 100 * S
    old = alert(10 * S, 200 * S, 50 * S)
    new = alert(20 * S, 300 * S, 60 * S)
    merged = old.merge(new, now)
    assert (merged.starts_at, merged.ends_at, merged.updated_at) == (10 * S, 300 * S, 60 * S)


def test_merge_a_later_explicit_end_beats_a_timeout() -> None:
    now = 100 * S
    explicit = alert(10 * S, 400 * S, 50 * S)
    timeout = alert(10 * S, 300 * S, 60 * S, timeout=True)
    assert explicit.merge(timeout, now).ends_at == 400 * S
    # ...but not when the older end was itself a timeout.
    assert alert(10 * S, 400 * S, 50 * S, timeout=True).merge(timeout, now).ends_at == 300 * S


def test_exposed_hides_an_end_in_the_future() -> None:
    a = alert(10 * S, 200 * S, 10 * S)
    assert a.exposed(100 * S).ends_at is None
    assert a.exposed(300 * S).ends_at == 200 * S
    assert a.status(100 * S) == "firing" and a.status(300 * S) == "resolved"
