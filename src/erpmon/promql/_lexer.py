"""PromQL's lexer, state for state as Prometheus 2.42's promql/parser/lex.go.

The lexer's quirks are the language's quirks (inside `[...]` any letter lexes as the subquery colon,
`0deadbeef` is a bad duration, a number must not run into a letter), so it is a state machine with the
same states rather than a table of regexes. Positions are character offsets into the query.
"""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from erpmon.model import go_quote


class PromQLSyntaxError(ValueError):
    """A query that does not parse or type-check; worded and positioned like Prometheus 2.42.

    `pos` is the 0-based character offset of the error; `msg` is the bare message; str() is
    Prometheus's `<line>:<col>: parse error: <msg>` (the column counts UTF-8 bytes, as Go does).
    """

    def __init__(self, query: str, pos: int, msg: str) -> None:
        self.query = query
        self.pos = pos
        self.msg = msg
        self.line, self.col = go_line_col(query, pos)
        super().__init__(f"{self.line}:{self.col}: parse error: {msg}")


def _utf8_len(ch: str) -> int:
    code = ord(ch)
    if code < 0x80 or 0xDC80 <= code <= 0xDCFF:  # ASCII, or one undecodable byte (surrogateescape)
        return 1
    if code < 0x800:
        return 2
    return 3 if code < 0x10000 else 4


def go_line_col(query: str, pos: int) -> tuple[int, int]:
    """ParseErr.Error's line and column: the column is a byte offset from the last newline."""
    pos = max(0, min(pos, len(query)))
    head = query[:pos]
    line = head.count("\n") + 1
    last_break = head.rfind("\n")
    return line, sum(_utf8_len(c) for c in head[last_break + 1 :]) + 1


class T(enum.Enum):
    """Item types (lex.go's ItemType); the value is the text used in messages where Go has one."""

    EOF = "EOF"
    ERROR = "ERROR"
    COMMENT = "COMMENT"
    IDENTIFIER = "IDENTIFIER"
    METRIC_IDENTIFIER = "METRIC_IDENTIFIER"
    NUMBER = "NUMBER"
    DURATION = "DURATION"
    STRING = "STRING"
    LEFT_PAREN = "("
    RIGHT_PAREN = ")"
    LEFT_BRACE = "{"
    RIGHT_BRACE = "}"
    LEFT_BRACKET = "["
    RIGHT_BRACKET = "]"
    COMMA = ","
    EQL = "="
    COLON = ":"
    # Operators.
    ADD = "+"
    SUB = "-"
    MUL = "*"
    DIV = "/"
    MOD = "%"
    POW = "^"
    EQLC = "=="
    NEQ = "!="
    LTE = "<="
    LSS = "<"
    GTE = ">="
    GTR = ">"
    EQL_REGEX = "=~"
    NEQ_REGEX = "!~"
    AT = "@"
    LAND = "and"
    LOR = "or"
    LUNLESS = "unless"
    ATAN2 = "atan2"
    # Aggregators.
    AVG = "avg"
    BOTTOMK = "bottomk"
    COUNT = "count"
    COUNT_VALUES = "count_values"
    GROUP = "group"
    MAX = "max"
    MIN = "min"
    QUANTILE = "quantile"
    STDDEV = "stddev"
    STDVAR = "stdvar"
    SUM = "sum"
    TOPK = "topk"
    # Keywords.
    BOOL = "bool"
    BY = "by"
    GROUP_LEFT = "group_left"
    GROUP_RIGHT = "group_right"
    IGNORING = "ignoring"
    OFFSET = "offset"
    ON = "on"
    WITHOUT = "without"
    # Preprocessors (@ start() / @ end()).
    START = "start"
    END = "end"


