"""Rule files: Prometheus 2.42's format (`model/rulefmt`), loaded and validated with its messages.

A rule file is `groups:` of `{name, interval, limit, rules}`; a rule is `record` or `alert` with
`expr`, `for`, `keep_firing_for`, `labels`, `annotations`. Prometheus decodes it with yaml.v3 in
strict mode (unknown fields are errors), then validates each rule. Its messages are kept word for
word (`5:11: group "g", rule 2, "Name": could not parse expression: ...`), so users see what
promtool shows them. Where Prometheus gives no position (label and annotation problems, templates,
durations), erpmon adds the line of the offending node: the rest of the message is unchanged.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import yaml

from erpmon.config import Problem
from erpmon.config._decode import Decoder
from erpmon.config._units import parse_duration
from erpmon.config._yamlnode import MappingNode, Node, ScalarNode, compose, is_null, position
from erpmon.model import Labels, go_quote, is_valid_label_name, is_valid_metric_name
from erpmon.promql import PromQLSyntaxError, parse_expr

_GROUPS_TYPE = "rulefmt.RuleGroups"
_GROUP_TYPE = "rulefmt.RuleGroup"
_RULE_TYPE = "rulefmt.RuleNode"
_GROUP_KEYS = ("name", "interval", "limit", "rules")
_DURATION_ERRORS = ("not a valid duration string", "empty duration string", "duration out of range")
_RULE_KEYS = ("record", "alert", "expr", "for", "keep_firing_for", "labels", "annotations")


@dataclass(frozen=True)
class RuleSpec:
    """One rule as written in its file."""

    record: str
    alert: str
    expr: str
    for_ms: int = 0
    keep_firing_for_ms: int = 0
    # Pairs sorted by name; kept as pairs, not `Labels`, because an empty value means something
    # (a recording rule's empty label deletes that label from the result).
    labels: tuple[tuple[str, str], ...] = ()
    annotations: tuple[tuple[str, str], ...] = ()
    line: int = 0

    @property
    def name(self) -> str:
        return self.alert or self.record

    @property
    def is_alert(self) -> bool:
        return bool(self.alert)


@dataclass(frozen=True)
class GroupSpec:
    """A rule group; `interval_ms` 0 means the global evaluation_interval."""

    name: str
    file: str
    interval_ms: int = 0
    limit: int = 0
    rules: tuple[RuleSpec, ...] = ()


@dataclass(frozen=True)
class RuleFile:
    path: str
    groups: tuple[GroupSpec, ...] = ()

    @property
    def rule_count(self) -> int:
        return sum(len(g.rules) for g in self.groups)


class RuleFileError(ValueError):
    """A rule file Prometheus would refuse; `messages` are promtool's lines, each starting with the file."""

    def __init__(self, messages: Sequence[str]) -> None:
        self.messages = tuple(messages)
        super().__init__("\n".join(self.messages))


def load_rule_file(path: str) -> RuleFile:
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except (OSError, UnicodeDecodeError) as err:
        raise RuleFileError([f"{path}: {err}"]) from err
    return parse_rule_file(text, path)


