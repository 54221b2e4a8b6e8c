"""Metric selector parsing (parser.ParseMetricSelector's counterpart) with Go string literals."""

from __future__ import annotations

import re

from erpmon.model import METRIC_NAME, Matcher, MatchType, RegexError

_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
_LABEL = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
_OP = re.compile(r"=~|!~|!=|=")
_SIMPLE_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\"}


class SelectorError(ValueError):
    """A selector that does not parse; the message carries the 1-based column."""


def parse_metric_selector(text: str) -> list[Matcher]:
    """Like ParseMetricSelector, it does not insist on a non-empty matcher (queries do)."""
    p = _Parser(text)
    matchers = p.selector()
    p.skip_ws()
    if p.pos != len(text):
        raise p.error("unexpected character after selector")
    return matchers


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def error(self, msg: str) -> SelectorError:
        return SelectorError(f"1:{self.pos + 1}: parse error: {msg}")

    def skip_ws(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in " \t\r\n":
            self.pos += 1

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def selector(self) -> list[Matcher]:
        self.skip_ws()
        matchers: list[Matcher] = []
        m = _NAME.match(self.text, self.pos)
        if m:
            matchers.append(Matcher(MatchType.EQUAL, METRIC_NAME, m.group()))
            self.pos = m.end()
            self.skip_ws()
        if self.peek() == "{":
            self.pos += 1
            matchers.extend(self.label_matchers())
        elif not matchers:
            raise self.error("expected a metric name or '{'")
        return matchers

    def label_matchers(self) -> list[Matcher]:
        out: list[Matcher] = []
        while True:
            self.skip_ws()
            if self.peek() == "}":
                self.pos += 1
                return out
            m = _LABEL.match(self.text, self.pos)
            if not m:
                raise self.error("expected label name")
            name = m.group()
            self.pos = m.end()
            self.skip_ws()
            op = _OP.match(self.text, self.pos)
            if not op:
                raise self.error(f"expected label matching operator after {name!r}")
            self.pos = op.end()
            self.skip_ws()
            value = self.string()
            try:
                out.append(Matcher(MatchType(op.group()), name, value))
            except RegexError as err:
                raise SelectorError(str(err)) from err
            self.skip_ws()
            if self.peek() == ",":
                self.pos += 1
            elif self.peek() != "}":
                raise self.error("expected ',' or '}'")

    def string(self) -> str:
        quote = self.peek()
        if quote not in ("'", '"', "`"):
            raise self.error("expected a string literal")
        self.pos += 1
        if quote == "`":
            end = self.text.find("`", self.pos)
            if end < 0:
                raise self.error("unterminated raw string")
            value = self.text[self.pos : end]
            self.pos = end + 1
            return value
        out: list[str] = []
        while True:
            if self.pos >= len(self.text):
                raise self.error("unterminated quoted string")
            ch = self.text[self.pos]
            if ch == quote:
                self.pos += 1
                return "".join(out)
            if ch == "\n":
                raise self.error("unterminated quoted string")
            if ch == "\\":
                out.append(self.escape(quote))
                continue
            out.append(ch)
            self.pos += 1

    def escape(self, quote: str) -> str:
        self.pos += 1
        ch = self.peek()
        if ch in _SIMPLE_ESCAPES:
            self.pos += 1
            return _SIMPLE_ESCAPES[ch]
        if ch == quote:
            self.pos += 1
            return ch
        for prefix, width in (("x", 2), ("u", 4), ("U", 8)):
            if ch == prefix:
                digits = self.text[self.pos + 1 : self.pos + 1 + width]
                if len(digits) != width or not all(c in "0123456789abcdefABCDEF" for c in digits):
                    raise self.error("invalid escape sequence")
                self.pos += 1 + width
                return chr(int(digits, 16))
        if ch in "01234567":
            digits = self.text[self.pos : self.pos + 3]
            if len(digits) != 3 or not all(c in "01234567" for c in digits):
                raise self.error("invalid escape sequence")
            self.pos += 3
            return chr(int(digits, 8))
        raise self.error("unknown escape sequence")
