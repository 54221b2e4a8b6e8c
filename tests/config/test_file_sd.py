"""file_sd files: `load_file_sd` against Prometheus's reading of them (promtool check config reads them)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from erpmon.config import (
    ConfigError,
    TargetError,
    load_file_sd,
    parse_prometheus_config,
    populate_target,
)
from erpmon.model import Labels

# (file name, content, readable by Prometheus)
FILES: list[tuple[str, str, bool]] = [
    ("ok.json", '[{"targets": ["a:1", "b:2"], "labels": {"env": "prod"}}]', True),
    ("empty_list.json", "[]", True),
    ("null.json", "null", True),
    ("no_targets.json", '[{"labels": {"env": "prod"}}]', True),
    ("capitalised_keys.json", '[{"Targets": ["a:1"], "LABELS": {"env": "x"}}]', True),
    ("null_label_value.json", '[{"targets": ["a:1"], "labels": {"env": null}}]', True),
    ("object_not_list.json", '{"targets": ["a:1"]}', False),
    ("null_group.json", "[null]", False),
    ("targets_string.json", '[{"targets": "a:1"}]', False),
    ("targets_numbers.json", '[{"targets": [9100]}]', False),
    ("bad_label_name.json", '[{"targets": ["a:1"], "labels": {"a-b": "x"}}]', False),
    ("label_value_number.json", '[{"targets": ["a:1"], "labels": {"a": 1}}]', False),
    ("unknown_key.json", '[{"targets": ["a:1"], "foo": 1}]', False),
    ("malformed.json", '[{"targets": ["a:1"]', False),
    ("ok.yml", "- targets: [a:1, 'b:2']\n  labels:\n    env: yes\n    version: 1.0\n", True),
    ("empty.yml", "", True),
    ("ok_upper.YAML", "- targets: [a:1]\n", True),
    ("unknown_key.yml", "- targets: [a:1]\n  foo: 1\n", False),
    ("null_group.yml", "- ~\n", False),
    ("targets_scalar.yml", "- targets: a:1\n", False),
    ("bad_label_name.yaml", "- targets: [a:1]\n  labels: {a-b: x}\n", False),
    ("duplicate_label.yml", "- targets: [a:1]\n  labels: {a: x, a: y}\n", False),
    ("mapping_not_list.yml", "targets: [a:1]\n", False),
]


def _write(tmp_path: Path, name: str, content: str) -> Path:
    path = tmp_path / name
    path.write_text(content)
    return path


@pytest.mark.parametrize(("name", "content", "readable"), FILES, ids=[f[0] for f in FILES])
def test_load_file_sd(tmp_path: Path, name: str, content: str, readable: bool) -> None:
    path = _write(tmp_path, name, content)
    if readable:
        groups = load_file_sd(str(path))
        for i, group in enumerate(groups):
            assert group.source == f"{path}:{i}"
            assert group.labels.get("__meta_filepath") == str(path)
    else:
        with pytest.raises(ConfigError) as err:
            load_file_sd(str(path))
        assert all(p.file == str(path) for p in err.value.problems)


@pytest.mark.parametrize(("name", "content", "readable"), FILES, ids=[f[0] for f in FILES])
def test_promtool_reads_file_sd_alike(tmp_path: Path, name: str, content: str, readable: bool) -> None:
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("promtool (Prometheus 2.42) not installed")
    path = _write(tmp_path, name, content)
    config = _write(
        tmp_path,
        "prometheus.yml",
        f"scrape_configs:\n  - job_name: f\n    file_sd_configs:\n      - files: ['{name}']\n",
    )
    proc = subprocess.run(
        [promtool, "check", "config", str(config)], capture_output=True, text=True, check=False
    )
    # promtool also builds each target; erpmon does the same with populate_target.
    ours = readable
    if readable:
        job = parse_prometheus_config(config.read_text(), str(config)).scrape_configs[0]
        for group in load_file_sd(str(path)):
            for target in group.targets:
                try:
                    populate_target({**group.labels.to_dict(), "__address__": target}, job)
                except TargetError:
                    ours = False
    assert (proc.returncode == 0) == ours, proc.stdout + proc.stderr


def test_file_sd_values(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "t.yml",
        "- targets: [a:1, 'b:2']\n  labels:\n    env: yes\n    __address__: x\n- targets: []\n",
    )
    first, second = load_file_sd(str(path))
    assert first.targets == ("a:1", "b:2")
    assert first.labels == Labels({"env": "yes", "__meta_filepath": str(path)})
    assert second.targets == ()


def test_file_sd_unknown_extension(tmp_path: Path) -> None:
    path = _write(tmp_path, "t.txt", "[]")
    with pytest.raises(ConfigError, match="unhandled file extension"):
        load_file_sd(str(path))


def test_file_sd_yaml_error_position(tmp_path: Path) -> None:
    path = _write(tmp_path, "t.yml", "- targets: [a:1]\n  foo: 1\n")
    with pytest.raises(ConfigError) as err:
        load_file_sd(str(path))
    assert str(err.value).startswith(f"{path}:2:3: field foo not found in type struct {{ Targets []string")