OPERATORS = frozenset(
    {
        T.ADD, T.SUB, T.MUL, T.DIV, T.MOD, T.POW, T.EQLC, T.NEQ, T.LTE, T.LSS, T.GTE, T.GTR,
        T.EQL_REGEX, T.NEQ_REGEX, T.AT, T.LAND, T.LOR, T.LUNLESS, T.ATAN2,
    }
)  # fmt: skip
AGGREGATORS = frozenset(
    {
        T.AVG, T.BOTTOMK, T.COUNT, T.COUNT_VALUES, T.GROUP, T.MAX, T.MIN, T.QUANTILE, T.STDDEV,
        T.STDVAR, T.SUM, T.TOPK,
    }
)  # fmt: skip
KEYWORDS = frozenset({T.BOOL, T.BY, T.GROUP_LEFT, T.GROUP_RIGHT, T.IGNORING, T.OFFSET, T.ON, T.WITHOUT})
_WORDS: dict[str, T] = {t.value: t for t in (*OPERATORS, *AGGREGATORS, *KEYWORDS, T.START, T.END)}
# Types without a fixed spelling in Go's ItemTypeStr are described by kind ("number \"1\"").
_KINDS = {
    T.IDENTIFIER: "identifier",
    T.METRIC_IDENTIFIER: "metric identifier",
    T.NUMBER: "number",
    T.DURATION: "duration",
    T.STRING: "string",
    T.COMMENT: "comment",
}
_AT_TYPE_NAME = '"<Item 57385>"'  # Go has no ItemTypeStr for AT and prints its numeric type


@dataclass(frozen=True)
class Item:
    typ: T
    pos: int
    val: str

    @property
    def end(self) -> int:
        return self.pos + len(self.val)

    def __str__(self) -> str:
        """Item.String()."""
        if self.typ is T.EOF:
            return "EOF"
        if self.typ is T.ERROR:
            return self.val
        if self.typ in (T.IDENTIFIER, T.METRIC_IDENTIFIER):
            return go_quote_str(self.val)
        if self.typ in KEYWORDS:
            return f"<{self.val}>"
        if self.typ in OPERATORS:
            return f"<op:{self.val}>"
        if self.typ in AGGREGATORS:
            return f"<aggr:{self.val}>"
        if len(self.val) > 10:
            return go_quote_str(self.val[:10]) + "..."
        return go_quote_str(self.val)

    def desc(self) -> str:
        """Item.desc(): how "unexpected ..." names the item."""
        if self.typ is T.EOF:
            return "end of input"
        if self.typ is T.AT:
            return f"{_AT_TYPE_NAME} {self}"
        kind = _KINDS.get(self.typ)
        return str(self) if kind is None else f"{kind} {self}"


def go_quote_str(s: str) -> str:
    """strconv.Quote (what `%q` prints for a string)."""
    return go_quote(s)


def go_quote_rune(ch: str) -> str:
    """strconv.QuoteRune (what `%q` prints for a rune)."""
    if ch == "'":
        return "'\\''"
    if ch == '"':
        return "'\"'"
    inner = go_quote_str(ch)[1:-1]
    return f"'{inner}'"


def go_rune_u(ch: str) -> str:
    """`%#U`: U+0063 'c' (the character only when printable)."""
    text = f"U+{ord(ch):04X}"
    return f"{text} '{ch}'" if ch.isprintable() else text


_EOF = ""  # next()/peek() at the end of the input
_RUNE_ERROR = "\ufffd"


def _is_space(r: str) -> bool:
    return r in (" ", "\t", "\n", "\r")


def _is_digit(r: str) -> bool:
    return r != "" and "0" <= r <= "9"


def _is_alpha(r: str) -> bool:
    return r == "_" or ("a" <= r <= "z") or ("A" <= r <= "Z")


def _is_alnum(r: str) -> bool:
    return _is_alpha(r) or _is_digit(r)


def is_label(s: str) -> bool:
    return s != "" and _is_alpha(s[0]) and all(_is_alnum(c) for c in s[1:])


_State = Callable[["Lexer"], "_StateResult"]
_StateResult = _State | None


