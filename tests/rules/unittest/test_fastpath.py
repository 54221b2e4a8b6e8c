"""The rule-by-rule fast path gives exactly what step-by-step evaluation gives, and is taken."""

from __future__ import annotations

from pathlib import Path

import pytest

from erpmon.packs import erpgo
from erpmon.rules.unittest import _fastpath, run_unit_tests

CORPUS = Path(__file__).parent / "corpus"
CASES = sorted(CORPUS.glob("*.test.yml"))
PACK = {p.name: p for p in erpgo.test_files()}
# Pack files whose step-by-step run is quick enough for CI (the others take up to a minute).
PACK_CASES = [PACK["infrastructure.yml"], PACK["capacity-weekly.yml"], PACK["security.yml"]]


def _run(
    path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[int, str, str]:
    monkeypatch.chdir(path.parent)
    capsys.readouterr()
    code = run_unit_tests([path.name])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("path", CASES + PACK_CASES, ids=lambda p: p.name)
def test_fast_path_answers_as_step_by_step(
    path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = _run(path, capsys, monkeypatch)
    monkeypatch.setattr(_fastpath, "eligible", lambda *_: False)
    slow = _run(path, capsys, monkeypatch)
    assert fast == slow


def test_pack_tests_take_the_fast_path(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    taken: list[bool] = []
    real_run = _fastpath.run

    def spy(*args: object, **kwargs: object) -> list[str] | None:
        result = real_run(*args, **kwargs)  # type: ignore[arg-type]
        taken.append(result is not None)
        return result

    monkeypatch.setattr(_fastpath, "run", spy)
    for path in PACK.values():
        assert _run(path, capsys, monkeypatch)[0] == 0
    assert taken and all(taken)
