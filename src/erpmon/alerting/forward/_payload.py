"""The JSON bodies Prometheus 2.42 posts: API v1 (`[]notifier.Alert`) and v2 (`models.PostableAlerts`)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from erpmon.alerting._types import Alert, format_rfc3339milli, format_rfc3339nano

# Go's encoding/json escapes <, > and & in strings; json.dumps does not, so swap them afterwards
# (the characters only occur inside strings, where the escape means the same).
_GO_ESCAPES = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


def _dumps(value: Any) -> bytes:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.translate(_GO_ESCAPES).encode()


def v1_body(alerts: Sequence[Alert]) -> bytes:
    """`json.Marshal([]*notifier.Alert)`: time.Time is never omitted (a struct), the URL is when empty."""
    out = []
    for a in alerts:
        item: dict[str, Any] = {
            "labels": dict(a.labels.pairs),
            "annotations": dict(a.annotations.pairs),
            "startsAt": format_rfc3339nano(a.starts_at),
            "endsAt": format_rfc3339nano(a.ends_at),
        }
        if a.generator_url:
            item["generatorURL"] = a.generator_url
        out.append(item)
    return _dumps(out)


def v2_body(alerts: Sequence[Alert]) -> bytes:
    """`models.PostableAlerts` as go-openapi marshals them: the PostableAlert fields, then models.Alert's.

    Empty annotations and an empty generator URL are omitted; times always carry milliseconds.
    """
    out = []
    for a in alerts:
        item: dict[str, Any] = {}
        if len(a.annotations):
            item["annotations"] = dict(a.annotations.pairs)
        item["endsAt"] = format_rfc3339milli(a.ends_at)
        item["startsAt"] = format_rfc3339milli(a.starts_at)
        if a.generator_url:
            item["generatorURL"] = a.generator_url
        item["labels"] = dict(a.labels.pairs)
        out.append(item)
    return _dumps(out)


def body(api_version: str, alerts: Sequence[Alert]) -> bytes:
    if api_version == "v1":
        return v1_body(alerts)
    if api_version == "v2":
        return v2_body(alerts)
    raise ValueError(f"Invalid Alertmanager API version '{api_version}', expected one of '[v1 v2]'")
