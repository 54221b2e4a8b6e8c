"""A block's meta.json: its id, time range [minTime, maxTime) and counts (Prometheus's keys)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

META_FILE = "meta.json"
SERIES_FILE = "series.parquet"
SAMPLES_FILE = "samples.parquet"
FORMAT = "erpmon-parquet"
FORMAT_VERSION = 1
TMP_CREATE = ".tmp-for-creation"
TMP_DELETE = ".tmp-for-deletion"


@dataclass(frozen=True)
class BlockMeta:
    ulid: str
    min_time: int  # inclusive
    max_time: int  # exclusive
    num_samples: int
    num_series: int
    level: int = 1
    sources: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "ulid": self.ulid,
            "minTime": self.min_time,
            "maxTime": self.max_time,
            "stats": {"numSamples": self.num_samples, "numSeries": self.num_series},
            "compaction": {"level": self.level, "sources": list(self.sources or (self.ulid,))},
            "version": FORMAT_VERSION,
            "format": FORMAT,
        }

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> BlockMeta:
        if doc.get("format") != FORMAT:
            raise ValueError(f"not an erpmon block (format {doc.get('format')!r})")
        if doc.get("version") != FORMAT_VERSION:
            raise ValueError(f"unsupported block version {doc.get('version')!r}")
        stats = doc.get("stats", {})
        comp = doc.get("compaction", {})
        return cls(
            ulid=str(doc["ulid"]),
            min_time=int(doc["minTime"]),
            max_time=int(doc["maxTime"]),
            num_samples=int(stats.get("numSamples", 0)),
            num_series=int(stats.get("numSeries", 0)),
            level=int(comp.get("level", 1)),
            sources=tuple(comp.get("sources", ())),
        )

    @classmethod
    def read(cls, block_dir: Path) -> BlockMeta:
        return cls.from_json(json.loads((block_dir / META_FILE).read_text()))

    def overlaps(self, mint: int, maxt: int) -> bool:
        """Whether [min_time, max_time) meets the closed query window [mint, maxt]."""
        return self.min_time <= maxt and self.max_time > mint