class Lexer:
    """lex.go's Lexer: `next_item()` returns one item per call; after EOF or ERROR, EOF forever."""

    def __init__(self, text: str) -> None:
        self.input = text
        self.pos = 0
        self.start = 0
        self.width = 0
        self.state: _StateResult = _lex_statements
        self.item: Item | None = None
        self.paren_depth = 0
        self.brace_open = False
        self.bracket_open = False
        self.got_colon = False
        self.string_open = ""

    def next_item(self) -> Item:
        self.item = None
        if self.state is None:
            self.emit(T.EOF)
        while self.item is None:
            assert self.state is not None  # a state that returns None has emitted EOF or an error
            self.state = self.state(self)
        if self.item.typ is T.ERROR:
            self.state = None
        return self.item

    # Rune-level helpers; a character Python could not decode (a lone surrogate) is Go's RuneError.
    def next(self) -> str:
        if self.pos >= len(self.input):
            self.width = 0
            return _EOF
        r = self.input[self.pos]
        self.width = 1
        self.pos += 1
        return _RUNE_ERROR if "\ud800" <= r <= "\udfff" else r

    def peek(self) -> str:
        r = self.next()
        self.backup()
        return r

    def backup(self) -> None:
        self.pos -= self.width

    def emit(self, typ: T) -> None:
        self.item = Item(typ, self.start, self.input[self.start : self.pos])
        self.start = self.pos

    def ignore(self) -> None:
        self.start = self.pos

    def accept(self, valid: str) -> bool:
        r = self.next()
        if r != _EOF and r in valid:
            return True
        self.backup()
        return False

    def accept_run(self, valid: str) -> None:
        while self.accept(valid):
            pass

    def errorf(self, msg: str) -> None:
        self.item = Item(T.ERROR, self.start, msg)

    def scan_number(self) -> bool:
        digits = "0123456789"
        if self.accept("0") and self.accept("xX"):
            digits = "0123456789abcdefABCDEF"
        self.accept_run(digits)
        if self.accept("."):
            self.accept_run(digits)
        if self.accept("eE"):
            self.accept("+-")
            self.accept_run("0123456789")
        return not _is_alnum(self.peek())

    def accept_remaining_duration(self) -> bool:
        if not self.accept("smhdwy"):
            return False
        self.accept("s")  # ms; bad units such as "hs" are caught when the duration is parsed
        while self.accept("0123456789"):
            self.accept_run("0123456789")
            if not self.accept("smhdw"):
                return False
            self.accept("s")
        return not _is_alnum(self.next())


