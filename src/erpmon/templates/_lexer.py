"""The lexer of Go's text/template (Go 1.19 `text/template/parse/lex.go`), ported state for state.

Owns: `Item`, `ItemType`, `lex()` (all items of a text up to the first error, which is an item too).
Positions are indices into the Python string; `_nodes.error_context` turns them into Go's byte columns.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

from erpmon.model import go_quote
from erpmon.templates._items import KEYWORDS, LEFT_DELIM, RIGHT_DELIM, SPACE_CHARS, Item, ItemType


def is_space(ch: str) -> bool:
    return ch in SPACE_CHARS and ch != ""


def is_alnum(ch: str) -> bool:
    if ch == "":
        return False
    return ch == "_" or ch.isalpha() or unicodedata.category(ch) == "Nd"


def _has_left_trim(s: str, at: int) -> bool:
    return len(s) >= at + 2 and s[at] == "-" and is_space(s[at + 1])


def _has_right_trim(s: str, at: int) -> bool:
    return len(s) >= at + 2 and is_space(s[at]) and s[at + 1] == "-"


def _unicode_name(ch: str) -> str:
    """Go's %#U: U+0041 'A'."""
    return f"U+{ord(ch):04X} '{ch}'" if ch.isprintable() else f"U+{ord(ch):04X}"


State = Callable[[], "State"] | None


