"""Configuration: prometheus.yml loaded and checked exactly as Prometheus 2.42 does, into frozen objects.

Owns: the YAML layer with yaml.v2's semantics and positions (strict keys, no duplicate keys, `yes`
staying "yes" in string fields), `ConfigError` (every problem as `file:line:col: reason`),
`PrometheusConfig` and its parts (global, scrape jobs, HTTP client options, static and file
service discovery, alerting, remote write/read, storage, tracing), Prometheus's duration and byte
size syntax, reading file_sd files, and building a target's labels (`populate_target`) as
Prometheus does, which `promtool check config` also runs on static targets; plus promtool's
checks of the files a config names (`check_referenced_files`).
Reads from: `erpmon.model` (`Labels`, name validity) and `erpmon.relabel` (`RelabelConfig`).
Hands on: frozen configs to cli (loading, reloads, `check config`), scrape (jobs, target groups,
relabel steps, limits in plain ints and ms), rules (rule file patterns, evaluation interval),
alerting (Alertmanagers) and remote storage.
"""

from erpmon.config._alerting import AlertingConfig, AlertmanagerConfig
from erpmon.config._errors import ConfigError, Problem
from erpmon.config._files import check_referenced_files
from erpmon.config._http import Authorization, BasicAuth, HTTPClientConfig, OAuth2, TLSConfig
from erpmon.config._populate import TargetError, populate_target
from erpmon.config._prometheus import (
    GlobalConfig,
    PrometheusConfig,
    load_prometheus_config,
    parse_prometheus_config,
)
from erpmon.config._remote import (
    MetadataConfig,
    QueueConfig,
    RemoteReadConfig,
    RemoteWriteConfig,
    SigV4Config,
)
from erpmon.config._runtime import StorageConfig, TracingConfig
from erpmon.config._scrape import ScrapeConfig
from erpmon.config._sd import UNSUPPORTED_SD
from erpmon.config._targets import FileSDConfig, TargetGroup, load_file_sd
from erpmon.config._units import format_duration, parse_base2_bytes, parse_duration

__all__ = [
    "UNSUPPORTED_SD",
    "AlertingConfig",
    "AlertmanagerConfig",
    "Authorization",
    "BasicAuth",
    "ConfigError",
    "FileSDConfig",
    "GlobalConfig",
    "HTTPClientConfig",
    "MetadataConfig",
    "OAuth2",
    "Problem",
    "PrometheusConfig",
    "QueueConfig",
    "RemoteReadConfig",
    "RemoteWriteConfig",
    "ScrapeConfig",
    "SigV4Config",
    "StorageConfig",
    "TLSConfig",
    "TargetError",
    "TargetGroup",
    "TracingConfig",
    "check_referenced_files",
    "format_duration",
    "load_file_sd",
    "load_prometheus_config",
    "parse_base2_bytes",
    "parse_duration",
    "parse_prometheus_config",
    "populate_target",
]
