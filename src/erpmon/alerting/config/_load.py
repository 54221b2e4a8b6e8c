"""Loading alertmanager.yml: every section decoded and checked as Alertmanager 0.25 does.

Problems carry file, line and column (the YAML node of the offending value, or of the section for
checks amtool reports without a position) and amtool's wording.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml import MappingNode, ScalarNode, SequenceNode

from erpmon.alerting._yamlvalues import decode_match, decode_matchers
from erpmon.alerting.config._global import GLOBAL_SECRETS, GlobalConfig, decode_global
from erpmon.alerting.config._receivers import SECRET_KEYS, ReceiverConfig, decode_receiver
from erpmon.alerting.routing import Route, build_route
from erpmon.alerting.timeinterval import TimeInterval, decode_time_interval
from erpmon.config._decode import Decoder
from erpmon.config._errors import ConfigError, Problem
from erpmon.config._yamlnode import Node, alias_problem, compose, is_null
from erpmon.model import Matcher, is_valid_label_name

TOP_LEVEL_KEYS = (
    "global",
    "route",
    "inhibit_rules",
    "receivers",
    "templates",
    "mute_time_intervals",
    "time_intervals",
)
_ENV = re.compile(r"\$\{([A-Za-z0-9_]+)\}|\$([A-Za-z0-9_]+)")


@dataclass(frozen=True)
class InhibitRule:
    source_matchers: tuple[Matcher, ...]
    target_matchers: tuple[Matcher, ...]
    equal: tuple[str, ...]


@dataclass(frozen=True)
class AlertmanagerConfig:
    global_: GlobalConfig
    route: Route
    inhibit_rules: tuple[InhibitRule, ...] = ()
    receivers: tuple[ReceiverConfig, ...] = ()
    templates: tuple[str, ...] = ()
    time_intervals: Mapping[str, tuple[TimeInterval, ...]] = field(default_factory=dict)
    original: str = ""
    filename: str = ""

    def masked_yaml(self) -> str:
        """The config as YAML with every secret shown as `<secret>`, as 0.25's Secret marshals."""
        data = yaml.safe_load(self.original) or {}
        return yaml.safe_dump(_mask(data), sort_keys=False, default_flow_style=False, allow_unicode=True)


