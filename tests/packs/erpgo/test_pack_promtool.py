"""The ERPGo pack against promtool 2.42 (check rules, check config, unit tests) and its own rules:
every alert has a firing and a quiet unit test, routable labels and the annotations it needs."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.support import need_binary

from erpmon.packs import erpgo

RULE_FILES = erpgo.rule_files()
TEST_FILES = erpgo.test_files()
SEVERITIES = {"critical", "warning", "info"}
# the services the seeds' Alertmanager routes (business, infrastructure) or sends to default
SERVICES = {"infrastructure", "application", "business", "security"}
RECORD_NAME = re.compile(r"^[a-z][a-z0-9_]*:[a-z][a-z0-9_]*:[a-z0-9_]+$")


def _promtool(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    promtool = need_binary("promtool")
    return subprocess.run(
        [promtool, *args], cwd=cwd, capture_output=True, text=True, timeout=300, check=False
    )


def _load(path: Path) -> Any:
    with path.open(encoding="utf-8") as f:
        return yaml.safe_load(f)


def _rules() -> list[tuple[str, dict[str, Any]]]:
    return [
        (path.name, rule) for path in RULE_FILES for group in _load(path)["groups"] for rule in group["rules"]
    ]


def _alerts() -> list[tuple[str, dict[str, Any]]]:
    return [(name, rule) for name, rule in _rules() if "alert" in rule]


def _test_groups() -> list[dict[str, Any]]:
    return [group for path in TEST_FILES for group in _load(path)["tests"]]


def test_pack_has_its_files() -> None:
    assert len(RULE_FILES) == 20
    assert TEST_FILES
    assert erpgo.prometheus_config().is_file()
    assert (erpgo.erpgo_pack_dir() / "README.md").is_file()
    assert (erpgo.erpgo_pack_dir() / "METRICS.md").is_file()


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.name)
def test_promtool_check_rules(path: Path) -> None:
    result = _promtool("check", "rules", str(path))
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "SUCCESS" in output, output
    assert "WARNING" not in output.upper().replace("SUCCESS", ""), output
    assert "duplicate" not in output.lower(), output


def test_promtool_check_config(tmp_path: Path) -> None:
    # a copy proves the config needs nothing but the pack's own files
    pack = tmp_path / "erpgo"
    (pack / "rules").mkdir(parents=True)
    shutil.copy(erpgo.prometheus_config(), pack / "prometheus.yml")
    for path in RULE_FILES:
        shutil.copy(path, pack / "rules" / path.name)
    result = _promtool("check", "config", "prometheus.yml", cwd=pack)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert f"SUCCESS: {len(RULE_FILES)} rule files found" in output, output
    assert output.count("SUCCESS") == len(RULE_FILES) + 2, output


@pytest.mark.parametrize("path", TEST_FILES, ids=lambda p: p.name)
def test_promtool_test_rules(path: Path) -> None:
    result = _promtool("test", "rules", path.name, cwd=path.parent)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "SUCCESS" in output and "FAILED" not in output, output


def test_every_alert_fires_and_stays_quiet_in_a_unit_test() -> None:
    firing: set[str] = set()
    quiet: set[str] = set()
    for group in _test_groups():
        for case in group.get("alert_rule_test") or []:
            (firing if case.get("exp_alerts") else quiet).add(case["alertname"])
    names = {rule["alert"] for _, rule in _alerts()}
    assert not names - firing, f"alerts without a firing case: {sorted(names - firing)}"
    assert not names - quiet, f"alerts without a non-firing case: {sorted(names - quiet)}"
    assert not (firing | quiet) - names, f"tests of unknown alerts: {sorted((firing | quiet) - names)}"


def test_every_firing_case_pins_labels_and_annotations() -> None:
    for group in _test_groups():
        for case in group.get("alert_rule_test") or []:
            for alert in case.get("exp_alerts") or []:
                assert {"severity", "service"} <= set(alert["exp_labels"]), case
                assert {"summary", "description", "runbook_url"} <= set(alert["exp_annotations"]), case


def test_every_recording_rule_is_unit_tested() -> None:
    exprs = [case["expr"] for group in _test_groups() for case in group.get("promql_expr_test") or []]
    records = {rule["record"] for _, rule in _rules() if "record" in rule}
    untested = {
        r for r in records if not any(re.search(rf"(?<![\w:]){re.escape(r)}(?![\w:])", e) for e in exprs)
    }
    assert not untested, f"recording rules without a promql_expr_test: {sorted(untested)}"


@pytest.mark.parametrize("file_alert", _alerts(), ids=lambda fa: f"{fa[0]}:{fa[1]['alert']}")
def test_alert_labels_and_annotations(file_alert: tuple[str, dict[str, Any]]) -> None:
    _, rule = file_alert
    labels = rule.get("labels") or {}
    annotations = rule.get("annotations") or {}
    assert labels.get("severity") in SEVERITIES
    assert labels.get("service") in SERVICES
    assert annotations.get("summary")
    assert annotations.get("description")
    assert annotations.get("runbook_url") == f"https://docs.erpgo.example.com/runbooks/{rule['alert']}"


def test_alert_names_are_shared_only_by_severity_pairs() -> None:
    """One name, several rules only as warning/critical pairs of one service (Alertmanager's
    inhibit rule mutes the warning while the critical fires)."""
    by_name: dict[str, list[dict[str, Any]]] = {}
    for _, rule in _alerts():
        by_name.setdefault(rule["alert"], []).append(rule)
    for name, rules in by_name.items():
        if len(rules) == 1:
            continue
        severities = sorted(r["labels"]["severity"] for r in rules)
        services = {r["labels"]["service"] for r in rules}
        assert severities == ["critical", "warning"], name
        assert len(services) == 1, name


def test_recording_rule_names_follow_level_metric_operations() -> None:
    for file, rule in _rules():
        if "record" in rule:
            assert RECORD_NAME.match(rule["record"]), f"{file}: {rule['record']}"
            assert not rule["record"].endswith("_total"), f"{file}: {rule['record']}"


def test_prometheus_config_scrapes_what_the_rules_read() -> None:
    config = _load(erpgo.prometheus_config())
    assert "recording_rules" not in config
    assert config["rule_files"] == ["rules/*.yml"]
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    assert {"erpgo-api", "node", "erpmon", "cadvisor", "postgres-exporter"} <= set(jobs)
    assert jobs["node"]["metrics_path"] == "/node/metrics"
