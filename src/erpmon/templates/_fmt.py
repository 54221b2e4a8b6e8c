"""Go's fmt for template values: `%v` printing, Sprint, Sprintln and Sprintf with Go's verbs, flags
and error forms (`%!d(string=x)`, `%!s(MISSING)`, `%!(EXTRA int=1)`, `%!(BADWIDTH)`, `%!(NOVERB)`).

Owns: `sprint`, `sprintln`, `sprintf`, `format_v` (fmt's %v of one value).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from erpmon.model import go_quote
from erpmon.templates._fmtnum import format_float, quote_ascii, quote_rune, rune_text
from erpmon.templates._types import go_fields, kind, type_name


class _State:
    __slots__ = ("minus", "plus", "plus_v", "prec", "sharp", "sharp_v", "space", "wid", "zero")

    def __init__(self) -> None:
        self.clear()

    def clear(self) -> None:
        self.minus = self.plus = self.sharp = self.space = self.zero = False
        self.plus_v = self.sharp_v = False
        self.wid: int | None = None
        self.prec: int | None = None


class _Printer:
    def __init__(self) -> None:
        self.buf: list[str] = []
        self.f = _State()

    # -- padding ------------------------------------------------------------------------------
    def pad(self, s: str) -> None:
        f = self.f
        if not f.wid:
            self.buf.append(s)
            return
        width = f.wid - len(s)
        if width <= 0:
            self.buf.append(s)
        elif f.minus:
            self.buf.append(s + " " * width)
        else:
            self.buf.append(("0" if f.zero else " ") * width + s)

    # -- one argument ---------------------------------------------------------------------------
    def print_arg(self, arg: Any, verb: str, depth: int = 0) -> None:
        if verb == "T":
            self.pad(type_name(arg))
            return
        if arg is None:
            if depth > 0:
                self.buf.append("<nil>")
            elif verb == "v":
                self.pad("<nil>")
            else:
                self.bad_verb(verb, arg)
            return
        stringer = getattr(arg, "String", None)
        if callable(stringer) and verb in "vsxXq" and not isinstance(arg, str | Mapping | list | tuple):
            self.fmt_string(str(stringer()), verb, arg)
            return
        k = kind(arg)
        if k == "bool":
            if verb in "tv":
                self.pad("true" if arg else "false")
            else:
                self.bad_verb(verb, arg)
        elif k == "int":
            self.fmt_int(int(arg), verb, arg)
        elif k == "float":
            self.fmt_float_verb(float(arg), verb, arg)
        elif k == "string":
            if verb == "v" and self.f.sharp_v:
                self.pad(go_quote(str(arg)))
                return
            self.fmt_string(str(arg), verb, arg)
        elif k == "map":
            self.buf.append("map[")
            for i, key in enumerate(sorted(arg)):
                if i:
                    self.buf.append(" ")
                self.print_arg(key, verb, depth + 1)
                self.buf.append(":")
                self.print_arg(arg[key], verb, depth + 1)
            self.buf.append("]")
        elif k == "slice":
            self.buf.append("[")
            for i, elem in enumerate(arg):
                if i:
                    self.buf.append(" ")
                self.print_arg(elem, verb, depth + 1)
            self.buf.append("]")
        elif k == "struct":
            fields = go_fields(arg)
            if fields is None:
                self.pad(str(arg))
                return
            if getattr(arg, "go_pointer", False) and depth == 0:
                self.buf.append("&")
            self.buf.append("{")
            for i, name in enumerate(fields):
                if i:
                    self.buf.append(" ")
                if self.f.plus_v and verb == "v":
                    self.buf.append(name + ":")
                self.print_arg(getattr(arg, name), verb, depth + 1)
            self.buf.append("}")
        else:
            self.pad(type_name(arg))

    def bad_verb(self, verb: str, arg: Any) -> None:
        self.buf.append("%!" + verb + "(")
        if arg is None:
            self.buf.append("<nil>")
        else:
            self.buf.append(type_name(arg) + "=")
            self.print_arg(arg, "v")
        self.buf.append(")")

    # -- integers -----------------------------------------------------------------------------
    def fmt_int(self, v: int, verb: str, arg: Any) -> None:
        f = self.f
        if verb in "vd":
            self.fmt_integer(v, 10, verb)
        elif verb == "b":
            self.fmt_integer(v, 2, verb)
        elif verb in "oO":
            self.fmt_integer(v, 8, verb)
        elif verb in "xX":
            self.fmt_integer(v, 16, verb)
        elif verb == "c":
            self.pad(rune_text(v))
        elif verb == "q":
            self.pad(quote_rune(v))
        elif verb == "U":
            s = f"U+{v:04X}" if v >= 0 else f"U+{v & 0xFFFFFFFFFFFFFFFF:04X}"
            if f.sharp and 0 <= v <= 0x10FFFF and chr(v).isprintable():
                s += " '" + chr(v) + "'"
            self.pad(s)
        else:
            self.bad_verb(verb, arg)

    def fmt_integer(self, v: int, base: int, verb: str) -> None:
        f = self.f
        negative = v < 0
        u = -v if negative else v
        prec = 0
        if f.prec is not None:
            prec = f.prec
            if prec == 0 and u == 0:
                old, f.zero = f.zero, False
                self.buf.append(" " * (f.wid or 0))
                f.zero = old
                return
        elif f.zero and f.wid is not None and not f.minus:
            prec = f.wid
            if negative or f.plus or f.space:
                prec -= 1
        digits = {10: "d", 2: "b", 8: "o", 16: "x"}[base]
        s = format(u, "X" if verb == "X" else digits)
        s = "0" * (prec - len(s)) + s
        if f.sharp:
            if base == 2:
                s = "0b" + s
            elif base == 8 and not s.startswith("0"):
                s = "0" + s
            elif base == 16:
                s = ("0X" if verb == "X" else "0x") + s
        if verb == "O":
            s = "0o" + s
        if negative:
            s = "-" + s
        elif f.plus:
            s = "+" + s
        elif f.space:
            s = " " + s
        old, f.zero = f.zero, False
        self.pad(s)
        f.zero = old

    # -- floats -------------------------------------------------------------------------------
    def fmt_float_verb(self, v: float, verb: str, arg: Any) -> None:
        if verb == "v":
            self.fmt_float(v, "g", self.f.prec)
        elif verb in "bgGxX":
            self.fmt_float(v, verb, self.f.prec)
        elif verb in "fFeE":
            self.fmt_float(v, verb, 6 if self.f.prec is None else self.f.prec)
        else:
            self.bad_verb(verb, arg)

    def fmt_float(self, v: float, verb: str, prec: int | None) -> None:
        f = self.f
        num = format_float(v, verb, prec)
        num = num if num[0] in "+-" else "+" + num
        if f.space and num[0] == "+" and not f.plus:
            num = " " + num[1:]
        if num[1] in "IN":
            old, f.zero = f.zero, False
            if num[1] == "N" and not f.space and not f.plus:
                num = num[1:]
            self.pad(num)
            f.zero = old
            return
        if f.plus or num[0] != "+":
            if f.zero and f.wid is not None and f.wid > len(num) and not f.minus:
                self.buf.append(num[0] + "0" * (f.wid - len(num)) + num[1:])
                return
            self.pad(num)
            return
        self.pad(num[1:])

    # -- strings ------------------------------------------------------------------------------
    def fmt_string(self, s: str, verb: str, arg: Any) -> None:
        f = self.f
        if verb in "vs":
            if f.prec is not None:
                s = s[: f.prec]
            self.pad(s)
        elif verb in "xX":
            data = s.encode("utf-8", "surrogateescape")
            if f.prec is not None:
                data = data[: f.prec]
            hexed = [format(b, "02X" if verb == "X" else "02x") for b in data]
            prefix = ("0X" if verb == "X" else "0x") if f.sharp else ""
            if f.space:
                self.pad(" ".join(prefix + h for h in hexed))
            else:
                self.pad(prefix + "".join(hexed))
        elif verb == "q":
            if f.prec is not None:
                s = s[: f.prec]
            if f.sharp and "`" not in s and all(c == "\t" or (c.isprintable()) for c in s):
                self.pad("`" + s + "`")
            elif f.plus:
                self.pad(quote_ascii(s))
            else:
                self.pad(go_quote(s))
        else:
            self.bad_verb(verb, arg)


def format_v(v: Any, deref: bool = False) -> str:
    """fmt.Sprint of one value (%v); `deref` prints a pointer's target (as template actions do)."""
    p = _Printer()
    p.print_arg(v, "v", 1 if deref else 0)
    return "".join(p.buf)


