"""Prometheus text format 0.0.4, fast path: whole lines, with the scrape cache's keys skipping work.

A sample line whose series is already in `known` is recognised with two `str.rpartition`
calls and a set lookup; new series go through one compiled regex per line; values and
timestamps are converted per column at the end. Anything this path does not recognise (errors,
label values spanning lines, NUL bytes, spacing it does not expect) makes it return None, and
the exact tokenizer in `_textexact` parses the payload again and words the error.
"""

from __future__ import annotations

import re
from collections.abc import Container

import numpy as np

from erpmon.exposition._numbers import Reject, floats_column, int_timestamps_column
from erpmon.exposition._series import (
    LABEL_NAME_PATTERN,
    LABEL_VALUE_PATTERN,
    METRIC_NAME_PATTERN,
    METRIC_NAME_RE,
    has_invalid_utf8,
    labels_from_block,
)
from erpmon.exposition._types import NO_TIMESTAMP, MetricType, ParsedExposition
from erpmon.model import Labels, go_quote

_TEXT_TYPES = {
    "counter": MetricType.COUNTER,
    "gauge": MetricType.GAUGE,
    "histogram": MetricType.HISTOGRAM,
    "summary": MetricType.SUMMARY,
    "untyped": MetricType.UNKNOWN,
}

_WS = r"[ \t]*+"
# One sample on one line, with every spacing the 0.0.4 lexer tolerates: blanks around
# tokens, pairs with or without commas, a trailing comma, a value glued to `}` or the name.
_LINE_RE = re.compile(
    rf"{_WS}(?P<key>(?P<name>{METRIC_NAME_PATTERN})"
    rf"(?:{_WS}(?P<lb>\{{{_WS}(?:{LABEL_NAME_PATTERN}{_WS}={_WS}{LABEL_VALUE_PATTERN}{_WS}(?:,{_WS})?)*+\}}))?)"
    rf"{_WS}(?P<value>[^{{ \t\n\x00]++)(?:[ \t]++(?P<ts>[0-9]++))?{_WS}"
)
_COMMENT_RE = re.compile(r"#[ \t]++(HELP|TYPE)[ \t]++")
_HELP_ESCAPE_RE = re.compile(r"\\([\\n])")


def _unescape_help_match(m: re.Match[str]) -> str:
    return "\\" if m.group(1) == "\\" else "\n"


def text_comment(line: str, types: dict[str, MetricType], helps: dict[str, str]) -> None:
    """Record a `# HELP` / `# TYPE` line (other comments are ignored); `line` starts at `#`.

    Raises `Reject` with Prometheus's wording. Prometheus takes the text after the name minus
    its first character (a blank, or whatever follows the name), and none if only blanks follow.
    """
    m = _COMMENT_RE.match(line)
    if m is None:
        return
    kind = m.group(1)
    name_m = METRIC_NAME_RE.match(line, m.end())
    if name_m is None:
        raise Reject(f'expected metric name after {kind}, got "INVALID"', m.end())
    name = name_m.group()
    rest = line[name_m.end() :]
    text = rest[1:] if rest.strip(" \t") else ""
    if kind == "TYPE":
        mtype = _TEXT_TYPES.get(text)
        if mtype is None:
            raise Reject(f"invalid metric type {go_quote(text)}", name_m.end())
        types[name] = mtype
    else:
        if has_invalid_utf8(text):
            raise Reject("help text is not a valid utf8 string", name_m.end())
        helps[name] = _HELP_ESCAPE_RE.sub(_unescape_help_match, text) if "\\" in text else text


def parse_text_fast(text: str, known: Container[str]) -> ParsedExposition | None:
    """Parse a payload made of ordinary lines; None where the exact tokenizer must decide."""
    if "\0" in text:  # NUL has position-dependent meanings in the 0.0.4 lexer
        return None
    keys: list[str] = []
    values: list[str] = []
    ts_at: list[int] = []
    ts_tokens: list[str] = []
    labels: dict[str, Labels] = {}
    types: dict[str, MetricType] = {}
    helps: dict[str, str] = {}
    add_key = keys.append
    add_value = values.append
    match_line = _LINE_RE.fullmatch
    for line in text.split("\n"):
        # Steady state: `<known key> <value>` or `<known key> <value> <timestamp>`. A key
        # never ends in a blank-separated token, so a known head is the whole series.
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
        stripped = line.lstrip(" \t")
        if not stripped:
            continue
        if stripped[0] == "#":
            try:
                text_comment(stripped, types, helps)
            except Reject:
                return None
            continue
        m = match_line(line)
        if m is None:
            return None
        key = m.group("key")
        if key not in known and key not in labels:
            lb = m.group("lb")
            try:
                labels[key] = labels_from_block(m.group("name"), lb[1:-1] if lb else None)
            except Reject:
                return None
        ts = m.group("ts")
        if ts is not None:
            ts_at.append(len(keys))
            ts_tokens.append(ts)
        add_key(key)
        add_value(m.group("value"))
    return finish(keys, values, ts_at, ts_tokens, labels, types, helps)


def finish(
    keys: list[str],
    value_tokens: list[str],
    ts_at: list[int],
    ts_tokens: list[str],
    labels: dict[str, Labels],
    types: dict[str, MetricType],
    helps: dict[str, str],
) -> ParsedExposition | None:
    """Convert the value and timestamp columns; None if a token is invalid."""
    values = floats_column(value_tokens)
    if values is None:
        return None
    timestamps = np.full(len(keys), NO_TIMESTAMP, dtype=np.int64)
    if ts_tokens:
        parsed = int_timestamps_column(ts_tokens)
        if parsed is None:
            return None
        timestamps[ts_at] = parsed
    return ParsedExposition(keys, values, timestamps, labels, types, helps, {}, openmetrics=False)
