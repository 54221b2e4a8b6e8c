"""Go's strconv.Quote, which Prometheus uses to print label values and to quote names in errors."""

from __future__ import annotations

_SIMPLE = {
    '"': '\\"',
    "\\": "\\\\",
    "\n": "\\n",
    "\t": "\\t",
    "\r": "\\r",
    "\a": "\\a",
    "\b": "\\b",
    "\f": "\\f",
    "\v": "\\v",
}


def go_quote(s: str) -> str:
    """strconv.Quote: printable text as is, the usual escapes, `\\xNN` / `\\uNNNN` for the rest.

    A lone surrogate (an undecodable byte kept by Python's surrogateescape) prints as the byte
    it stands for, as Go prints invalid UTF-8.
    """
    out = ['"']
    for ch in s:
        code = ord(ch)
        simple = _SIMPLE.get(ch)
        if simple is not None:
            out.append(simple)
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\x{code:02x}")
        elif 0xDC80 <= code <= 0xDCFF:
            out.append(f"\\x{code - 0xDC00:02x}")
        elif code > 0x7F and not ch.isprintable():
            out.append(f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def format_go_duration(ms: int) -> str:
    """Go's time.Duration.String() for a whole number of milliseconds: `0s`, `500ms`, `1h0m30s`."""
    if ms == 0:
        return "0s"
    sign = "-" if ms < 0 else ""
    ms = abs(ms)
    if ms < 1000:
        return f"{sign}{ms}ms"
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    sec = f"{seconds}.{millis:03d}".rstrip("0") if millis else str(seconds)
    if hours:
        return f"{sign}{hours}h{minutes}m{sec}s"
    if minutes:
        return f"{sign}{minutes}m{sec}s"
    return f"{sign}{sec}s"
