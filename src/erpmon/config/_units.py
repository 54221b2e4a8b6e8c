"""Prometheus's duration syntax (`model.Duration`) and byte sizes (`units.Base2Bytes`)."""

from __future__ import annotations

import re

_DURATION = re.compile(
    r"(?:([0-9]+)y)?(?:([0-9]+)w)?(?:([0-9]+)d)?(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?(?:([0-9]+)ms)?\Z"
)
_MS = 1
_S = 1000 * _MS
_M = 60 * _S
_H = 60 * _M
_D = 24 * _H
_W = 7 * _D
_Y = 365 * _D
_UNITS_MS = (_Y, _W, _D, _H, _M, _S, _MS)
_MAX_NS = (1 << 63) - 1


def parse_duration(text: str) -> int:
    """Parse `1h30m`, `1d`, `2w`, `1y`, `500ms`, `0` into milliseconds; ValueError as Prometheus words it.

    Units must come in order (y w d h m s ms), each at most once, with integer counts: `1.5h` and
    `30` (no unit) are invalid, as in Prometheus.
    """
    if text == "0":
        return 0
    if text == "":
        raise ValueError("empty duration string")
    match = _DURATION.match(text)
    if match is None:
        raise ValueError(f"not a valid duration string: {_quote(text)}")
    total_ns = 0
    overflow = False
    for count, unit_ms in zip(match.groups(), _UNITS_MS, strict=True):
        if count is None:
            continue
        n = int(count)
        if n > _MAX_NS // (unit_ms * 1_000_000):
            overflow = True
        total_ns += n * unit_ms * 1_000_000
        if total_ns > _MAX_NS:
            overflow = True
    if overflow:
        raise ValueError("duration out of range")
    return total_ns // 1_000_000


def format_duration(ms: int) -> str:
    """Prometheus's `model.Duration.String()`: `1m`, `1h30m`, `90d` (years/weeks only when exact)."""
    if ms == 0:
        return "0s"
    out = []
    for unit, size, exact in (
        ("y", _Y, True),
        ("w", _W, True),
        ("d", _D, False),
        ("h", _H, False),
        ("m", _M, False),
        ("s", _S, False),
        ("ms", _MS, False),
    ):
        if exact and ms % size != 0:
            continue
        if ms // size > 0:
            out.append(f"{ms // size}{unit}")
            ms -= (ms // size) * size
    return "".join(out)


_BYTE_UNITS_IEC = {
    "B": 1,
    "KiB": 1 << 10,
    "MiB": 1 << 20,
    "GiB": 1 << 30,
    "TiB": 1 << 40,
    "PiB": 1 << 50,
    "EiB": 1 << 60,
}
_BYTE_UNITS_OLD = {
    "B": 1,
    "KB": 1 << 10,
    "MB": 1 << 20,
    "GB": 1 << 30,
    "TB": 1 << 40,
    "PB": 1 << 50,
    "EB": 1 << 60,
}
_NUMBER_PART = re.compile(r"([0-9]*)(?:\.([0-9]*))?")


def _parse_unit(text: str, units: dict[str, int]) -> int:
    orig = text
    neg = False
    if text[:1] in ("-", "+"):
        neg = text[0] == "-"
        text = text[1:]
    if text == "0":
        return 0
    if text == "":
        raise ValueError("units: invalid " + orig)
    total = 0.0
    while text:
        if not (text[0] == "." or text[0].isdigit()):
            raise ValueError("units: invalid " + orig)
        match = _NUMBER_PART.match(text)
        assert match is not None
        whole, frac = match.group(1), match.group(2)
        if not whole and not frac:
            raise ValueError("units: invalid " + orig)
        value = float(int(whole)) if whole else 0.0
        if frac:
            value += int(frac) / 10 ** len(frac)
        text = text[match.end() :]
        end = 0
        while end < len(text) and not (text[end] == "." or text[end].isdigit()):
            end += 1
        unit, text = text[:end], text[end:]
        if unit not in units:
            raise ValueError(f"units: unknown unit {unit} in {orig}")
        total += value * units[unit]
    if neg:
        total = -total
    if not -(2.0**63) <= total <= 2.0**63 - 1:
        raise ValueError("units: overflow parsing unit")
    return int(total)


def parse_base2_bytes(text: str) -> int:
    """alecthomas/units `ParseBase2Bytes` as Prometheus's body_size_limit uses it: KiB and KB are 1024."""
    try:
        return _parse_unit(text, _BYTE_UNITS_IEC)
    except ValueError:
        return _parse_unit(text, _BYTE_UNITS_OLD)


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
