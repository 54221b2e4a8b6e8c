"""Where the pack's files are."""

from __future__ import annotations

from pathlib import Path


def erpgo_pack_dir() -> Path:
    """The folder holding prometheus.yml, rules/ and tests/."""
    return Path(__file__).resolve().parent


def prometheus_config() -> Path:
    """The pack's prometheus.yml (its rule_files are relative to it)."""
    return erpgo_pack_dir() / "prometheus.yml"


def alertmanager_config() -> Path:
    """The pack's alertmanager.yml (its templates are relative to it)."""
    return erpgo_pack_dir() / "alertmanager.yml"


def rule_files() -> list[Path]:
    """Every rule file, sorted by name."""
    return sorted((erpgo_pack_dir() / "rules").glob("*.yml"))


def test_files() -> list[Path]:
    """Every promtool unit-test file, sorted by name."""
    return sorted((erpgo_pack_dir() / "tests").glob("*.yml"))


def incidents_config() -> Path:
    """The pack's incidents.yml (escalation policy, severities, on-call, actions, status page)."""
    return erpgo_pack_dir() / "incidents.yml"


def checks_config() -> Path:
    """The pack's checks.yml (the plan's system and application health checks)."""
    return erpgo_pack_dir() / "checks.yml"
