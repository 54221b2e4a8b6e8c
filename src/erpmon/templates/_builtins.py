"""text/template's predefined functions (`funcs.go`): and, or, not, len, index, slice, call, print,
printf, println, html, js, urlquery and the comparisons eq, ne, lt, le, gt, ge with Go's kind rules.

Owns: `BUILTINS` (name -> GoFunc). `and`/`or` are evaluated lazily by the executor; the entries here
carry only their signatures.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote_plus

from erpmon.templates._fmt import sprint, sprintf, sprintln
from erpmon.templates._types import ANY, STRING, VALUE, GoFunc, is_true, kind, type_name

_BAD_TYPE = "invalid type for comparison"
_BAD_CMP = "incompatible types for comparison"


def _not_called(*_args: Any) -> Any:  # pragma: no cover - the executor short-circuits and/or
    raise AssertionError("and/or are evaluated by the executor")


def _not(arg: Any) -> bool:
    return not is_true(arg)[0]


def _len(item: Any) -> int:
    if kind(item) in ("map", "slice", "string"):
        if isinstance(item, str):
            return len(item.encode("utf-8", "surrogateescape"))
        return len(item)
    if item is None:
        raise ValueError("reflect: call of reflect.Value.Type on zero Value")
    raise ValueError(f"len of type {type_name(item)}")


def _index_arg(index: Any, cap: int) -> int:
    k = kind(index)
    if k == "invalid":
        raise ValueError("cannot index slice/array with nil")
    if k != "int":
        raise ValueError(f"cannot index slice/array with type {type_name(index)}")
    if index < 0 or index > cap:
        raise ValueError(f"index out of range: {index}")
    return int(index)


def _index(item: Any, *indexes: Any) -> Any:
    if item is None:
        raise ValueError("index of untyped nil")
    for index in indexes:
        k = kind(item)
        if k in ("slice", "string"):
            data = item.encode("utf-8", "surrogateescape") if isinstance(item, str) else item
            x = _index_arg(index, len(data))
            if x == len(data):
                raise ValueError(f"index out of range: {x}")
            item = data[x]
        elif k == "map":
            if kind(index) != "string":
                if index is None:
                    raise ValueError("value is nil; should be of type string")
                raise ValueError(f"value has type {type_name(index)}; should be string")
            item = item[index] if index in item else getattr(item, "zero", None)
        elif item is None:
            raise ValueError("index of nil pointer")
        else:
            raise ValueError(f"can't index item of type {type_name(item)}")
    return item


def _slice(item: Any, *indexes: Any) -> Any:
    if item is None:
        raise ValueError("slice of untyped nil")
    if len(indexes) > 3:
        raise ValueError(f"too many slice indexes: {len(indexes)}")
    k = kind(item)
    if k == "string":
        if len(indexes) == 3:
            raise ValueError("cannot 3-index slice a string")
        data: Any = item.encode("utf-8", "surrogateescape")
    elif k == "slice":
        data = item
    else:
        raise ValueError(f"can't slice item of type {type_name(item)}")
    idx = [0, len(data), len(data)]
    for i, index in enumerate(indexes):
        idx[i] = _index_arg(index, len(data))
    if idx[0] > idx[1]:
        raise ValueError(f"invalid slice index: {idx[0]} > {idx[1]}")
    if len(indexes) == 3 and idx[1] > idx[2]:
        raise ValueError(f"invalid slice index: {idx[1]} > {idx[2]}")
    out = data[idx[0] : idx[1]]
    if k == "string":
        return out.decode("utf-8", "surrogateescape")
    return type(item)(out) if isinstance(item, list) else list(out)


def _call(fn: Any, *args: Any) -> Any:
    if fn is None:
        raise ValueError("call of nil")
    if not isinstance(fn, GoFunc) and not callable(fn):
        raise ValueError(f"non-function of type {type_name(fn)}")
    gofn = GoFunc.wrap(fn)
    n = len(gofn.params)
    if gofn.variadic is not None:
        if len(args) < n:
            raise ValueError(f"wrong number of args: got {len(args)} want at least {n}")
    elif len(args) != n:
        raise ValueError(f"wrong number of args: got {len(args)} want {n}")
    for i, arg in enumerate(args):
        typ = gofn.params[i] if i < n else gofn.variadic
        if typ is not None and not typ.accepts(arg) and not (arg is None and typ.nilable):
            raise ValueError(f"arg {i}: value has type {type_name(arg)}; should be {typ.name}")
    return gofn(*args)


def _basic_kind(v: Any) -> str:
    k = kind(v)
    return k if k in ("bool", "int", "float", "string") else "invalid"


def eq(arg1: Any, *args: Any) -> bool:
    if not args:
        raise ValueError("missing argument for comparison")
    k1 = _basic_kind(arg1)
    for arg in args:
        k2 = _basic_kind(arg)
        if k1 != k2:
            if arg1 is not None and arg is not None:
                raise ValueError(_BAD_CMP)
            truth = False
        elif k1 != "invalid":
            truth = arg1 == arg
        elif arg1 is None or arg is None:
            truth = arg1 is None and arg is None
        elif isinstance(arg1, Mapping | list) or isinstance(arg, Mapping | list):
            if kind(arg1) != kind(arg):
                left = f"{sprintf('%s', arg1)}: {type_name(arg1)}"
                raise ValueError(f"non-comparable types {left}, {type_name(arg)}: {sprintf('%v', arg)}")
            raise ValueError(f"non-comparable type {sprintf('%s', arg)}: {type_name(arg)}")
        else:
            truth = arg1 is arg or arg1 == arg
        if truth:
            return True
    return False


def ne(arg1: Any, arg2: Any) -> bool:
    return not eq(arg1, arg2)


def lt(arg1: Any, arg2: Any) -> bool:
    k1 = _basic_kind(arg1)
    if k1 == "invalid":
        raise ValueError(_BAD_TYPE)
    k2 = _basic_kind(arg2)
    if k2 == "invalid":
        raise ValueError(_BAD_TYPE)
    if k1 != k2:
        raise ValueError(_BAD_CMP)
    if k1 == "bool":
        raise ValueError(_BAD_TYPE)
    if k1 == "string":
        return bool(arg1.encode("utf-8", "surrogateescape") < arg2.encode("utf-8", "surrogateescape"))
    return bool(arg1 < arg2)


def le(arg1: Any, arg2: Any) -> bool:
    return lt(arg1, arg2) or eq(arg1, arg2)


def gt(arg1: Any, arg2: Any) -> bool:
    return not le(arg1, arg2)


def ge(arg1: Any, arg2: Any) -> bool:
    return not lt(arg1, arg2)


def _eval_args(args: tuple[Any, ...]) -> str:
    if len(args) == 1 and type(args[0]) is str:
        return args[0]
    return sprint(*("<no value>" if a is None else a for a in args))


def html_escape(s: str) -> str:
    """text/template's HTMLEscapeString."""
    table = {"\0": "\ufffd", '"': "&#34;", "'": "&#39;", "&": "&amp;", "<": "&lt;", ">": "&gt;"}
    return "".join(table.get(c, c) for c in s)


