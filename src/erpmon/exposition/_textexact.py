"""Prometheus text format 0.0.4, exact path: a tokenizer following the 2.42 lexer state by state.

It runs when the fast path gives up, so it must accept exactly what Prometheus's promparse
accepts and report the first error in payload order, worded as Prometheus words it. Quirks
kept on purpose (each has a test): a quoted label value may span lines; pairs need no comma
between them; a value may follow the name or `}` without a blank (`foo-1` is foo = -1); a NUL
byte where a line (or a `#`-comment without a blank) starts ends the payload silently.
"""

from __future__ import annotations

import re
from collections.abc import Container

import numpy as np

from erpmon.exposition._numbers import Reject, normalize_nans, parse_float, parse_int_timestamp
from erpmon.exposition._series import LABEL_NAME_RE, METRIC_NAME_RE, has_invalid_utf8, labels_from_pairs
from erpmon.exposition._text import text_comment
from erpmon.exposition._types import NO_TIMESTAMP, MetricType, ParsedExposition, ParseError
from erpmon.model import Labels

_WS_RE = re.compile(r"[ \t]*")
_HASH_WS_RE = re.compile(r"#[ \t]+")
# In 0.0.4 a quoted value may hold raw newlines; only a backslash before one is refused.
_LVALUE_RE = re.compile(r'"(?:\\[^\n]|[^\\"])*"')
_VALUE_RE = re.compile(r"[^{ \t\n\x00]+")
_DIGITS_RE = re.compile(r"[0-9]+")


def _label_token(s: str, i: int) -> str:
    """The token the lexer reports at `i` inside a label block."""
    c = s[i]
    if c == ",":
        return "COMMA"
    if c == "=":
        return "EQUAL"
    if c == "}":
        return "BCLOSE"
    return "LNAME" if LABEL_NAME_RE.match(s, i) else "INVALID"


class _TextTokenizer:
    def __init__(self, text: str, known: Container[str]) -> None:
        self.s = text + "\n"  # as Prometheus does: the last line needs no newline
        self.known = known
        self.keys: list[str] = []
        self.values: list[float] = []
        self.ts_at: list[int] = []
        self.ts_values: list[int] = []
        self.labels: dict[str, Labels] = {}
        self.types: dict[str, MetricType] = {}
        self.helps: dict[str, str] = {}

    def error(self, pos: int, reason: str) -> ParseError:
        return ParseError(self.s.count("\n", 0, pos) + 1, reason)

    def ws(self, i: int) -> int:
        m = _WS_RE.match(self.s, i)
        assert m is not None
        return m.end()

    def run(self) -> ParsedExposition:
        s = self.s
        n = len(s)
        i = 0
        while True:
            i = self.ws(i)
            if i >= n or s[i] == "\0":
                break
            c = s[i]
            if c == "\n":
                i += 1
            elif c == "#":
                nl = s.index("\n", i)
                m = _HASH_WS_RE.match(s, i)
                if (m is None and "\0" in s[i + 1 : nl]) or (m is not None and s[m.end()] == "\0"):
                    break
                try:
                    text_comment(s[i:nl], self.types, self.helps)
                except Reject as r:
                    raise self.error(i + r.pos, r.reason) from None
                i = nl + 1
            elif METRIC_NAME_RE.match(s, i):
                i = self.sample(i)
            else:
                raise self.error(i, '"INVALID" is not a valid start token')
        values = normalize_nans(np.array(self.values, dtype=np.float64))
        timestamps = np.full(len(self.keys), NO_TIMESTAMP, dtype=np.int64)
        timestamps[self.ts_at] = self.ts_values
        return ParsedExposition(
            self.keys, values, timestamps, self.labels, self.types, self.helps, {}, openmetrics=False
        )

    def sample(self, start: int) -> int:
        """Parse the sample starting at `start`; return the offset after its line break."""
        s = self.s
        m = METRIC_NAME_RE.match(s, start)
        assert m is not None
        name = m.group()
        key_end = m.end()
        j = self.ws(key_end)
        pairs: list[tuple[str, str]] = []
        if s[j] == "{":
            j = self.ws(j + 1)
            while s[j] != "}":
                lname = LABEL_NAME_RE.match(s, j)
                if lname is None:
                    raise self.error(j, f'expected label name, got "{_label_token(s, j)}"')
                j = self.ws(lname.end())
                if s[j] != "=":
                    raise self.error(j, f'expected equal, got "{_label_token(s, j)}"')
                j = self.ws(j + 1)
                lvalue = _LVALUE_RE.match(s, j)
                if lvalue is None:
                    raise self.error(j, 'expected label value, got "INVALID"')
                raw = lvalue.group()[1:-1]
                if has_invalid_utf8(raw):
                    raise self.error(j, "invalid UTF-8 label value")
                pairs.append((lname.group(), raw))
                j = self.ws(lvalue.end())
                if s[j] == ",":
                    j = self.ws(j + 1)
            key_end = j + 1
            j = self.ws(key_end)
        value = _VALUE_RE.match(s, j)
        if value is None:
            got = "BOPEN" if s[j] == "{" else "INVALID"
            raise self.error(j, f'expected value after metric, got "{got}"')
        try:
            v = parse_float(value.group())
        except Reject as r:
            raise self.error(j, r.reason) from None
        j = self.ws(value.end())
        ts: int | None = None
        if s[j] != "\n":
            digits = _DIGITS_RE.match(s, j)
            if digits is None:
                raise self.error(j, 'expected timestamp or new record, got "INVALID"')
            try:
                ts = parse_int_timestamp(digits.group())
            except Reject as r:
                raise self.error(j, r.reason) from None
            j = self.ws(digits.end())
            if s[j] != "\n":
                got = "TIMESTAMP" if _DIGITS_RE.match(s, j) else "INVALID"
                raise self.error(j, f'expected next entry after timestamp, got "{got}"')
        key = s[start:key_end]
        if key not in self.known and key not in self.labels:
            try:
                self.labels[key] = labels_from_pairs(name, pairs)
            except Reject as r:
                raise self.error(start, r.reason) from None
        if ts is not None:
            self.ts_at.append(len(self.keys))
            self.ts_values.append(ts)
        self.keys.append(key)
        self.values.append(v)
        return j + 1


def parse_text_exact(text: str, known: Container[str]) -> ParsedExposition:
    """Parse a whole 0.0.4 payload token by token; raise `ParseError` at the first error."""
    return _TextTokenizer(text, known).run()