class _Lexer:
    def __init__(self, text: str, break_ok: bool, continue_ok: bool) -> None:
        self.input = text
        self.pos = 0
        self.start = 0
        self.line = 1
        self.start_line = 1
        self.paren_depth = 0
        self.items: list[Item] = []
        self.break_ok = break_ok
        self.continue_ok = continue_ok

    # -- primitives ---------------------------------------------------------------------------
    def next(self) -> str:
        if self.pos >= len(self.input):
            self.pos = len(self.input) + 1  # mark EOF so backup() undoes it
            return ""
        ch = self.input[self.pos]
        self.pos += 1
        if ch == "\n":
            self.line += 1
        return ch

    def backup(self) -> None:
        if self.pos > len(self.input):
            self.pos = len(self.input)
            return
        if self.pos > 0:
            self.pos -= 1
            if self.input[self.pos] == "\n":
                self.line -= 1

    def peek(self) -> str:
        return self.input[self.pos] if self.pos < len(self.input) else ""

    def emit(self, typ: ItemType) -> None:
        self.items.append(Item(typ, self.start, self.input[self.start : self.pos], self.start_line))
        self.start = self.pos
        self.start_line = self.line

    def ignore(self) -> None:
        self.line += self.input.count("\n", self.start, self.pos)
        self.start = self.pos
        self.start_line = self.line

    def accept(self, valid: str) -> bool:
        ch = self.next()
        if ch != "" and ch in valid:
            return True
        self.backup()
        return False

    def accept_run(self, valid: str) -> None:
        while True:
            ch = self.next()
            if ch == "" or ch not in valid:
                break
        self.backup()

    def error(self, msg: str) -> State:
        self.items.append(Item(ItemType.ERROR, self.start, msg, self.start_line))
        return None

    def at_right_delim(self) -> tuple[bool, bool]:
        s = self.input
        if _has_right_trim(s, self.pos) and s.startswith(RIGHT_DELIM, self.pos + 2):
            return True, True
        return s.startswith(RIGHT_DELIM, self.pos), False

    def at_terminator(self) -> bool:
        ch = self.peek()
        if ch == "" or is_space(ch) or ch in ".,|:)(":
            return True
        return self.input.startswith(RIGHT_DELIM, self.pos)

    # -- states -------------------------------------------------------------------------------
    def run(self) -> list[Item]:
        state: State = self.lex_text
        while state is not None:
            state = state()
        return self.items

    def lex_text(self) -> State:
        s = self.input
        x = s.find(LEFT_DELIM, self.pos)
        if x >= 0:
            trim = 0
            if _has_left_trim(s, x + 2):
                seg = s[self.start : x]
                trim = len(seg) - len(seg.rstrip(SPACE_CHARS))
            self.pos = x - trim
            if self.pos > self.start:
                self.line += s.count("\n", self.start, self.pos)
                self.emit(ItemType.TEXT)
            self.pos += trim
            self.ignore()
            return self.lex_left_delim()
        self.pos = len(s)
        if self.pos > self.start:
            self.line += s.count("\n", self.start, self.pos)
            self.emit(ItemType.TEXT)
        self.emit(ItemType.EOF)
        return None

    def lex_left_delim(self) -> State:
        self.pos += len(LEFT_DELIM)
        trim = _has_left_trim(self.input, self.pos)
        after = 2 if trim else 0
        if self.input.startswith("/*", self.pos + after):
            self.pos += after
            self.ignore()
            return self.lex_comment
        self.emit(ItemType.LEFT_DELIM)
        self.pos += after
        self.ignore()
        self.paren_depth = 0
        return self.lex_inside_action

    def lex_comment(self) -> State:
        self.pos += 2
        i = self.input.find("*/", self.pos)
        if i < 0:
            return self.error("unclosed comment")
        self.pos = i + 2
        delim, trim = self.at_right_delim()
        if not delim:
            return self.error("comment ends before closing delimiter")
        if trim:
            self.pos += 2
        self.pos += len(RIGHT_DELIM)
        if trim:
            rest = self.input[self.pos :]
            self.pos += len(rest) - len(rest.lstrip(SPACE_CHARS))
        self.ignore()
        return self.lex_text

    def lex_right_delim(self) -> State:
        trim = _has_right_trim(self.input, self.pos)
        if trim:
            self.pos += 2
            self.ignore()
        self.pos += len(RIGHT_DELIM)
        self.emit(ItemType.RIGHT_DELIM)
        if trim:
            rest = self.input[self.pos :]
            self.pos += len(rest) - len(rest.lstrip(SPACE_CHARS))
            self.ignore()
        return self.lex_text

    def lex_inside_action(self) -> State:
        delim, _ = self.at_right_delim()
        if delim:
            if self.paren_depth == 0:
                return self.lex_right_delim
            return self.error("unclosed left paren")
        ch = self.next()
        if ch == "":
            return self.error("unclosed action")
        if is_space(ch):
            self.backup()
            return self.lex_space
        if ch == "=":
            self.emit(ItemType.ASSIGN)
        elif ch == ":":
            if self.next() != "=":
                return self.error("expected :=")
            self.emit(ItemType.DECLARE)
        elif ch == "|":
            self.emit(ItemType.PIPE)
        elif ch == '"':
            return self.lex_quote
        elif ch == "`":
            return self.lex_raw_quote
        elif ch == "$":
            return self.lex_variable
        elif ch == "'":
            return self.lex_char
        elif ch == "." and not ("0" <= self.peek() <= "9" and self.peek() != ""):
            return self.lex_field
        elif ch in "+-." or "0" <= ch <= "9":
            self.backup()
            return self.lex_number
        elif is_alnum(ch):
            self.backup()
            return self.lex_identifier
        elif ch == "(":
            self.emit(ItemType.LEFT_PAREN)
            self.paren_depth += 1
        elif ch == ")":
            self.emit(ItemType.RIGHT_PAREN)
            self.paren_depth -= 1
            if self.paren_depth < 0:
                return self.error(f"unexpected right paren {_unicode_name(ch)}")
        elif ord(ch) < 0x80 and ch.isprintable():
            self.emit(ItemType.CHAR)
        else:
            return self.error(f"unrecognized character in action: {_unicode_name(ch)}")
        return self.lex_inside_action

    def lex_space(self) -> State:
        num = 0
        while is_space(self.peek()):
            self.next()
            num += 1
        s = self.input
        if _has_right_trim(s, self.pos - 1) and s.startswith(RIGHT_DELIM, self.pos + 1):
            self.backup()
            if num == 1:
                return self.lex_right_delim
        self.emit(ItemType.SPACE)
        return self.lex_inside_action

    def lex_identifier(self) -> State:
        while is_alnum(self.next()):
            pass
        self.backup()
        word = self.input[self.start : self.pos]
        if not self.at_terminator():
            return self.error(f"bad character {_unicode_name(self.peek())}")
        kw = KEYWORDS.get(word)
        if kw is not None and kw > ItemType.KEYWORD:
            if (kw == ItemType.BREAK and not self.break_ok) or (
                kw == ItemType.CONTINUE and not self.continue_ok
            ):
                self.emit(ItemType.IDENTIFIER)
            else:
                self.emit(kw)
        elif word in ("true", "false"):
            self.emit(ItemType.BOOL)
        else:
            self.emit(ItemType.IDENTIFIER)
        return self.lex_inside_action

    def lex_field(self) -> State:
        return self.lex_field_or_variable(ItemType.FIELD)

    def lex_variable(self) -> State:
        return self.lex_field_or_variable(ItemType.VARIABLE)

    def lex_field_or_variable(self, typ: ItemType) -> State:
        if self.at_terminator():
            self.emit(ItemType.VARIABLE if typ == ItemType.VARIABLE else ItemType.DOT)
            return self.lex_inside_action
        while True:
            ch = self.next()
            if not is_alnum(ch):
                self.backup()
                break
        if not self.at_terminator():
            return self.error(f"bad character {_unicode_name(self.peek())}")
        self.emit(typ)
        return self.lex_inside_action

    def _lex_quoted(self, close: str, what: str, item: ItemType) -> State:
        while True:
            ch = self.next()
            if ch == "\\":
                ch = self.next()
                if ch not in ("", "\n"):
                    continue
            if ch in ("", "\n"):
                return self.error(f"unterminated {what}")
            if ch == close:
                break
        self.emit(item)
        return self.lex_inside_action

    def lex_char(self) -> State:
        return self._lex_quoted("'", "character constant", ItemType.CHAR_CONSTANT)

    def lex_quote(self) -> State:
        return self._lex_quoted('"', "quoted string", ItemType.STRING)

    def lex_raw_quote(self) -> State:
        while True:
            ch = self.next()
            if ch == "":
                return self.error("unterminated raw quoted string")
            if ch == "`":
                break
        self.emit(ItemType.RAW_STRING)
        return self.lex_inside_action

    def lex_number(self) -> State:
        if not self.scan_number():
            return self.error(f"bad number syntax: {go_quote(self.input[self.start : self.pos])}")
        if self.peek() in ("+", "-") and self.peek() != "":
            if not self.scan_number() or self.input[self.pos - 1] != "i":
                return self.error(f"bad number syntax: {go_quote(self.input[self.start : self.pos])}")
            self.emit(ItemType.COMPLEX)
        else:
            self.emit(ItemType.NUMBER)
        return self.lex_inside_action

    def scan_number(self) -> bool:
        self.accept("+-")
        digits = "0123456789_"
        if self.accept("0"):
            if self.accept("xX"):
                digits = "0123456789abcdefABCDEF_"
            elif self.accept("oO"):
                digits = "01234567_"
            elif self.accept("bB"):
                digits = "01_"
        self.accept_run(digits)
        if self.accept("."):
            self.accept_run(digits)
        if len(digits) == 11 and self.accept("eE"):
            self.accept("+-")
            self.accept_run("0123456789_")
        if len(digits) == 23 and self.accept("pP"):
            self.accept("+-")
            self.accept_run("0123456789_")
        self.accept("i")
        if is_alnum(self.peek()):
            self.next()
            return False
        return True


def lex(text: str, break_ok: bool = True, continue_ok: bool = True) -> list[Item]:
    """Every item of `text`, ending with an EOF or an ERROR item."""
    return _Lexer(text, break_ok, continue_ok).run()
