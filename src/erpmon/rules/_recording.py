"""Recording rules: the expression's samples renamed to `record` and relabelled with the rule's labels."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from erpmon.model import METRIC_NAME, Labels
from erpmon.promql import InstantVector
from erpmon.rules._file import RuleSpec

QueryFunc = Callable[[str, int], InstantVector]


class RecordingRule:
    kind = "recording"

    def __init__(self, spec: RuleSpec, query: str) -> None:
        self.spec = spec
        self.name = spec.record
        self.query = query
        self.labels = spec.labels
        self.health = "unknown"
        self.last_error = ""
        self.eval_duration_s = 0.0
        self.eval_timestamp_ms: int | None = None
        # Output label sets repeat every evaluation: remember what each input became.
        self._renamed: dict[Labels, Labels] = {}

    def eval(self, ts: int, query: QueryFunc, limit: int) -> tuple[list[Labels], np.ndarray]:
        """The series to write at `ts` and their values; raises on error (as Prometheus words it)."""
        vector = query(self.query, ts)
        out = [self.rename(lset) for lset in vector.labels]
        if len(set(out)) != len(out):
            raise ValueError("vector contains metrics with the same labelset after applying rule labels")
        if limit > 0 and len(out) > limit:
            raise ValueError(f"exceeded limit of {limit} with {len(out)} series")
        return out, np.asarray(vector.values, dtype=np.float64)

    def rename(self, lset: Labels) -> Labels:
        """The output label set for an input one: `record` as the name, then the rule's labels."""
        renamed = self._renamed.get(lset)
        if renamed is None:
            built = lset.to_dict()
            built[METRIC_NAME] = self.name
            built.update(self.labels)  # an empty value deletes the label: Labels drops it
            renamed = Labels(built)
            if len(self._renamed) > 100_000:
                self._renamed.clear()
            self._renamed[lset] = renamed
        return renamed
