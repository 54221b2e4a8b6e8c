"""The loader's public API: the frozen config, positions of problems, expand_env and masked YAML."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from erpmon.alerting.config import (
    AlertmanagerConfig,
    InhibitRule,
    load_alertmanager_config,
    parse_alertmanager_config,
)
from erpmon.config import ConfigError
from erpmon.model import Labels, Matcher

RECEIVERS = "receivers:\n  - name: r\n  - name: s\n"


def parse(text: str, **kw: bool) -> AlertmanagerConfig:
    return parse_alertmanager_config(text, "am.yml", "/etc/am", **kw)


def problems(text: str) -> list[tuple[int, int, str]]:
    with pytest.raises(ConfigError) as err:
        parse(text)
    return [(p.line, p.column, p.reason) for p in err.value.problems]


def test_fields_of_a_loaded_config() -> None:
    cfg = parse(
        "route:\n  receiver: r\n  routes: [{matchers: ['a=\"b\"'], receiver: s}]\n"
        "inhibit_rules:\n"
        "  - source_match: {severity: critical}\n"
        "    target_matchers: ['severity=~\"warning|info\"']\n"
        "    equal: [alertname, instance]\n"
        "templates: ['t/*.tmpl', '/abs/x.tmpl']\n"
        "time_intervals: [{name: w, time_intervals: [{weekdays: [monday]}]}]\n"
        "mute_time_intervals: [{name: old, time_intervals: []}]\n" + RECEIVERS
    )
    assert [r.name for r in cfg.receivers] == ["r", "s"]
    assert cfg.route.options.receiver == "r"
    assert [r.options.receiver for r in cfg.route.routes] == ["s"]
    assert cfg.inhibit_rules == (
        InhibitRule(
            (Matcher.equal("severity", "critical"),),
            (Matcher.regex("severity", "warning|info"),),
            ("alertname", "instance"),
        ),
    )
    assert cfg.templates == ("/etc/am/t/*.tmpl", "/abs/x.tmpl")
    assert set(cfg.time_intervals) == {"w", "old"} and len(cfg.time_intervals["w"]) == 1
    assert cfg.global_.resolve_timeout_ns == 5 * 60 * 10**9
    assert cfg.original.startswith("route:")
    with pytest.raises(AttributeError):
        cfg.route = cfg.route  # type: ignore[misc]


def test_load_resolves_templates_against_the_file(tmp_path: Path) -> None:
    path = tmp_path / "conf" / "am.yml"
    path.parent.mkdir()
    path.write_text("route: {receiver: r}\ntemplates: ['templates/*.tmpl']\n" + RECEIVERS)
    cfg = load_alertmanager_config(path)
    assert cfg.templates == (str(tmp_path / "conf" / "templates" / "*.tmpl"),)


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load_alertmanager_config(tmp_path / "nope.yml")
    assert "nope.yml" in str(err.value) and "No such file" in str(err.value)


def test_every_problem_with_its_position() -> None:
    text = (
        "route:\n"  # 1
        "  receiver: r\n"  # 2
        "  group_wait: 5x\n"  # 3
        "  routes:\n"  # 4
        "    - receiver: nope\n"  # 5
        "      matchers: ['1a=b']\n"  # 6
        "    - receiver: gone\n"  # 7
        "      mute_time_intervals: [never]\n"  # 8
        "inhibit_rules: [{equal: ['a-b']}]\n" + RECEIVERS  # 9
    )
    assert problems(text) == [
        (3, 15, 'not a valid duration string: "5x"'),
        (5, 17, 'undefined receiver "nope" used in route'),
        (6, 18, "bad matcher format: 1a=b"),
        (7, 17, 'undefined receiver "gone" used in route'),
        (8, 28, 'undefined time interval "never" used in route'),
        (9, 26, '"a-b" is not a valid label name'),
    ]


def test_yaml_strictness() -> None:
    assert problems("route: {receiver: r, receiver: r}\n" + RECEIVERS)[0][2].startswith(
        "field receiver already set in type config.plain"
    )
    assert problems("route: {receiver: r, reciever: r}\n" + RECEIVERS) == [
        (1, 22, "field reciever not found in type config.plain")
    ]
    assert problems("route:\n  receiver: r\n  routes: [{receiver: s, continue: maybe}]\n" + RECEIVERS)[0][
        2
    ] == ("cannot unmarshal !!str `maybe` into bool")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "no route provided in config"),
        ("# only a comment\n", "no route provided in config"),
        (RECEIVERS, "no routes provided"),
        ("route: {receiver: r, continue: true}\n" + RECEIVERS, "cannot have continue in root route"),
        ("route: {receiver: r, match_re: {a: b}}\n" + RECEIVERS, "root route must not have any matchers"),
        ("route: {group_wait: 1s}\n" + RECEIVERS, "root route must specify a default receiver"),
    ],
)
def test_root_route_rules(text: str, reason: str) -> None:
    assert reason in [p[2] for p in problems(text)]


def test_expand_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ERPMON_TEST_RECEIVER", "r")
    monkeypatch.setenv("ERPMON_TEST_PASSWORD", "s3cret")
    monkeypatch.delenv("ERPMON_TEST_UNSET", raising=False)
    text = (
        "global: {smtp_auth_password: '${ERPMON_TEST_PASSWORD}', smtp_from: 'a$ERPMON_TEST_UNSET@b'}\n"
        "route: {receiver: $ERPMON_TEST_RECEIVER}\n" + RECEIVERS
    )
    cfg = parse(text, expand_env=True)
    assert cfg.global_.smtp_auth_password == "s3cret" and cfg.global_.smtp_from == "a@b"
    assert cfg.route.options.receiver == "r"
    # Without the option the text is taken literally (and `$ERPMON_TEST_RECEIVER` is undefined).
    assert 'undefined receiver "$ERPMON_TEST_RECEIVER" used in route' in [p[2] for p in problems(text)]


def test_masked_yaml_hides_every_secret() -> None:
    secrets = [f"S3CRET{i}" for i in range(12)]
    text = f"""
