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


@lru_cache(maxsize=4096)
def compile_relabel_regex(pattern: str) -> Any:
    """Compile `^(?:pattern)$` with RE2, raising `RegexError` worded as Go's regexp."""
    go_err = _go_unsupported(pattern)
    if go_err is not None:
        raise RegexError(f"error parsing regexp: {go_err}")
    opts = re2.Options()
    opts.log_errors = False
    try:
        return re2.compile("^(?:" + pattern + ")$", opts)
    except re2.error as err:
        raw = err.args[0] if err.args else str(err)
        text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
        raise RegexError("error parsing regexp: " + _reword(text)) from err


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


def expand(template: str, regex: Any, match: Any) -> str:
    """Go's `Regexp.ExpandString`: `$1`, `${1}`, `$name`, `${name}`, `$$`; unknown groups expand to ''.

    As in Go, `$1x` names the group `1x` (not group 1 followed by `x`), and a malformed `$` stays
    literal.
    """
    out: list[str] = []
    rest = template
    while True:
        idx = rest.find("$")
        if idx < 0:
            break
        out.append(rest[:idx])
        rest = rest[idx + 1 :]
        if rest.startswith("$"):
            out.append("$")
            rest = rest[1:]
            continue
        parsed = _extract(rest)
        if parsed is None:
            out.append("$")
            continue
        name, rest = parsed
        num = _group_number(name)
        if num < 0:
            num = regex.groupindex.get(name, -1)
        if 0 <= num <= regex.groups:
            group = match.group(num)
            if group is not None:
                out.append(group)
    out.append(rest)
    return "".join(out)
