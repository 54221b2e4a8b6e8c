"""Go's time.Time as templates see it (what Prometheus's `toTime` returns): UTC, millisecond precision.

Owns: `GoTime` with the methods templates call (String, Unix, UnixMilli, UnixNano, UTC, Year, Month,
Day, Hour, Minute, Second, Nanosecond, YearDay, Weekday, Format with Go's layout tokens).
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from erpmon.templates._types import GoStruct

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)

# Go layout tokens, longest first where one is a prefix of another.
_TOKENS = (
    "January", "Monday", "2006", "-07:00:00", "-0700", "-07:00", "Z07:00", "Z0700", "MST",
    "Jan", "Mon", "002", "__2", "_2", "01", "02", "03", "04", "05", "06", "15", "-07", "Z07",
    "PM", "pm", "1", "2", "3", "4", "5",
)  # fmt: skip


class GoTime(GoStruct):
    """A *time.Time in UTC, from milliseconds since the epoch."""

    go_type: ClassVar[str] = "*time.Time"
    go_pointer: ClassVar[bool] = True
    go_methods: ClassVar[tuple[str, ...]] = (
        "String", "Unix", "UnixMilli", "UnixNano", "UTC", "Year", "Month", "Day", "Hour", "Minute",
        "Second", "Nanosecond", "YearDay", "Weekday", "Format",
    )  # fmt: skip

    __slots__ = ("ms",)

    def __init__(self, ms: int) -> None:
        self.ms = ms

    @property
    def _dt(self) -> dt.datetime:
        return _EPOCH + dt.timedelta(milliseconds=self.ms)

    def String(self) -> str:
        days, ms = divmod(self.ms, 86_400_000)
        y, m, d = _civil_from_days(days)
        secs = ms // 1000
        frac = f"{(ms % 1000) * 1_000_000:09d}".rstrip("0")
        clock = f"{secs // 3600:02d}:{secs // 60 % 60:02d}:{secs % 60:02d}"
        year = f"{y:04d}" if y >= 0 else f"-{-y:04d}"
        return f"{year}-{m:02d}-{d:02d} {clock}" + ("." + frac if frac else "") + " +0000 UTC"

    def Unix(self) -> int:
        return self.ms // 1000

    def UnixMilli(self) -> int:
        return self.ms

    def UnixNano(self) -> int:
        return self.ms * 1_000_000

    def UTC(self) -> GoTime:
        return self

    def Year(self) -> int:
        return self._dt.year

    def Month(self) -> str:
        return self._dt.strftime("%B")

    def Day(self) -> int:
        return self._dt.day

    def Hour(self) -> int:
        return self._dt.hour

    def Minute(self) -> int:
        return self._dt.minute

    def Second(self) -> int:
        return self._dt.second

    def Nanosecond(self) -> int:
        return (self.ms % 1000) * 1_000_000

    def YearDay(self) -> int:
        return self._dt.timetuple().tm_yday

    def Weekday(self) -> str:
        return self._dt.strftime("%A")

    def Format(self, layout: str) -> str:
        """time.Format with Go's reference-time layout (UTC, so zones print as +0000 / Z / UTC)."""
        d = self._dt
        out: list[str] = []
        i = 0
        while i < len(layout):
            if layout[i] in ".," and i + 1 < len(layout) and layout[i + 1] in "09":
                j = i + 1
                while j < len(layout) and layout[j] == layout[i + 1]:
                    j += 1
                if j >= len(layout) or not layout[j].isdigit():
                    digits = f"{self.Nanosecond():09d}"[: j - i - 1]
                    if layout[i + 1] == "9":
                        digits = digits.rstrip("0")
                    out.append(layout[i] + digits if digits else "")
                    i = j
                    continue
            token = next((t for t in _TOKENS if layout.startswith(t, i)), None)
            if token is None:
                out.append(layout[i])
                i += 1
                continue
            out.append(_format_token(d, token))
            i += len(token)
        return "".join(out)


def _civil_from_days(z: int) -> tuple[int, int, int]:
    """(year, month, day) of a day count since 1970-01-01 (proleptic Gregorian, any range)."""
    z += 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    return yoe + era * 400 + (m <= 2), m, d


def _format_token(d: dt.datetime, token: str) -> str:
    hour12 = d.hour % 12 or 12
    simple = {
        "January": d.strftime("%B"),
        "Monday": d.strftime("%A"),
        "2006": f"{d.year:04d}",
        "Jan": d.strftime("%b"),
        "Mon": d.strftime("%a"),
        "002": f"{d.timetuple().tm_yday:03d}",
        "__2": f"{d.timetuple().tm_yday:>3d}",
        "_2": f"{d.day:>2d}",
        "01": f"{d.month:02d}",
        "02": f"{d.day:02d}",
        "03": f"{hour12:02d}",
        "04": f"{d.minute:02d}",
        "05": f"{d.second:02d}",
        "06": f"{d.year % 100:02d}",
        "15": f"{d.hour:02d}",
        "PM": "PM" if d.hour >= 12 else "AM",
        "pm": "pm" if d.hour >= 12 else "am",
        "1": str(d.month),
        "2": str(d.day),
        "3": str(hour12),
        "4": str(d.minute),
        "5": str(d.second),
        "MST": "UTC",
    }
    if token in simple:
        return simple[token]
    if token.startswith("Z"):
        return "Z"
    return {"-0700": "+0000", "-07:00": "+00:00", "-07": "+00", "-07:00:00": "+00:00:00"}[token]
