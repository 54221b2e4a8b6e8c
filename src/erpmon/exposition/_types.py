"""What a parse hands back: `ParsedExposition`, `MetricType`, `ParseError` and the sentinels."""

from __future__ import annotations

import enum
import struct
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from erpmon.model import Labels

# A sample without a timestamp in the payload carries this in `ParsedExposition.timestamps`;
# the scrape loop substitutes the scrape time. Text-format timestamps are never negative, and
# OpenMetrics timestamps that would land on it are rejected as out of range.
NO_TIMESTAMP: int = -(2**63)

# value.NormalNaN in Prometheus (what Go's math.NaN() returns): every NaN read from a payload
# becomes exactly this bit pattern, so it can never be mistaken for the staleness marker.
NORMAL_NAN_BITS = 0x7FF8000000000001
NORMAL_NAN: float = struct.unpack("<d", struct.pack("<Q", NORMAL_NAN_BITS))[0]


class ParseError(ValueError):
    """A malformed exposition: the whole payload is rejected, as Prometheus fails the scrape.

    `reason` is worded like Prometheus 2.42's textparse errors; `line` is 1-based.
    """

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}")
        self.line = line
        self.reason = reason


class MetricType(enum.Enum):
    """A metric family's type as declared by `# TYPE`; the text format's `untyped` is UNKNOWN."""

    COUNTER = "counter"
    GAUGE = "gauge"
    HISTOGRAM = "histogram"
    GAUGE_HISTOGRAM = "gaugehistogram"
    SUMMARY = "summary"
    INFO = "info"
    STATESET = "stateset"
    UNKNOWN = "unknown"


def _empty_floats() -> npt.NDArray[np.float64]:
    return np.empty(0, dtype=np.float64)


def _empty_ints() -> npt.NDArray[np.int64]:
    return np.empty(0, dtype=np.int64)


@dataclass
class ParsedExposition:
    """One payload's samples as parallel columns, plus the metadata its comments declared.

    - `keys[i]`: sample i's series exactly as written (metric name and label block), the
      scrape cache's key. Keys are only comparable within one format: a cache filled from
      text-format payloads must be dropped when a target switches to OpenMetrics (see
      `openmetrics`), since the text format tolerates spacing that OpenMetrics rejects.
    - `values[i]`: float64; every NaN is `NORMAL_NAN_BITS`.
    - `timestamps[i]`: milliseconds, or `NO_TIMESTAMP` where the line has none.
    - `labels`: the parsed `Labels` (with `__name__`) of every key that was not in `known`.
    - `types`, `helps`, `units`: by metric family name as written in `# TYPE` / `# HELP` /
      `# UNIT` (a later line for the same name wins).
    """

    keys: list[str] = field(default_factory=list)
    values: npt.NDArray[np.float64] = field(default_factory=_empty_floats)
    timestamps: npt.NDArray[np.int64] = field(default_factory=_empty_ints)
    labels: dict[str, Labels] = field(default_factory=dict)
    types: dict[str, MetricType] = field(default_factory=dict)
    helps: dict[str, str] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)
    openmetrics: bool = False

    def __len__(self) -> int:
        return len(self.keys)
