"""Run every tests/promql/testdata/*.test file through the engine over a real store."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.promql.dsl import Runner

FILES = sorted((Path(__file__).parent / "testdata").glob("*.test"))


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_promql_cases(path: Path, tmp_path: Path) -> None:
    failures = Runner(tmp_path).run_file(path)
    assert not failures, "\n".join(failures)
