"""How Python values stand for Go values in templates: Go type names, kinds, truth, typed functions.

Owns: the mapping (str -> string, int -> int, float -> float64, bool, None -> nil / no value,
list -> []interface {}, dict -> map[string]interface {}), typed containers (`GoMap` subclasses such
as `StringMap` for map[string]string, `GoSlice`), named string types (`HTML`), the `GoStruct`
protocol for Python objects (`go_type`, exported fields), and `GoFunc`: a callable with a Go
signature, so that argument counts and types are checked with Go's messages.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar


class GoMap(dict[str, Any]):
    """A Go map with string keys; `zero` is what a missing key gives under missingkey=zero."""

    go_type: ClassVar[str] = "map[string]interface {}"
    zero: ClassVar[Any] = None


class StringMap(GoMap):
    go_type = "map[string]string"
    zero = ""


class GoSlice(list[Any]):
    go_type: ClassVar[str] = "[]interface {}"


class HTML(str):
    """html/template.HTML (what `safeHtml` returns): a string kind of another type."""

    __slots__ = ()
    go_type: ClassVar[str] = "template.HTML"


class GoStruct:
    """Base for Python objects that templates see as Go structs (or pointers to them).

    `go_fields` lists the exported fields in declaration order (used by lookups and by %v);
    methods are the public methods named in `go_methods`.
    """

    go_type: ClassVar[str] = "struct {}"
    go_fields: ClassVar[tuple[str, ...]] = ()
    go_methods: ClassVar[tuple[str, ...]] = ()
    go_pointer: ClassVar[bool] = False


@dataclass(frozen=True)
class GoType:
    """A parameter type: `kind` decides assignability; `name` is what error messages print."""

    name: str
    kind: str  # bool int float string any value named
    cls: type | None = None
    nilable: bool = False

    def accepts(self, v: Any) -> bool:
        k = self.kind
        if k in ("any", "value"):
            return True
        if v is None:
            return False
        if k == "string":
            return type(v) is str
        if k == "int":
            return type(v) is int
        if k == "float":
            return type(v) is float
        if k == "bool":
            return type(v) is bool
        return self.cls is not None and isinstance(v, self.cls)


BOOL = GoType("bool", "bool")
INT = GoType("int", "int")
FLOAT64 = GoType("float64", "float")
STRING = GoType("string", "string")
ANY = GoType("interface {}", "any", nilable=True)
VALUE = GoType("reflect.Value", "value", nilable=True)


class GoFunc:
    """A callable with Go's signature: fixed parameter types and an optional variadic element type."""

    __slots__ = ("fn", "params", "variadic")

    def __init__(
        self, fn: Callable[..., Any], params: Sequence[GoType] = (), variadic: GoType | None = None
    ) -> None:
        self.fn = fn
        self.params = tuple(params)
        self.variadic = variadic

    @classmethod
    def wrap(cls, fn: Callable[..., Any] | GoFunc) -> GoFunc:
        """A GoFunc as is; a plain callable taking interface{} parameters, counted from its signature."""
        if isinstance(fn, GoFunc):
            return fn
        try:
            sig = inspect.signature(fn)
        except (TypeError, ValueError):
            return cls(fn, (), ANY)
        fixed = [
            p
            for p in sig.parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty
        ]
        variadic = any(p.kind == p.VAR_POSITIONAL for p in sig.parameters.values())
        return cls(fn, [ANY] * len(fixed), ANY if variadic else None)

    def __call__(self, *args: Any) -> Any:
        return self.fn(*args)

    def __get__(self, obj: Any, objtype: Any = None) -> GoFunc:
        """As a method of a class: bound to the instance, with the same signature."""
        if obj is None:
            return self
        fn = self.fn
        return GoFunc(lambda *args: fn(obj, *args), self.params, self.variadic)


def go_func(*params: GoType, variadic: GoType | None = None) -> Callable[[Callable[..., Any]], GoFunc]:
    """Decorator: declare a function's Go parameter types."""

    def wrap(fn: Callable[..., Any]) -> GoFunc:
        return GoFunc(fn, params, variadic)

    return wrap


def type_name(v: Any) -> str:
    """Go's %T of a value (`<nil>` for nil)."""
    if v is None:
        return "<nil>"
    go_type = getattr(v, "go_type", None)
    if isinstance(go_type, str):
        return go_type
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float64"
    if isinstance(v, str):
        return "string"
    if isinstance(v, Mapping):
        return "map[string]interface {}"
    if isinstance(v, list | tuple):
        return "[]interface {}"
    if callable(v):
        return "func"
    return type(v).__name__


def kind(v: Any) -> str:
    """The reflect kind family: invalid bool int float string map slice struct func."""
    if v is None:
        return "invalid"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float"
    if isinstance(v, str):
        return "string"
    if isinstance(v, Mapping):
        return "map"
    if isinstance(v, list | tuple):
        return "slice"
    if isinstance(v, GoFunc) or (callable(v) and not isinstance(v, GoStruct)):
        return "func"
    return "struct"


def is_true(v: Any) -> tuple[bool, bool]:
    """Go's template truth: (truth, ok)."""
    k = kind(v)
    if k == "invalid":
        return False, True
    if k in ("string", "map", "slice"):
        return len(v) > 0, True
    if k in ("bool", "int", "float"):
        return v != 0, True
    if k == "func":
        return True, True
    return True, True


def go_fields(v: Any) -> tuple[str, ...] | None:
    """The exported fields of a struct-like Python object (dataclass fields, or public attributes)."""
    if isinstance(v, GoStruct):
        return v.go_fields
    fields = getattr(v, "__dataclass_fields__", None)
    if fields is not None:
        return tuple(fields)
    return None
