"""Random appends, restarts and compactions against a dict model of Prometheus's rules."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from erpmon.model import Labels
from erpmon.tsdb import TSDB, TSDBOptions

NAMES = [Labels.of(__name__="p", i=str(i)) for i in range(4)]
VALUES = [0.0, 1.0, float("nan"), 2.5]

step = st.one_of(
    st.tuples(
        st.just("batch"),
        st.lists(
            st.tuples(st.integers(0, 3), st.integers(0, 60), st.integers(0, 3)), min_size=1, max_size=12
        ),
    ),
    st.tuples(st.just("reopen"), st.none()),
    st.tuples(st.just("compact"), st.none()),
)


class Model:
    def __init__(self, block_range: int) -> None:
        self.samples: dict[Labels, dict[int, int]] = {lb: {} for lb in NAMES}
        self.head_max: int | None = None
        self.min_valid = -(2**63)
        self.block_range = block_range

    def commit(self, batch: list[tuple[int, int, int]]) -> int:
        lower = (
            self.min_valid
            if self.head_max is None
            else max(self.min_valid, self.head_max - self.block_range // 2)
        )
        accepted = 0
        for i, t, v in batch:
            series = self.samples[NAMES[i]]
            bits = int(np.float64(VALUES[v]).view(np.uint64))
            last = max(series) if series else None
            if t < lower or (last is not None and t < last):
                continue
            if last is not None and t == last:
                continue  # duplicate or identical: nothing changes
            series[t] = bits
            accepted += 1
            self.head_max = t if self.head_max is None else max(self.head_max, t)
        return accepted


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=st.lists(step, min_size=1, max_size=12))
def test_store_behaves_like_the_model(steps):
    opts = TSDBOptions(block_range_ms=20, wal_fsync="never", head_chunk_samples=16)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp)
        db = TSDB.open(path, opts)
        model = Model(opts.block_range_ms)
        try:
            for kind, batch in steps:
                if kind == "batch":
                    app = db.appender()
                    for i, t, v in batch:
                        app.append(0, NAMES[i], t, VALUES[v])
                    assert app.commit().appended == model.commit(batch)
                elif kind == "reopen":
                    db.close()
                    db = TSDB.open(path, opts)
                elif db.compact():
                    model.min_valid = max(m.max_time for m in db.blocks)
            q = db.querier(-(2**62), 2**62)
            got = {
                s.labels: dict(zip(s.timestamps.tolist(), s.values.view(np.uint64).tolist(), strict=True))
                for s in q.select([])
            }
            q.close()
            assert got == {lb: s for lb, s in model.samples.items() if s}
        finally:
            db.close()
