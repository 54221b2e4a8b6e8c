"""Prometheus 2.42's template functions (`template/template.go`), with its exact number formatting.

Owns: `QuerySample` (an element of `query`'s result), `QueryFunc`, `prometheus_funcs()` (the
function map NewTemplateExpander installs, bound to an evaluation time, a query function and an
external URL), `convert_to_float`, and the alert template data (`alert_template_data`).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import quote_plus, urlsplit

from erpmon.config import parse_duration
from erpmon.relabel import go_lower, go_upper
from erpmon.templates._humanize import (
    humanize,
    humanize1024,
    humanize_duration,
    humanize_percentage,
    humanize_timestamp,
    to_time,
)
from erpmon.templates._regexp import compile_go, match_string, replace_all_string
from erpmon.templates._types import (
    ANY,
    HTML,
    STRING,
    GoFunc,
    GoMap,
    GoSlice,
    GoStruct,
    GoType,
    StringMap,
)

_NIL_DEREF = "runtime error: invalid memory address or nil pointer dereference"


@dataclass(frozen=True)
class QuerySample(GoStruct):
    """One element of Prometheus's queryResult (a *template.sample: `.Labels`, `.Value`)."""

    labels: Mapping[str, str]
    value: float
    go_type: ClassVar[str] = "*template.sample"
    go_pointer: ClassVar[bool] = True
    go_fields: ClassVar[tuple[str, ...]] = ("Labels", "Value")

    @property
    def Labels(self) -> Mapping[str, str]:
        return self.labels

    @property
    def Value(self) -> float:
        return self.value


QueryFunc = Callable[[str, int], Sequence[QuerySample]]


class QueryResult(GoSlice):
    go_type = "template.queryResult"


QUERY_RESULT = GoType("template.queryResult", "named", QueryResult, nilable=True)
SAMPLE = GoType("*template.sample", "named", QuerySample, nilable=True)


@dataclass(frozen=True)
class AlertTemplateData(GoStruct):
    """The anonymous struct Prometheus's AlertTemplateData returns."""

    Labels: StringMap
    ExternalLabels: StringMap
    ExternalURL: str
    Value: float
    go_type: ClassVar[str] = (
        "struct { Labels map[string]string; ExternalLabels map[string]string;"
        " ExternalURL string; Value float64 }"
    )
    go_fields: ClassVar[tuple[str, ...]] = ("Labels", "ExternalLabels", "ExternalURL", "Value")


def alert_template_data(
    labels: Mapping[str, str], external_labels: Mapping[str, str], external_url: str, value: float
) -> Any:
    return AlertTemplateData(StringMap(labels), StringMap(external_labels), external_url, float(value))


ALERT_TEMPLATE_DEFS = (
    "{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}"
    "{{$externalURL := .ExternalURL}}{{$value := .Value}}"
)


def title(s: str) -> str:
    """strings.Title: upper-case (title-case) the first letter of each word."""
    out = []
    prev = " "
    for ch in s:
        if _is_separator(prev):
            up = ch.title()
            out.append(up if len(up) == 1 else go_upper(ch))
        else:
            out.append(ch)
        prev = ch
    return "".join(out)


def _is_separator(ch: str) -> bool:
    if ch.isascii():
        return not (ch.isalnum() or ch == "_")
    if ch.isalpha() or ch.isdigit():
        return False
    return ch.isspace()


def split_host_port(hostport: str) -> tuple[str, str]:
    """net.SplitHostPort; ValueError when the address has no port or is malformed."""
    i = hostport.rfind(":")
    if i < 0:
        raise ValueError("missing port in address")
    j = k = 0
    if hostport.startswith("["):
        end = hostport.find("]")
        if end < 0:
            raise ValueError("missing ']' in address")
        if end + 1 == len(hostport):
            raise ValueError("missing port in address")
        if end + 1 != i:
            raise ValueError(
                "too many colons in address" if hostport[end + 1] == ":" else "missing port in address"
            )
        host = hostport[1:end]
        j, k = 1, end + 1
    else:
        host = hostport[:i]
        if ":" in host:
            raise ValueError("too many colons in address")
    if "[" in hostport[j:] or "]" in hostport[k:]:
        raise ValueError("unexpected bracket in address")
    return host, hostport[i + 1 :]


def _is_ip(host: str) -> bool:
    if "%" in host:
        return False
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def strip_port(hostport: str) -> str:
    try:
        return split_host_port(hostport)[0]
    except ValueError:
        return hostport


