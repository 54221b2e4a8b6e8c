"""RE2 regexes compiled as Prometheus 2.42 compiles relabel regexes, and Go's `Regexp.Expand`.

Prometheus 2.42 anchors a relabel regex as `^(?:pattern)$` (no `s` flag: `.` does not match a
newline). Go's regexp and the RE2 library accept almost the same syntax; the few places where RE2
is more lenient than Go 1.19 (`\\C`, `(?<name>...)`) are rejected here so that a config erpmon
accepts is one Prometheus accepts. RE2's error texts are reworded into Go's.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Any

import re2

# RE2's error prefixes mapped to Go regexp/syntax's wording.
_GO_WORDING = (
    ("missing ): ", "missing closing )"),
    ("missing ]: ", "missing closing ]"),
    ("unexpected ): ", "unexpected )"),
    ("invalid repetition size: ", "invalid repeat count"),
    ("bad repetition operator: ", "invalid nested repetition operator"),
    ("no argument for repetition operator: ", "missing argument to repetition operator"),
    ("missing argument to repetition operator: ", "missing argument to repetition operator"),
    ("invalid named capture group: ", "invalid named capture"),
    ("invalid perl operator: ", "invalid or unsupported Perl syntax"),
    ("trailing \\: ", "trailing backslash at end of expression"),
    ("invalid escape sequence: ", "invalid escape sequence"),
    ("invalid character class range: ", "invalid character class range"),
    ("invalid character class: ", "invalid character class"),
    ("invalid UTF-8: ", "invalid UTF-8"),
)


_UNANCHORED = getattr(getattr(re2, "_Anchor", None), "UNANCHORED", 0)


class RegexError(ValueError):
    """A relabel regex that Go's regexp (and so Prometheus) rejects."""


def _go_unsupported(pattern: str) -> str | None:
    """The Go error for syntax RE2 accepts but Go 1.19 does not, or None."""
    i = 0
    in_class = False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            nxt = pattern[i + 1]
            if nxt == "Q":
                end = pattern.find("\\E", i + 2)
                if end < 0:
                    return None
                i = end + 2
                continue
            if nxt == "C" and not in_class:
                return "invalid escape sequence: `\\C`"
            i += 2
            continue
        if in_class:
            if ch == "]":
                in_class = False
        elif ch == "[":
            in_class = True
            # A ']' right after '[' or '[^' is a literal member.
            j = i + 1
            if j < len(pattern) and pattern[j] == "^":
                j += 1
            if j < len(pattern) and pattern[j] == "]":
                i = j
        elif pattern.startswith("(?<", i):
            return "invalid or unsupported Perl syntax: `(?<`"
        i += 1
    return None


class RelabelMatch:
    """A successful match: the text of group `i` (None when the group took no part)."""

    __slots__ = ("_groups",)

    def __init__(self, groups: tuple[str | None, ...]) -> None:
        self._groups = groups

    def group(self, index: int = 0) -> str | None:
        return self._groups[index]


class RelabelRegex:
    """An anchored RE2 regex run on UTF-8 bytes, as Go's regexp runs on bytes.

    It calls the RE2 extension's `Match` directly when the wrapper exposes it: the str API of the
    `re2` module maps every offset back to characters and costs ~8x more per match.
    """

    __slots__ = ("_low", "_re", "groupindex", "groups", "pattern")

    def __init__(self, pattern: str, compiled: Any) -> None:
        self.pattern = pattern
        self._re = compiled
        low = getattr(compiled, "_regexp", None)
        self._low = low if low is not None and hasattr(low, "Match") else None
        self.groups: int = compiled.groups
        self.groupindex: dict[str, int] = {
            (k.decode() if isinstance(k, bytes) else k): v for k, v in compiled.groupindex.items()
        }

    def _spans(self, data: bytes) -> list[tuple[int, int]] | None:
        if self._low is not None:
            spans: list[tuple[int, int]] = self._low.Match(_UNANCHORED, data, 0, len(data))
            return None if spans[0][0] < 0 else spans
        hit = self._re.search(data)
        return None if hit is None else [hit.span(i) for i in range(self.groups + 1)]

    def matches(self, text: str) -> bool:
        return self._spans(text.encode("utf-8")) is not None

    def search(self, text: str) -> RelabelMatch | None:
        data = text.encode("utf-8")
        spans = self._spans(data)
        if spans is None:
            return None
        return RelabelMatch(tuple(None if a < 0 else data[a:b].decode("utf-8") for a, b in spans))


