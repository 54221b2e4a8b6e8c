# ruff: noqa: E501  (the case table keeps each config on one line)
"""yaml.v2-vs-PyYAML edges, each decided by promtool 2.42 and by erpmon alike.

Each case is a whole prometheus.yml and Prometheus's verdict (recorded from promtool 2.42 and re-checked
against it when promtool is installed). They pin what Go's yaml.v2 does that PyYAML alone would not:
y/on/off booleans, 0x/0o/0b/1_000 ints, floats into integer fields, literal text in string fields,
null giving the zero value, merge keys, explicit tags, only the first document being read;
and promtool's building of static targets after relabeling.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from erpmon.config import ConfigError, parse_prometheus_config

# (config text, accepted by Prometheus 2.42)
CASES: list[tuple[str, bool]] = [
    ("scrape_configs:\n  - job_name: a\n    sample_limit: 18446744073709551616\n", True),
    ("scrape_configs:\n  - job_name: a\n    sample_limit: 18446744073709551615\n", True),
    ("scrape_configs:\n  - job_name: a\n    sample_limit: 1e400\n", False),
    ("scrape_configs:\n  - job_name: a\n    sample_limit: 08\n", True),
    ("scrape_configs:\n  - job_name: a\n    sample_limit: -0\n", True),
    ("scrape_configs:\n  - job_name: a\n    sample_limit: 0b101\n", True),
    ("scrape_configs:\n  - job_name: a\n    sample_limit: 0o17\n", True),
    ("scrape_configs:\n  - job_name: a\n    sample_limit: .5\n", True),
    ("scrape_configs:\n  - job_name: a\n    sample_limit: +5\n", True),
    ("scrape_configs:\n  - job_name: a\n    sample_limit: !!float 5\n", True),
    ("scrape_configs:\n  - job_name: a\n    scrape_interval: !!int 5\n", False),
    ("scrape_configs:\n  - job_name: !!str 5\n    honor_labels: !!bool yes\n", True),
    ("a: &a [*a]\n", False),
    ("scrape_configs: *nope\n", False),
    ("scrape_configs:\n  - job_name: a\n---\ngarbage: [\n", True),
    ("scrape_configs:\n  - job_name: a\n---\nglobal: 5\n", True),
    ("scrape_configs:\n  - job_name: |\n      multi\n", True),
    (
        "scrape_configs:\n  - job_name: a\n    honor_labels: True\n  - job_name: b\n    honor_labels: Y\n  - job_name: c\n    honor_labels: oN\n",
        False,
    ),
    ("scrape_configs:\n  - job_name: a\n    honor_labels: tRUE\n", False),
    ("scrape_configs:\n  - job_name: 2001-12-14t21:59:43.10-05:00\n    sample_limit: 2001-12-14\n", False),
    ("global:\n  external_labels:\n    a: [1]\n", False),
    ("global:\n  external_labels: {a: {b: 1}}\n", False),
    ("global:\n  external_labels:\n    ? [a]\n    : b\n", False),
    (
        "scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: ~\n        labels: ~\n      - {}\n",
        True,
    ),
    (
        "scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - target_label: x\n        regex: ~\n",
        True,
    ),
    (
        "scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - source_labels: [~, a]\n        target_label: x\n",
        True,
    ),
    (
        "scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - source_labels: ~\n        action: labeldrop\n",
        True,
    ),
    (
        "scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - target_label: x\n        separator: ~\n",
        True,
    ),
    (
        "scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - action: lowercase\n        target_label: x\n        replacement: ~\n",
        False,
    ),
    (
        "scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - action: ''\n        target_label: x\n",
        False,
    ),
    (
        "scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - action: hashmod\n        target_label: x\n        modulus: 1.5\n",
        True,
    ),
    ("alerting:\n  alertmanagers:\n    - ~\n", False),
    ("alerting:\n  alertmanagers:\n    - api_version: ~\n", True),
    ("alerting: ~\nglobal: ~\nstorage: {tsdb: ~, exemplars: ~}\ntracing: ~\n", True),
    ("remote_write:\n  - url: ~\n", False),
    ('remote_write:\n  - url: ""\n', True),
    ('remote_write:\n  - url: "%zz"\n', False),
    ('remote_write:\n  - url: "://x"\n', False),
    ('scrape_configs:\n  - job_name: a\n    proxy_url: "http://[::1"\n', False),
    ("base: &b {job_name: x}\n", False),
    ("x: &b {job_name: x}\nscrape_configs:\n  - <<: *b\n", False),
    ("scrape_configs:\n  - <<: [{job_name: x}, {honor_labels: true}]\n    scrape_interval: 1m\n", True),
    ("scrape_configs:\n  - job_name: a\n    <<: {job_name: b}\n", True),
    ("scrape_configs:\n  - <<: 5\n    job_name: a\n", False),
    ("scrape_configs:\n  - job_name: a\n    body_size_limit: ''\n", False),
    ("scrape_configs:\n  - job_name: a\n    body_size_limit: 0\n", True),
    ("scrape_configs:\n  - job_name: a\n    tls_config: ~\n    basic_auth: ~\n    oauth2: ~\n", True),
    ("scrape_configs:\n  - job_name: a\n    basic_auth: {}\n    bearer_token: x\n", False),
    ("scrape_configs:\n  - job_name: a\n    authorization: {}\n", True),
    ("scrape_configs:\n  - job_name: a\n    authorization: ~\n    bearer_token: x\n", True),
    ("global:\n  scrape_interval: 0\n  scrape_timeout: 0s\n", True),
    ("global:\n  scrape_interval: 1y1y\n", False),
    ("global:\n  scrape_interval: 1d2h\n  evaluation_interval: 1w\n", True),
    ("global:\n  scrape_interval: 10000000y\n", False),
    ('rule_files: ["a/b/*.yml", "*.yml", "x*y*.yml"]\n', True),
    ('rule_files: ["**"]\n', True),
    ("scrape_configs:\n  - job_name: a\n    scheme: ftp\n    metrics_path: no-slash\n", True),
    ("scrape_configs:\n  - job_name: a\n    sample_limit: 18446744073709551616\n", True),
    ("scrape_configs:\n  - job_name: a\n    sample_limit: 1e20\n", False),
    ("scrape_configs:\n  - job_name: a\n    sample_limit: -.inf\n", True),
    ("scrape_configs:\n  - job_name: a\n    sample_limit: .nan\n", False),
    ("storage: {exemplars: {max_exemplars: -.inf}}\n", True),
    ("storage: {exemplars: {max_exemplars: 1e19}}\n", False),
    ("storage: {exemplars: {max_exemplars: 9223372036854775808}}\n", False),
    ("alerting:\n  alertmanagers:\n    - ~\n", False),
    ('scrape_configs:\n  - job_name: a\n    proxy_url: "http://[::1"\n', False),
    ('scrape_configs:\n  - job_name: a\n    proxy_url: "http://host:abc"\n', False),
    ('scrape_configs:\n  - job_name: a\n    proxy_url: "1a:b"\n', False),
    ('scrape_configs:\n  - job_name: a\n    proxy_url: "http://ho st:80"\n', False),
    ('scrape_configs:\n  - job_name: a\n    proxy_url: "localhost:3128"\n', True),
    ('scrape_configs:\n  - job_name: a\n    proxy_url: "http://[::1]:3128/x?y#z"\n', True),
    ('scrape_configs:\n  - job_name: a\n    proxy_url: "http://user:p@ss@host:1"\n', True),
    ('scrape_configs:\n  - job_name: a\n    proxy_url: "http://host:"\n', True),
    # promtool also builds every static target (PopulateLabels) and Alertmanager:
    ("scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: [~, a:1]\n", False),
    (
        "scrape_configs:\n  - job_name: a\n    scheme: ftp\n    static_configs:\n      - targets: [host]\n",
        False,
    ),
    (
        "scrape_configs:\n  - job_name: a\n    scheme: ftp\n    static_configs:\n      - targets: [host:1]\n",
        True,
    ),
    ("scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: ['[::1]']\n", True),
    ("scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: ['::1']\n", True),
    ("scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: ['a:b:c']\n", True),
    (
        "scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: ['a:1']\n    relabel_configs:\n      - {target_label: __scrape_interval__, replacement: 1.5m}\n",
        False,
    ),
    (
        "scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: ['a:1']\n    relabel_configs:\n      - {target_label: __scrape_timeout__, replacement: 2m}\n",
        False,
    ),
    (
        "scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: ['a:1']\n    relabel_configs:\n      - {target_label: __scrape_interval__, replacement: 0s}\n",
        False,
    ),
    (
        "scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: ['a:1']\n    relabel_configs:\n      - {target_label: __address__, replacement: 'http://x/y'}\n",
        False,
    ),
    (
        "scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: ['a:1', 'b:2']\n    relabel_configs:\n      - {source_labels: [__address__], regex: 'b:2', action: drop}\n      - {regex: '__address__', action: labeldrop}\n",
        False,
    ),
    (
        "scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: ['http://a:1/metrics']\n    relabel_configs:\n      - {source_labels: [__address__], regex: 'http://([^/]+)/.*', target_label: __address__}\n",
        True,
    ),
    (
        "scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: ['http://a:1/metrics']\n    relabel_configs:\n      - {source_labels: [__address__], regex: 'x', target_label: __address__}\n",
        False,
    ),
    (
        "alerting:\n  alertmanagers:\n    - static_configs: [{targets: ['am:9093']}]\n      relabel_configs:\n        - {source_labels: [__alerts_path__], target_label: __address__}\n",
        False,
    ),
    (
        "alerting:\n  alertmanagers:\n    - static_configs: [{targets: ['am:9093']}]\n      relabel_configs:\n        - {regex: __address__, action: labeldrop}\n",
        True,
    ),
    (
        "scrape_configs:\n  - job_name: a\n    params: {x: [\"\"]}\n    static_configs: [{targets: ['a:1']}]\n    relabel_configs:\n      - {source_labels: [__param_x], regex: '', action: keep}\n",
        True,
    ),
    (
        "scrape_configs:\n  - job_name: a\n    static_configs: [{targets: ['a:1'], labels: {__scrape_timeout__: 2m}}]\n",
        False,
    ),
    # YAML syntax: parser differences between libyaml (Go) and PyYAML:
    ("scrape_configs:\n  - job_name: a: b\n", False),
    ("scrape_configs:\n  - job_name: &x a\n  - job_name: &x b\n", True),
    ("...\n", False),
    ("---\n...\n", True),
    ("# only a comment\n", True),
    ("scrape_configs: [ {job_name: a}, ]\n", True),
    ("scrape_configs:\n- job_name: a\n", True),
    ("scrape_configs:\n  - job_name: 'it''s'\n", True),
    ('scrape_configs:\n  - job_name: "\\x41\\u00e9"\n', True),
    (
        'scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: [a:1]\n        labels: {x: "\\t"}\n',
        True,
    ),
    ("global: {scrape_interval: 1m,}\n", True),
    ("%YAML 1.1\n---\nglobal: {}\n", True),
    ("%YAML 1.2\n---\nglobal: {}\n", False),
    ("!!map\nglobal: {}\n", True),
    ("global: !!map {}\n", True),
    ("global: !custom {}\n", True),
    ("scrape_configs:\n  - job_name: !custom a\n", True),
    ("scrape_configs:\n  - job_name: a\n    honor_labels: !custom true\n", False),
    ("global:\n  external_labels:\n    a: !!binary aGVsbG8=\n", True),
    ("global:\n  external_labels:\n    a: !!float 1\n", True),
    ("global:\n  external_labels:\n    1: a\n    1.0: b\n", False),
    ("global:\n  external_labels:\n    _1: a\n    true: b\n", True),
    ("global:\n  external_labels:\n    ? a\n", True),
    ("global:\n  external_labels: {a}\n", True),
    (
        "scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: [a:1, b:1]\n        labels: {x: |-\n    multi}\n",
        False,
    ),
    ("scrape_configs:\n  - job_name: &x a\n  - job_name: &x b\n  - job_name: *x\n", False),
]


def _ids() -> list[str]:
    return [f"{i}-{'ok' if ok else 'bad'}" for i, (_, ok) in enumerate(CASES)]


@pytest.mark.parametrize(("text", "accepted"), CASES, ids=_ids())
def test_erpmon_verdict(text: str, accepted: bool) -> None:
    if accepted:
        parse_prometheus_config(text, "edge.yml")
    else:
        with pytest.raises(ConfigError):
            parse_prometheus_config(text, "edge.yml")


@pytest.mark.parametrize(("text", "accepted"), CASES, ids=_ids())
def test_promtool_verdict(text: str, accepted: bool, tmp_path: Path, promtool_check: object) -> None:
    path = tmp_path / "edge.yml"
    path.write_text(text)
    code, output = promtool_check(path)  # type: ignore[operator]
    assert (code == 0) == accepted, output


def test_values_follow_go(tmp_path: Path) -> None:
    cfg = parse_prometheus_config(
        "scrape_configs:\n"
        "  - job_name: !!str 5\n    honor_labels: !!bool yes\n    sample_limit: 18446744073709551616\n"
        "  - job_name: |\n      multi\n    sample_limit: 08\n    label_limit: 0b101\n    target_limit: 0o17\n"
        "---\nglobal: 5\n"
    )
    first, second = cfg.scrape_configs
    assert (first.job_name, first.honor_labels, first.sample_limit) == ("5", True, (1 << 64) - 1)
    assert (second.job_name, second.sample_limit, second.label_limit, second.target_limit) == (
        "multi\n",
        8,
        5,
        15,
    )


def test_null_regex_matches_only_empty() -> None:
    cfg = parse_prometheus_config(
        "scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - {target_label: x, regex: ~}\n"
    )
    assert cfg.scrape_configs[0].relabel_configs[0].regex == ""


@pytest.mark.parametrize(
    "text",
    [
        "\ufeffscrape_configs:\n  - job_name: a\n",
        "scrape_configs:\r\n  - job_name: a\r\n",
    ],
    ids=["bom", "crlf"],
)
def test_bom_and_crlf_accepted(text: str) -> None:
    assert parse_prometheus_config(text).scrape_configs[0].job_name == "a"


def test_overlong_implicit_key_is_a_syntax_error() -> None:
    with pytest.raises(ConfigError, match="yaml: "):
        parse_prometheus_config("global:\n  external_labels:\n    " + "k" * 1100 + ": v\n")
