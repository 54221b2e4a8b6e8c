"""Series descriptions of promtool's `input_series` and the label sets of `exp_samples`.

`parse_series_desc('x{a="b"} 0+10x3 _ stale')` follows Prometheus 2.42's `parser.ParseSeriesDesc`:
the metric, then space-separated items `v`, `vxN` (N+1 copies), `a+bxN` / `a-bxN` (N+1 values, each
the previous plus the step, added one at a time as Go does), `_` (a missing sample), `_xN` (N
missing samples, not N+1), `stale`, numbers as the PromQL lexer reads them (`Inf`, `NaN`, `1e3`,
`.5`, `010` is octal, no hex). `parse_metric` is `parser.ParseMetric` for `exp_samples` labels.

Errors carry the messages and positions promtool prints (`1:5: parse error: unexpected "x"`).
Which message an error gets follows the yacc grammar's recovery: a token that cannot start or
continue an item where the item could already end is reported bare ("unexpected X"); inside an
item, or right after the metric, "in series values" is added.

The metric part (identifier and `{...}`) is lexed by the PromQL lexer, which knows strings and
escapes; the values are lexed here (the lexer's `seriesDesc` mode, which erpmon's lexer lacks).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from erpmon.model import STALE_NAN, go_quote
from erpmon.promql._lexer import AGGREGATORS, KEYWORDS, Item, Lexer, T, go_line_col, go_quote_rune, unquote

LabelPairs = tuple[tuple[str, str], ...]
"""Label pairs sorted by name; unlike `Labels`, empty values are kept (promtool compares them)."""

SequenceValue = float | None
"""One step of a series: a value, or None where the sample is omitted (`_`)."""

# Tokens of the value sequence that the PromQL lexer has no type for.
_SPACE, _TIMES, _BLANK = "<space>", "x", "_"
_METRIC_IDENTIFIERS = AGGREGATORS | {
    T.IDENTIFIER, T.METRIC_IDENTIFIER, T.BY, T.LAND, T.LOR, T.LUNLESS, T.OFFSET, T.WITHOUT, T.START, T.END,
}  # fmt: skip
_SIMPLE: dict[str, T | str] = {"+": T.ADD, "-": T.SUB, "x": _TIMES, "_": _BLANK}
_WORDS = {t.value: t for t in (*AGGREGATORS, *KEYWORDS, T.LAND, T.LOR, T.LUNLESS, T.ATAN2, T.START, T.END)}


class SeriesParseError(ValueError):
    """`<line>:<col>: parse error: <msg>`, the column in UTF-8 bytes of the (one-line) input."""

    def __init__(self, text: str, pos: int, msg: str) -> None:
        line, col = go_line_col(text, pos)
        super().__init__(f"{line}:{col}: parse error: {msg}")


@dataclass(frozen=True)
class _Tok:
    kind: T | str  # a PromQL item type, or one of _SPACE/_TIMES/_BLANK
    pos: int
    val: str

    def desc(self) -> str:
        if isinstance(self.kind, str):
            return go_quote(self.val)  # Go prints these by their text: `unexpected " "`
        return Item(self.kind, self.pos, self.val).desc()


def parse_metric(text: str) -> LabelPairs:
    """`parser.ParseMetric`: `name{a="b"}`, `{a="b"}` or nothing at all (the empty label set)."""
    lexer = Lexer(text)
    labels, item = _metric(text, lexer, series=False)
    if item.typ is T.ERROR:
        raise SeriesParseError(text, item.pos, item.val)
    if item.typ is not T.EOF:
        raise SeriesParseError(text, item.pos, f"unexpected {item.desc()}")
    return labels


def parse_series_desc(text: str) -> tuple[LabelPairs, list[SequenceValue]]:
    """`parser.ParseSeriesDesc` on one trimmed line of a `load` block."""
    lexer = Lexer(text)
    labels, item = _metric(text, lexer, series=True)
    if item.typ is T.ERROR:
        raise SeriesParseError(text, item.pos, item.val)
    if item.typ is T.EOF:
        return labels, []
    if item.typ is not T.RIGHT_BRACE and item.typ not in _METRIC_IDENTIFIERS:
        # No metric: the first token is where the values should have begun.
        raise SeriesParseError(text, item.pos, f"unexpected {item.desc()} in series values")
    return labels, _Values(text, item.end).parse()


def _metric(text: str, lexer: Lexer, *, series: bool) -> tuple[LabelPairs, Item]:
    """The metric name and label set. Returns the labels and the item that follows them.

    For a series description, the item returned is the one after which the values begin (the
    name or the closing brace); the caller lexes on from its end.
    """
    item = lexer.next_item()
    name: str | None = None
    if item.typ in _METRIC_IDENTIFIERS:
        name = item.val
        if series and not text.startswith("{", item.end):
            return ((("__name__", name),) if name else ()), item
        item = lexer.next_item()
    pairs: list[tuple[str, str]] = []
    if item.typ is T.LEFT_BRACE:
        pairs, item = _label_set(text, lexer)
        if not series:
            item = lexer.next_item()
    elif series and name is not None:
        return (("__name__", name),), item
    if name is not None:
        pairs = [p for p in pairs if p[0] != "__name__"] + [("__name__", name)]
    return tuple(sorted(pairs, key=lambda p: p[0])), item


def _label_set(text: str, lexer: Lexer) -> tuple[list[tuple[str, str]], Item]:
    """After `{`: items up to `}`; returns the pairs and the closing brace."""
    pairs: list[tuple[str, str]] = []
    expect_item = True
    while True:
        item = lexer.next_item()
        if item.typ is T.ERROR:
            raise SeriesParseError(text, item.pos, item.val)
        if item.typ is T.RIGHT_BRACE:
            return pairs, item
        if not expect_item:
            if item.typ is not T.COMMA:
                _unexpected(text, item, "label set", '"," or "}"')
            expect_item = True
            continue
        if item.typ is not T.IDENTIFIER:
            _unexpected(text, item, "label set", 'identifier or "}"')
        eq = lexer.next_item()
        if eq.typ is not T.EQL:
            _check_lex(text, eq)
            _unexpected(text, eq, "label set", '"="')
        value = lexer.next_item()
        if value.typ is not T.STRING:
            _check_lex(text, value)
            _unexpected(text, value, "label set", "string")
        pairs.append((item.val, unquote(value.val)))
        expect_item = False


def _check_lex(text: str, item: Item) -> None:
    if item.typ is T.ERROR:
        raise SeriesParseError(text, item.pos, item.val)


def _unexpected(text: str, item: Item | _Tok, context: str = "", expected: str = "") -> None:
    msg = f"unexpected {item.desc()}"
    if context:
        msg += f" in {context}"
    if expected:
        msg += f", expected {expected}"
    raise SeriesParseError(text, item.pos, msg)


def _is_alpha(ch: str) -> bool:
    return ch == "_" or ("a" <= ch <= "z") or ("A" <= ch <= "Z")


def _is_digit(ch: str) -> bool:
    return "0" <= ch <= "9"


def _is_alnum(ch: str) -> bool:
    return _is_alpha(ch) or _is_digit(ch)


class _Values:
    """The value sequence: the lexer's seriesDesc state and the grammar's series_values."""

    def __init__(self, text: str, pos: int) -> None:
        self.text = text
        self.pos = pos
        self.out: list[SequenceValue] = []
        self.look: _Tok | None = None

    # -- lexing (lexValueSequence) -----------------------------------------------------------
    def _lex(self) -> _Tok:
        text, start = self.text, self.pos
        if start >= len(text):
            return _Tok(T.EOF, len(text), "")
        ch = text[start]
        self.pos += 1
        if ch in " \t\n\r":
            while self.pos < len(text) and text[self.pos] in " \t\n\r":
                self.pos += 1
            return _Tok(_SPACE, start, text[start : start + 1])
        simple = _SIMPLE.get(ch)
        if simple is not None:
            return _Tok(simple, start, ch)
        if _is_digit(ch) or (ch == "." and _is_digit(text[self.pos : self.pos + 1])):
            return self._number(start)
        if _is_alpha(ch):
            while self.pos < len(text) and (_is_alnum(text[self.pos]) or text[self.pos] == ":"):
                self.pos += 1
            word = text[start : self.pos]
            lower = word.lower()
            if lower in ("inf", "nan"):
                return _Tok(T.NUMBER, start, word)
            kind = _WORDS.get(lower) or (T.METRIC_IDENTIFIER if ":" in word else T.IDENTIFIER)
            return _Tok(kind, start, word)
        raise SeriesParseError(text, start, f"unexpected character in series sequence: {go_quote_rune(ch)}")

    def _number(self, start: int) -> _Tok:
        text = self.text
        self.pos = start

        def run(chars: str) -> None:
            while self.pos < len(text) and text[self.pos] in chars:
                self.pos += 1

        def accept(chars: str) -> bool:
            if self.pos < len(text) and text[self.pos] in chars:
                self.pos += 1
                return True
            return False

        run("0123456789")
        if accept("."):
            run("0123456789")
        if accept("eE"):
            accept("+-")
            run("0123456789")
        nxt = text[self.pos : self.pos + 1]
        if nxt and nxt != "x" and _is_alnum(nxt):
            raise SeriesParseError(text, start, f"bad number syntax: {go_quote(text[start : self.pos])}")
        return _Tok(T.NUMBER, start, text[start : self.pos])

    def peek(self) -> _Tok:
        if self.look is None:
            self.look = self._lex()
        return self.look

    def take(self) -> _Tok:
        tok = self.peek()
        self.look = None
        return tok

    # -- parsing (series_values) -------------------------------------------------------------
    def parse(self) -> list[SequenceValue]:
        tok = self.peek()
        if tok.kind not in (_SPACE, T.EOF):
            _unexpected(self.text, tok, "series values")
        while True:
            tok = self.take()
            if tok.kind is T.EOF:
                return self.out
            if tok.kind != _SPACE:
                # An item is complete here, so yacc reduces up to the start rule first.
                _unexpected(self.text, tok)
            self._item()

    def _item(self) -> None:
        tok = self.peek()
        if tok.kind == _BLANK:
            self.take()
            if self.peek().kind == _TIMES:
                self.take()
                self.out.extend([None] * self._uint())
            else:
                self.out.append(None)
            return
        if tok.kind is T.IDENTIFIER:
            self.take()
            if tok.val != "stale":
                _unexpected(self.text, tok, "series values", 'number or "stale"')
            value = STALE_NAN
        elif tok.kind in (T.NUMBER, T.ADD, T.SUB):
            value = self._signed_or_unsigned()
        else:
            return  # `series_values SPACE`: the caller sees the token
        nxt = self.peek()
        if nxt.kind == _TIMES:
            self.take()
            self.out.extend([value] * (self._uint() + 1))
        elif nxt.kind in (T.ADD, T.SUB):
            step = self._signed_or_unsigned()
            if self.peek().kind != _TIMES:
                _unexpected(self.text, self.peek(), "series values")
            self.take()
            for _ in range(self._uint() + 1):
                self.out.append(value)
                value += step
        else:
            self.out.append(value)

    def _expect_number(self) -> _Tok:
        tok = self.take()
        if tok.kind is not T.NUMBER:
            _unexpected(self.text, tok, "series values")
        return tok

    def _signed_or_unsigned(self) -> float:
        tok = self.peek()
        sign = 1.0
        if tok.kind in (T.ADD, T.SUB):
            self.take()
            sign = -1.0 if tok.kind is T.SUB else 1.0
        number = self._expect_number()
        return sign * _go_number(self.text, number)

    def _uint(self) -> int:
        tok = self._expect_number()
        if tok.val.isascii() and tok.val.isdigit():
            n = int(tok.val)
            if n < 1 << 64:
                return n
            reason = "value out of range"
        else:
            reason = "invalid syntax"
        raise SeriesParseError(
            self.text,
            tok.pos,
            f"invalid repetition in series values: strconv.ParseUint: parsing {go_quote(tok.val)}: {reason}",
        )


def _go_number(text: str, tok: _Tok) -> float:
    """The parser's number(): strconv.ParseInt with base 0 (so `010` is octal), else ParseFloat."""
    val = tok.val
    if val.isdigit():
        if len(val) > 1 and val[0] == "0":
            if all(c in "01234567" for c in val) and int(val, 8) < 1 << 63:
                return float(int(val, 8))
        elif int(val) < 1 << 63:
            return float(int(val))
    lower = val.lower()
    if lower in ("inf", "nan"):
        return math.inf if lower == "inf" else math.nan
    try:
        value = float(val)
    except ValueError:
        reason = "invalid syntax"
    else:
        if not math.isinf(value):
            return value
        reason = "value out of range"
    raise SeriesParseError(
        text, tok.pos, f"error parsing number: strconv.ParseFloat: parsing {go_quote(val)}: {reason}"
    )
