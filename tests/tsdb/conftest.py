"""Fixtures for the tsdb tests: a store factory in tmp_path, and small helpers as fixtures
(the suite runs in importlib mode, where test modules cannot import each other)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest

from erpmon.model import Labels, Matcher
from erpmon.tsdb import TSDB, TSDBOptions

Opener = Callable[..., TSDB]
Query = Callable[..., dict[Labels, tuple[list[int], list[int]]]]


class FakeClock:
    """Monotonic seconds that only move when a test says so."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def open_db(tmp_path: Path) -> Iterator[Opener]:
    """Open a TSDB under tmp_path/data (small blocks: 1000 ms); closed after the test."""
    opened: list[TSDB] = []

    def _open(path: Path | None = None, read_only: bool = False, **opts: object) -> TSDB:
        settings: dict[str, object] = {"block_range_ms": 1000, "wal_fsync": "never"}
        settings.update(opts)
        db = TSDB.open(path or tmp_path / "data", TSDBOptions(**settings), read_only=read_only)  # type: ignore[arg-type]
        opened.append(db)
        return db

    yield _open
    for db in opened:
        db.close()


@pytest.fixture
def query() -> Query:
    """`query(db, matchers, mint, maxt)` -> {labels: (timestamps, value bits)}."""

    def _query(
        db: TSDB, matchers: Sequence[Matcher] = (), mint: int = -(2**62), maxt: int = 2**62
    ) -> dict[Labels, tuple[list[int], list[int]]]:
        q = db.querier(mint, maxt)
        try:
            return {
                s.labels: (s.timestamps.tolist(), s.values.view(np.uint64).tolist())
                for s in q.select(matchers)
            }
        finally:
            q.close()

    return _query


def bits(*values: float) -> list[int]:
    return np.array(values, dtype=np.float64).view(np.uint64).tolist()  # type: ignore[no-any-return]


@pytest.fixture
def as_bits() -> Callable[..., list[int]]:
    return bits
