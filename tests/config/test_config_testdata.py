"""Every testdata config: erpmon and promtool 2.42 both reject each *.bad.yml and accept each *.good.yml."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from erpmon.config import ConfigError, load_prometheus_config


def test_bad_file_rejected_by_erpmon(bad_file: Path, expected_error_of: Callable[[Path], str]) -> None:
    with pytest.raises(ConfigError) as err:
        load_prometheus_config(bad_file)
    expected = expected_error_of(bad_file)
    assert any(expected in p.reason for p in err.value.problems), str(err.value)
    for problem in err.value.problems:
        assert problem.file == str(bad_file)
        assert problem.line >= 1 and problem.column >= 1, problem
    assert str(err.value).startswith(f"{bad_file}:")


def test_bad_file_rejected_by_promtool(
    bad_file: Path,
    expected_error_of: Callable[[Path], str],
    promtool_check: Callable[[Path], tuple[int, str]],
) -> None:
    code, output = promtool_check(bad_file)
    assert code != 0, output
    assert expected_error_of(bad_file) in output


def test_good_file_accepted_by_erpmon(good_file: Path) -> None:
    load_prometheus_config(good_file)


def test_good_file_accepted_by_promtool(
    good_file: Path, promtool_check: Callable[[Path], tuple[int, str]]
) -> None:
    code, output = promtool_check(good_file)
    assert code == 0, output


def test_type_errors_carry_promtools_line(
    bad_file: Path, promtool_check: Callable[[Path], tuple[int, str]]
) -> None:
    """Where promtool names lines (yaml type errors), erpmon names the same lines."""
    _code, output = promtool_check(bad_file)
    promtool_lines = {int(n) for n in re.findall(r"^\s+line (\d+): ", output, flags=re.M)}
    with pytest.raises(ConfigError) as err:
        load_prometheus_config(bad_file)
    assert promtool_lines <= {p.line for p in err.value.problems}, (output, str(err.value))


def test_erpgo_seed_rejected_at_the_recording_rules_line(testdata: Path) -> None:
    path = testdata / "erpgo_seed.bad.yml"
    lines = path.read_text().splitlines()
    line = next(i for i, text in enumerate(lines, 1) if text.startswith("recording_rules:"))
    with pytest.raises(ConfigError) as err:
        load_prometheus_config(path)
    assert str(err.value) == f"{path}:{line}:1: field recording_rules not found in type config.plain"


def test_all_problems_reported_not_only_the_first(testdata: Path) -> None:
    text = (
        "global:\n  scrape_intreval: 15s\n"
        "scrape_configs:\n  - job_name: a\n    honor_labels: maybe\n"
        "  - job_name: b\n    scrape_interval: 1.5h\n"
        "recording_rules: []\n"
    )
    from erpmon.config import parse_prometheus_config

    with pytest.raises(ConfigError) as err:
        parse_prometheus_config(text, "/etc/erpmon/prometheus.yml")
    assert [str(p) for p in err.value.problems] == [
        "/etc/erpmon/prometheus.yml:2:3: field scrape_intreval not found in type config.plain",
        "/etc/erpmon/prometheus.yml:5:19: cannot unmarshal !!str `maybe` into bool",
        '/etc/erpmon/prometheus.yml:7:22: not a valid duration string: "1.5h"',
        "/etc/erpmon/prometheus.yml:8:1: field recording_rules not found in type config.plain",
    ]
