"""Series text -> `Labels`: label-block tokenizing, escape handling and the duplicate-name check.

Both formats escape label values alike (`\\\\`, `\\"`, `\\n`; any other backslash pair is kept
verbatim, as Go's strings.Replacer leaves it), and keep the metric name as `__name__`.
"""

from __future__ import annotations

import re

from erpmon.exposition._numbers import Reject
from erpmon.model import METRIC_NAME, Labels, go_quote

METRIC_NAME_PATTERN = r"[a-zA-Z_:][a-zA-Z0-9_:]*+"
LABEL_NAME_PATTERN = r"[a-zA-Z_][a-zA-Z0-9_]*+"
# A quoted label value on one line (both lexers accept any escaped character but a newline).
LABEL_VALUE_PATTERN = r'"[^"\\\n]*+(?:\\[^\n][^"\\\n]*+)*+"'

METRIC_NAME_RE = re.compile(METRIC_NAME_PATTERN)
LABEL_NAME_RE = re.compile(LABEL_NAME_PATTERN)

# One `name = "value"` pair inside an already validated block (text-format spacing allowed).
_PAIR_RE = re.compile(rf'({LABEL_NAME_PATTERN})[ \t]*=[ \t]*"([^"\\]*+(?:\\.[^"\\]*+)*+)"', re.DOTALL)
_ESCAPE_RE = re.compile(r'\\(["\\n])')
_UNESCAPED = {'"': '"', "\\": "\\", "n": "\n"}


def _unescape_match(m: re.Match[str]) -> str:
    return _UNESCAPED[m.group(1)]


def unescape_label_value(raw: str) -> str:
    """Undo `\\\\`, `\\"` and `\\n` in a label value (or an OpenMetrics HELP text)."""
    if "\\" not in raw:
        return raw
    return _ESCAPE_RE.sub(_unescape_match, raw)


def has_invalid_utf8(s: str) -> bool:
    """True if `s` holds a byte that was not UTF-8 (decoded with surrogateescape)."""
    return not s.isascii() and any("\udc80" <= ch <= "\udcff" for ch in s)


def labels_from_pairs(name: str, pairs: list[tuple[str, str]], escaped: bool = True) -> Labels:
    """Build `Labels` from the metric name and raw label pairs (`escaped`: may hold backslashes).

    Raises `Reject` for a repeated label name (Prometheus's head appender refuses such a
    series, failing the scrape); empty values are dropped afterwards, as `Labels` does.
    """
    items = [(METRIC_NAME, name), *pairs]
    if escaped:
        items = [(n, unescape_label_value(v)) for n, v in items]
    items.sort()
    if len(dict(items)) != len(items):
        for i in range(1, len(items)):
            if items[i][0] == items[i - 1][0]:
                raise Reject(f"label name {go_quote(items[i][0])} is not unique")
    if any(not v for _, v in items):
        return Labels.from_sorted(tuple(p for p in items if p[1]))
    return Labels.from_sorted(tuple(items))


def labels_from_block(name: str, block: str | None) -> Labels:
    """Labels of a series whose label block (the text between the braces) was validated."""
    if not block:
        return Labels.from_sorted(((METRIC_NAME, name),))
    items = _PAIR_RE.findall(block)
    if "\\" in block or '""' in block:  # escapes or maybe an empty value: the careful way
        return labels_from_pairs(name, items)
    items.append((METRIC_NAME, name))
    items.sort()
    if len(dict(items)) != len(items):
        return labels_from_pairs(name, _PAIR_RE.findall(block), escaped=False)  # raises, naming it
    return Labels.from_sorted(tuple(items))