def strip_domain(hostport: str) -> str:
    try:
        host, port = split_host_port(hostport)
    except ValueError:
        host, port = hostport, ""
    if _is_ip(host):
        return hostport
    host = host.split(".")[0]
    if port:
        return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    return host


def url_query_escape(s: str) -> str:
    return quote_plus(s, safe="-_.~")


@dataclass
class _Bound:
    """The state NewTemplateExpander's closures capture."""

    timestamp_ms: int
    query: QueryFunc | None
    external_url: str | None
    path: str | None = field(init=False)

    def __post_init__(self) -> None:
        self.path = None if self.external_url is None else urlsplit(self.external_url).path

    def url_path(self) -> str:
        if self.path is None:
            raise ValueError(_NIL_DEREF)
        return self.path

    def url(self) -> str:
        if self.external_url is None:
            raise ValueError(_NIL_DEREF)
        return self.external_url

    def run_query(self, q: str) -> QueryResult:
        if self.query is None:
            raise ValueError(_NIL_DEREF)
        return QueryResult(
            QuerySample(StringMap(s.labels), float(s.value)) for s in self.query(q, self.timestamp_ms)
        )


def _first(v: QueryResult | None) -> QuerySample:
    if v:
        return v[0]  # type: ignore[no-any-return]
    raise ValueError("first() called on vector with no elements")


def _sample(s: QuerySample | None) -> QuerySample:
    if s is None:
        raise ValueError(_NIL_DEREF)
    return s


def _sort_by_label(label: str, v: QueryResult | None) -> QueryResult | None:
    if v:
        v.sort(key=lambda s: s.labels.get(label, "").encode("utf-8", "surrogateescape"))
    return v


def _match(pattern: str, s: str) -> bool:
    compile_go(pattern)
    return match_string(pattern, s)


def _args(*args: Any) -> GoMap:
    return GoMap((f"arg{i}", a) for i, a in enumerate(args))


def prometheus_funcs(
    timestamp_ms: int, query: QueryFunc | None, external_url: str | None
) -> dict[str, GoFunc]:
    """The function map of Prometheus 2.42's NewTemplateExpander.

    `external_url` None is a nil *url.URL (what promtool's rule unit tests pass): `externalURL` and
    `pathPrefix` then fail with Go's nil dereference, as they do there.
    """
    b = _Bound(timestamp_ms, query, external_url)
    s1 = [STRING]
    return {
        "query": GoFunc(b.run_query, s1),
        "first": GoFunc(_first, [QUERY_RESULT]),
        "label": GoFunc(lambda label, s: _sample(s).labels.get(label, ""), [STRING, SAMPLE]),
        "value": GoFunc(lambda s: _sample(s).value, [SAMPLE]),
        "strvalue": GoFunc(lambda s: _sample(s).labels.get("__value__", ""), [SAMPLE]),
        "args": GoFunc(_args, [], ANY),
        "reReplaceAll": GoFunc(replace_all_string, [STRING, STRING, STRING]),
        "safeHtml": GoFunc(HTML, s1),
        "match": GoFunc(_match, [STRING, STRING]),
        "title": GoFunc(title, s1),
        "toUpper": GoFunc(go_upper, s1),
        "toLower": GoFunc(go_lower, s1),
        "graphLink": GoFunc(lambda e: f"/graph?g0.expr={url_query_escape(e)}&g0.tab=0", s1),
        "tableLink": GoFunc(lambda e: f"/graph?g0.expr={url_query_escape(e)}&g0.tab=1", s1),
        "sortByLabel": GoFunc(_sort_by_label, [STRING, QUERY_RESULT]),
        "stripPort": GoFunc(strip_port, s1),
        "stripDomain": GoFunc(strip_domain, s1),
        "humanize": GoFunc(humanize, [ANY]),
        "humanize1024": GoFunc(humanize1024, [ANY]),
        "humanizeDuration": GoFunc(humanize_duration, [ANY]),
        "humanizePercentage": GoFunc(humanize_percentage, [ANY]),
        "humanizeTimestamp": GoFunc(humanize_timestamp, [ANY]),
        "toTime": GoFunc(to_time, [ANY]),
        "pathPrefix": GoFunc(b.url_path, []),
        "externalURL": GoFunc(b.url, []),
        "parseDuration": GoFunc(lambda d: (parse_duration(d) * 1_000_000) / 1e9, s1),
    }