def _lex_statements(lx: Lexer) -> _StateResult:
    if lx.brace_open:
        return _lex_inside_braces
    if lx.input.startswith("#", lx.pos):
        return _lex_line_comment
    r = lx.next()
    simple = _SIMPLE_OPS.get(r)
    if r == _EOF:
        if lx.paren_depth != 0:
            lx.errorf("unclosed left parenthesis")
            return None
        if lx.bracket_open:
            lx.errorf("unclosed left bracket")
            return None
        lx.emit(T.EOF)
        return None
    if simple is not None:
        lx.emit(simple)
    elif _is_space(r):
        return _lex_space
    elif r == "=":
        t = lx.peek()
        if t == "=":
            lx.next()
            lx.emit(T.EQLC)
        elif t == "~":
            lx.errorf(f"unexpected character after '=': {go_quote_rune(t)}")
            return None
        else:
            lx.emit(T.EQL)
    elif r == "!":
        t = lx.next()
        if t == "=":
            lx.emit(T.NEQ)
        else:
            lx.errorf(f"unexpected character after '!': {go_quote_rune(t or _RUNE_ERROR)}")
            return None
    elif r in "<>":
        if lx.peek() == "=":
            lx.next()
            lx.emit(T.LTE if r == "<" else T.GTE)
        else:
            lx.emit(T.LSS if r == "<" else T.GTR)
    elif _is_digit(r) or (r == "." and _is_digit(lx.peek())):
        lx.backup()
        return _lex_number_or_duration
    elif r in ('"', "'"):
        lx.string_open = r
        return _lex_string
    elif r == "`":
        lx.string_open = r
        return _lex_raw_string
    elif _is_alpha(r) or r == ":":
        if not lx.bracket_open:
            lx.backup()
            return _lex_keyword_or_identifier
        if lx.got_colon:
            lx.errorf(f"unexpected colon {go_quote_rune(r)}")
            return None
        lx.emit(T.COLON)
        lx.got_colon = True
    elif r == "(":
        lx.emit(T.LEFT_PAREN)
        lx.paren_depth += 1
    elif r == ")":
        lx.emit(T.RIGHT_PAREN)
        lx.paren_depth -= 1
        if lx.paren_depth < 0:
            lx.errorf(f"unexpected right parenthesis {go_quote_rune(r)}")
            return None
    elif r == "{":
        lx.emit(T.LEFT_BRACE)
        lx.brace_open = True
        return _lex_inside_braces
    elif r == "[":
        if lx.bracket_open:
            lx.errorf(f"unexpected left bracket {go_quote_rune(r)}")
            return None
        lx.got_colon = False
        lx.emit(T.LEFT_BRACKET)
        while _is_space(lx.peek()):
            lx.next()
        lx.ignore()
        lx.bracket_open = True
        return _lex_duration
    elif r == "]":
        if not lx.bracket_open:
            lx.errorf(f"unexpected right bracket {go_quote_rune(r)}")
            return None
        lx.emit(T.RIGHT_BRACKET)
        lx.bracket_open = False
    elif r == "@":
        lx.emit(T.AT)
    else:
        lx.errorf(f"unexpected character: {go_quote_rune(r)}")
        return None
    return _lex_statements


_SIMPLE_OPS = {",": T.COMMA, "*": T.MUL, "/": T.DIV, "%": T.MOD, "+": T.ADD, "-": T.SUB, "^": T.POW}


def _lex_inside_braces(lx: Lexer) -> _StateResult:
    if lx.input.startswith("#", lx.pos):
        return _lex_line_comment
    r = lx.next()
    if r == _EOF:
        lx.errorf("unexpected end of input inside braces")
        return None
    if _is_space(r):
        return _lex_space
    if _is_alpha(r):
        lx.backup()
        return _lex_identifier
    if r == ",":
        lx.emit(T.COMMA)
    elif r in ('"', "'"):
        lx.string_open = r
        return _lex_string
    elif r == "`":
        lx.string_open = r
        return _lex_raw_string
    elif r == "=":
        if lx.next() == "~":
            lx.emit(T.EQL_REGEX)
        else:
            lx.backup()
            lx.emit(T.EQL)
    elif r == "!":
        nr = lx.next()
        if nr == "~":
            lx.emit(T.NEQ_REGEX)
        elif nr == "=":
            lx.emit(T.NEQ)
        else:
            lx.errorf(f"unexpected character after '!' inside braces: {go_quote_rune(nr or _RUNE_ERROR)}")
            return None
    elif r == "{":
        lx.errorf(f"unexpected left brace {go_quote_rune(r)}")
        return None
    elif r == "}":
        lx.emit(T.RIGHT_BRACE)
        lx.brace_open = False
        return _lex_statements
    else:
        lx.errorf(f"unexpected character inside braces: {go_quote_rune(r)}")
        return None
    return _lex_inside_braces


def _hex_val(ch: str) -> int:
    if ch != "" and ch in "0123456789abcdefABCDEF":
        return int(ch, 16)
    return 16


