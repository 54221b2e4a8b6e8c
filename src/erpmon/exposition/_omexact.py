"""OpenMetrics 1.0, exact path: one line at a time, following Prometheus 2.42's openmetricsparse.

OpenMetrics tolerates no spacing variants, so every line is tokenized on its own. Prometheus
2.42 checks syntax only: it does not require `_total` on counters, metadata before samples or
families kept together, and it refuses comments other than HELP/TYPE/UNIT/EOF and blank lines.
"""

from __future__ import annotations

import re
from collections.abc import Container

import numpy as np

from erpmon.exposition._numbers import Reject, float_seconds_to_ms, normalize_nans, parse_float
from erpmon.exposition._series import (
    LABEL_NAME_RE,
    METRIC_NAME_RE,
    has_invalid_utf8,
    labels_from_pairs,
    unescape_label_value,
)
from erpmon.exposition._types import NO_TIMESTAMP, MetricType, ParsedExposition, ParseError
from erpmon.model import go_quote

OM_TYPES = {t.value: t for t in MetricType}
_OM_LVALUE_RE = re.compile(r'"(?:\\[^\n]|[^\\"\n])*"')
_VALUE_RE = re.compile(r" [^ ]+")
_KEYWORDS = ("HELP ", "TYPE ", "UNIT ", "EOF")
EXEMPLAR_SUFFIXES = ("_total", "_bucket")


class OMLine:
    """A tokenizer over one line; `nl` says whether a line break follows it."""

    def __init__(self, line: str, nl: bool) -> None:
        self.line = line
        self.nl = nl

    def end_token(self) -> str:
        """What the lexer reports at the end of the line: the break is INVALID, the buffer's end EOF."""
        return "INVALID" if self.nl else "EOF"

    def label_token(self, j: int) -> str:
        if j >= len(self.line):
            return self.end_token()
        c = self.line[j]
        if c in ",=}":
            return {",": "COMMA", "=": "EQUAL", "}": "BCLOSE"}[c]
        return "LNAME" if LABEL_NAME_RE.match(self.line, j) else "INVALID"

    def spaced_token(self, j: int, name: str) -> str:
        """`name` for ` <non-blank...>` at j (a value or timestamp), else INVALID or EOF."""
        if j >= len(self.line):
            return self.end_token()
        return name if _VALUE_RE.match(self.line, j) else "INVALID"

    def labels(self, j: int, exemplar: bool = False) -> tuple[int, list[tuple[str, str]]]:
        """Parse pairs after `{` at j; return the offset after `}` and the raw pairs."""
        line = self.line
        pairs: list[tuple[str, str]] = []
        first = True
        while True:
            tok = self.label_token(j)
            if tok == "BCLOSE":
                return j + 1, pairs
            if tok == "COMMA":
                if first:
                    raise Reject('expected label name or left brace, got "COMMA"', j)
                j += 1
                tok = self.label_token(j)
                if tok != "LNAME":
                    raise Reject(f'expected label name, got "{tok}"', j)
            elif tok == "LNAME":
                if not first:
                    raise Reject('expected comma, got "LNAME"', j)
            elif first:
                raise Reject(f'expected label name or left brace, got "{tok}"', j)
            else:
                raise Reject(f'expected comma or left brace, got "{tok}"', j)
            first = False
            lname = LABEL_NAME_RE.match(line, j)
            assert lname is not None
            j = lname.end()
            if line[j : j + 1] != "=":
                raise Reject(f'expected equal, got "{self.label_token(j)}"', j)
            j += 1
            lvalue = _OM_LVALUE_RE.match(line, j)
            if lvalue is None:
                if j >= len(line):
                    got = self.end_token()
                else:
                    got = "VALUE" if exemplar and _VALUE_RE.match(line, j) else "INVALID"
                raise Reject(f'expected label value, got "{got}"', j)
            raw = lvalue.group()[1:-1]
            if has_invalid_utf8(raw):
                raise Reject("invalid UTF-8 label value", j)
            pairs.append((lname.group(), raw))
            j = lvalue.end()

    def value(self, j: int, after: str) -> tuple[int, float]:
        m = _VALUE_RE.match(self.line, j)
        if m is None:
            got = "BOPEN" if self.line[j : j + 1] == "{" else self.spaced_token(j, "VALUE")
            raise Reject(f'expected value after {after}, got "{got}"', j)
        return m.end(), parse_float(m.group()[1:])

    def exemplar(self, name: str, j: int) -> None:
        """Check the exemplar starting at ` # {` (offset j); Prometheus's rules, result dropped."""
        if not name.endswith(EXEMPLAR_SUFFIXES):
            raise Reject(f"metric name {name} does not support exemplars", j)
        j, _ = self.labels(j + 4, exemplar=True)
        j, _ = self.value(j, "exemplar labels")
        if j == len(self.line):
            if not self.nl:
                raise Reject("data does not end with # EOF", j)
            return
        ts = _VALUE_RE.match(self.line, j)
        if ts is None:
            raise Reject('expected timestamp or comment, got "INVALID"', j)
        float_seconds_to_ms(parse_float(ts.group()[1:]), "exemplar timestamp")
        if ts.end() < len(self.line) or not self.nl:
            got = self.spaced_token(ts.end(), "TIMESTAMP")
            raise Reject(f'expected next entry after exemplar timestamp, got "{got}"', ts.end())

    def sample(self) -> tuple[str, str, list[tuple[str, str]], float, int | None]:
        """Parse a sample line: (key, name, raw pairs, value, timestamp ms or None)."""
        line = self.line
        m = METRIC_NAME_RE.match(line)
        if m is None:
            cur = line[:1] or ("\n" if self.nl else " ")
            raise Reject(f'"INVALID" {go_quote(cur)} is not a valid start token')
        name = m.group()
        j = m.end()
        pairs: list[tuple[str, str]] = []
        if line[j : j + 1] == "{":
            j, pairs = self.labels(j + 1)
        key = line[:j]
        j, v = self.value(j, "metric")
        ts: int | None = None
        if line.startswith(" # {", j):
            self.exemplar(name, j)
        elif j == len(line):
            if not self.nl:
                raise Reject("data does not end with # EOF", j)
        else:
            tm = _VALUE_RE.match(line, j)
            if tm is None:
                raise Reject('expected timestamp or # symbol, got "INVALID"', j)
            ts = float_seconds_to_ms(parse_float(tm.group()[1:]))
            j = tm.end()
            if line.startswith(" # {", j):
                self.exemplar(name, j)
            elif j < len(line) or not self.nl:
                got = self.spaced_token(j, "TIMESTAMP")
                raise Reject(f'expected next entry after timestamp, got "{got}"', j)
        return key, name, pairs, v, ts


