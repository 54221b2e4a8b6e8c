"""Alertmanager 0.25's template data (`template.Data`): what notification templates see as `.`."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from erpmon.alerting._types import Alert as AMAlert
from erpmon.alerting._types import format_fingerprint, format_rfc3339nano
from erpmon.model import Labels
from erpmon.templates import HTML, GoSlice, GoStruct, GoTime, StringMap, go_func
from erpmon.templates._types import GoType

_GO_ZERO_MS = -62_135_596_800_000


@dataclass(frozen=True)
class Pair(GoStruct):
    Name: str
    Value: str
    go_type: ClassVar[str] = "template.Pair"
    go_fields: ClassVar[tuple[str, ...]] = ("Name", "Value")


class Pairs(GoSlice):
    go_type = "template.Pairs"
    go_methods: ClassVar[tuple[str, ...]] = ("Names", "Values")

    def Names(self) -> list[str]:
        return [p.Name for p in self]

    def Values(self) -> list[str]:
        return [p.Value for p in self]


class KV(StringMap):
    go_type = "template.KV"
    go_methods: ClassVar[tuple[str, ...]] = ("SortedPairs", "Remove", "Names", "Values")

    def SortedPairs(self) -> Pairs:
        """Sorted by name, except that `alertname` comes first."""
        keys = sorted(k for k in self if k != "alertname")
        if "alertname" in self:
            keys.insert(0, "alertname")
        return Pairs(Pair(k, self[k]) for k in keys)

    @go_func(GoType("[]string", "any"))
    def Remove(self, keys: Iterable[str]) -> KV:
        drop = set(keys or ())
        return KV({k: v for k, v in self.items() if k not in drop})

    def Names(self) -> list[str]:
        return self.SortedPairs().Names()

    def Values(self) -> list[str]:
        return self.SortedPairs().Values()


@dataclass(frozen=True)
class Alert(GoStruct):
    Status: str
    Labels: KV
    Annotations: KV
    StartsAt: GoTime
    EndsAt: GoTime
    GeneratorURL: str
    Fingerprint: str
    starts_ns: int | None = None
    ends_ns: int | None = None
    go_type: ClassVar[str] = "template.Alert"
    go_fields: ClassVar[tuple[str, ...]] = (
        "Status", "Labels", "Annotations", "StartsAt", "EndsAt", "GeneratorURL", "Fingerprint",
    )  # fmt: skip

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.Status,
            "labels": dict(self.Labels),
            "annotations": dict(self.Annotations),
            "startsAt": format_rfc3339nano(self.starts_ns),
            "endsAt": format_rfc3339nano(self.ends_ns),
            "generatorURL": self.GeneratorURL,
            "fingerprint": self.Fingerprint,
        }


class Alerts(GoSlice):
    go_type = "template.Alerts"
    go_methods: ClassVar[tuple[str, ...]] = ("Firing", "Resolved")

    def Firing(self) -> Alerts:
        return Alerts(a for a in self if a.Status == "firing")

    def Resolved(self) -> Alerts:
        return Alerts(a for a in self if a.Status == "resolved")


@dataclass(frozen=True)
class Data(GoStruct):
    Receiver: str
    Status: str
    Alerts: Alerts
    GroupLabels: KV
    CommonLabels: KV
    CommonAnnotations: KV
    ExternalURL: str
    go_type: ClassVar[str] = "*template.Data"
    go_pointer: ClassVar[bool] = True
    go_fields: ClassVar[tuple[str, ...]] = (
        "Receiver", "Status", "Alerts", "GroupLabels", "CommonLabels", "CommonAnnotations", "ExternalURL",
    )  # fmt: skip

    def to_json(self) -> dict[str, Any]:
        """The JSON layout of `template.Data`, which the webhook payload embeds."""
        return {
            "receiver": self.Receiver,
            "status": self.Status,
            "alerts": [a.to_json() for a in self.Alerts],
            "groupLabels": dict(self.GroupLabels),
            "commonLabels": dict(self.CommonLabels),
            "commonAnnotations": dict(self.CommonAnnotations),
            "externalURL": self.ExternalURL,
        }

    def html_escaped(self) -> Data:
        """Every string of the data escaped as html/template escapes text it inserts."""

        def kv(m: KV) -> KV:
            return KV({k: escape_html(v) for k, v in m.items()})

        alerts = Alerts(
            Alert(
                a.Status,
                kv(a.Labels),
                kv(a.Annotations),
                a.StartsAt,
                a.EndsAt,
                escape_html(a.GeneratorURL),
                a.Fingerprint,
                a.starts_ns,
                a.ends_ns,
            )
            for a in self.Alerts
        )
        return Data(
            escape_html(self.Receiver),
            self.Status,
            alerts,
            kv(self.GroupLabels),
            kv(self.CommonLabels),
            kv(self.CommonAnnotations),
            escape_html(self.ExternalURL),
        )


_HTML_ESCAPES = {
    '"': "&#34;",
    "&": "&amp;",
    "'": "&#39;",
    "+": "&#43;",
    "<": "&lt;",
    ">": "&gt;",
    "\0": "\ufffd",
}
_HTML_RE = re.compile("[\"&'+<>\0]")


def escape_html(text: str) -> str:
    """html/template's escaper for text and quoted attribute values."""
    if isinstance(text, HTML):
        return text
    return _HTML_RE.sub(lambda m: _HTML_ESCAPES[m.group(0)], text)


def _go_time(ns: int | None) -> GoTime:
    return GoTime(_GO_ZERO_MS if ns is None else ns // 1_000_000)


def quote_meta(text: str) -> str:
    """Go's `regexp.QuoteMeta`, which 0.25 applies to the receiver name."""
    return re.sub(r"([\\.+*?()|\[\]{}^$])", r"\\\1", text)


def build_data(
    receiver: str, group_labels: Labels, alerts: Sequence[AMAlert], now_ns: int, external_url: str
) -> Data:
    """`Template.Data`: statuses at `now`, ends not yet reached hidden, common labels and annotations."""
    exposed = [a.exposed(now_ns) for a in alerts]
    items = Alerts(
        Alert(
            a.status(now_ns),
            KV(a.labels.to_dict()),
            KV(dict(a.annotations.pairs)),
            _go_time(a.starts_at),
            _go_time(a.ends_at),
            a.generator_url,
            format_fingerprint(a.fingerprint),
            a.starts_at,
            a.ends_at,
        )
        for a in exposed
    )
    common_labels: dict[str, str] = {}
    common_ann: dict[str, str] = {}
    if alerts:
        common_labels = alerts[0].labels.to_dict()
        common_ann = dict(alerts[0].annotations.pairs)
        for a in alerts[1:]:
            labels, ann = a.labels.to_dict(), dict(a.annotations.pairs)
            common_labels = {k: v for k, v in common_labels.items() if labels.get(k) == v}
            common_ann = {k: v for k, v in common_ann.items() if ann.get(k, "") == v}
    status = "firing" if any(a.Status == "firing" for a in items) else "resolved"
    return Data(
        quote_meta(receiver),
        status,
        items,
        KV(group_labels.to_dict()),
        KV(common_labels),
        KV(common_ann),
        external_url,
    )
