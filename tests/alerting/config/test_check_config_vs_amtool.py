"""`erpmon alerts check-config` against `amtool check-config` (0.25) on valid and broken files."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from tests.support import ERPMON, need_binary

from erpmon.alerting.config import load_alertmanager_config, parse_alertmanager_config
from erpmon.config import ConfigError

OK_RECEIVERS = "receivers:\n  - name: r\n  - name: s\n"

CASES = {
    "minimal": "route: {receiver: r}\n" + OK_RECEIVERS,
    "full": """
global:
  resolve_timeout: 2m
  smtp_smarthost: 'localhost:25'
  smtp_from: 'a@example.com'
  slack_api_url: 'https://hooks.example.com/x'
route:
  receiver: r
  group_by: ['...']
  routes:
    - matchers: ['a="b"', 'c=~"d|e"']
      receiver: s
      mute_time_intervals: [night]
      active_time_intervals: [work]
inhibit_rules:
  - source_matchers: ['severity="critical"']
    target_matchers: ['severity="warning"']
    equal: [alertname]
time_intervals:
  - name: work
    time_intervals:
      - weekdays: ['monday:friday']
        times: [{start_time: '09:00', end_time: '17:00'}]
        location: Europe/Berlin
  - name: night
    time_intervals:
      - times: [{start_time: '22:00', end_time: '24:00'}]
        days_of_month: ['1:5', '-3:-1']
        months: ['january:march', '12']
        years: ['2024:2030']
receivers:
  - name: r
    email_configs: [{to: 'x@example.com'}]
    slack_configs: [{channel: '#x'}]
  - name: s
    webhook_configs: [{url: 'http://127.0.0.1:1/hook', max_alerts: 5}]
    pagerduty_configs: [{routing_key: 'k'}]
    opsgenie_configs: [{api_key: 'k'}]
""",
    "undefined-receiver": "route: {receiver: nope}\n" + OK_RECEIVERS,
    "no-route": OK_RECEIVERS,
    "root-matchers": "route: {receiver: r, matchers: ['a=\"b\"']}\n" + OK_RECEIVERS,
    "root-no-receiver": "route: {group_by: [a]}\n" + OK_RECEIVERS,
    "dup-receiver": "route: {receiver: r}\nreceivers:\n  - name: r\n  - name: r\n",
    "unknown-key": "route: {receiver: r, recever: s}\n" + OK_RECEIVERS,
    "unknown-top": "route: {receiver: r}\nroutes: []\n" + OK_RECEIVERS,
    "bad-matcher": "route:\n  receiver: r\n  routes: [{matchers: ['a=~\"(\"'], receiver: s}]\n"
    + OK_RECEIVERS,
    "bad-duration": "route: {receiver: r, group_wait: 5x}\n" + OK_RECEIVERS,
    "zero-interval": "route: {receiver: r, group_interval: 0s}\n" + OK_RECEIVERS,
    "wildcard-and-labels": "route: {receiver: r, group_by: ['...', a]}\n" + OK_RECEIVERS,
    "dup-group-by": "route: {receiver: r, group_by: [a, a]}\n" + OK_RECEIVERS,
    "undefined-interval": "route:\n  receiver: r\n  routes: [{receiver: s, mute_time_intervals: [x]}]\n"
    + OK_RECEIVERS,
    "email-no-to": "route: {receiver: r}\nreceivers:\n  - name: r\n    email_configs: [{from: a@b}]\n",
    "email-no-smarthost": "route: {receiver: r}\nreceivers:\n  - name: r\n"
    "    email_configs: [{to: a@b, from: a@b}]\n",
    "slack-no-url": "route: {receiver: r}\nreceivers:\n  - name: r\n    slack_configs: [{channel: x}]\n",
    "webhook-no-url": "route: {receiver: r}\nreceivers:\n  - name: r\n    webhook_configs: [{}]\n",
    "webhook-bad-scheme": "route: {receiver: r}\nreceivers:\n  - name: r\n    webhook_configs: [{url: 'ftp://x'}]\n",
    "pagerduty-no-key": "route: {receiver: r}\nreceivers:\n  - name: r\n    pagerduty_configs: [{}]\n",
    "two-passwords": "global: {smtp_auth_password: a, smtp_auth_password_file: /x}\nroute: {receiver: r}\n"
    + OK_RECEIVERS,
    "dup-key": "route: {receiver: r, receiver: s}\n" + OK_RECEIVERS,
    "bad-label-in-match": "route:\n  receiver: r\n  routes: [{match: {'a-b': c}, receiver: s}]\n"
    + OK_RECEIVERS,
}


def amtool_check(path: Path) -> tuple[bool, str]:
    done = subprocess.run([need_binary("amtool"), "check-config", str(path)], capture_output=True, text=True,
                          timeout=30)  # fmt: skip
    m = re.search(r"FAILED: (.*?)\n(?:Found:|\n|$)", done.stdout, re.S)
    return done.returncode == 0, m.group(1) if m else ""


@pytest.mark.parametrize("name", sorted(CASES))
def test_agrees_with_amtool(tmp_path: Path, name: str) -> None:
    path = tmp_path / f"{name}.yml"
    path.write_text(CASES[name])
    ok, reason = amtool_check(path)
    try:
        load_alertmanager_config(path)
        ours_ok, ours = True, ""
    except ConfigError as err:
        ours_ok, ours = False, str(err)
    assert ours_ok == ok, (ours, reason)
    if not ok:
        assert re.search(rf"{re.escape(str(path))}:\d+:\d+: ", ours), ours
        # amtool's reason (its first problem, less the yaml.v2 "line N:" prefix) is in ours.
        first = re.sub(r"^yaml: unmarshal errors:\s*line \d+: ", "", reason).splitlines()[0].strip()
        if first.startswith("error parsing regexp:"):
            # Go's regexp and RE2's C++ word their errors differently; the position and kind agree.
            first = "error parsing regexp:"
        assert first in ours, (first, ours)


def test_cli_output_matches_amtool_layout(tmp_path: Path) -> None:
    path = tmp_path / "full.yml"
    path.write_text(CASES["full"])
    ours = subprocess.run([*ERPMON, "alerts", "check-config", str(path)], capture_output=True, text=True,
                          timeout=60)  # fmt: skip
    amtool_args = [need_binary("amtool"), "check-config", str(path)]
    theirs = subprocess.run(amtool_args, capture_output=True, text=True, timeout=60)
    assert (ours.stdout, ours.returncode) == (theirs.stdout, theirs.returncode)
    bad = tmp_path / "bad.yml"
    bad.write_text(CASES["undefined-receiver"])
    done = subprocess.run(
        [*ERPMON, "alerts", "check-config", str(bad)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1 and "FAILED: " in done.stdout and 'undefined receiver "nope"' in done.stdout


def test_expand_env_and_masked_yaml(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ERPMON_TEST_PASSWORD", "s3cret")
    text = "global: {smtp_auth_password: '${ERPMON_TEST_PASSWORD}'}\nroute: {receiver: r}\n" + OK_RECEIVERS
    cfg = parse_alertmanager_config(text, expand_env=True)
    assert "s3cret" not in cfg.masked_yaml() and "<secret>" in cfg.masked_yaml()
    assert cfg.global_.smtp_auth_password == "s3cret"
