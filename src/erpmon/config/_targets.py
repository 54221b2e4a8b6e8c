"""Target groups: `static_configs`, `file_sd_configs`, and reading file_sd files (Prometheus 2.42)."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from typing import Any

from erpmon.config._decode import Decoder
from erpmon.config._errors import ConfigError, Problem
from erpmon.config._http import join_dir
from erpmon.config._relabel import decode_label_name
from erpmon.config._units import parse_duration
from erpmon.config._yamlnode import Node, compose, is_null
from erpmon.model import Labels, go_quote, is_valid_label_name

ADDRESS_LABEL = "__address__"
FILEPATH_LABEL = "__meta_filepath"
GROUP_TYPE = 'struct { Targets []string "yaml:\\"targets\\""; Labels model.LabelSet "yaml:\\"labels\\"" }'
DEFAULT_FILE_SD_REFRESH_MS = 5 * 60 * 1000
_FILE_SD_NAME = re.compile(r"[^*]*(\*[^/]*)?\.(json|yml|yaml|JSON|YML|YAML)\Z")


@dataclass(frozen=True)
class TargetGroup:
    """Targets (`host:port` addresses) sharing labels; `labels` never holds `__address__`."""

    targets: tuple[str, ...]
    labels: Labels
    source: str


@dataclass(frozen=True)
class FileSDConfig:
    """`file_sd_configs` entry: file paths or globs (joined to the config's directory)."""

    files: tuple[str, ...]
    refresh_interval_ms: int = DEFAULT_FILE_SD_REFRESH_MS


def decode_label_set(dec: Decoder, node: Node | None) -> dict[str, str] | None:
    """A `model.LabelSet` map: label names validated, values any scalar's literal text."""
    return dec.mapping(
        node,
        lambda n: decode_label_name(dec, n),
        lambda n: _label_value(dec, n),
        "model.LabelSet",
    )


def _label_value(dec: Decoder, node: Node) -> str | None:
    mark = dec.mark()
    text = dec.string(node, go_type="model.LabelValue")
    return text if dec.clean(mark) else None


def _group(dec: Decoder, node: Node, source: str) -> TargetGroup | None:
    f = dec.fields(node, GROUP_TYPE, ("targets", "labels"))
    if f is None:
        return None
    mark = dec.mark()
    targets = dec.string_list(f.get("targets")) or []
    labels = decode_label_set(dec, f.get("labels")) or {}
    if not dec.clean(mark):
        return None
    labels.pop(ADDRESS_LABEL, None)
    return TargetGroup(tuple(targets), Labels(labels), source)


def decode_static_configs(dec: Decoder, node: Node | None, first_source: int = 0) -> list[TargetGroup]:
    """`static_configs`: groups numbered "0", "1", ... as Prometheus names their sources."""
    groups: list[TargetGroup] = []

    def item(child: Node) -> TargetGroup | None:
        if is_null(child):
            dec.error(child, "empty or null section in static_configs")
            return None
        group = _group(dec, child, str(first_source + len(groups)))
        if group is not None:
            groups.append(group)
        return group

    dec.sequence(node, item, "[]*targetgroup.Group")
    return groups


def check_static_targets(dec: Decoder, groups: list[TargetGroup], owner: Node | None) -> None:
    """Prometheus rejects URLs in static targets ("/" anywhere) when no relabeling could fix them."""
    for group in groups:
        for target in group.targets:
            if "/" in target:
                dec.error(owner, f"{go_quote(target)} is not a valid hostname")
                return


def decode_file_sd_configs(dec: Decoder, node: Node | None, base_dir: str) -> list[FileSDConfig]:
    def item(child: Node) -> FileSDConfig | None:
        if is_null(child):
            dec.error(child, "empty or null section in file_sd_configs")
            return None
        f = dec.fields(child, "file.plain", ("files", "refresh_interval"))
        if f is None:
            return None
        mark = dec.mark()
        files = dec.string_list(f.get("files")) or []
        refresh = decode_duration(dec, f.get("refresh_interval"), DEFAULT_FILE_SD_REFRESH_MS)
        if not dec.clean(mark):
            return None
        if not files:
            dec.error(child, "file service discovery config must contain at least one path name")
            return None
        for name in files:
            if not _FILE_SD_NAME.match(name):
                dec.error(child, f"path name {go_quote(name)} is not valid for file discovery")
                return None
        return FileSDConfig(tuple(join_dir(base_dir, name) for name in files), refresh)

    return dec.sequence(node, item, "[]*file.SDConfig") or []


def decode_duration(dec: Decoder, node: Node | None, default: int) -> int:
    """A `model.Duration` field in ms: absent gives `default`, null gives 0 (Go's zero value)."""
    if node is None:
        return default
    if is_null(node):
        return 0
    text = dec.custom_string(node)
    if text is None:
        return default
    try:
        return parse_duration(text)
    except ValueError as err:
        dec.error(node, str(err))
        return default


def load_file_sd(path: str) -> list[TargetGroup]:
    """Read a file_sd file (.json, .yml, .yaml) as Prometheus does; raises `ConfigError`.

    Each group gets `__meta_filepath` and the source `<path>:<index>`. Targets are not checked
    here (Prometheus checks each address after target relabeling).
    """
    ext = os.path.splitext(path)[1].lower()
    if ext not in (".json", ".yml", ".yaml"):
        raise ConfigError([Problem(path, 0, 0, f"unhandled file extension {go_quote(ext)}")])
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError([Problem(path, 0, 0, str(err))]) from err
    raw = _parse_json(path, text) if ext == ".json" else _parse_yaml(path, text)
    return [
        TargetGroup(targets, Labels({**labels, FILEPATH_LABEL: path}), f"{path}:{i}")
        for i, (targets, labels) in enumerate(raw)
    ]


def _parse_yaml(path: str, text: str) -> list[tuple[tuple[str, ...], dict[str, str]]]:
    import yaml

    dec = Decoder(path)
    try:
        root = compose(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (0, 0)
        raise ConfigError([Problem(path, line, col, f"yaml: {getattr(err, 'problem', err)}")]) from err
    out: list[tuple[tuple[str, ...], dict[str, str]]] = []

    def item(child: Node) -> TargetGroup | None:
        if is_null(child):
            dec.error(child, "nil target group item found")
            return None
        group = _group(dec, child, "")
        if group is not None:
            out.append((group.targets, group.labels.to_dict()))
        return group

    dec.sequence(root, item, "[]*targetgroup.Group")
    if dec.problems:
        raise ConfigError(dec.problems)
    return out


def _parse_json(path: str, text: str) -> list[tuple[tuple[str, ...], dict[str, str]]]:
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as err:
        raise ConfigError([Problem(path, err.lineno, err.colno, err.msg)]) from err
    if data is None:
        return []
    if not isinstance(data, list):
        raise ConfigError(
            [Problem(path, 1, 1, "json: cannot unmarshal into Go value of type []*targetgroup.Group")]
        )
    problems: list[Problem] = []
    out: list[tuple[tuple[str, ...], dict[str, str]]] = []
    for i, group in enumerate(data):
        reason = _json_group_problem(group)
        if reason is not None:
            problems.append(Problem(path, 0, 0, f"target group {i}: {reason}"))
            continue
        fields = {k.lower(): v for k, v in group.items()}
        labels = {k: v or "" for k, v in (fields.get("labels") or {}).items()}
        labels.pop(ADDRESS_LABEL, None)
        out.append((tuple(t or "" for t in fields.get("targets") or ()), labels))
    if problems:
        raise ConfigError(problems)
    return out


def _json_group_problem(group: Any) -> str | None:
    """What Go's encoding/json (keys matched case-insensitively, unknown keys refused) objects to."""
    if group is None:
        return "nil target group item found"
    if not isinstance(group, dict):
        return "json: cannot unmarshal into Go value of type targetgroup.Group"
    for key, value in group.items():
        low = key.lower()
        if low not in ("targets", "labels"):
            return f'json: unknown field "{key}"'
        if value is None:
            continue
        if low == "targets" and (not isinstance(value, list) or not all(_json_str(t) for t in value)):
            return "json: cannot unmarshal into Go struct field .targets of type string"
        if low == "labels":
            if not isinstance(value, dict) or not all(_json_str(v) for v in value.values()):
                return "json: cannot unmarshal into Go struct field .labels of type model.LabelValue"
            for name in value:
                if not is_valid_label_name(name):
                    return f"{go_quote(name)} is not a valid label name"
    return None


def _json_str(value: Any) -> bool:
    # JSON null decodes into a Go string as "" (no change).
    return value is None or isinstance(value, str)
