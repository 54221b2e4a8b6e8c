"""The PromQL lexer (2.42's lex.go state for state) and the values of its tokens."""

from __future__ import annotations

import math

import pytest

from erpmon.config import format_duration
from erpmon.promql._lexer import Lexer, T, parse_duration_ms, parse_number, unquote


def items(text: str) -> list[tuple[T, str]]:
    lx = Lexer(text)
    out = []
    while True:
        item = lx.next_item()
        out.append((item.typ, item.val))
        if item.typ in (T.EOF, T.ERROR):
            return out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (",", [(T.COMMA, ",")]),
        ("()", [(T.LEFT_PAREN, "("), (T.RIGHT_PAREN, ")")]),
        ("{}", [(T.LEFT_BRACE, "{"), (T.RIGHT_BRACE, "}")]),
        ("[5m]", [(T.LEFT_BRACKET, "["), (T.DURATION, "5m"), (T.RIGHT_BRACKET, "]")]),
        ("[ 5m]", [(T.LEFT_BRACKET, "["), (T.DURATION, "5m"), (T.RIGHT_BRACKET, "]")]),
        ("\r\n\r", []),
        ("1", [(T.NUMBER, "1")]),
        ("4.23", [(T.NUMBER, "4.23")]),
        (".3", [(T.NUMBER, ".3")]),
        ("5.", [(T.NUMBER, "5.")]),
        ("NaN", [(T.NUMBER, "NaN")]),
        ("nAN", [(T.NUMBER, "nAN")]),
        ("NaN 123", [(T.NUMBER, "NaN"), (T.NUMBER, "123")]),
        ("NaN123", [(T.IDENTIFIER, "NaN123")]),
        ("iNf", [(T.NUMBER, "iNf")]),
        ("Inf123", [(T.IDENTIFIER, "Inf123")]),
        ("0x123", [(T.NUMBER, "0x123")]),
        ("1e10", [(T.NUMBER, "1e10")]),
        ("1e-10", [(T.NUMBER, "1e-10")]),
        ("5s", [(T.DURATION, "5s")]),
        ("123m", [(T.DURATION, "123m")]),
        ("1h30m", [(T.DURATION, "1h30m")]),
        ("1d", [(T.DURATION, "1d")]),
        ("5ms", [(T.DURATION, "5ms")]),
        ('"test\\tsequence"', [(T.STRING, '"test\\tsequence"')]),
        ("`test\\nraw`", [(T.STRING, "`test\\nraw`")]),
        ("abc", [(T.IDENTIFIER, "abc")]),
        ("a:bc", [(T.METRIC_IDENTIFIER, "a:bc")]),
        (":bc", [(T.METRIC_IDENTIFIER, ":bc")]),
        ("abc d", [(T.IDENTIFIER, "abc"), (T.IDENTIFIER, "d")]),
        ("# comment", [(T.COMMENT, "# comment")]),
        ("5 # comment", [(T.NUMBER, "5"), (T.COMMENT, "# comment")]),
        ("=", [(T.EQL, "=")]),
        ("==", [(T.EQLC, "==")]),
        ("!=", [(T.NEQ, "!=")]),
        ("<", [(T.LSS, "<")]),
        (">=", [(T.GTE, ">=")]),
        ("+-*/%^", [(T.ADD, "+"), (T.SUB, "-"), (T.MUL, "*"), (T.DIV, "/"), (T.MOD, "%"), (T.POW, "^")]),
        ("@", [(T.AT, "@")]),
        ("and Or UNLESS atan2", [(T.LAND, "and"), (T.LOR, "Or"), (T.LUNLESS, "UNLESS"), (T.ATAN2, "atan2")]),
        ("sum SUM topk", [(T.SUM, "sum"), (T.SUM, "SUM"), (T.TOPK, "topk")]),
        (
            "offset by without on ignoring",
            [
                (T.OFFSET, "offset"),
                (T.BY, "by"),
                (T.WITHOUT, "without"),
                (T.ON, "on"),
                (T.IGNORING, "ignoring"),
            ],
        ),
        (
            "group_left group_right bool",
            [(T.GROUP_LEFT, "group_left"), (T.GROUP_RIGHT, "group_right"), (T.BOOL, "bool")],
        ),
        ("start end", [(T.START, "start"), (T.END, "end")]),
        # Inside braces keywords are identifiers and =~ / !~ exist.
        (
            '{on=~"a",sum!~`b`}',
            [
                (T.LEFT_BRACE, "{"),
                (T.IDENTIFIER, "on"),
                (T.EQL_REGEX, "=~"),
                (T.STRING, '"a"'),
                (T.COMMA, ","),
                (T.IDENTIFIER, "sum"),
                (T.NEQ_REGEX, "!~"),
                (T.STRING, "`b`"),
                (T.RIGHT_BRACE, "}"),
            ],
        ),
        # Inside brackets a letter is the subquery colon.
        (
            "[5m x 1m]",
            [
                (T.LEFT_BRACKET, "["),
                (T.DURATION, "5m"),
                (T.COLON, "x"),
                (T.DURATION, "1m"),
                (T.RIGHT_BRACKET, "]"),
            ],
        ),
    ],
)
def test_items(text: str, expected: list[tuple[T, str]]) -> None:
    assert items(text) == [*expected, (T.EOF, "")]


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("=~", "unexpected character after '=': '~'"),
        ("!~", "unexpected character after '!': '~'"),
        ("!(", "unexpected character after '!': '('"),
        ("1a", 'bad number or duration syntax: "1"'),
        ("0deadbeef", 'bad number or duration syntax: "0de"'),
        ("[5m1]", 'bad duration syntax: "5m1"'),
        ("[5]", "missing unit character in duration"),
        ("[5m", "unclosed left bracket"),
        ("(", "unclosed left parenthesis"),
        (")", "unexpected right parenthesis ')'"),
        ("]", "unexpected right bracket ']'"),
        ("[5m[", "unexpected left bracket '['"),
        ("[[", "missing unit character in duration"),
        ("[5m::", "unexpected colon ':'"),
        ("{", "unexpected end of input inside braces"),
        ("{{", "unexpected left brace '{'"),
        ("{a:", "unexpected character inside braces: ':'"),
        ("{a!b", "unexpected character after '!' inside braces: 'b'"),
        ('"\\c"', "unknown escape sequence U+0063 'c'"),
        ('"\\x4"', "illegal character U+0022 '\"' in escape sequence"),
        ('"\\u', "escape sequence not terminated"),
        ('"\\', "escape sequence not terminated"),
        ('"\\400"', "escape sequence is an invalid Unicode code point"),
        ('"\\udfff"', "escape sequence is an invalid Unicode code point"),
        ('"\\U00110000"', "escape sequence is an invalid Unicode code point"),
        ('"a\nb"', "unterminated quoted string"),
        ("'a", "unterminated quoted string"),
        ("`a", "unterminated raw string"),
        ('"\ufffd"', "invalid UTF-8 rune"),
        ('"\udcff"', "invalid UTF-8 rune"),  # an undecodable byte
        ("$", "unexpected character: '$'"),
        ("\u00a0", "unexpected character: '\\u00a0'"),
    ],
)
def test_errors(text: str, error: str) -> None:
    assert items(text)[-1] == (T.ERROR, error)