def parse_rule_file(text: str, path: str) -> RuleFile:
    """Decode and validate; raises `RuleFileError` with every problem found."""
    try:
        root = compose(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        reason = getattr(err, "problem", None) or str(err)
        raise RuleFileError([f"{path}: yaml: {where}{reason}"]) from err
    if root is None or is_null(root):
        return RuleFile(path)
    dec = Decoder(path)
    raw = _decode_groups(dec, root)
    problems = [p for p in dec.problems if " already set in " not in p.reason]
    fatal = [p for p in problems if p.reason.startswith(_DURATION_ERRORS)]
    if fatal:
        # model.Duration's own error stops yaml.v3 at once; Prometheus prints it without a position.
        first = fatal[0]
        raise RuleFileError([f"{path}: {first.line}:{first.column}: {first.reason}"])
    problems.extend(_repeated_keys(path, root))
    if problems:
        raise RuleFileError([_yaml_errors(path, problems)])
    errors = list(_validate(path, raw))
    if errors:
        raise RuleFileError(errors)
    return RuleFile(path, tuple(group for group, _, _ in raw))


# -- decoding -----------------------------------------------------------------------------------

_RawRule = tuple[RuleSpec, dict[str, Node], Node]
_RawGroup = tuple[GroupSpec, Node, list[_RawRule]]


def _yaml_errors(path: str, problems: Iterable[Problem]) -> str:
    """yaml.v3's one error listing every decoding problem by line."""
    lines = [f"  line {p.line}: {p.reason}" for p in sorted(problems, key=lambda p: p.line)]
    return f"{path}: yaml: unmarshal errors:\n" + "\n".join(lines)


def _repeated_keys(path: str, root: Node) -> list[Problem]:
    """yaml.v3's repeated-key errors, which name the line of the first occurrence too."""
    out: list[Problem] = []
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, MappingNode):
            first: dict[str, int] = {}
            for knode, vnode in node.value:
                if isinstance(knode, ScalarNode):
                    line = position(knode)[0]
                    if knode.value in first:
                        key, at = go_quote(knode.value), first[knode.value]
                        out.append(Problem(path, line, 0, f"mapping key {key} already defined at line {at}"))
                    else:
                        first[knode.value] = line
                stack.append(vnode)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return out


def _decode_groups(dec: Decoder, root: Node) -> list[_RawGroup]:
    top = dec.fields(root, _GROUPS_TYPE, ("groups",))
    if top is None:
        return []
    return dec.sequence(top.get("groups"), lambda node: _decode_group(dec, node), "[]rulefmt.RuleGroup") or []


def _duration(dec: Decoder, node: Node | None) -> int:
    text = dec.custom_string(node, "model.Duration")
    if text is None:
        return 0
    try:
        return parse_duration(text)
    except ValueError as err:
        dec.error(node, str(err))
        return 0


def _decode_group(dec: Decoder, node: Node) -> _RawGroup | None:
    f = dec.fields(node, _GROUP_TYPE, _GROUP_KEYS)
    if f is None:
        return None
    rules = dec.sequence(f.get("rules"), lambda n: _decode_rule(dec, n), "[]rulefmt.RuleNode") or []
    spec = GroupSpec(
        name=dec.string(f.get("name")),
        file=dec.filename,
        interval_ms=_duration(dec, f.get("interval")),
        limit=dec.integer(f.get("limit"), 0),
        rules=tuple(rule for rule, _, _ in rules),
    )
    return spec, node, rules


def _decode_rule(dec: Decoder, node: Node) -> _RawRule | None:
    f = dec.fields(node, _RULE_TYPE, _RULE_KEYS)
    if f is None:
        return None
    labels = dec.string_map(f.get("labels")) or {}
    annotations = dec.string_map(f.get("annotations")) or {}
    spec = RuleSpec(
        record=_node_text(dec, f.get("record")),
        alert=_node_text(dec, f.get("alert")),
        expr=_node_text(dec, f.get("expr")),
        for_ms=_duration(dec, f.get("for")),
        keep_firing_for_ms=_duration(dec, f.get("keep_firing_for")),
        labels=tuple(sorted(labels.items())),
        annotations=tuple(sorted(annotations.items())),
        line=position(node)[0],
    )
    return spec, f, node


def _node_text(dec: Decoder, node: Node | None) -> str:
    """A yaml.Node field's `.Value`: a scalar's text, '' for collections (Prometheus keeps the node)."""
    if node is None or not isinstance(node, ScalarNode):
        return ""
    return dec.string(node)


# -- validation (rulefmt.RuleGroups.Validate) -------------------------------------------------


def _at(node: Node | None) -> str:
    line, col = position(node)
    return f"{line}:{col}"


