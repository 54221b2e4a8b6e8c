"""`PrometheusConfig`: a whole prometheus.yml, loaded and checked as Prometheus 2.42's `config.Load`.

Defaults are set first, then the checks run, in config.go's order: the global section, rule file
patterns, then per scrape job the interval/timeout inheritance and unique job names, then remote
write/read names. Every problem found is reported, each with its file, line and column.
"""

from __future__ import annotations

import glob
import os
import re
from dataclasses import dataclass, field

import yaml

from erpmon.config._alerting import AlertingConfig, decode_alerting
from erpmon.config._decode import Decoder
from erpmon.config._errors import ConfigError, Problem
from erpmon.config._http import join_dir
from erpmon.config._populate import scrape_target_problem
from erpmon.config._remote import RemoteReadConfig, RemoteWriteConfig, decode_remote_read, decode_remote_write
from erpmon.config._runtime import StorageConfig, TracingConfig, decode_storage, decode_tracing
from erpmon.config._scrape import DecodedScrape, ScrapeConfig, decode_scrape_config
from erpmon.config._targets import decode_duration
from erpmon.config._yamlnode import Node, alias_problem, compose, is_null
from erpmon.model import Labels, go_quote, is_valid_label_name

TOP_LEVEL_KEYS = (
    "global",
    "alerting",
    "rule_files",
    "scrape_configs",
    "storage",
    "tracing",
    "remote_write",
    "remote_read",
)
DEFAULT_SCRAPE_INTERVAL_MS = 60_000
DEFAULT_SCRAPE_TIMEOUT_MS = 10_000
DEFAULT_EVALUATION_INTERVAL_MS = 60_000
_RULE_PATH = re.compile(r"[^*]*(\*[^/]*)?\Z")


@dataclass(frozen=True)
class GlobalConfig:
    scrape_interval_ms: int = DEFAULT_SCRAPE_INTERVAL_MS
    scrape_timeout_ms: int = DEFAULT_SCRAPE_TIMEOUT_MS
    evaluation_interval_ms: int = DEFAULT_EVALUATION_INTERVAL_MS
    query_log_file: str = ""
    external_labels: Labels = field(default_factory=Labels)


@dataclass(frozen=True)
class PrometheusConfig:
    """A loaded prometheus.yml. Paths are joined to the file's directory; durations are ms."""

    global_config: GlobalConfig = GlobalConfig()
    rule_files: tuple[str, ...] = ()
    scrape_configs: tuple[ScrapeConfig, ...] = ()
    alerting: AlertingConfig = field(default_factory=AlertingConfig)
    remote_write: tuple[RemoteWriteConfig, ...] = ()
    remote_read: tuple[RemoteReadConfig, ...] = ()
    storage: StorageConfig = field(default_factory=StorageConfig)
    tracing: TracingConfig | None = None
    warnings: tuple[str, ...] = ()
    filename: str = ""

    def scrape_config(self, job_name: str) -> ScrapeConfig | None:
        return next((c for c in self.scrape_configs if c.job_name == job_name), None)

    def rule_file_paths(self) -> list[str]:
        """The rule files the `rule_files` patterns match now, sorted per pattern (as Go's Glob)."""
        out: list[str] = []
        for pattern in self.rule_files:
            out.extend(sorted(glob.glob(pattern)))
        return out


def load_prometheus_config(path: str | os.PathLike[str]) -> PrometheusConfig:
    """Read and check a prometheus.yml; raises `ConfigError` listing every problem."""
    filename = os.fspath(path)
    try:
        with open(filename, encoding="utf-8") as fh:
            text = fh.read()
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError([Problem(filename, 0, 0, str(err))]) from err
    return parse_prometheus_config(text, filename)