def sprint(*args: Any) -> str:
    p = _Printer()
    prev_string = False
    for i, arg in enumerate(args):
        is_string = isinstance(arg, str)
        if i > 0 and not is_string and not prev_string:
            p.buf.append(" ")
        p.print_arg(arg, "v")
        prev_string = is_string
    return "".join(p.buf)


def sprintln(*args: Any) -> str:
    p = _Printer()
    for i, arg in enumerate(args):
        if i > 0:
            p.buf.append(" ")
        p.print_arg(arg, "v")
    return "".join(p.buf) + "\n"


def _parse_num(s: str, i: int) -> tuple[int | None, int]:
    start = i
    while i < len(s) and s[i].isdigit() and s[i] < "\x80":
        i += 1
        if i - start > 6:  # Go's tooLarge guard
            return None, i
    return (int(s[start:i]) if i > start else None), i


def _arg_number(fmt: str, i: int, arg_num: int, n_args: int) -> tuple[int, int, bool, bool]:
    """(argNum, i, found, ok) for an explicit [n] index at i."""
    if i >= len(fmt) or fmt[i] != "[":
        return arg_num, i, False, True
    close = fmt.find("]", i + 1)
    if close < 0:
        return arg_num, i, False, False
    text = fmt[i + 1 : close]
    if not text.isdigit() or not text.isascii():
        return arg_num, close + 1, True, False
    index = int(text) - 1
    if 0 <= index < n_args:
        return index, close + 1, True, True
    return arg_num, close + 1, True, False


