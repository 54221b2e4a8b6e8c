"""checks.yml: the checks erpmon runs, their schedule, and the health-score formula.

Every check has a name, a type, an interval, a timeout and retries (extra attempts before a run
counts as failed), plus `severity` (what a failure means for `erpmon check`'s exit code: critical
or warning) and the fields its type needs. Unknown types, unknown or missing fields, bad durations
and bad regexes are problems with file, line and column.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import yaml

from erpmon.config._decode import Decoder, compose_checked
from erpmon.config._errors import ConfigError, Problem
from erpmon.config._targets import decode_duration
from erpmon.config._units import parse_base2_bytes
from erpmon.config._yamlnode import MappingNode, Node, is_null

# type -> (required fields, optional fields)
TYPES: Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]] = MappingProxyType({
    "http": (("url",), ("method", "headers", "body", "expect_status", "max_latency", "body_regex",
                        "json_field", "json_equals", "cert_expiry_warning", "insecure_skip_verify",
                        "ca_file")),
    "tcp": (("address",), ("tls", "insecure_skip_verify", "ca_file")),
    "dns": (("query",), ("record", "server", "expect")),
    "postgres": (("dsn",), ("connections_warning",)),
    "redis": (("url",), ("memory_warning",)),
    "process": ((), ("match", "pid_file", "min_count")),
    "host": ((), ("cpu_warning", "memory_warning", "disk_warning", "load_warning", "path")),
    "metrics": (("url",), ("min_series",)),
    "command": (("command",), ("env", "ok_codes", "warning_codes")),
})  # fmt: skip
COMMON = ("name", "type", "interval", "timeout", "retries", "severity", "labels")


@dataclass(frozen=True)
class CheckSpec:
    name: str
    type: str
    interval_ms: int
    timeout_ms: int
    retries: int
    severity: str  # critical or warning
    options: Mapping[str, Any]
    labels: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class Penalty:
    metric: str  # cpu, memory or disk (percent used)
    above: float
    minus: int


@dataclass(frozen=True)
class ScoreConfig:
    start: int = 100
    penalties: tuple[Penalty, ...] = (
        Penalty("cpu", 80, 20),
        Penalty("memory", 85, 15),
        Penalty("disk", 85, 25),
    )
    bands: tuple[tuple[int, str], ...] = ((90, "Excellent"), (70, "Good"), (0, "Needs Attention"))
    alert_below: int = 70

    def band(self, score: int) -> str:
        return next((name for floor, name in self.bands if score >= floor), self.bands[-1][1])


@dataclass(frozen=True)
class ChecksConfig:
    checks: tuple[CheckSpec, ...] = ()
    score: ScoreConfig = field(default_factory=ScoreConfig)
    filename: str = ""

    def by_name(self, name: str) -> CheckSpec | None:
        return next((c for c in self.checks if c.name == name), None)


def load_checks_config(
    path: str | os.PathLike[str], *, overrides: Mapping[str, str] | None = None
) -> ChecksConfig:
    filename = os.fspath(path)
    try:
        with open(filename, encoding="utf-8") as fh:
            text = fh.read()
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError([Problem(filename, 0, 0, str(err))]) from err
    return parse_checks_config(text, filename, overrides=overrides)


def expand(text: str, overrides: Mapping[str, str]) -> str:
    """`${VAR}` and `${VAR:-default}` from `overrides`, then the environment."""

    def one(m: re.Match[str]) -> str:
        name, default = m.group(1), m.group(3)
        value = overrides.get(name, os.environ.get(name))
        return value if value else (default or "")

    return re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?\}", one, text)


def parse_checks_config(
    text: str, filename: str = "checks.yml", *, overrides: Mapping[str, str] | None = None
) -> ChecksConfig:
    text = expand(text, overrides or {})
    root = compose_checked(text, filename)
    dec = Decoder(filename)
    f = dec.fields(root, "checks", ("defaults", "score", "checks")) or {}
    df = dec.fields(f.get("defaults"), "defaults", ("interval", "timeout", "retries")) or {}
    defaults = (
        decode_duration(dec, df.get("interval"), 30_000),
        decode_duration(dec, df.get("timeout"), 10_000),
        dec.integer(df.get("retries"), 0),
    )
    checks: list[CheckSpec] = []
    seq = f.get("checks")
    items = list(seq.value) if isinstance(seq, yaml.SequenceNode) else []
    if seq is not None and not is_null(seq) and not isinstance(seq, yaml.SequenceNode):
        dec.error(seq, "checks must be a list")
    for node in items:
        spec = _check(dec, node, defaults)
        if spec is None:
            continue
        if any(c.name == spec.name for c in checks):
            dec.error(node, f"check {spec.name!r} is defined twice")
        checks.append(spec)
    score = _score(dec, f.get("score"))
    if dec.problems:
        raise ConfigError(sorted(dec.problems, key=lambda p: (p.line, p.column)))
    return ChecksConfig(tuple(checks), score, filename)


def _check(dec: Decoder, node: Node, defaults: tuple[int, int, int]) -> CheckSpec | None:
    if not isinstance(node, MappingNode):
        dec.error(node, "a check is a mapping")
        return None
    keys = {str(k.value): v for k, v in node.value}
    kind = str(keys["type"].value) if isinstance(keys.get("type"), yaml.ScalarNode) else ""
    if "type" not in keys:
        dec.error(node, f"check {keys.get('name').value if 'name' in keys else ''!r} has no type")  # type: ignore[union-attr]
        return None
    if kind not in TYPES:
        dec.error(keys["type"], f"unknown check type {kind!r}; want one of {', '.join(TYPES)}")
        return None
    required, optional = TYPES[kind]
    f = dec.fields(node, f"{kind} check", (*COMMON, *required, *optional))
    if f is None:
        return None
    name = dec.string(f.get("name"))
    if not name:
        dec.error(node, "missing name in check")
    for key in required:
        if key not in f:
            dec.error(node, f"{kind} check {name!r} needs {key}")
    interval = decode_duration(dec, f.get("interval"), defaults[0])
    timeout = decode_duration(dec, f.get("timeout"), defaults[1])
    if interval <= 0 or timeout <= 0:
        dec.error(node, f"check {name!r}: interval and timeout must be positive")
    retries = dec.integer(f.get("retries"), defaults[2])
    severity = dec.string(f.get("severity"), "critical")
    if severity not in ("critical", "warning"):
        dec.error(f.get("severity"), f"severity must be critical or warning, not {severity!r}")
    options = {k: _option(dec, k, v, name) for k, v in f.items() if k not in COMMON}
    return CheckSpec(
        name, kind, interval, timeout, max(0, retries), severity, MappingProxyType(options),
        MappingProxyType(dec.string_map(f.get("labels")) or {}),
    )  # fmt: skip


_DURATIONS = frozenset({"max_latency", "cert_expiry_warning"})
_LISTS = frozenset({"command", "expect"})
_INT_LISTS = frozenset({"expect_status", "ok_codes", "warning_codes"})
_FLOATS = frozenset({"connections_warning", "cpu_warning", "memory_warning", "disk_warning", "load_warning"})


def _option(dec: Decoder, key: str, node: Node, check: str) -> Any:
    if key in _DURATIONS:
        return decode_duration(dec, node, 0)
    if key in _LISTS:
        return tuple(dec.string_list(node) or ())
    if key in _INT_LISTS:
        return tuple(dec.sequence(node, lambda n: dec.integer(n, 0), "[]int") or ())
    if key in ("headers", "env"):
        return MappingProxyType(dec.string_map(node) or {})
    if key in ("insecure_skip_verify", "tls"):
        return dec.boolean(node, False)
    if key in ("min_count", "min_series"):
        return dec.integer(node, 1)
    if key == "memory_warning" and isinstance(node, yaml.ScalarNode) and not _is_number(node.value):
        try:
            return float(parse_base2_bytes(node.value))
        except ValueError as err:
            dec.error(node, str(err))
            return 0.0
    if key in _FLOATS:
        return dec.number(node, 0.0)
    text = dec.string(node)
    if key == "body_regex":
        try:
            re.compile(text)
        except re.error as err:
            dec.error(node, f"check {check!r}: invalid body_regex: {err}")
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _score(dec: Decoder, node: Node | None) -> ScoreConfig:
    f = dec.fields(node, "score", ("start", "penalties", "bands", "alert_below"))
    if f is None:
        return ScoreConfig()
    base = ScoreConfig()
    penalties: list[Penalty] = []
    for p in f["penalties"].value if isinstance(f.get("penalties"), yaml.SequenceNode) else []:
        pf = dec.fields(p, "penalty", ("metric", "above", "minus"))
        if pf is None:
            continue
        metric = dec.string(pf.get("metric"))
        if metric not in ("cpu", "memory", "disk"):
            dec.error(pf.get("metric") or p, f"penalty metric must be cpu, memory or disk, not {metric!r}")
        penalties.append(Penalty(metric, dec.number(pf.get("above"), 0.0), dec.integer(pf.get("minus"), 0)))
    bands: list[tuple[int, str]] = []
    for b in f["bands"].value if isinstance(f.get("bands"), yaml.SequenceNode) else []:
        bf = dec.fields(b, "band", ("min", "name"))
        if bf is not None:
            bands.append((dec.integer(bf.get("min"), 0), dec.string(bf.get("name"))))
    bands.sort(reverse=True)
    return ScoreConfig(
        dec.integer(f.get("start"), base.start),
        tuple(penalties) if "penalties" in f else base.penalties,
        tuple(bands) if bands else base.bands,
        dec.integer(f.get("alert_below"), base.alert_below),
    )
