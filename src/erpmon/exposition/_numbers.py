"""Sample values and timestamps as Prometheus 2.42 reads them, one token or a whole column at once.

Prometheus parses values with Go's `strconv.ParseFloat` after refusing `p`, `P` and `_` (so no
hex floats, no digit separators). Python's `float()` accepts a superset of that grammar on ASCII
input (underscores, surrounding whitespace, non-ASCII digits, a sign before `nan`) and returns
infinity where Go reports "value out of range"; the column functions rule those out with a few
C-level scans of the joined column instead of a regex per token.
"""

from __future__ import annotations

import math
import re

import numpy as np
import numpy.typing as npt

from erpmon.exposition._types import NORMAL_NAN_BITS
from erpmon.model import go_quote

_INT64_MAX = 2**63 - 1

# strconv.ParseFloat's decimal grammar plus its case-insensitive specials; Go allows a sign
# before inf/infinity but not before nan.
_GO_FLOAT_RE = re.compile(
    r"[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[iI][nN][fF](?:[iI][nN][iI][tT][yY])?)"
    r"|[nN][aA][nN]"
)
# Characters float() skips or accepts that Go does not (ASCII whitespace other than the "\n"
# joining the column, and digit separators).
_PY_ONLY = ("_", " ", "\t", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f")
_SIGNED_NAN = ("+n", "+N", "-n", "-N")


class Reject(Exception):
    """A token or line Prometheus would refuse; `reason` is its error text, `pos` an offset."""

    def __init__(self, reason: str, pos: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.pos = pos


def parse_float(s: str) -> float:
    """One value token, or `Reject` with Prometheus's message."""
    if "p" in s or "P" in s or "_" in s:
        raise Reject("unsupported character in float")
    if _GO_FLOAT_RE.fullmatch(s) is None:
        raise Reject(f"strconv.ParseFloat: parsing {go_quote(s)}: invalid syntax")
    v = float(s)
    if math.isinf(v) and "i" not in s.lower():
        raise Reject(f"strconv.ParseFloat: parsing {go_quote(s)}: value out of range")
    return v


def parse_int_timestamp(s: str) -> int:
    """A text-format timestamp token (the lexer already limited it to ASCII digits)."""
    v = int(s)
    if v > _INT64_MAX:
        raise Reject(f"strconv.ParseInt: parsing {go_quote(s)}: value out of range")
    return v


def float_seconds_to_ms(ts: float, what: str = "timestamp") -> int:
    """OpenMetrics seconds -> ms as Prometheus does (`int64(ts * 1000)`, truncating)."""
    if math.isnan(ts) or math.isinf(ts):
        raise Reject(f"invalid {what}")
    ms = ts * 1000.0
    if not -(2.0**63) < ms < 2.0**63:
        # Go's conversion is undefined here (amd64 yields math.MinInt64); we refuse instead.
        raise Reject(f"{what} out of range")
    return int(ms)


def normalize_nans(values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Give every NaN Prometheus's normal-NaN bit pattern, in place."""
    nan = np.isnan(values)
    if nan.any():
        values.view(np.uint64)[nan] = NORMAL_NAN_BITS
    return values


def floats_column(tokens: list[str]) -> npt.NDArray[np.float64] | None:
    """Convert value tokens; None if any token is not one `parse_float` would accept."""
    n = len(tokens)
    if n == 0:
        return np.empty(0, dtype=np.float64)
    joined = "\n".join(tokens)
    if not joined.isascii():
        return None
    for bad in _PY_ONLY:
        if bad in joined:
            return None
    for bad in _SIGNED_NAN:
        if bad in joined:
            return None
    try:
        values = np.fromiter(map(float, tokens), dtype=np.float64, count=n)
    except ValueError:  # a syntax error, including an empty token
        return None
    # Only the inf/infinity spellings contain "inf"; any other infinity is an overflow.
    if int(np.isinf(values).sum()) != joined.lower().count("inf"):
        return None
    return normalize_nans(values)


def int_timestamps_column(tokens: list[str]) -> npt.NDArray[np.int64] | None:
    """Text-format timestamps (ASCII digits, int64); None if any token is not one."""
    if not tokens:
        return np.empty(0, dtype=np.int64)
    joined = "".join(tokens)
    if not (joined.isascii() and joined.isdigit()) or "" in tokens:
        return None
    try:
        return np.fromiter(map(int, tokens), dtype=np.int64, count=len(tokens))
    except OverflowError:
        return None


def om_timestamps_column(tokens: list[str]) -> npt.NDArray[np.int64] | None:
    """OpenMetrics timestamps (float seconds) -> ms; None if any is invalid or out of range."""
    seconds = floats_column(tokens)
    if seconds is None:
        return None
    ms = seconds * 1000.0
    if not np.all((ms > -(2.0**63)) & (ms < 2.0**63)):  # also false for NaN
        return None
    # Truncates toward zero like Go's int64(); the strict bounds keep NO_TIMESTAMP unused.
    return ms.astype(np.int64)