def _lex_escape(lx: Lexer) -> _StateResult:
    """One escape sequence; the backslash has been read. Errors end the scan (the parser stops there)."""
    ch = lx.next()
    if ch in ("a", "b", "f", "n", "r", "t", "v", "\\") or ch == lx.string_open:
        return _lex_string
    if ch == _EOF:
        lx.errorf("escape sequence not terminated")
        return None
    if ch in "01234567":
        n, base, limit = 3, 8, 255
    elif ch in "xuU":
        n, base, limit = {"x": (2, 16, 255), "u": (4, 16, 0x10FFFF), "U": (8, 16, 0x10FFFF)}[ch]
        ch = lx.next()
    else:
        lx.errorf(f"unknown escape sequence {go_rune_u(ch)}")
        return None
    x = 0
    while n > 0:
        d = _hex_val(ch)
        if d >= base:
            if ch == _EOF:
                lx.errorf("escape sequence not terminated")
            else:
                lx.errorf(f"illegal character {go_rune_u(ch)} in escape sequence")
            return None
        x = x * base + d
        n -= 1
        if n > 0:
            ch = lx.next()
    if x > limit or 0xD800 <= x < 0xE000:
        lx.errorf("escape sequence is an invalid Unicode code point")
        return None
    return _lex_string


def _lex_string(lx: Lexer) -> _StateResult:
    while True:
        r = lx.next()
        if r == "\\":
            return _lex_escape
        if r == _RUNE_ERROR:
            lx.errorf("invalid UTF-8 rune")
            return None
        if r in (_EOF, "\n"):
            lx.errorf("unterminated quoted string")
            return None
        if r == lx.string_open:
            break
    lx.emit(T.STRING)
    return _lex_statements


def _lex_raw_string(lx: Lexer) -> _StateResult:
    while True:
        r = lx.next()
        if r == _RUNE_ERROR:
            lx.errorf("invalid UTF-8 rune")
            return None
        if r == _EOF:
            lx.errorf("unterminated raw string")
            return None
        if r == lx.string_open:
            break
    lx.emit(T.STRING)
    return _lex_statements


def _lex_space(lx: Lexer) -> _StateResult:
    while _is_space(lx.peek()):
        lx.next()
    lx.ignore()
    return _lex_statements


def _lex_line_comment(lx: Lexer) -> _StateResult:
    lx.pos += 1
    r = lx.next()
    while r not in ("\r", "\n", _EOF):
        r = lx.next()
    lx.backup()
    lx.emit(T.COMMENT)
    return _lex_statements


def _lex_duration(lx: Lexer) -> _StateResult:
    if lx.scan_number():
        lx.errorf("missing unit character in duration")
        return None
    if not lx.accept_remaining_duration():
        lx.errorf(f"bad duration syntax: {go_quote_str(lx.input[lx.start : lx.pos])}")
        return None
    lx.backup()
    lx.emit(T.DURATION)
    return _lex_statements


def _lex_number_or_duration(lx: Lexer) -> _StateResult:
    if lx.scan_number():
        lx.emit(T.NUMBER)
        return _lex_statements
    if lx.accept_remaining_duration():
        lx.backup()
        lx.emit(T.DURATION)
        return _lex_statements
    lx.errorf(f"bad number or duration syntax: {go_quote_str(lx.input[lx.start : lx.pos])}")
    return None


def _lex_identifier(lx: Lexer) -> _StateResult:
    while _is_alnum(lx.next()):
        pass
    lx.backup()
    lx.emit(T.IDENTIFIER)
    return _lex_statements


def _lex_keyword_or_identifier(lx: Lexer) -> _StateResult:
    while True:
        r = lx.next()
        if not (_is_alnum(r) or r == ":"):
            break
    lx.backup()
    word = lx.input[lx.start : lx.pos]
    lower = word.lower()
    kw = _WORDS.get(lower)
    if kw is not None:
        lx.emit(kw)
    elif lower in ("inf", "nan"):
        lx.emit(T.NUMBER)
    elif ":" not in word:
        lx.emit(T.IDENTIFIER)
    else:
        lx.emit(T.METRIC_IDENTIFIER)
    return _lex_statements


