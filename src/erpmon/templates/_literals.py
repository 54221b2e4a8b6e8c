"""Literals of Go's text/template: strconv.Unquote for strings and character constants, and number
constants as `parse/node.go` newNumber reads them (int, uint, float; complex is rejected).

Owns: `unquote`, `new_number`.
"""

from __future__ import annotations

import math

from erpmon.model import go_quote
from erpmon.templates import _nodes as n
from erpmon.templates._items import ItemType

_SIMPLE_ESCAPES = {"a": 7, "b": 8, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11, "\\": 92, "'": 39, '"': 34}
_HEX_LEN = {"x": 2, "u": 4, "U": 8}


def unquote(text: str) -> str:
    """Go's strconv.Unquote for "...", `...` and '.' literals; ValueError("invalid syntax") otherwise.

    Escapes produce bytes (\\xff is one byte), so the result is decoded as UTF-8 with surrogateescape.
    """
    bad = ValueError("invalid syntax")
    if len(text) < 2 or text[0] != text[-1] or text[0] not in "\"'`":
        raise bad
    quote, body = text[0], text[1:-1]
    if quote == "`":
        if "`" in body:
            raise bad
        return body.replace("\r", "")
    out = bytearray()
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == quote or ch == "\n":
            raise bad
        if ch != "\\":
            out += ch.encode("utf-8", "surrogateescape")
            i += 1
            continue
        if i + 1 >= len(body):
            raise bad
        esc = body[i + 1]
        i += 2
        if esc in _SIMPLE_ESCAPES:
            if esc in "'\"" and esc != quote:
                raise bad
            out.append(_SIMPLE_ESCAPES[esc])
        elif esc in _HEX_LEN:
            digits = body[i : i + _HEX_LEN[esc]]
            if len(digits) != _HEX_LEN[esc] or not all(c in "0123456789abcdefABCDEF" for c in digits):
                raise bad
            value = int(digits, 16)
            i += len(digits)
            if esc == "x":
                out.append(value)
            elif value > 0x10FFFF or 0xD800 <= value <= 0xDFFF:
                raise bad
            else:
                out += chr(value).encode("utf-8")
        elif "0" <= esc <= "7":
            digits = body[i - 1 : i + 2]
            if len(digits) != 3 or not all("0" <= c <= "7" for c in digits) or int(digits, 8) > 255:
                raise bad
            out.append(int(digits, 8))
            i += 2
        else:
            raise bad
    value_text = out.decode("utf-8", "surrogateescape")
    if quote == "'" and len(value_text) != 1:
        raise bad
    return value_text


def _parse_int(text: str) -> int | None:
    """strconv.ParseInt(text, 0, 64) without the range check (None on bad syntax)."""
    sign, t = (-1, text[1:]) if text[:1] == "-" else (1, text[1:] if text[:1] == "+" else text)
    try:
        if len(t) > 1 and t[0] == "0" and t[1] in "01234567_":
            return sign * int(t[1:].replace("_", ""), 8) if "_" not in t[1:2] else None
        return sign * int(t, 0)
    except ValueError:
        return None


def new_number(pos: int, text: str, typ: ItemType) -> n.NumberNode:
    num = n.NumberNode(pos, text)
    if typ == ItemType.CHAR_CONSTANT:
        try:
            ch = unquote(text)
        except ValueError:
            if text[1:2] != "\\" and len(text) > 3:
                raise ValueError(f"malformed character constant: {text}") from None
            raise
        num.is_int = num.is_uint = num.is_float = True
        num.int64 = num.uint64 = ord(ch)
        num.float64 = float(ord(ch))
        return num
    if typ == ItemType.COMPLEX or text.endswith("i"):
        raise ValueError(f"complex constants are not supported: {go_quote(text)}")
    value = _parse_int(text)
    if value is not None and 0 <= value < 1 << 64:
        num.is_uint, num.uint64 = True, value
    if value is not None and -(1 << 63) <= value < 1 << 63:
        num.is_int, num.int64 = True, value
    if num.is_int:
        num.is_float, num.float64 = True, float(num.int64)
    elif num.is_uint:
        num.is_float, num.float64 = True, float(num.uint64)
    else:
        f = _parse_float(text)
        if f is not None:
            if not any(c in text for c in ".eEpP"):
                raise ValueError(f"integer overflow: {go_quote(text)}")
            num.is_float, num.float64 = True, f
            if math.isfinite(f) and f == int(f):
                if -(1 << 63) <= int(f) < 1 << 63:
                    num.is_int, num.int64 = True, int(f)
                if 0 <= int(f) < 1 << 64:
                    num.is_uint, num.uint64 = True, int(f)
    if not (num.is_int or num.is_uint or num.is_float):
        raise ValueError(f"illegal number syntax: {go_quote(text)}")
    return num


def _parse_float(text: str) -> float | None:
    t = text.replace("_", "")
    try:
        f = float.fromhex(t) if t.lstrip("+-").lower().startswith("0x") else float(t)
    except (ValueError, OverflowError):
        return None
    return None if math.isinf(f) else f