def _mask(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: _mask(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask(v, key) for v in value]
    if value not in (None, "") and (key in SECRET_KEYS or key in GLOBAL_SECRETS):
        return "<secret>"
    return value


def load_alertmanager_config(path: str | os.PathLike[str], *, expand_env: bool = False) -> AlertmanagerConfig:
    filename = os.fspath(path)
    try:
        with open(filename, encoding="utf-8") as fh:
            text = fh.read()
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError([Problem(filename, 0, 0, str(err))]) from err
    return parse_alertmanager_config(
        text, filename, os.path.dirname(os.path.abspath(filename)), expand_env=expand_env
    )


def expand_environment(text: str) -> str:
    """`${VAR}` and `$VAR` from the environment; unset variables expand to ''."""
    return _ENV.sub(lambda m: os.environ.get(m.group(1) or m.group(2), ""), text)


def parse_alertmanager_config(
    text: str, filename: str = "alertmanager.yml", base_dir: str = ".", *, expand_env: bool = False
) -> AlertmanagerConfig:
    if expand_env:
        text = expand_environment(text)
    dec = Decoder(filename)
    try:
        root = compose(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (0, 0)
        raise ConfigError([Problem(filename, line, col, _libyaml_wording(err))]) from err
    if root is None or is_null(root):
        # An empty file never reaches Config.UnmarshalYAML, so Load words it differently.
        raise ConfigError([Problem(filename, 1, 1, "no route provided in config")])
    bad = alias_problem(root)
    if bad is not None:
        dec.error(*bad)
        raise ConfigError(dec.problems)
    cfg = _decode(dec, root, base_dir, text)
    if dec.problems or cfg is None:
        raise ConfigError(sorted(dec.problems, key=lambda p: (p.line, p.column)))
    return cfg


# PyYAML's wording of a syntax problem -> libyaml's, which amtool (yaml.v2) prints.
_LIBYAML_WORDING = (
    ("expected <block end>", "did not find expected key"),
    ("expected ',' or ']'", "did not find expected ',' or ']'"),
    ("expected ',' or '}'", "did not find expected ',' or '}'"),
    ("mapping values are not allowed", "mapping values are not allowed in this context"),
    ("found character", "found character that cannot start any token"),
    ("found undefined alias", "unknown anchor"),
)


def _libyaml_wording(err: yaml.YAMLError) -> str:
    reason = str(getattr(err, "problem", None) or err)
    for prefix, libyaml in _LIBYAML_WORDING:
        if reason.startswith(prefix):
            return f"yaml: {libyaml}"
    return f"yaml: {reason}"


def _decode(dec: Decoder, root: Node | None, base_dir: str, text: str) -> AlertmanagerConfig | None:
    f = dec.fields(root, "config.plain", TOP_LEVEL_KEYS) or {}
    glob = decode_global(dec, f.get("global"), base_dir)
    receivers: list[ReceiverConfig] = []
    names: set[str] = set()
    for node in _seq(dec, f.get("receivers"), "[]*config.Receiver"):
        if is_null(node):
            # Alertmanager 0.25 crashes on a null receiver; erpmon refuses it as a nameless one.
            dec.error(node, "missing name in receiver")
            continue
        rcv = decode_receiver(dec, node, glob, base_dir)
        if rcv is None:
            continue
        if rcv.name in names:
            dec.error(node, f'notification config name "{rcv.name}" is not unique')
        names.add(rcv.name)
        receivers.append(rcv)
    route_node = f.get("route")
    if route_node is None or is_null(route_node):
        dec.error(root, "no routes provided")
        return None
    route, _ = build_route(dec, route_node)
    _check_root(dec, route_node, route)
    pairs = list(_route_nodes(route, route_node))
    _check_receivers(dec, pairs, names)
    intervals = _decode_intervals(dec, f)
    _check_intervals(dec, pairs, intervals)
    inhibit = [
        r
        for r in (_decode_inhibit(dec, n) for n in _seq(dec, f.get("inhibit_rules"), "[]*config.InhibitRule"))
        if r is not None
    ]
    templates = tuple(
        t if os.path.isabs(t) else os.path.join(base_dir, t)
        for t in dec.string_list(f.get("templates")) or ()
    )
    return AlertmanagerConfig(
        glob, route, tuple(inhibit), tuple(receivers), templates, intervals, text, dec.filename
    )


def _check_root(dec: Decoder, node: Node, route: Route) -> None:
    if not route.options.receiver:
        dec.error(node, "root route must specify a default receiver")
    if route.matchers:
        dec.error(node, "root route must not have any matchers")
    if route.options.mute_time_intervals:
        dec.error(node, "root route must not have any mute time intervals")
    if route.options.active_time_intervals:
        dec.error(node, "root route must not have any active time intervals")
    if route.continue_:
        dec.error(node, "cannot have continue in root route")


def _route_nodes(route: Route, node: Node) -> Iterator[tuple[Route, dict[str, Node]]]:
    """Each route with its YAML keys, so a problem points at the route that has it."""
    keys = {k.value: v for k, v in node.value} if isinstance(node, MappingNode) else {}
    yield route, keys
    children = keys.get("routes")
    if isinstance(children, SequenceNode):
        for child, child_node in zip(route.routes, children.value, strict=False):
            yield from _route_nodes(child, child_node)


def _check_receivers(dec: Decoder, pairs: list[tuple[Route, dict[str, Node]]], names: set[str]) -> None:
    for _, keys in pairs:
        node = keys.get("receiver")
        receiver = node.value if isinstance(node, ScalarNode) and not is_null(node) else ""
        if receiver and receiver not in names:
            dec.error(node, f'undefined receiver "{receiver}" used in route')


def _decode_intervals(dec: Decoder, f: Mapping[str, Node]) -> dict[str, tuple[TimeInterval, ...]]:
    out: dict[str, tuple[TimeInterval, ...]] = {}
    sections = (
        ("mute_time_intervals", "mute time interval", "[]config.MuteTimeInterval"),
        ("time_intervals", "time interval", "[]config.TimeInterval"),
    )
    for key, what, go_type in sections:
        for node in _seq(dec, f.get(key), go_type):
            tf = dec.fields(node, "config.plain", ("name", "time_intervals"))
            if tf is None:
                continue
            name = dec.string(tf.get("name"))
            if not name:
                dec.error(node, f"missing name in {what}")
            elif name in out:
                dec.error(node, f'{what} "{name}" is not unique')
            items = [
                decode_time_interval(dec, n)
                for n in _seq(dec, tf.get("time_intervals"), "[]timeinterval.TimeInterval")
            ]
            out[name] = tuple(i for i in items if i is not None)
    return out


def _check_intervals(
    dec: Decoder, pairs: list[tuple[Route, dict[str, Node]]], intervals: Mapping[str, object]
) -> None:
    for route, keys in pairs:
        for key, names in (
            ("active_time_intervals", route.options.active_time_intervals),
            ("mute_time_intervals", route.options.mute_time_intervals),
        ):
            for name in names:
                if name not in intervals:
                    dec.error(keys.get(key), f'undefined time interval "{name}" used in route')


_INHIBIT_KEYS = (
    "source_match",
    "source_match_re",
    "source_matchers",
    "target_match",
    "target_match_re",
    "target_matchers",
    "equal",
)


def _decode_inhibit(dec: Decoder, node: Node) -> InhibitRule | None:
    if is_null(node):
        # amtool counts a null rule; it has no matchers, and inhibits nothing.
        return InhibitRule((), (), ())
    f = dec.fields(node, "config.plain", _INHIBIT_KEYS)
    if f is None:
        return None
    source = [
        *decode_match(dec, f.get("source_match"), regex=False),
        *decode_match(dec, f.get("source_match_re"), regex=True),
        *decode_matchers(dec, f.get("source_matchers")),
    ]
    target = [
        *decode_match(dec, f.get("target_match"), regex=False),
        *decode_match(dec, f.get("target_match_re"), regex=True),
        *decode_matchers(dec, f.get("target_matchers")),
    ]
    equal_node = f.get("equal")
    equal = dec.string_list(equal_node, "model.LabelNames") or []
    items = equal_node.value if isinstance(equal_node, SequenceNode) else []
    for i, name in enumerate(equal):
        if not is_valid_label_name(name):
            dec.error(items[i] if i < len(items) else equal_node, f'"{name}" is not a valid label name')
    return InhibitRule(tuple(source), tuple(target), tuple(equal))


def _seq(dec: Decoder, node: Node | None, go_type: str) -> list[Node]:
    if node is None or is_null(node):
        return []
    if not isinstance(node, SequenceNode):
        dec.terror(node, go_type)
        return []
    return list(node.value)
