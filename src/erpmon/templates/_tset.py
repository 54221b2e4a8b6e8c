"""What the executor shares: the template set (trees, functions, missingkey), the MISSING marker for
"no piped value", break/continue signals, and how Python objects expose Go methods and interface {}
elements.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from erpmon.templates import _nodes as n
from erpmon.templates._types import GoFunc, GoStruct

MAX_EXEC_DEPTH = 100000


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


class Break(Exception):
    pass


class Continue(Exception):
    pass


@dataclass
class TemplateSet:
    """What templates that know each other share: trees by name, functions, the missingkey option."""

    trees: dict[str, n.Tree] = field(default_factory=dict)
    funcs: dict[str, GoFunc] = field(default_factory=dict)
    builtins: Mapping[str, GoFunc] = field(default_factory=dict)
    missingkey: str = "default"

    def find_function(self, name: str) -> tuple[GoFunc | None, bool]:
        fn = self.funcs.get(name)
        if fn is not None:
            return fn, False
        fn = self.builtins.get(name)
        return fn, fn is not None

    def has_function(self, name: str) -> bool:
        return name in self.funcs or name in self.builtins


def method_of(receiver: Any, name: str) -> GoFunc | None:
    """A Go method of a Python object: a public callable attribute (named in go_methods for GoStructs)."""
    declared = getattr(type(receiver), "go_methods", ())
    if isinstance(receiver, Mapping | list) and name in declared:
        # A named map or slice type with methods (Alertmanager's KV.SortedPairs, Alerts.Firing).
        return GoFunc.wrap(getattr(receiver, name))
    if isinstance(receiver, str | int | float | bool | Mapping | list | tuple) or not name[:1].isupper():
        return None
    if isinstance(receiver, GoStruct) and name not in receiver.go_methods:
        return None
    attr = getattr(receiver, name, None)
    if attr is None or not callable(attr) or isinstance(attr, type):
        return None
    return GoFunc.wrap(attr)


def iface_elems(container: Any) -> bool:
    """Whether the container's elements are interface {} values (a plain dict: map[string]interface {})."""
    return isinstance(container, Mapping) and getattr(container, "go_type", "map[string]interface {}") == (
        "map[string]interface {}"
    )
