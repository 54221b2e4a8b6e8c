"""Typed decoding of YAML nodes with yaml.v2's strict-mode rules, collecting every problem.

`Decoder` mirrors what `yaml.UnmarshalStrict` does for Prometheus's Go types: unknown and repeated
fields, repeated map keys, type mismatches ("cannot unmarshal !!str `x` into bool"), null leaving
the Go zero value, merge keys (`<<`). Unlike Go, which stops at the first semantic error, problems
are collected and decoding goes on; a struct whose fields had problems skips its own checks, as
Go skips them after a type error.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from erpmon.config._errors import Problem
from erpmon.config._yamlnode import (
    BINARY,
    BOOL,
    FLOAT,
    INT,
    NULL,
    FatalYAMLError,
    MappingNode,
    Node,
    ScalarNode,
    SequenceNode,
    is_merge_key,
    is_null,
    node_tag_for_error,
    position,
    resolve,
)

T = TypeVar("T")
_MAX_U64 = (1 << 64) - 1
_MAX_I64 = (1 << 63) - 1


class Decoder:
    """Holds the file name and the problems and warnings found so far."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.problems: list[Problem] = []
        self.warnings: list[str] = []

    # -- reporting ---------------------------------------------------------------------------
    def error(self, node: Node | None, reason: str) -> None:
        line, col = position(node)
        self.problems.append(Problem(self.filename, line, col, reason))

    def warn(self, node: Node | None, message: str) -> None:
        line, col = position(node)
        self.warnings.append(f"{self.filename}:{line}:{col}: {message}")

    def terror(self, node: Node, go_type: str) -> None:
        tag = node_tag_for_error(node)
        if isinstance(node, ScalarNode):
            text = node.value
            shown = f" `{text[:7]}...`" if len(text) > 10 else f" `{text}`"
        else:
            shown = ""
        self.error(node, f"cannot unmarshal {tag}{shown} into {go_type}")

    def mark(self) -> int:
        """A checkpoint: `clean(mark)` is true while no problem was added since."""
        return len(self.problems)

    def clean(self, mark: int) -> bool:
        return len(self.problems) == mark

    def _resolve(self, node: Node) -> tuple[str, Any] | None:
        try:
            return resolve(node)
        except FatalYAMLError as err:
            self.error(err.node, err.reason)
            return None

    # -- scalars -----------------------------------------------------------------------------
    def string(self, node: Node | None, default: str = "", go_type: str = "string") -> str:
        """A string field: any scalar's literal text (`yes` stays "yes"); null gives ''."""
        if node is None:
            return default
        if not isinstance(node, ScalarNode):
            self.terror(node, go_type)
            return default
        resolved = self._resolve(node)
        if resolved is None:
            return default
        tag, value = resolved
        if tag == NULL:
            return ""
        return str(value) if tag == BINARY else str(node.value)

    def custom_string(self, node: Node | None, go_type: str = "string") -> str | None:
        """The string a Go `UnmarshalYAML` receives via `unmarshal(&s)`; None for null/absent/error."""
        if node is None or is_null(node):
            return None
        mark = self.mark()
        text = self.string(node, go_type=go_type)
        return text if self.clean(mark) else None

    def boolean(self, node: Node | None, default: bool) -> bool:
        if node is None:
            return default
        if isinstance(node, ScalarNode):
            resolved = self._resolve(node)
            if resolved is None:
                return default
            tag, value = resolved
            if tag == NULL:
                return False
            if tag == BOOL:
                return bool(value)
        self.terror(node, "bool")
        return default

    def integer(self, node: Node | None, default: int, go_type: str = "int") -> int:
        """Go int/int64 (signed) or uint/uint64 (go_type starting with 'u') with yaml.v2's rules.

        Floats truncate (`1.5` -> 1) as Go's reflect conversion does.
        """
        if node is None:
            return default
        unsigned = go_type.startswith("u")
        lo, hi = (0, _MAX_U64) if unsigned else (-(1 << 63), _MAX_I64)
        if isinstance(node, ScalarNode):
            resolved = self._resolve(node)
            if resolved is None:
                return default
            tag, value = resolved
            if tag == NULL:
                return 0
            if tag == INT and lo <= value <= hi:
                return int(value)
            # Go converts any float not above the type's range (NaN and +Inf excluded).
            if tag == FLOAT and not math.isnan(value) and value <= float(hi + 1):
                return lo if value == -math.inf else min(max(int(value), lo), hi)
        self.terror(node, go_type)
        return default

    def number(self, node: Node | None, default: float) -> float:
        if node is None:
            return default
        if isinstance(node, ScalarNode):
            resolved = self._resolve(node)
            if resolved is None:
                return default
            tag, value = resolved
            if tag == NULL:
                return 0.0
            if tag in (INT, FLOAT):
                return float(value)
        self.terror(node, "float64")
        return default

    # -- collections -------------------------------------------------------------------------
    def sequence(self, node: Node | None, item: Callable[[Node], T | None], go_type: str) -> list[T] | None:
        """A Go slice: None when absent or null; items that failed are left out, as yaml.v2 does."""
        if node is None or is_null(node):
            return None
        if not isinstance(node, SequenceNode):
            self.terror(node, go_type)
            return None
        out: list[T] = []
        for child in node.value:
            value = item(child)
            if value is not None:
                out.append(value)
        return out

    def string_list(self, node: Node | None, go_type: str = "[]string") -> list[str] | None:
        def one(child: Node) -> str | None:
            mark = self.mark()
            text = self.string(child)
            return text if self.clean(mark) else None

        return self.sequence(node, one, go_type)

    def mapping(
        self,
        node: Node | None,
        key: Callable[[Node], str | None],
        value: Callable[[Node], T | None],
        go_type: str,
    ) -> dict[str, T] | None:
        """A Go map: repeated keys are errors (strict mode), reported on the value's line."""
        if node is None or is_null(node):
            return None
        if not isinstance(node, MappingNode):
            self.terror(node, go_type)
            return None
        out: dict[str, T] = {}
        for knode, vnode in self._pairs(node):
            name = key(knode)
            if name is None:
                continue
            mark = self.mark()
            decoded = value(vnode)
            if decoded is None or not self.clean(mark):
                continue
            if name in out:
                self.error(vnode, f'key "{name}" already set in map')
                continue
            out[name] = decoded
        return out

    def key_string(self, node: Node) -> str | None:
        mark = self.mark()
        text = self.string(node)
        return text if self.clean(mark) else None

    def string_map(self, node: Node | None, go_type: str = "map[string]string") -> dict[str, str] | None:
        def val(child: Node) -> str | None:
            mark = self.mark()
            text = self.string(child)
            return text if self.clean(mark) else None

        return self.mapping(node, self.key_string, val, go_type)

    def _pairs(self, node: MappingNode) -> Iterable[tuple[Node, Node]]:
        """Key/value pairs with `<<` merges expanded in yaml.v2's order (later pairs override)."""
        for knode, vnode in node.value:
            if not is_merge_key(knode):
                yield knode, vnode
                continue
            sources = vnode.value[::-1] if isinstance(vnode, SequenceNode) else [vnode]
            for src in sources:
                if not isinstance(src, MappingNode):
                    self.error(src, "map merge requires map or sequence of maps as the value")
                    continue
                yield from self._pairs(src)

    def fields(self, node: Node | None, go_type: str, known: Iterable[str]) -> dict[str, Node] | None:
        """A Go struct's fields by YAML key; unknown and repeated keys are reported.

        None when the node is absent or null (the Go zero value) or is not a mapping.
        """
        if node is None or is_null(node):
            return None
        if not isinstance(node, MappingNode):
            self.terror(node, go_type)
            return None
        allowed = set(known)
        out: dict[str, Node] = {}
        self._struct_pairs(node, go_type, allowed, out)
        return out

    def _struct_pairs(self, node: MappingNode, go_type: str, allowed: set[str], out: dict[str, Node]) -> None:
        seen: set[str] = set()
        for knode, vnode in node.value:
            if is_merge_key(knode):
                sources = vnode.value[::-1] if isinstance(vnode, SequenceNode) else [vnode]
                for src in sources:
                    if isinstance(src, MappingNode):
                        self._struct_pairs(src, go_type, allowed, out)
                    else:
                        self.error(src, "map merge requires map or sequence of maps as the value")
                continue
            name = self.key_string(knode)
            if name is None:
                continue
            if name not in allowed:
                self.error(knode, f"field {name} not found in type {go_type}")
            elif name in seen:
                self.error(knode, f"field {name} already set in type {go_type}")
            else:
                seen.add(name)
                out[name] = vnode


def compose_checked(text: str, filename: str) -> Node | None:
    """The document's root node for erpmon's own config files (checks.yml, incidents.yml): a YAML
    syntax error, or an alias yaml.v2 would refuse, is a `ConfigError` with its position."""
    import yaml

    from erpmon.config._errors import ConfigError
    from erpmon.config._yamlnode import alias_problem, compose

    try:
        root = compose(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (0, 0)
        raise ConfigError([Problem(filename, line, col, f"yaml: {getattr(err, 'problem', err)}")]) from err
    if root is not None and not is_null(root):
        bad = alias_problem(root)
        if bad is not None:
            raise ConfigError([Problem(filename, *position(bad[0]), bad[1])])
    return root