def om_comment(line: str, nl: bool, meta: ParsedExposition) -> bool:
    """Record a `# HELP|TYPE|UNIT` line into `meta`; True for `# EOF`. `line` starts with `#`."""
    if line[1:2] != " ":
        cur = line[1:2] or ("\n" if nl else " ")
        raise Reject(f'"INVALID" {go_quote(cur)} is not a valid start token', 1)
    rest = line[2:]
    if rest.startswith("EOF"):
        return True
    kind = next((k for k in _KEYWORDS if rest.startswith(k)), None)
    if kind is None:
        # The lexer stops at the first character that leaves every keyword.
        k = 0
        while k < len(rest) and any(kw.startswith(rest[: k + 1]) for kw in _KEYWORDS):
            k += 1
        cur = rest[k] if k < len(rest) else ("\n" if nl else " ")
        raise Reject(f'"INVALID" {go_quote(cur)} is not a valid start token', 2 + k)
    kind = kind[:4]
    m = METRIC_NAME_RE.match(line, 7)
    if m is None:
        got = "INVALID" if len(line) > 7 or nl else "EOF"
        raise Reject(f'expected metric name after {kind}, got "{got}"', 7)
    name = m.group()
    after = line[m.end() :]
    if not after.startswith(" ") or not nl:
        raise Reject(f"expected text in {kind}", m.end())
    text = after[1:]
    if kind == "TYPE":
        mtype = OM_TYPES.get(text)
        if mtype is None:
            raise Reject(f"invalid metric type {go_quote(text)}", m.end())
        meta.types[name] = mtype
    elif kind == "HELP":
        if has_invalid_utf8(text):
            raise Reject("help text is not a valid utf8 string", m.end())
        meta.helps[name] = unescape_label_value(text)
    else:
        if text and not name.endswith("_" + text):
            raise Reject(f"unit not a suffix of metric {go_quote(name)}", m.end())
        meta.units[name] = text
    return False


def parse_openmetrics_exact(text: str, known: Container[str]) -> ParsedExposition:
    """Parse an OpenMetrics payload line by line; raise `ParseError` at the first error."""
    out = ParsedExposition(openmetrics=True)
    values: list[float] = []
    ts_at: list[int] = []
    ts_values: list[int] = []
    lines = text.split("\n")
    last = len(lines) - 1
    for idx, line in enumerate(lines):
        nl = idx < last
        try:
            if not nl and line == "":
                raise Reject("data does not end with # EOF")
            if line[:1] == "#":
                if not om_comment(line, nl, out):
                    continue
                # `# EOF` may be followed by one line break and nothing else.
                if line != "# EOF" or (nl and (idx + 1 != last or lines[last] != "")):
                    raise Reject("unexpected data after # EOF", 5)
                break
            key, name, pairs, v, ts = OMLine(line, nl).sample()
            if key not in known and key not in out.labels:
                out.labels[key] = labels_from_pairs(name, pairs)
        except Reject as r:
            raise ParseError(idx + 1, r.reason) from None
        if ts is not None:
            ts_at.append(len(out.keys))
            ts_values.append(ts)
        out.keys.append(key)
        values.append(v)
    out.values = normalize_nans(np.array(values, dtype=np.float64))
    out.timestamps = np.full(len(out.keys), NO_TIMESTAMP, dtype=np.int64)
    out.timestamps[ts_at] = ts_values
    return out
