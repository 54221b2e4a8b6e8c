"""Generated series -> an OpenMetrics file with explicit timestamps, as both backfills read it."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class GenSeries:
    """One series of a generated data set: `ts_ms` strictly increasing, `values` alike in length."""

    name: str
    labels: tuple[tuple[str, str], ...]  # without __name__, any order
    ts_ms: IntArray
    values: FloatArray

    def __post_init__(self) -> None:
        if len(self.ts_ms) != len(self.values):
            raise ValueError(f"{self.name}: {len(self.ts_ms)} timestamps but {len(self.values)} values")
        if len(self.ts_ms) > 1 and not bool(np.all(np.diff(self.ts_ms) > 0)):
            raise ValueError(f"{self.name}{dict(self.labels)}: timestamps must strictly increase")


def escape_label_value(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def series_text(name: str, labels: Iterable[tuple[str, str]]) -> str:
    """`name{a="x",b="y"}` with labels in the given order (the exposition keeps no order)."""
    inner = ",".join(f'{k}="{escape_label_value(v)}"' for k, v in labels)
    return f"{name}{{{inner}}}" if inner else name


def format_value(v: float) -> str:
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "+Inf" if v > 0 else "-Inf"
    return repr(float(v))


def format_timestamp(ms: int) -> str:
    """Seconds with millisecond precision, never rounding through a float."""
    sec, frac = divmod(int(ms), 1000)
    return f"{sec}.{frac:03d}" if frac else str(sec)


def openmetrics_lines(series: Iterable[GenSeries]) -> Iterable[str]:
    for s in series:
        head = series_text(s.name, s.labels)
        for t, v in zip(s.ts_ms.tolist(), s.values.tolist(), strict=True):
            yield f"{head} {format_value(v)} {format_timestamp(t)}\n"
    yield "# EOF\n"


def write_openmetrics(series: Iterable[GenSeries], path: Path) -> int:
    """Write the file; returns the number of samples. No TYPE lines: metadata plays no part in queries."""
    n = -1  # the # EOF line
    with path.open("w", encoding="utf-8") as f:
        chunk: list[str] = []
        for line in openmetrics_lines(series):
            chunk.append(line)
            n += 1
            if len(chunk) >= 65536:
                f.write("".join(chunk))
                chunk.clear()
        f.write("".join(chunk))
    return n
