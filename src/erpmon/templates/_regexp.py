"""Go's regexp as Prometheus's `match` and `reReplaceAll` use it: unanchored RE2, Go's error texts,
`ReplaceAllString` (empty matches next to a previous match are skipped) and `$1` / `${name}` expansion.

Owns: `compile_go`, `match_string`, `replace_all_string`, `must_compile_message`.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Any

import re2

from erpmon.model import go_quote
from erpmon.relabel import RegexError, compile_relabel_regex


@lru_cache(maxsize=1024)
def compile_go(pattern: str) -> Any:
    """An unanchored RE2 regex; ValueError worded as Go's regexp.Compile."""
    try:
        compile_relabel_regex(pattern)  # Go 1.19's syntax rules and error wording
    except RegexError as err:
        raise ValueError(_unanchor(str(err))) from None
    opts = re2.Options()
    opts.log_errors = False
    return re2.compile(pattern, opts)


def _unanchor(message: str) -> str:
    """Drop the `^(?:` ... `)$` that the relabel compiler wraps around the fragment a message quotes."""
    head, sep, frag = message.partition(": `")
    if not sep or not frag.endswith("`"):
        return message
    frag = frag[:-1]
    frag = frag.removeprefix("^(?:")
    frag = frag.removesuffix(")$")
    return f"{head}: `{frag}`"


def must_compile_message(pattern: str, err: ValueError) -> str:
    """The panic text of regexp.MustCompile."""
    can_backquote = "`" not in pattern and all(c == "\t" or c.isprintable() for c in pattern)
    quoted = "`" + pattern + "`" if can_backquote else go_quote(pattern)
    return f"regexp: Compile({quoted}): {err}"


def match_string(pattern: str, s: str) -> bool:
    return compile_go(pattern).search(s) is not None


def _is_name_char(ch: str) -> bool:
    return ch == "_" or ch.isalpha() or unicodedata.category(ch) == "Nd"


def _expand(template: str, m: Any, groupindex: dict[str, int], ngroups: int) -> str:
    """Go's Regexp.ExpandString: $1, ${1}, $name, ${name}, $$; unknown groups expand to ''."""
    out: list[str] = []
    i = 0
    while True:
        j = template.find("$", i)
        if j < 0:
            out.append(template[i:])
            return "".join(out)
        out.append(template[i:j])
        rest = template[j + 1 :]
        if rest.startswith("$"):
            out.append("$")
            i = j + 2
            continue
        brace = rest.startswith("{")
        k = 1 if brace else 0
        start = k
        while k < len(rest) and _is_name_char(rest[k]):
            k += 1
        name = rest[start:k]
        if not name or (brace and (k >= len(rest) or rest[k] != "}")):
            out.append("$")
            i = j + 1
            continue
        if brace:
            k += 1
        i = j + 1 + k
        num = int(name) if name.isdigit() and name.isascii() and (name == "0" or name[0] != "0") else -1
        if num < 0:
            num = groupindex.get(name, -1)
        if 0 <= num <= ngroups:
            group = m.group(num)
            if group is not None:
                out.append(group)


def replace_all_string(pattern: str, repl: str, src: str) -> str:
    """regexp.MustCompile(pattern).ReplaceAllString(src, repl); ValueError is MustCompile's panic."""
    try:
        regex = compile_go(pattern)
    except ValueError as err:
        raise ValueError(must_compile_message(pattern, err)) from None
    groupindex = {(k.decode() if isinstance(k, bytes) else k): v for k, v in regex.groupindex.items()}
    out: list[str] = []
    last_end = 0
    search_pos = 0
    while search_pos <= len(src):
        m = regex.search(src, search_pos)
        if m is None:
            break
        a0, a1 = m.span()
        out.append(src[last_end:a0])
        if a1 > last_end or a0 == 0:
            out.append(_expand(repl, m, groupindex, regex.groups))
        last_end = a1
        if search_pos + 1 > a1:
            search_pos += 1
        else:
            search_pos = a1
    out.append(src[last_end:])
    return "".join(out)