@lru_cache(maxsize=4096)
def compile_relabel_regex(pattern: str) -> RelabelRegex:
    """Compile `^(?:pattern)$` with RE2, raising `RegexError` worded as Go's regexp."""
    go_err = _go_unsupported(pattern)
    if go_err is not None:
        raise RegexError(f"error parsing regexp: {go_err}")
    opts = re2.Options()
    opts.log_errors = False
    try:
        compiled = re2.compile(("^(?:" + pattern + ")$").encode("utf-8"), opts)
    except re2.error as err:
        raw = err.args[0] if err.args else str(err)
        text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
        raise RegexError("error parsing regexp: " + _reword(text)) from err
    return RelabelRegex(pattern, compiled)


def _reword(text: str) -> str:
    for prefix, go in _GO_WORDING:
        if text.startswith(prefix):
            return f"{go}: `{text[len(prefix) :]}`"
    return text


def _is_name_char(ch: str) -> bool:
    cat = unicodedata.category(ch)
    return ch == "_" or cat.startswith("L") or cat == "Nd"


def _extract(template: str) -> tuple[str, str] | None:
    """Go's regexp `extract`: the name after a `$` and the rest, or None if malformed."""
    brace = template.startswith("{")
    s = template[1:] if brace else template
    i = 0
    while i < len(s) and _is_name_char(s[i]):
        i += 1
    if i == 0:
        return None
    name = s[:i]
    if brace:
        if i >= len(s) or s[i] != "}":
            return None
        i += 1
    return name, s[i:]


def _group_number(name: str) -> int:
    """The group number `name` denotes, or -1 if it is a group name (Go's rules)."""
    num = 0
    for ch in name:
        if not "0" <= ch <= "9" or num >= 100_000_000:
            return -1
        num = num * 10 + ord(ch) - ord("0")
    if name[0] == "0" and len(name) > 1:
        return -1
    return num


@lru_cache(maxsize=4096)
def _template(template: str) -> tuple[str | tuple[str, int], ...]:
    """Split a template into literals and (name, number) references, as Go's expand reads it."""
    parts: list[str | tuple[str, int]] = []
    rest = template
    while True:
        idx = rest.find("$")
        if idx < 0:
            break
        parts.append(rest[:idx])
        rest = rest[idx + 1 :]
        if rest.startswith("$"):
            parts.append("$")
            rest = rest[1:]
            continue
        parsed = _extract(rest)
        if parsed is None:
            parts.append("$")
            continue
        name, rest = parsed
        parts.append((name, _group_number(name)))
    parts.append(rest)
    return tuple(p for p in parts if p != "")


def expand(template: str, regex: RelabelRegex, match: RelabelMatch) -> str:
    """Go's `Regexp.ExpandString`: `$1`, `${1}`, `$name`, `${name}`, `$$`; unknown groups expand to ''.

    As in Go, `$1x` names the group `1x` (not group 1 followed by `x`), and a malformed `$` stays
    literal.
    """
    if "$" not in template:
        return template
    out: list[str] = []
    for part in _template(template):
        if isinstance(part, str):
            out.append(part)
            continue
        name, num = part
        if num < 0:
            num = regex.groupindex.get(name, -1)
        if 0 <= num <= regex.groups:
            group = match.group(num)
            if group is not None:
                out.append(group)
    return "".join(out)