global:
  smtp_auth_password: {secrets[0]}
  smtp_auth_secret: {secrets[1]}
  slack_api_url: https://hooks.example.com/{secrets[2]}
  opsgenie_api_key: {secrets[3]}
  http_config:
    basic_auth: {{username: u, password: {secrets[4]}}}
route: {{receiver: r}}
receivers:
  - name: r
    email_configs: [{{to: a@b, from: a@b, smarthost: 'h:25', auth_password: {secrets[5]}}}]
    pagerduty_configs: [{{routing_key: {secrets[6]}}}, {{service_key: {secrets[7]}}}]
    slack_configs: [{{api_url: 'https://hooks.example.com/{secrets[8]}'}}]
    webhook_configs:
      - url: http://127.0.0.1:1/hook
        http_config: {{authorization: {{credentials: {secrets[9]}}}}}
      - url: http://127.0.0.1:1/hook
        http_config: {{bearer_token: {secrets[10]}}}
    opsgenie_configs: [{{api_key: {secrets[11]}}}]
"""
    masked = parse(text).masked_yaml()
    assert not [s for s in secrets if s in masked], masked
    data = yaml.safe_load(masked)
    assert data["global"]["smtp_auth_password"] == "<secret>"
    assert data["global"]["http_config"]["basic_auth"] == {"username": "u", "password": "<secret>"}
    assert data["receivers"][0]["email_configs"][0]["to"] == "a@b"
    assert data["route"] == {"receiver": "r"}


def test_masked_yaml_after_expand_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ERPMON_TEST_PASSWORD", "from-env-s3cret")
    text = "global: {smtp_auth_password: '${ERPMON_TEST_PASSWORD}'}\nroute: {receiver: r}\n" + RECEIVERS
    masked = parse(text, expand_env=True).masked_yaml()
    assert "from-env-s3cret" not in masked and "<secret>" in masked


def test_time_intervals_reach_the_routes() -> None:
    cfg = parse(
        "route:\n  receiver: r\n"
        "  routes: [{receiver: s, active_time_intervals: [w], mute_time_intervals: [m]}]\n"
        "time_intervals: [{name: w, time_intervals: [{weekdays: [monday]}]}]\n"
        "mute_time_intervals: [{name: m, time_intervals: [{months: [may]}]}]\n" + RECEIVERS
    )
    child = cfg.route.routes[0]
    assert child.options.active_time_intervals == ("w",) and child.options.mute_time_intervals == ("m",)
    assert cfg.route.match(Labels({"a": "b"})) == [child]


def test_environment_is_untouched_by_loading() -> None:
    before = dict(os.environ)
    parse("route: {receiver: r}\n" + RECEIVERS, expand_env=True)
    assert dict(os.environ) == before


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        # amtool 0.25 panics (nil pointer) on these; erpmon refuses them with a position.
        ("route: {receiver: r, routes: [~]}\n" + RECEIVERS, (1, 31, "a route in routes must not be null")),
        ("route: {receiver: r}\nreceivers: [~, {name: r}]\n", (2, 13, "missing name in receiver")),
    ],
)
def test_null_routes_and_receivers_are_refused(text: str, problem: tuple[int, int, str]) -> None:
    assert problems(text) == [problem]


def test_null_inhibit_rule_counts_and_inhibits_nothing() -> None:
    cfg = parse("route: {receiver: r}\ninhibit_rules: [~]\n" + RECEIVERS)
    assert cfg.inhibit_rules == (InhibitRule((), (), ()),)


def test_null_timers_inherit() -> None:
    cfg = parse(
        "route:\n  receiver: r\n  group_interval: 1m\n  routes: [{receiver: s, group_interval: ~}]\n"
        + RECEIVERS
    )
    assert cfg.route.routes[0].options.group_interval_ns == 60 * 10**9