def _validate(path: str, groups: list[_RawGroup]) -> Iterable[str]:
    seen: set[str] = set()
    for spec, gnode, rules in groups:
        if spec.name == "":
            yield f"{path}: {_at(gnode)}: Groupname must not be empty"
        if spec.name in seen:
            yield f'{path}: {_at(gnode)}: groupname: "{spec.name}" is repeated in the same file'
        seen.add(spec.name)
        for index, (rule, nodes, rule_node) in enumerate(rules, start=1):
            prefix = f"group {go_quote(spec.name)}, rule {index}, {go_quote(rule.name)}"
            for where, message in _validate_rule(rule, nodes, rule_node):
                yield f"{path}: {where}: {prefix}: {message}"


def _validate_rule(rule: RuleSpec, nodes: dict[str, Node], rule_node: Node) -> Iterable[tuple[str, str]]:
    # Prometheus prints 0:0 for a field that is absent; erpmon points at the rule instead.
    record, alert, expr = (nodes.get(key, rule_node) for key in ("record", "alert", "expr"))
    if rule.record and rule.alert:
        yield f"{_at(record)}: {_at(alert)}", "only one of 'record' and 'alert' must be set"
    if not rule.record and not rule.alert:
        yield _at(record), "one of 'record' or 'alert' must be set"
    if not rule.expr:
        yield _at(expr), "field 'expr' must be set in rule"
    else:
        try:
            parse_expr(rule.expr)
        except PromQLSyntaxError as err:
            yield _at(expr), f"could not parse expression: {err}"
    if rule.record:
        if rule.annotations:
            yield _at(record), "invalid field 'annotations' in recording rule"
        if rule.for_ms:
            yield _at(record), "invalid field 'for' in recording rule"
        if rule.keep_firing_for_ms:
            yield _at(record), "invalid field 'keep_firing_for' in recording rule"
        if not is_valid_metric_name(rule.record):
            yield _at(record), f"invalid recording rule name: {rule.record}"
    label_node = nodes.get("labels")
    for name, _ in rule.labels:
        if not is_valid_label_name(name) or name == "__name__":
            yield _at(_key_node(label_node, name)), f"invalid label name: {name}"
    annotation_node = nodes.get("annotations")
    for name, _ in rule.annotations:
        if not is_valid_label_name(name):
            yield _at(_key_node(annotation_node, name)), f"invalid annotation name: {name}"
    if rule.alert:
        yield from _template_problems(rule, label_node, annotation_node)


def _template_problems(
    rule: RuleSpec, label_node: Node | None, annotation_node: Node | None
) -> Iterable[tuple[str, str]]:
    from erpmon.templates import ALERT_TEMPLATE_DEFS, Expander, TemplateError, alert_template_data

    data = alert_template_data({}, {}, "", 0.0)
    for kind, values, node in (
        ("label", rule.labels, label_node),
        ("annotation", rule.annotations, annotation_node),
    ):
        for name, text in values:
            expander = Expander(ALERT_TEMPLATE_DEFS + text, "__alert_" + rule.alert, data, 0, None, "")
            try:
                expander.parse_test()
            except TemplateError as err:
                yield _at(_key_node(node, name)), f"{kind} {go_quote(name)}: {err}"


def _key_node(mapping: Node | None, key: str) -> Node | None:
    if isinstance(mapping, MappingNode):
        for knode, _ in mapping.value:
            if isinstance(knode, ScalarNode) and knode.value == key:
                return knode
    return mapping


def duplicate_rules(groups: Sequence[GroupSpec]) -> list[tuple[str, Labels]]:
    """promtool's duplicate-rules lint: rules with the same name and labels (sorted, each once)."""
    keys = sorted((rule.name, Labels(rule.labels)) for group in groups for rule in group.rules)
    out: list[tuple[str, Labels]] = []
    for prev, cur in itertools.pairwise(keys):
        if prev == cur and (not out or out[-1] != cur):
            out.append(cur)
    return out