def _int_from_arg(args: tuple[Any, ...], arg_num: int) -> tuple[int | None, int]:
    if arg_num < len(args):
        a = args[arg_num]
        if kind(a) == "int" and abs(int(a)) <= 1_000_000:
            return int(a), arg_num + 1
        return None, arg_num + 1
    return None, arg_num


def sprintf(fmt: str, *args: Any) -> str:
    """fmt.Sprintf, following Go 1.19's doPrintf."""
    p = _Printer()
    f = p.f
    end = len(fmt)
    arg_num = 0
    after_index = False
    reordered = False
    i = 0
    while i < end:
        good_arg_num = True
        pct = fmt.find("%", i)
        if pct < 0:
            p.buf.append(fmt[i:])
            break
        p.buf.append(fmt[i:pct])
        i = pct + 1
        f.clear()
        while i < end:
            c = fmt[i]
            if c == "#":
                f.sharp = True
            elif c == "0":
                f.zero = not f.minus
            elif c == "+":
                f.plus = True
            elif c == "-":
                f.minus, f.zero = True, False
            elif c == " ":
                f.space = True
            else:
                break
            i += 1
        arg_num, i, after_index, ok = _arg_number(fmt, i, arg_num, len(args))
        reordered = reordered or after_index
        good_arg_num = good_arg_num and ok
        if i < end and fmt[i] == "*":
            i += 1
            f.wid, arg_num = _int_from_arg(args, arg_num)
            if f.wid is None:
                p.buf.append("%!(BADWIDTH)")
            elif f.wid < 0:
                f.wid, f.minus, f.zero = -f.wid, True, False
            after_index = False
        else:
            f.wid, i = _parse_num(fmt, i)
            if after_index and f.wid is not None:
                good_arg_num = False
        if i + 1 <= end and i < end and fmt[i] == ".":
            i += 1
            if after_index:
                good_arg_num = False
            arg_num, i, after_index, ok = _arg_number(fmt, i, arg_num, len(args))
            reordered = reordered or after_index
            good_arg_num = good_arg_num and ok
            if i < end and fmt[i] == "*":
                i += 1
                f.prec, arg_num = _int_from_arg(args, arg_num)
                if f.prec is not None and f.prec < 0:
                    f.prec = None
                if f.prec is None:
                    p.buf.append("%!(BADPREC)")
                after_index = False
            else:
                f.prec, i = _parse_num(fmt, i)
                if f.prec is None:
                    f.prec = 0
        if not after_index:
            arg_num, i, after_index, ok = _arg_number(fmt, i, arg_num, len(args))
            reordered = reordered or after_index
            good_arg_num = good_arg_num and ok
        if i >= end:
            p.buf.append("%!(NOVERB)")
            break
        verb = fmt[i]
        i += 1
        if verb == "%":
            p.buf.append("%")
        elif not good_arg_num:
            p.buf.append("%!" + verb + "(BADINDEX)")
        elif arg_num >= len(args):
            p.buf.append("%!" + verb + "(MISSING)")
        else:
            if verb == "v":
                f.sharp_v, f.sharp = f.sharp, False
                f.plus_v, f.plus = f.plus, False
            p.print_arg(args[arg_num], verb)
            arg_num += 1
    if not reordered and arg_num < len(args):
        f.clear()
        p.buf.append("%!(EXTRA ")
        for j, arg in enumerate(args[arg_num:]):
            if j:
                p.buf.append(", ")
            if arg is None:
                p.buf.append("<nil>")
            else:
                p.buf.append(type_name(arg) + "=")
                p.print_arg(arg, "v")
        p.buf.append(")")
    return "".join(p.buf)
