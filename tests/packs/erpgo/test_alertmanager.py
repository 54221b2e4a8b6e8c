"""The pack's alertmanager.yml: valid for Alertmanager 0.25, and routing as the guide intends."""

from __future__ import annotations

import subprocess

import pytest
from tests.support import need_binary

from erpmon.packs.erpgo import alertmanager_config


def amtool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [need_binary("amtool"), *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=alertmanager_config().parent,
    )


def test_amtool_accepts_the_pack_config() -> None:
    done = amtool("check-config", str(alertmanager_config()))
    assert done.returncode == 0, done.stdout + done.stderr
    assert " - 6 receivers" in done.stdout and " - 1 templates" in done.stdout


@pytest.mark.parametrize(
    ("labels", "receiver"),
    [
        (["severity=critical", "service=business"], "on-call"),
        (["severity=critical", "service=security"], "on-call"),
        (["severity=warning", "service=business"], "business-team"),
        (["severity=warning", "service=infrastructure"], "devops-team"),
        (["severity=warning", "service=security"], "security-team"),
        (["severity=high", "service=security"], "security-team"),
        (["severity=warning", "service=application"], "default"),
        (["severity=info", "service=infrastructure"], "info-digest"),
        (["alertname=NoLabels"], "default"),
    ],
)
def test_guide_routes(labels: list[str], receiver: str) -> None:
    done = amtool("config", "routes", "test", f"--config.file={alertmanager_config()}", *labels)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == receiver


def test_no_secret_in_the_file() -> None:
    text = alertmanager_config().read_text()
    assert "smtp_auth_password:" not in text and "hooks.slack.com" not in text
    assert "smtp_auth_password_file:" in text and "slack_api_url_file:" in text
