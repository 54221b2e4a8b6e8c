"""The loaded objects: defaults, inheritance from `global`, paths, auth mapping, typed fields."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from erpmon.config import (
    Authorization,
    PrometheusConfig,
    load_prometheus_config,
    parse_prometheus_config,
)
from erpmon.model import Labels
from erpmon.relabel import Action, RelabelConfig


def test_empty_config_has_prometheus_defaults() -> None:
    cfg = parse_prometheus_config("", "/etc/p/prometheus.yml")
    g = cfg.global_config
    assert (g.scrape_interval_ms, g.scrape_timeout_ms, g.evaluation_interval_ms) == (60_000, 10_000, 60_000)
    assert g.external_labels == Labels()
    assert cfg.scrape_configs == ()
    assert cfg.tracing is None
    assert cfg.storage.max_exemplars == 100_000
    assert cfg.warnings == ()


def test_erpgo_config(testdata: Path) -> None:
    cfg = load_prometheus_config(testdata / "erpgo.good.yml")
    assert [j.job_name for j in cfg.scrape_configs] == ["erpgo-api", "node", "postgres", "redis"]
    assert cfg.global_config.external_labels == Labels(
        {"cluster": "erpgo-production", "replica": "prometheus-1"}
    )
    api = cfg.scrape_config("erpgo-api")
    assert api is not None
    assert (api.scrape_interval_ms, api.scrape_timeout_ms, api.sample_limit) == (15_000, 10_000, 50_000)
    assert api.static_configs[0].targets == ("api:8080",)
    assert api.static_configs[0].labels == Labels({"service": "erpgo", "tier": "backend"})
    assert api.static_configs[0].source == "0"
    assert api.metric_relabel_configs[0].action is Action.DROP
    node = cfg.scrape_config("node")
    assert node is not None
    assert node.relabel_configs == (
        RelabelConfig(
            source_labels=("__address__",), regex=r"([^:]+):\d+", target_label="host", replacement="${1}"
        ),
    )
    redis = cfg.scrape_config("redis")
    assert redis is not None
    # A job interval below the global timeout takes the interval as its timeout (config.go).
    assert (redis.scrape_interval_ms, redis.scrape_timeout_ms) == (5_000, 5_000)
    base = str(testdata)
    assert cfg.rule_files == (
        os.path.join(base, "alert_rules.yml"),
        os.path.join(base, "recording_rules.yml"),
        os.path.join(base, "rules.d/*.yml"),
    )
    am = cfg.alerting.alertmanagers[0]
    assert (am.scheme, am.timeout_ms, am.api_version) == ("http", 5_000, "v2")
    assert am.static_configs[0].targets == ("alertmanager:9093",)
    assert cfg.alerting.alert_relabel_configs[0].action is Action.LABELDROP


def test_scrape_defaults_and_global_inheritance() -> None:
    cfg = parse_prometheus_config(
        "global: {scrape_interval: 30s, scrape_timeout: 20s}\n"
        "scrape_configs:\n  - job_name: a\n  - job_name: b\n    scrape_interval: 10s\n"
        "  - job_name: c\n    scrape_interval: 0\n    scrape_timeout: 5s\n",
        "p.yml",
    )
    a, b, c = cfg.scrape_configs
    assert (a.scrape_interval_ms, a.scrape_timeout_ms) == (30_000, 20_000)
    assert (b.scrape_interval_ms, b.scrape_timeout_ms) == (10_000, 10_000)
    assert (c.scrape_interval_ms, c.scrape_timeout_ms) == (30_000, 5_000)
    assert (a.metrics_path, a.scheme, a.honor_labels, a.honor_timestamps) == ("/metrics", "http", False, True)
    assert a.http.follow_redirects and a.http.enable_http2
    assert a.body_size_limit == 0


def test_global_interval_below_default_timeout() -> None:
    g = parse_prometheus_config("global: {scrape_interval: 5s}\n").global_config
    assert (g.scrape_interval_ms, g.scrape_timeout_ms) == (5_000, 5_000)


def test_yaml_scalars_stay_literal_in_string_fields(testdata: Path) -> None:
    cfg = load_prometheus_config(testdata / "yaml_edges.good.yml")
    assert cfg.global_config.external_labels.to_dict() == {
        "enabled": "yes",
        "version": "1.0",
        "octal": "010",
        "hex": "0x1F",
        "when": "2024-01-02",
    }
    first, second, third = cfg.scrape_configs
    assert first.job_name == "yes"
    assert first.honor_labels is True
    assert first.honor_timestamps is False
    assert (first.sample_limit, first.label_limit, first.target_limit) == (1, 16, 1000)
    assert first.params == {"module": ("on", "1.0")}
    assert first.static_configs[0].targets == ("on", "1.0", "host:9100")
    assert first.static_configs[0].labels.to_dict() == {"yes": "no", "on": "off"}
    # The merge key copies the anchored job; the explicit keys after it win.
    assert second.job_name == "no"
    assert second.honor_labels is True
    assert second.static_configs == first.static_configs
    # Null leaves Go's zero value, not the default.
    assert third.job_name == "null"
    assert (third.metrics_path, third.honor_timestamps, third.scheme) == ("", False, "")


def test_all_sections(testdata: Path) -> None:
    cfg = load_prometheus_config(testdata / "all_sections.good.yml")
    base = str(testdata)
    assert cfg.global_config.query_log_file == os.path.join(base, "logs/query.log")
    assert cfg.rule_files == (os.path.join(base, "rules/*.yml"), "/etc/prometheus/extra.rules.yml")
    sec = cfg.scrape_configs[0]
    assert sec.body_size_limit == 10 * 1024 * 1024
    assert (sec.target_limit, sec.label_limit, sec.label_name_length_limit) == (10, 30, 100)
    assert sec.label_value_length_limit == 1000
    assert sec.params == {"format": ("prometheus",)}
    assert (sec.scrape_interval_ms, sec.scrape_timeout_ms) == (120_000, 15_000)
    http = sec.http
    assert http.basic_auth is not None
    assert http.basic_auth.password_file == os.path.join(base, "secrets/scraper.pw")
    assert http.tls_config.ca_file == os.path.join(base, "certs/ca.pem")
    assert (http.tls_config.min_version, http.tls_config.server_name) == ("TLS12", "api.internal")
    assert (http.proxy_url, http.follow_redirects, http.enable_http2) == ("http://proxy:3128", False, False)
    assert http.proxy_connect_header == {"X-Proxy-Token": ("abc",)}
    assert sec.file_sd_configs[0].files == (
        os.path.join(base, "targets/*.json"),
        os.path.join(base, "targets/extra.yml"),
    )
    assert sec.file_sd_configs[0].refresh_interval_ms == 30_000
    bearer = cfg.scrape_configs[1].http
    assert bearer.authorization == Authorization("Bearer", "", os.path.join(base, "secrets/token"))
    oauth = cfg.scrape_configs[2].http.oauth2
    assert oauth is not None and oauth.endpoint_params == {"audience": "erp"}
    authz = cfg.scrape_configs[3]
    assert authz.http.authorization == Authorization("Token", "abc", "")
    assert authz.unsupported_sd == ("dns",)
    assert any("dns_sd_configs" in w for w in cfg.warnings)
    rw = cfg.remote_write[0]
    assert (rw.name, rw.remote_timeout_ms, rw.send_exemplars) == ("longterm", 45_000, True)
    assert rw.queue_config.batch_send_deadline_ms == 10_000
    assert rw.queue_config.min_backoff_ms == 100
    assert (rw.metadata_config.send, rw.metadata_config.send_interval_ms) == (False, 120_000)
    assert cfg.remote_write[1].sigv4 is not None
    rr = cfg.remote_read[0]
    assert rr.required_matchers == Labels({"env": "prod"})
    assert (rr.read_recent, rr.filter_external_labels, rr.remote_timeout_ms) == (True, False, 60_000)
    assert cfg.storage.out_of_order_time_window_ms == 30 * 60_000
    assert cfg.storage.max_exemplars == 5000
    assert cfg.tracing is not None
    assert (cfg.tracing.endpoint, cfg.tracing.sampling_fraction, cfg.tracing.timeout_ms) == (
        "tempo:4317",
        0.1,
        5000,
    )
    am = cfg.alerting.alertmanagers[0]
    assert (am.scheme, am.path_prefix, am.timeout_ms, am.api_version) == ("https", "/am", 5_000, "v1")


def test_unsupported_sd_is_a_warning(testdata: Path) -> None:
    cfg = load_prometheus_config(testdata / "unsupported_sd.good.yml")
    assert [j.unsupported_sd for j in cfg.scrape_configs] == [("dns",), ("ec2",), ("http",)]
    assert cfg.alerting.alertmanagers[0].unsupported_sd == ("dns",)
    assert len(cfg.warnings) == 4
    assert cfg.warnings[0].startswith(f"{testdata / 'unsupported_sd.good.yml'}:5:7: dns_sd_configs")


def test_kubernetes_sd_accepted_with_warning() -> None:
    # Upstream 2.42 registers kubernetes/consul/nomad/linode/kuma SD; Debian's promtool build drops them.
    cfg = parse_prometheus_config(
        "scrape_configs:\n  - job_name: k\n    kubernetes_sd_configs:\n      - role: pod\n"
    )
    assert cfg.scrape_configs[0].unsupported_sd == ("kubernetes",)
    assert cfg.warnings


def test_config_objects_are_frozen(testdata: Path) -> None:
    cfg = load_prometheus_config(testdata / "erpgo.good.yml")
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.scrape_configs[0].job_name = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        cfg.scrape_configs[0].params["x"] = ("y",)  # type: ignore[index]
    assert isinstance(cfg, PrometheusConfig)


def test_relative_paths_without_directory() -> None:
    cfg = parse_prometheus_config("rule_files: [a.yml]\n", "prometheus.yml")
    assert cfg.rule_files == ("a.yml",)


def test_rule_file_paths_expand_globs(tmp_path: Path) -> None:
    (tmp_path / "rules").mkdir()
    for name in ("b.yml", "a.yml"):
        (tmp_path / "rules" / name).write_text("groups: []\n")
    path = tmp_path / "prometheus.yml"
    path.write_text("rule_files: ['rules/*.yml', 'missing.yml']\n")
    cfg = load_prometheus_config(path)
    assert cfg.rule_file_paths() == [str(tmp_path / "rules/a.yml"), str(tmp_path / "rules/b.yml")]


def test_unreadable_file_is_a_config_error(tmp_path: Path) -> None:
    from erpmon.config import ConfigError

    with pytest.raises(ConfigError) as err:
        load_prometheus_config(tmp_path / "nope.yml")
    assert err.value.problems[0].file == str(tmp_path / "nope.yml")


def test_populate_target_matches_prometheus() -> None:
    from erpmon.config import TargetError, populate_target

    cfg = parse_prometheus_config(
        "scrape_configs:\n  - job_name: api\n    scrape_interval: 15s\n    params: {module: [http_2xx]}\n"
        "    relabel_configs:\n      - {source_labels: [__meta_env], target_label: env}\n"
    ).scrape_configs[0]
    final, before = populate_target({"__address__": "api", "__meta_env": "prod"}, cfg)
    assert before.to_dict() == {
        "__address__": "api",
        "__meta_env": "prod",
        "__metrics_path__": "/metrics",
        "__param_module": "http_2xx",
        "__scheme__": "http",
        "__scrape_interval__": "15s",
        "__scrape_timeout__": "10s",
        "job": "api",
    }
    assert final is not None
    assert final.get("__address__") == "api:80"
    assert final.get("instance") == "api:80"
    assert final.get("env") == "prod"
    assert "__meta_env" not in final
    with pytest.raises(TargetError, match="no address"):
        populate_target({}, cfg)