def test_positions_and_ends() -> None:
    lx = Lexer('  foo{a="é"} [5m]')
    got = []
    while (item := lx.next_item()).typ is not T.EOF:
        got.append((item.typ, item.pos, item.end))
    assert got == [
        (T.IDENTIFIER, 2, 5),
        (T.LEFT_BRACE, 5, 6),
        (T.IDENTIFIER, 6, 7),
        (T.EQL, 7, 8),
        (T.STRING, 8, 11),
        (T.RIGHT_BRACE, 11, 12),
        (T.LEFT_BRACKET, 13, 14),
        (T.DURATION, 14, 16),
        (T.RIGHT_BRACKET, 16, 17),
    ]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1", 1.0),
        ("017", 15.0),  # a leading 0 is octal, as strconv.ParseInt(s, 0, 64) reads it
        ("08", 8.0),  # ... unless it is not octal: then ParseFloat
        ("0x1F", 31.0),
        ("1.5e3", 1500.0),
        (".5", 0.5),
        ("5.", 5.0),
        ("9223372036854775807", 9223372036854775807.0),
        ("9223372036854775808", 9223372036854775808.0),
        ("1e-400", 0.0),
        ("Inf", math.inf),
    ],
)
def test_parse_number(text: str, value: float) -> None:
    assert parse_number(text) == value


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("0x", 'strconv.ParseFloat: parsing "0x": invalid syntax'),
        ("0x1.8", 'strconv.ParseFloat: parsing "0x1.8": invalid syntax'),
        ("0xFFFFFFFFFFFFFFFFFF", 'strconv.ParseFloat: parsing "0xFFFFFFFFFFFFFFFFFF": invalid syntax'),
        ("1e", 'strconv.ParseFloat: parsing "1e": invalid syntax'),
        ("1e1000", 'strconv.ParseFloat: parsing "1e1000": value out of range'),
    ],
)
def test_parse_number_errors(text: str, error: str) -> None:
    with pytest.raises(ValueError, match="^" + error.replace(".", r"\.") + "$"):
        parse_number(text)


