"""incidents.yml: a valid file decodes into what it says; each mistake is an error naming it, with
its line."""

from __future__ import annotations

import pytest

from erpmon.alerting.config import load_alertmanager_config
from erpmon.config import ConfigError
from erpmon.incidents.config import parse_incidents_config
from erpmon.packs.erpgo import alertmanager_config, incidents_config

BASE = """\
people:
  - name: alice
    contacts:
      - receiver: oncall
      - email_configs: [{to: alice@example.com, from: a@example.com, smarthost: 'localhost:25'}]
      - slack_configs: [{api_url: 'http://hooks.test/x', text: 'mine'}]
actions:
  - {name: restart, command: [systemctl, restart, '{{ .CommonLabels.service }}'], cooldown: 10m}
policies:
  - name: p
    steps:
      - {name: one, targets: [{action: restart}], verify: {after: 30s}}
      - {name: two, delay: 5m, targets: [{person: alice}]}
"""


def parse(text: str):  # type: ignore[no-untyped-def]
    return parse_incidents_config(text, "incidents.yml", receivers=["oncall", "default"])


def errors(text: str) -> str:
    with pytest.raises(ConfigError) as exc:
        parse(text)
    return str(exc.value)


def test_a_valid_file() -> None:
    cfg = parse(BASE)
    [policy] = cfg.policies
    assert [s.name for s in policy.steps] == ["one", "two"]
    assert policy.steps[0].verify is not None and policy.steps[0].verify.after_ms == 30_000
    assert policy.steps[1].delay_ms == 300_000
    action = cfg.actions["restart"]
    assert action.command == ("systemctl", "restart", "{{ .CommonLabels.service }}")
    assert action.cooldown_ms == 600_000 and action.kind == "command"
    alice = cfg.people["alice"]
    assert alice.contacts[0] == "oncall"
    email = alice.contacts[1]
    assert not isinstance(email, str)
    [integ] = email.integrations
    # An inline contact says what the incident is unless the person wrote the text.
    assert integ.options["text"] == '{{ template "incident.text" . }}'
    assert integ.options["headers"]["Subject"] == '{{ template "incident.subject" . }}'
    slack = alice.contacts[2]
    assert not isinstance(slack, str)
    assert slack.integrations[0].options["text"] == "mine"
    assert slack.integrations[0].options["title"] == '{{ template "incident.title" . }}'
    # The guide's severity table is the default, and the rules' severities map onto it.
    assert cfg.severities["critical"].respond_within_ms == 15 * 60_000
    assert cfg.severities["low"].respond_within_ms == 24 * 3_600_000
    assert cfg.severity_aliases["warning"] == "medium"


@pytest.mark.parametrize(
    ("change", "line", "reason"),
    [
        (
            ("targets: [{person: alice}]", "targets: [{person: bob}]"),
            13,
            "unknown person 'bob' in policy 'p'",
        ),
        (("targets: [{action: restart}]", "targets: [{action: reboot}]"), 12, "unknown action 'reboot'"),
        (("targets: [{person: alice}]", "targets: [{schedule: primary}]"), 13, "unknown schedule 'primary'"),
        (("targets: [{person: alice}]", "targets: [{team: ops}]"), 13, "unknown team 'ops'"),
        (("targets: [{person: alice}]", "targets: [{page: alice}]"), 13, "unknown target 'page'"),
        (("receiver: oncall", "receiver: pager"), 4, "unknown receiver 'pager' (not in alertmanager.yml)"),
        (("cooldown: 10m", "cooldown: 10 minutes"), 8, 'not a valid duration string: "10 minutes"'),
        (("cooldown: 10m", "cooldwn: 10m"), 8, "cooldwn"),
        (("command: [systemctl, restart, '{{ .CommonLabels.service }}'], ", ""), 8, "exactly one of command"),
        (("verify: {after: 30s}", "verify: {after: 30s, check: nope}"), 12, "unknown check 'nope'"),
    ],
)
def test_mistakes_name_what_and_where(change: tuple[str, str], line: int, reason: str) -> None:
    text = BASE.replace(*change)
    assert text != BASE
    message = errors(text)
    assert f"incidents.yml:{line}:" in message and reason in message, message


def test_status_page_targets_and_statuses_are_checked() -> None:
    text = BASE.replace(
        "targets: [{person: alice}]", "targets: [{status_page: {status: on_fire, components: [Web]}}]"
    )
    message = errors(text)
    assert "unknown component status 'on_fire'" in message and "unknown component 'Web'" in message


def test_the_erpgo_pack_is_valid_against_its_alertmanager_yml() -> None:
    am = load_alertmanager_config(alertmanager_config())
    cfg = parse_incidents_config(
        incidents_config().read_text(), str(incidents_config()),
        receivers=[r.name for r in am.receivers], glob=am.global_,
    )  # fmt: skip
    [policy] = cfg.policies
    assert [s.name for s in policy.steps] == [
        "Level 1: automated response", "Level 2: on-call engineer", "Level 3: management",
    ]  # fmt: skip
    level1, _, level3 = policy.steps
    assert level1.verify is not None and level1.verify.after_ms == 30_000
    remediation = level1.targets[1]
    assert dict(remediation.choices) == {
        "HighErrorRate": "restart_services",
        "HighResponseTime": "scale_horizontally",
        "DatabaseConnectionIssues": "restart_database_connection_pool",
        "HighMemoryUsage": "clear_cache",
        "APIHighMemoryUsage": "clear_cache",
    }
    assert level3.after_open_ms == 30 * 60_000
    assert {t.kind for t in level3.targets} == {"team", "status_page"}
    # Every action named by the mapping exists and is an argument vector.
    for name in remediation.choices.values():
        assert cfg.actions[name].command and cfg.actions[name].cooldown_ms > 0
