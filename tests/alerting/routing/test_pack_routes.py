"""The ERPGo pack's alertmanager.yml routes every severity and service of the pack's rules sensibly.

The guide's intent: critical -> on-call, business -> business team, infrastructure -> devops,
security -> security team, info -> a quiet digest, everything else -> default. The label values
are read from the pack's rule files, so a new severity or service without a route fails here.
"""

from __future__ import annotations

import itertools

import pytest
import yaml

from erpmon.alerting.config import load_alertmanager_config
from erpmon.cli._alerts import receivers_for
from erpmon.model import Labels
from erpmon.packs.erpgo import alertmanager_config, rule_files

EXPECTED_SERVICE = {
    "business": "business-team",
    "infrastructure": "devops-team",
    "security": "security-team",
    "application": "default",
}


def rule_label_values(name: str) -> set[str]:
    values = set()
    for path in rule_files():
        for group in (yaml.safe_load(path.read_text()) or {}).get("groups", []):
            for rule in group.get("rules", []):
                if "alert" in rule and name in rule.get("labels", {}):
                    values.add(rule["labels"][name])
    return values


def test_the_rules_use_known_severities_and_services() -> None:
    assert rule_label_values("severity") <= {"critical", "warning", "info"}
    assert rule_label_values("service") == set(EXPECTED_SERVICE)


@pytest.mark.parametrize(
    ("severity", "service"),
    list(itertools.product(["critical", "warning", "info", ""], [*EXPECTED_SERVICE, "", "other"])),
)
def test_every_severity_and_service_reaches_its_receiver(severity: str, service: str) -> None:
    route = load_alertmanager_config(alertmanager_config()).route
    labels = Labels(
        {k: v for k, v in {"alertname": "X", "severity": severity, "service": service}.items() if v}
    )
    if severity == "critical":
        want = "on-call"
    elif severity == "info":
        want = "info-digest"
    else:
        want = EXPECTED_SERVICE.get(service, "default")
    assert receivers_for(route, labels) == [want]


def test_inhibition_is_per_alert_service_and_instance() -> None:
    cfg = load_alertmanager_config(alertmanager_config())
    (rule,) = cfg.inhibit_rules
    assert rule.equal == ("alertname", "service", "instance")
    critical, warning = Labels({"severity": "critical"}), Labels({"severity": "warning"})
    assert all(m.matches(critical.get(m.name)) for m in rule.source_matchers)
    assert all(m.matches(warning.get(m.name)) for m in rule.target_matchers)
    assert not all(m.matches(critical.get(m.name)) for m in rule.target_matchers)


def test_secrets_come_from_files() -> None:
    cfg = load_alertmanager_config(alertmanager_config())
    assert cfg.global_.smtp_auth_password == "" and cfg.global_.smtp_auth_password_file
    assert cfg.global_.slack_api_url == "" and cfg.global_.slack_api_url_file
    assert all(t.startswith(str(alertmanager_config().parent)) for t in cfg.templates)
