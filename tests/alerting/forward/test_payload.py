"""API v1 and v2 bodies as Prometheus 2.42 marshals them (v2's shape is checked against Prometheus too)."""

from __future__ import annotations

import json

import pytest

from erpmon.alerting import Alert
from erpmon.alerting.forward import v1_body, v2_body
from erpmon.alerting.forward._payload import body
from erpmon.model import Labels

NS = 1_000_000_000
START = 1_700_000_000 * NS + 123_456_789


def alert(**kw: object) -> Alert:
    base: dict[str, object] = {
        "labels": Labels.of(alertname="A", team="a&b <c>"),
        "annotations": Labels.of(summary="ü"),
        "starts_at": START,
        "ends_at": START + 60 * NS,
        "generator_url": "http://p/graph?g0.expr=up&g0.tab=1",
    }
    base.update(kw)
    return Alert(**base)  # type: ignore[arg-type]


def test_v2_key_order_escapes_and_millisecond_times() -> None:
    assert v2_body([alert()]).decode() == (
        '[{"annotations":{"summary":"ü"},"endsAt":"2023-11-14T22:14:20.123Z",'
        '"startsAt":"2023-11-14T22:13:20.123Z",'
        '"generatorURL":"http://p/graph?g0.expr=up\\u0026g0.tab=1",'
        '"labels":{"alertname":"A","team":"a\\u0026b \\u003cc\\u003e"}}]'
    )


def test_v2_omits_empty_annotations_and_url_and_prints_zero_end() -> None:
    [item] = json.loads(v2_body([alert(annotations=Labels(), generator_url="", ends_at=None)]))
    assert item == {
        "endsAt": "0001-01-01T00:00:00.000Z",
        "startsAt": "2023-11-14T22:13:20.123Z",
        "labels": {"alertname": "A", "team": "a&b <c>"},
    }


def test_v1_uses_rfc3339nano_and_always_has_annotations() -> None:
    [item] = json.loads(v1_body([alert(annotations=Labels(), ends_at=None)]))
    assert item == {
        "labels": {"alertname": "A", "team": "a&b <c>"},
        "annotations": {},
        "startsAt": "2023-11-14T22:13:20.123456789Z",
        "endsAt": "0001-01-01T00:00:00Z",
        "generatorURL": "http://p/graph?g0.expr=up&g0.tab=1",
    }


def test_unknown_version_is_refused() -> None:
    with pytest.raises(ValueError, match="Invalid Alertmanager API version 'v3'"):
        body("v3", [alert()])