@pytest.mark.parametrize(
    ("text", "ms"),
    [
        ("1ms", 1),
        ("5s", 5000),
        ("5m", 300_000),
        ("1h30m", 5_400_000),
        ("1d", 86_400_000),
        ("1w", 604_800_000),
        ("1y", 31_536_000_000),
        (
            "1y2w3d4h5m6s7ms",
            31_536_000_000 + 2 * 604_800_000 + 3 * 86_400_000 + 4 * 3_600_000 + 5 * 60_000 + 6007,
        ),
        ("292y", 292 * 31_536_000_000),
    ],
)
def test_parse_duration(text: str, ms: int) -> None:
    assert parse_duration_ms(text) == ms


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("0s", "duration must be greater than 0"),
        ("0m0s", "duration must be greater than 0"),
        ("5m1h", 'not a valid duration string: "5m1h"'),
        ("5y1hs", 'not a valid duration string: "5y1hs"'),
        ("1.5m", 'not a valid duration string: "1.5m"'),
        ("300y", "duration out of range"),
        ("99999999999999999999999s", "duration out of range"),
    ],
)
def test_parse_duration_errors(text: str, error: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_duration_ms(text)
    assert str(info.value) == error


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ('"a"', "a"),
        ("'it\\'s'", "it's"),
        ('"say \\"hi\\""', 'say "hi"'),
        ("`raw \\n`", "raw \\n"),
        ('"\\a\\b\\f\\n\\r\\t\\v\\\\"', "\a\b\f\n\r\t\v\\"),
        ('"\\x41\\101\\u00e9\\U0001F600"', "AAé\U0001f600"),
        ('"\\xc3\\xa9"', "é"),  # byte escapes combine into UTF-8
        ('"\\xff"', "\udcff"),  # a byte that is not UTF-8 survives as a surrogate escape
        ('"é☺"', "é☺"),
    ],
)
def test_unquote(text: str, value: str) -> None:
    assert unquote(text) == value


@pytest.mark.parametrize(
    ("ms", "text"),
    [
        (0, "0s"),
        (1, "1ms"),
        (90_000, "1m30s"),
        (86_400_000, "1d"),
        (604_800_000, "1w"),
        (8 * 86_400_000, "8d"),  # weeks only when exact
        (31_536_000_000, "1y"),
        (31_536_000_000 + 1000, "365d1s"),
    ],
)
def test_format_duration(ms: int, text: str) -> None:
    assert format_duration(ms) == text