def parse_prometheus_config(text: str, filename: str = "prometheus.yml") -> PrometheusConfig:
    """Check YAML text; relative paths resolve against `filename`'s directory."""
    dec = Decoder(filename)
    try:
        root = compose(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (0, 0)
        reason = getattr(err, "problem", None) or str(err)
        raise ConfigError([Problem(filename, line, col, f"yaml: {reason}")]) from err
    if root is None:
        return PrometheusConfig(filename=filename)
    bad = alias_problem(root)
    if bad is not None:
        dec.error(*bad)
        raise ConfigError(dec.problems)
    cfg = _decode(dec, root, os.path.dirname(filename))
    if dec.problems or cfg is None:
        raise ConfigError(sorted(dec.problems, key=lambda p: (p.line, p.column)))
    return cfg


def _decode(dec: Decoder, root: Node, base_dir: str) -> PrometheusConfig | None:
    f = dec.fields(root, "config.plain", TOP_LEVEL_KEYS)
    if f is None:
        return None if not is_null(root) else PrometheusConfig(filename=dec.filename)
    glob_cfg = _decode_global(dec, f.get("global"), base_dir)
    rule_files = dec.string_list(f.get("rule_files")) or []
    scrapes = dec.sequence(
        f.get("scrape_configs"), lambda n: _scrape_item(dec, n, base_dir), "[]*config.ScrapeConfig"
    )
    alerting = decode_alerting(dec, f.get("alerting"), base_dir)
    storage = decode_storage(dec, f.get("storage"))
    tracing = decode_tracing(dec, f.get("tracing"), base_dir)

    def write_item(n: Node) -> RemoteWriteConfig | None:
        if _null_item(dec, n, "empty or null remote write config section"):
            return None
        return decode_remote_write(dec, n, base_dir)

    def read_item(n: Node) -> RemoteReadConfig | None:
        if _null_item(dec, n, "empty or null remote read config section"):
            return None
        return decode_remote_read(dec, n, base_dir)

    writes = dec.sequence(f.get("remote_write"), write_item, "[]*config.RemoteWriteConfig")
    reads = dec.sequence(f.get("remote_read"), read_item, "[]*config.RemoteReadConfig")
    for pattern in rule_files:
        if not _RULE_PATH.match(pattern):
            dec.error(f.get("rule_files"), f"invalid rule file path {go_quote(pattern)}")
    jobs = _inherit_globals(dec, glob_cfg, [s for s in scrapes or [] if s is not None])
    _check_unique(dec, [(w.name, f.get("remote_write")) for w in writes or []], "remote write")
    _check_unique(dec, [(r.name, f.get("remote_read")) for r in reads or []], "remote read")
    return PrometheusConfig(
        global_config=glob_cfg,
        rule_files=tuple(join_dir(base_dir, p) for p in rule_files),
        scrape_configs=tuple(jobs),
        alerting=alerting,
        remote_write=tuple(writes or ()),
        remote_read=tuple(reads or ()),
        storage=storage,
        tracing=tracing,
        warnings=tuple(dec.warnings),
        filename=dec.filename,
    )


def _null_item(dec: Decoder, node: Node, reason: str) -> bool:
    """Report a null list item (Go keeps it as a nil pointer and then rejects it)."""
    if is_null(node):
        dec.error(node, reason)
        return True
    return False


def _scrape_item(dec: Decoder, node: Node, base_dir: str) -> DecodedScrape | None:
    if is_null(node):
        dec.error(node, "empty or null scrape config section")
        return None
    return decode_scrape_config(dec, node, base_dir)


def _decode_global(dec: Decoder, node: Node | None, base_dir: str) -> GlobalConfig:
    keys = ("scrape_interval", "scrape_timeout", "evaluation_interval", "query_log_file", "external_labels")
    f = dec.fields(node, "config.plain", keys)
    if f is None:
        return GlobalConfig()
    mark = dec.mark()
    interval = decode_duration(dec, f.get("scrape_interval"), 0)
    timeout = decode_duration(dec, f.get("scrape_timeout"), 0)
    evaluation = decode_duration(dec, f.get("evaluation_interval"), 0)
    query_log = dec.string(f.get("query_log_file"))
    ext_node = f.get("external_labels")
    external = dec.string_map(ext_node) or {}
    if not dec.clean(mark):
        return GlobalConfig()
    for name in external:
        if not is_valid_label_name(name):
            dec.error(ext_node, f"{go_quote(name)} is not a valid label name")
            return GlobalConfig()
    interval = interval or DEFAULT_SCRAPE_INTERVAL_MS
    if timeout > interval:
        dec.error(f.get("scrape_timeout"), "global scrape timeout greater than scrape interval")
        return GlobalConfig()
    if timeout == 0:
        timeout = min(DEFAULT_SCRAPE_TIMEOUT_MS, interval)
    return GlobalConfig(
        scrape_interval_ms=interval,
        scrape_timeout_ms=timeout,
        evaluation_interval_ms=evaluation or DEFAULT_EVALUATION_INTERVAL_MS,
        query_log_file=join_dir(base_dir, query_log),
        external_labels=Labels(external),
    )


def _inherit_globals(
    dec: Decoder, glob_cfg: GlobalConfig, scrapes: list[DecodedScrape]
) -> list[ScrapeConfig]:
    """Scrape interval/timeout defaults from `global` (config.go's order) and unique job names."""
    from dataclasses import replace

    out: list[ScrapeConfig] = []
    seen: set[str] = set()
    for item in scrapes:
        cfg = item.config
        interval = cfg.scrape_interval_ms or glob_cfg.scrape_interval_ms
        timeout = cfg.scrape_timeout_ms
        if timeout > interval:
            reason = "scrape timeout greater than scrape interval for scrape config with job name"
            dec.error(item.node, f"{reason} {go_quote(cfg.job_name)}")
            continue
        if timeout == 0:
            timeout = interval if glob_cfg.scrape_timeout_ms > interval else glob_cfg.scrape_timeout_ms
        if cfg.job_name in seen:
            dec.error(item.node, f"found multiple scrape configs with job name {go_quote(cfg.job_name)}")
            continue
        seen.add(cfg.job_name)
        final = replace(cfg, scrape_interval_ms=interval, scrape_timeout_ms=timeout)
        problem = scrape_target_problem(final)
        if problem is not None:
            dec.error(item.node, problem)
            continue
        out.append(final)
    return out


def _check_unique(dec: Decoder, names: list[tuple[str, Node | None]], kind: str) -> None:
    seen: set[str] = set()
    for name, node in names:
        if name and name in seen:
            dec.error(node, f"found multiple {kind} configs with job name {go_quote(name)}")
        seen.add(name)