def _html(*args: Any) -> str:
    return html_escape(_eval_args(args))


_JS = {"\\": "\\\\", "'": "\\'", '"': '\\"', "<": "\\u003C", ">": "\\u003E", "&": "\\u0026", "=": "\\u003D"}


def js_escape(s: str) -> str:
    out = []
    for c in s:
        if c in _JS:
            out.append(_JS[c])
        elif c < " ":
            out.append(f"\\u00{ord(c):02X}")
        elif ord(c) >= 0x80 and not c.isprintable():
            out.append(f"\\u{ord(c):04X}")
        else:
            out.append(c)
    return "".join(out)


def _js(*args: Any) -> str:
    return js_escape(_eval_args(args))


def _urlquery(*args: Any) -> str:
    return quote_plus(_eval_args(args), safe="-_.~")


BUILTINS: dict[str, GoFunc] = {
    "and": GoFunc(_not_called, [VALUE], VALUE),
    "or": GoFunc(_not_called, [VALUE], VALUE),
    "not": GoFunc(_not, [VALUE]),
    "len": GoFunc(_len, [VALUE]),
    "index": GoFunc(_index, [VALUE], VALUE),
    "slice": GoFunc(_slice, [VALUE], VALUE),
    "call": GoFunc(_call, [VALUE], VALUE),
    "print": GoFunc(sprint, [], ANY),
    "printf": GoFunc(sprintf, [STRING], ANY),
    "println": GoFunc(sprintln, [], ANY),
    "html": GoFunc(_html, [], ANY),
    "js": GoFunc(_js, [], ANY),
    "urlquery": GoFunc(_urlquery, [], ANY),
    "eq": GoFunc(eq, [VALUE], VALUE),
    "ne": GoFunc(ne, [VALUE, VALUE]),
    "lt": GoFunc(lt, [VALUE, VALUE]),
    "le": GoFunc(le, [VALUE, VALUE]),
    "gt": GoFunc(gt, [VALUE, VALUE]),
    "ge": GoFunc(ge, [VALUE, VALUE]),
}
