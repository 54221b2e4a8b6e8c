"""Where each expression is evaluated: instant times and range windows chosen against the data set."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from erpmon.promql.testing._dataset import DifferentialDataset
from erpmon.promql.testing._openmetrics import format_timestamp

Kind = Literal["instant", "range"]


def seconds(value: float) -> str:
    """A time parameter as Prometheus's API reads it, exact to the millisecond."""
    return format_timestamp(round(value * 1000))


@dataclass(frozen=True)
class Evaluation:
    name: str
    kind: Kind
    time_s: float = 0.0  # instant
    start_s: float = 0.0  # range
    end_s: float = 0.0
    step_s: float = 0.0

    @property
    def path(self) -> str:
        return "/api/v1/query" if self.kind == "instant" else "/api/v1/query_range"

    def params(self, expr: str) -> dict[str, str]:
        if self.kind == "instant":
            return {"query": expr, "time": seconds(self.time_s)}
        return {
            "query": expr,
            "start": seconds(self.start_s),
            "end": seconds(self.end_s),
            "step": seconds(self.step_s),
        }

    def describe(self) -> str:
        if self.kind == "instant":
            return f"instant {self.name} (time={seconds(self.time_s)})"
        return (
            f"range {self.name} (start={seconds(self.start_s)} end={seconds(self.end_s)} "
            f"step={seconds(self.step_s)})"
        )


def evaluations(ds: DifferentialDataset) -> tuple[Evaluation, ...]:
    t0, stop = ds.start_s, ds.legacy_stop_s
    down_from, down_to = ds.api3_down_s
    instants = (
        Evaluation("before-start", "instant", time_s=t0 - 600),
        Evaluation("start+1m", "instant", time_s=t0 + 60),
        # api-3 is back; its old build_info series (last sample before the outage) is still within the
        # 5 m lookback next to the new one.
        Evaluation("api-3-restart", "instant", time_s=down_to + 50.5),
        Evaluation("mid", "instant", time_s=t0 + 3 * 3600 + 7.25),
        # 2.42 lookback includes its start: the legacy series' last sample is visible at exactly +5 m...
        Evaluation("legacy-stop+5m", "instant", time_s=stop + 300),
        # ...and gone one millisecond later.
        Evaluation("legacy-stop+5m+1ms", "instant", time_s=stop + 300.001),
        Evaluation("after-end", "instant", time_s=ds.end_s + 120),
    )
    ranges = (
        # Across api-3's outage and restart, and the cache series' late start.
        Evaluation("1h@60s", "range", start_s=down_from - 1800, end_s=down_from + 1800, step_s=60),
        # Before the first sample to after the last, across midnight and the end of February.
        Evaluation("7h@5m", "range", start_s=t0 - 1800, end_s=ds.end_s + 1800, step_s=300),
        # Unaligned 15 s steps across the legacy series' lookback expiry.
        Evaluation("10m@15s", "range", start_s=stop - 293, end_s=stop - 293 + 600, step_s=15),
    )
    return instants + ranges
