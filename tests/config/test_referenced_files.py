"""promtool's checks on the files a config names, mirrored by `check_referenced_files`."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from erpmon.config import check_referenced_files, load_prometheus_config

# (name, files to create {relative path: content}, prometheus.yml, promtool accepts)
SCENARIOS: list[tuple[str, dict[str, str], str, bool]] = [
    ("rule_file_present", {"rules/a.yml": "groups: []\n"}, "rule_files: [rules/a.yml]\n", True),
    ("rule_file_missing", {}, "rule_files: [rules/a.yml]\n", False),
    ("rule_glob_matching_nothing", {}, "rule_files: ['rules/*.yml']\n", True),
    (
        "credentials_file_missing",
        {},
        "scrape_configs:\n  - job_name: a\n    bearer_token_file: secrets/token\n",
        False,
    ),
    (
        "credentials_file_present",
        {"secrets/token": "abc\n"},
        "scrape_configs:\n  - job_name: a\n    authorization: {credentials_file: secrets/token}\n",
        True,
    ),
    (
        "client_cert_missing",
        {"k.pem": "x"},
        "scrape_configs:\n  - job_name: a\n    tls_config: {cert_file: c.pem, key_file: k.pem}\n",
        False,
    ),
    (
        "file_sd_missing_is_a_warning",
        {},
        "scrape_configs:\n  - job_name: a\n    file_sd_configs: [{files: [targets.json]}]\n",
        True,
    ),
    (
        "file_sd_bad_content",
        {"t/x.json": '[{"targets": "a:1"}]'},
        "scrape_configs:\n  - job_name: a\n    file_sd_configs: [{files: ['t/*.json']}]\n",
        False,
    ),
    (
        "file_sd_url_target",
        {"t/x.yml": "- targets: ['http://a:1/metrics']\n"},
        "scrape_configs:\n  - job_name: a\n    file_sd_configs: [{files: ['t/*.yml']}]\n",
        False,
    ),
    (
        "file_sd_good",
        {"t/x.yml": "- targets: ['a:1']\n  labels: {env: prod}\n"},
        "scrape_configs:\n  - job_name: a\n    file_sd_configs: [{files: ['t/*.yml']}]\n",
        True,
    ),
]


def _setup(tmp_path: Path, files: dict[str, str], config: str) -> Path:
    for rel, content in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    cfg = tmp_path / "prometheus.yml"
    cfg.write_text(config)
    return cfg


@pytest.mark.parametrize(("name", "files", "config", "accepted"), SCENARIOS, ids=[s[0] for s in SCENARIOS])
def test_referenced_files(
    tmp_path: Path, name: str, files: dict[str, str], config: str, accepted: bool
) -> None:
    path = _setup(tmp_path, files, config)
    problems, warnings = check_referenced_files(load_prometheus_config(path))
    assert (not problems) == accepted, problems
    assert all(p.file == str(path) for p in problems)
    if name == "file_sd_missing_is_a_warning":
        assert warnings


@pytest.mark.parametrize(("name", "files", "config", "accepted"), SCENARIOS, ids=[s[0] for s in SCENARIOS])
def test_promtool_agrees(
    tmp_path: Path, name: str, files: dict[str, str], config: str, accepted: bool
) -> None:
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("promtool (Prometheus 2.42) not installed")
    path = _setup(tmp_path, files, config)
    proc = subprocess.run(
        [promtool, "check", "config", str(path)], capture_output=True, text=True, check=False
    )
    assert (proc.returncode == 0) == accepted, proc.stdout + proc.stderr
