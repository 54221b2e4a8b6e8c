"""The alert as Alertmanager 0.25 holds it (`types.Alert`), its fingerprint, and RFC 3339 times.

Times are int nanoseconds since the Unix epoch, so a timestamp posted by Prometheus or amtool comes
back out of the API and the webhook payload exactly as it went in; `None` stands for Go's zero
`time.Time` (printed `0001-01-01T00:00:00Z`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from erpmon.model import Labels

NS = 1_000_000_000
GO_ZERO_TIME = "0001-01-01T00:00:00Z"

_FNV_OFFSET = 14695981039346656037
_FNV_PRIME = 1099511628211
_MASK = (1 << 64) - 1
_SEP = 0xFF


def fingerprint(labels: Iterable[tuple[str, str]]) -> int:
    """`model.LabelSet.Fingerprint()`: FNV-1a 64 over sorted names and values, each followed by 0xff."""
    h = _FNV_OFFSET
    for name, value in sorted(labels):
        for part in (name, value):
            for byte in part.encode():
                h = ((h ^ byte) * _FNV_PRIME) & _MASK
            h = ((h ^ _SEP) * _FNV_PRIME) & _MASK
    return h


def format_fingerprint(fp: int) -> str:
    """`model.Fingerprint.String()`: 16 hex digits."""
    return f"{fp:016x}"


_RFC3339 = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$"
)


def parse_rfc3339(text: str) -> int | None:
    """Go's `time.Parse(time.RFC3339Nano, s)` to ns since the epoch; None for the zero time.

    Raises ValueError on text Go would refuse.
    """
    m = _RFC3339.match(text)
    if m is None:
        raise ValueError(f"parsing time {text!r} as RFC 3339: invalid format")
    year, month, day, hour, minute, second = (int(m.group(i)) for i in range(1, 7))
    frac = (m.group(7) or "").ljust(9, "0")
    offset = 0
    if m.group(9):
        offset = (int(m.group(10)) * 3600 + int(m.group(11)) * 60) * (1 if m.group(9) == "+" else -1)
    try:
        day_ns = dt.datetime(year, month, day, hour, minute, second, tzinfo=dt.UTC)
    except ValueError as exc:
        raise ValueError(f"parsing time {text!r}: {exc}") from None
    is_zero = (year, month, day, hour, minute, second) == (1, 1, 1, 0, 0, 0)
    if is_zero and not int(frac) and not offset:
        return None
    days = (day_ns.date() - dt.date(1970, 1, 1)).days
    secs = days * 86400 + hour * 3600 + minute * 60 + second - offset
    return secs * NS + int(frac)


def format_rfc3339nano(ns: int | None) -> str:
    """Go's `time.Time.MarshalJSON` in UTC: RFC 3339 with trailing zeros of the fraction dropped."""
    if ns is None:
        return GO_ZERO_TIME
    secs, frac = divmod(ns, NS)
    stamp = dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(seconds=secs)
    text = stamp.strftime("%Y-%m-%dT%H:%M:%S")
    if frac:
        text += "." + f"{frac:09d}".rstrip("0")
    return text + "Z"


def format_rfc3339milli(ns: int | None) -> str:
    """go-openapi's `strfmt.DateTime` as the v2 API prints it: always three fraction digits."""
    if ns is None:
        return "0001-01-01T00:00:00.000Z"
    secs, frac = divmod(ns, NS)
    stamp = dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(seconds=secs)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S") + f".{frac // 1_000_000:03d}Z"


@dataclass(frozen=True, slots=True)
class Alert:
    """`types.Alert`: a labelled alert with its active span.

    `ends_at` None means "no end given"; `timeout` marks an ends_at that erpmon set itself
    (resolve_timeout) rather than the sender.
    """

    labels: Labels
    annotations: Labels
    starts_at: int
    ends_at: int | None
    generator_url: str = ""
    updated_at: int = 0
    timeout: bool = False

    @property
    def fingerprint(self) -> int:
        return fingerprint(self.labels)

    @property
    def name(self) -> str:
        return self.labels.get("alertname")

    def resolved_at(self, now_ns: int) -> bool:
        """`model.Alert.ResolvedAt`: an alert with an end at or before now is resolved."""
        return self.ends_at is not None and self.ends_at <= now_ns

    def status(self, now_ns: int) -> str:
        return "resolved" if self.resolved_at(now_ns) else "firing"

    def exposed(self, now_ns: int) -> Alert:
        """`types.Alerts`: an end time that is not reached yet is not shown to receivers."""
        if self.ends_at is not None and not self.resolved_at(now_ns):
            return dataclasses.replace(self, ends_at=None)
        return self

    def merge(self, other: Alert, now_ns: int) -> Alert:
        """`types.Alert.Merge`: the younger update wins, with the earliest start and a fitting end."""
        older, younger = (other, self) if other.updated_at < self.updated_at else (self, other)
        starts_at = min(older.starts_at, younger.starts_at)
        ends_at = younger.ends_at
        if younger.resolved_at(now_ns):
            if older.resolved_at(now_ns) and _after(older.ends_at, younger.ends_at):
                ends_at = older.ends_at
        elif _after(older.ends_at, younger.ends_at) and not older.timeout:
            ends_at = older.ends_at
        return dataclasses.replace(younger, starts_at=starts_at, ends_at=ends_at)


def _after(a: int | None, b: int | None) -> bool:
    """Go's `a.After(b)` where None is the zero time, before every real time."""
    if a is None:
        return False
    return b is None or a > b