# Token values: numbers (strconv.ParseInt base 0, then ParseFloat), durations
# (prometheus/common model.ParseDuration), strings (util/strutil.Unquote).

_INT64_MAX = (1 << 63) - 1
_DECIMAL_FLOAT = re.compile(r"(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def _parse_int_base0(s: str) -> int | None:
    if s[:2] in ("0x", "0X"):
        digits, base = s[2:], 16
    elif len(s) > 1 and s[0] == "0":
        digits, base = s[1:], 8
    else:
        digits, base = s, 10
    valid = "0123456789abcdefABCDEF"[: base if base <= 10 else 22]
    if not digits or any(c not in valid for c in digits):
        return None
    value = int(digits, base)
    return value if value <= _INT64_MAX else None


def parse_number(s: str) -> float:
    """The value of a NUMBER item; ValueError carries Go's message ("strconv.ParseFloat: ...")."""
    as_int = _parse_int_base0(s)
    if as_int is not None:
        return float(as_int)
    if s.lower() in ("inf", "nan"):
        return float(s)
    if _DECIMAL_FLOAT.fullmatch(s) is None:
        raise ValueError(f"strconv.ParseFloat: parsing {go_quote(s)}: invalid syntax")
    value = float(s)
    if math.isinf(value):
        raise ValueError(f"strconv.ParseFloat: parsing {go_quote(s)}: value out of range")
    return value


_DURATION = re.compile(
    r"(?:([0-9]+)y)?(?:([0-9]+)w)?(?:([0-9]+)d)?(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?(?:([0-9]+)ms)?"
)
_DURATION_UNITS_MS = (365 * 86_400_000, 7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000, 1)


def parse_duration_ms(s: str) -> int:
    """A DURATION item in milliseconds; ValueError with Prometheus's message (zero is an error too)."""
    if s == "0":
        raise ValueError("duration must be greater than 0")
    m = _DURATION.fullmatch(s)
    if m is None:
        raise ValueError(f"not a valid duration string: {go_quote(s)}")
    total_ns = 0
    overflow = False
    for digits, mult in zip(m.groups(), _DURATION_UNITS_MS, strict=True):
        if digits is None:
            continue
        n = min(int(digits), _INT64_MAX)  # strconv.Atoi saturates
        if n > _INT64_MAX // mult // 1_000_000:
            overflow = True
        total_ns += n * mult * 1_000_000
        if total_ns > _INT64_MAX:
            overflow = True
    if overflow:
        raise ValueError("duration out of range")
    if total_ns == 0:
        raise ValueError("duration must be greater than 0")
    return total_ns // 1_000_000


_ESCAPES = {"a": 7, "b": 8, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11, "\\": 92, "'": 39, '"': 34}


def unquote(s: str) -> str:
    """A STRING item's value. The lexer has already rejected bad escapes.

    `\\x` and octal escapes are bytes, as in Go; bytes that are not UTF-8 survive as surrogates
    (Python's surrogateescape), which is how the rest of erpmon carries them.
    """
    body = s[1:-1]
    if s[0] == "`" or "\\" not in body:
        return body
    out = bytearray()
    i = 0
    while i < len(body):
        ch = body[i]
        if ch != "\\":
            out += ch.encode("utf-8", "surrogateescape")
            i += 1
            continue
        c = body[i + 1]
        if c in _ESCAPES:
            out.append(_ESCAPES[c])
            i += 2
        elif c == "x":
            out.append(int(body[i + 2 : i + 4], 16))
            i += 4
        elif c in "uU":
            width = 4 if c == "u" else 8
            out += chr(int(body[i + 2 : i + 2 + width], 16)).encode("utf-8")
            i += 2 + width
        else:  # three octal digits
            out.append(int(body[i + 1 : i + 4], 8))
            i += 4
    return out.decode("utf-8", "surrogateescape")
