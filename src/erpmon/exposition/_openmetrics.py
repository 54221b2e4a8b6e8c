"""OpenMetrics 1.0, fast path: whole lines, known series skip label parsing; errors go to `_omexact`.

Same shape as the text fast path: `<known key> <value>[ <timestamp>]` is split with
`str.rpartition`, new series and exemplar lines match one regex, metadata lines reuse the exact
path's function, and the columns are converted at the end. Timestamps are float seconds,
turned into ms as Prometheus does (`int64(ts * 1000)`). Exemplars are checked, then dropped.
"""

from __future__ import annotations

import re
from collections.abc import Container

import numpy as np

from erpmon.exposition._numbers import (
    Reject,
    float_seconds_to_ms,
    floats_column,
    om_timestamps_column,
    parse_float,
)
from erpmon.exposition._omexact import EXEMPLAR_SUFFIXES, om_comment
from erpmon.exposition._series import (
    LABEL_NAME_PATTERN,
    LABEL_VALUE_PATTERN,
    METRIC_NAME_PATTERN,
    labels_from_block,
)
from erpmon.exposition._types import NO_TIMESTAMP, ParsedExposition

_LVALUE = LABEL_VALUE_PATTERN
_PAIRS = rf"(?:{LABEL_NAME_PATTERN}={_LVALUE}(?:,{LABEL_NAME_PATTERN}={_LVALUE})*+)?"
_LINE_RE = re.compile(
    rf"(?P<key>(?P<name>{METRIC_NAME_PATTERN})(?P<lb>\{{{_PAIRS}\}})?) (?P<value>[^ ]++)"
    rf"(?: (?P<ts>[^ ]++))?(?P<ex> # \{{{_PAIRS}\}} (?P<ev>[^ ]++)(?: (?P<ets>[^ ]++))?)?"
)


def _exemplar_ok(name: str, value: str, ts: str | None) -> bool:
    if not name.endswith(EXEMPLAR_SUFFIXES):
        return False
    try:
        parse_float(value)
        if ts is not None:
            float_seconds_to_ms(parse_float(ts))
    except Reject:
        return False
    return True


def parse_openmetrics_fast(text: str, known: Container[str]) -> ParsedExposition | None:
    """Parse a payload of ordinary lines ending in `# EOF`; None where the exact path must decide."""
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    if not lines or lines.pop() != "# EOF":
        return None
    out = ParsedExposition(openmetrics=True)
    keys = out.keys
    labels = out.labels
    values: list[str] = []
    ts_at: list[int] = []
    ts_tokens: list[str] = []
    add_key = keys.append
    add_value = values.append
    match_line = _LINE_RE.fullmatch
    for line in lines:
        head, _, last = line.rpartition(" ")
        if head in known:
            add_key(head)
            add_value(last)
            continue
        key, _, value = head.rpartition(" ")
        if key in known:
            ts_at.append(len(keys))
            add_key(key)
            add_value(value)
            ts_tokens.append(last)
            continue
        if line[:1] == "#":
            try:
                if om_comment(line, True, out):  # an early `# EOF`
                    return None
            except Reject:
                return None
            continue
        m = match_line(line)
        if m is None:
            return None
        key = m.group("key")
        name = m.group("name")
        if m.group("ex") is not None and not _exemplar_ok(name, m.group("ev"), m.group("ets")):
            return None
        if key not in known and key not in labels:
            lb = m.group("lb")
            try:
                labels[key] = labels_from_block(name, lb[1:-1] if lb else None)
            except Reject:
                return None
        ts = m.group("ts")
        if ts is not None:
            ts_at.append(len(keys))
            ts_tokens.append(ts)
        add_key(key)
        add_value(m.group("value"))
    converted = floats_column(values)
    if converted is None:
        return None
    out.values = converted
    out.timestamps = np.full(len(keys), NO_TIMESTAMP, dtype=np.int64)
    if ts_tokens:
        ms = om_timestamps_column(ts_tokens)
        if ms is None:
            return None
        out.timestamps[ts_at] = ms
    return out
