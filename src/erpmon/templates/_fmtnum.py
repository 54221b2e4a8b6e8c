"""Go's strconv number and rune formatting as fmt uses it: FormatFloat with a verb and precision
(including %x hex floats and %b), QuoteToASCII, QuoteRune.

Owns: `format_float`, `quote_ascii`, `rune_text`, `quote_rune`.
"""

from __future__ import annotations

import math

from erpmon.model import format_e, format_f, format_g, go_quote


def format_float(v: float, verb: str, prec: int | None) -> str:
    """strconv.FormatFloat(v, verb, prec, 64); prec None means shortest."""
    low = verb.lower()
    if math.isnan(v):
        out = "NaN"
    elif math.isinf(v):
        out = "+Inf" if v > 0 else "-Inf"
    elif low == "e":
        out = format_e(v) if prec is None else f"{v:.{prec}e}"
    elif low == "f":
        out = format_f(v) if prec is None else f"{v:.{prec}f}"
    elif low == "g":
        if prec is None:
            out = format_g(v)
        else:
            out = f"{v:.{max(prec, 1)}g}"
            if "e" in out:
                mant, _, exp = out.partition("e")
                out = mant + "e" + exp[0] + exp[1:].rjust(2, "0")
    elif low == "x":
        out = _hex_float(v, prec)
    else:  # 'b'
        frac, e = math.frexp(abs(v))
        bits, exp2 = (int(frac * 2**53), e - 53) if v else (0, -1074)
        out = ("-" if math.copysign(1, v) < 0 else "") + f"{bits}p{exp2:+d}"
    return out.upper() if verb in "EGX" else out


def _hex_float(v: float, prec: int | None) -> str:
    if v == 0:
        mant, exp = "0", 0
    else:
        text = float.hex(abs(v))  # 0x1.8000000000000p+1
        head, _, exp_text = text[2:].partition("p")
        exp = int(exp_text)
        lead, _, frac = head.partition(".")
        frac = frac.rstrip("0")
        if prec is not None and prec < len(frac):
            scaled = round(int(lead + frac, 16) / 16 ** (len(frac) - prec))
            digits = format(scaled, "x").rjust(prec + 1, "0")
            if len(digits) > prec + 1:
                exp += 1
                digits = digits[:-1]
            lead, frac = digits[0], digits[1:]
        elif prec is not None:
            frac = frac.ljust(prec, "0")
        mant = lead + ("." + frac if frac else "")
    sign = "-" if math.copysign(1, v) < 0 else ""
    return f"{sign}0x{mant}p{'+' if exp >= 0 else '-'}{abs(exp):02d}"


def quote_ascii(s: str) -> str:
    """strconv.QuoteToASCII."""
    out = []
    for ch in go_quote(s):
        code = ord(ch)
        if code < 0x80:
            out.append(ch)
        else:
            out.append(f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}")
    return "".join(out)


def rune_text(v: int) -> str:
    return chr(v) if 0 <= v <= 0x10FFFF and not 0xD800 <= v <= 0xDFFF else "\ufffd"


def quote_rune(v: int) -> str:
    ch = rune_text(v)
    if ch == "'":
        return "'\\''"
    if ch == '"':
        return "'\"'"
    inner = go_quote(ch)[1:-1]
    return "'" + inner + "'"
