"""Alertmanager endpoints from target groups: __scheme__, __alerts_path__, __address__, relabeling."""

from __future__ import annotations

import pytest

from erpmon.alerting.forward._targets import (
    TargetGroupError,
    alertmanagers_from_group,
    am_url,
    post_path,
    sync_endpoints,
)
from erpmon.config import AlertmanagerConfig, TargetGroup
from erpmon.model import Labels
from erpmon.relabel import relabel_configs


def group(*targets: str, **labels: str) -> TargetGroup:
    return TargetGroup(targets, Labels(labels), "0")


@pytest.mark.parametrize(
    ("prefix", "version", "want"),
    [
        ("", "v2", "/api/v2/alerts"),
        ("/", "v1", "/api/v1/alerts"),
        ("am", "v2", "/am/api/v2/alerts"),
        ("/a//b/", "v2", "/a/b/api/v2/alerts"),
    ],
)
def test_post_path(prefix: str, version: str, want: str) -> None:
    assert post_path(prefix, version) == want


def test_url_from_labels() -> None:
    labels = Labels(
        {"__scheme__": "https", "__address__": "am:9093", "__alerts_path__": "/a b/api/v2/alerts"}
    )
    assert am_url(labels) == "https://am:9093/a%20b/api/v2/alerts"


def test_config_scheme_and_prefix_then_target_relabeling() -> None:
    cfg = AlertmanagerConfig(
        scheme="https",
        path_prefix="/pre",
        relabel_configs=relabel_configs(
            [
                {"source_labels": ("env",), "regex": "dev", "action": "drop"},
                {
                    "source_labels": ("__address__",),
                    "regex": "(.*):9093",
                    "target_label": "__address__",
                    "replacement": "${1}:9095",
                },
            ]
        ),
    )
    found = alertmanagers_from_group(group("a:9093", "b:9093", env="prod"), cfg)
    assert found.active == ("https://a:9095/pre/api/v2/alerts", "https://b:9095/pre/api/v2/alerts")
    dropped = alertmanagers_from_group(group("c:9093", env="dev"), cfg)
    # A dropped Alertmanager is shown as it was before relabeling.
    assert dropped.active == () and dropped.dropped == ("https://c:9093/pre/api/v2/alerts",)


def test_group_labels_may_set_scheme_and_path() -> None:
    g = group("a:1", __scheme__="https", __alerts_path__="/x")
    assert alertmanagers_from_group(g, AlertmanagerConfig()).active == ("https://a:1/x",)


def test_address_with_slash_fails_the_group_only() -> None:
    cfg = AlertmanagerConfig(
        relabel_configs=relabel_configs(
            [
                {
                    "source_labels": ("__address__",),
                    "regex": "bad",
                    "target_label": "__address__",
                    "replacement": "h/p",
                }
            ]
        )
    )
    with pytest.raises(TargetGroupError, match='"h/p" is not a valid hostname'):
        alertmanagers_from_group(group("ok:1", "bad"), cfg)
    found, errors = sync_endpoints([group("ok:1", "bad"), group("good:2", "good:2")], cfg)
    assert found.active == ("http://good:2/api/v2/alerts",)  # deduplicated by URL
    assert errors == ['"h/p" is not a valid hostname']
