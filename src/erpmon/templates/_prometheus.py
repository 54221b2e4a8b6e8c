"""Prometheus 2.42's template functions (`template/template.go`), with its exact number formatting.

Owns: `QuerySample` (an element of `query`'s result), `QueryFunc`, `prometheus_funcs()` (the
function map NewTemplateExpander installs, bound to an evaluation time, a query function and an
external URL), `convert_to_float`, and the alert template data (`alert_template_data`).
"""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import quote_plus, urlsplit

from erpmon.config import parse_duration
from erpmon.model import format_g, go_quote
from erpmon.relabel import go_lower, go_upper
from erpmon.templates._fmt import sprintf
from erpmon.templates._gotime import GoTime
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
    type_name,
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


def parse_go_float(s: str) -> float:
    """strconv.ParseFloat(s, 64) with Go's accepted syntax and error texts."""
    bad = ValueError(f"strconv.ParseFloat: parsing {go_quote(s)}: invalid syntax")
    if "_" in s and ("__" in s or not all(_digit_around(s, i) for i, c in enumerate(s) if c == "_")):
        raise bad
    text = s.replace("_", "")
    if text != text.strip() or text == "":
        raise bad
    low = text.lower().lstrip("+-")
    try:
        v = float.fromhex(text) if low.startswith("0x") else float(text)
    except ValueError:
        raise bad from None
    if low.startswith("0x") and "p" not in low:
        raise bad
    if math.isinf(v) and low not in ("inf", "infinity"):
        raise ValueError(f"strconv.ParseFloat: parsing {go_quote(s)}: value out of range")
    return v


def _digit_around(s: str, i: int) -> bool:
    """Go's underscoreOK: an underscore sits between digits (or after a base prefix)."""
    before = s[i - 1] if i > 0 else ""
    after = s[i + 1] if i + 1 < len(s) else ""
    return (before.isalnum()) and after.isalnum()


def convert_to_float(i: Any) -> float:
    if isinstance(i, float):
        return i
    if isinstance(i, str) and type(i) is str:
        return parse_go_float(i)
    if isinstance(i, int) and not isinstance(i, bool):
        return float(i)
    raise ValueError(f"can't convert {type_name(i)} to float")


def humanize(i: Any) -> str:
    v = convert_to_float(i)
    if v == 0 or math.isnan(v) or math.isinf(v):
        return sprintf("%.4g", v)
    prefix = ""
    if abs(v) >= 1:
        for p in ("k", "M", "G", "T", "P", "E", "Z", "Y"):
            if abs(v) < 1000:
                break
            prefix = p
            v /= 1000
        return sprintf("%.4g%s", v, prefix)
    for p in ("m", "u", "n", "p", "f", "a", "z", "y"):
        if abs(v) >= 1:
            break
        prefix = p
        v *= 1000
    return sprintf("%.4g%s", v, prefix)


def humanize1024(i: Any) -> str:
    v = convert_to_float(i)
    if abs(v) <= 1 or math.isnan(v) or math.isinf(v):
        return sprintf("%.4g", v)
    prefix = ""
    for p in ("ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"):
        if abs(v) < 1024:
            break
        prefix = p
        v /= 1024
    return sprintf("%.4g%s", v, prefix)


def humanize_duration(i: Any) -> str:
    v = convert_to_float(i)
    if math.isnan(v) or math.isinf(v):
        return sprintf("%.4g", v)
    if v == 0:
        return sprintf("%.4gs", v)
    if abs(v) >= 1:
        sign = ""
        if v < 0:
            sign, v = "-", -v
        duration = _go_int64(v)
        seconds = _rem(duration, 60)
        minutes = _rem(_quo(duration, 60), 60)
        hours = _rem(_quo(duration, 3600), 24)
        days = _quo(duration, 86400)
        if days != 0:
            return f"{sign}{days}d {hours}h {minutes}m {seconds}s"
        if hours != 0:
            return f"{sign}{hours}h {minutes}m {seconds}s"
        if minutes != 0:
            return f"{sign}{minutes}m {seconds}s"
        return sprintf("%s%.4gs", sign, v)
    prefix = ""
    for p in ("m", "u", "n", "p", "f", "a", "z", "y"):
        if abs(v) >= 1:
            break
        prefix = p
        v *= 1000
    return sprintf("%.4g%ss", v, prefix)


def _quo(a: int, b: int) -> int:
    """Go's integer division (truncates toward zero)."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q


def _rem(a: int, b: int) -> int:
    return a - b * _quo(a, b)


def _go_int64(v: float) -> int:
    """Go's int64(v) on amd64: truncation; out-of-range values give math.MinInt64."""
    if math.isnan(v) or not -(2.0**63) <= v < 2.0**63:
        return -(1 << 63)
    return int(v)


def humanize_percentage(i: Any) -> str:
    return sprintf("%.4g%%", convert_to_float(i) * 100)


class _NaNOrInf(Exception):
    pass


def float_to_time(v: float) -> GoTime:
    if math.isnan(v) or math.isinf(v):
        raise _NaNOrInf
    timestamp = v * 1e9
    if timestamp > 2.0**63 - 1 or timestamp < -(2.0**63):
        raise ValueError(
            f"{format_g(v)} cannot be represented as a nanoseconds timestamp since it overflows int64"
        )
    ns = _go_int64(timestamp)
    ms = abs(ns) // 1_000_000 * (1 if ns >= 0 else -1)
    return GoTime(ms)


def humanize_timestamp(i: Any) -> str:
    v = convert_to_float(i)
    try:
        return float_to_time(v).String()
    except _NaNOrInf:
        return sprintf("%.4g", v)


def to_time(i: Any) -> GoTime:
    try:
        return float_to_time(convert_to_float(i))
    except _NaNOrInf:
        raise ValueError("value is NaN or Inf") from None


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
