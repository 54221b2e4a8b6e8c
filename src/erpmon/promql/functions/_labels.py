"""label_replace and label_join: new label sets, values unchanged (the metric name is kept).

Label sets are computed once per series (they do not depend on the step). Result rows may end up
with equal label sets; the evaluator rejects those at steps where both are present, as
Prometheus does.
"""

from __future__ import annotations

import bisect
from functools import lru_cache
from typing import Any

import re2

from erpmon.model import Labels, is_valid_label_name
from erpmon.promql._values import StepVector
from erpmon.promql.functions._context import FunctionError


def _go_rejects(pattern: str) -> bool:
    """Syntax RE2 accepts but Go 1.19's regexp does not: the \\C escape and (?<name>...) groups."""
    i, in_class = 0, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            if pattern[i + 1 : i + 2] == "C":
                return True
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
            i += 1
            i += pattern.startswith("^", i)
            i += pattern.startswith("]", i)  # a leading ] is a literal
            continue
        elif pattern.startswith("(?<", i):
            return True
        i += 1
    return False


@lru_cache(maxsize=512)
def _compile(pattern: str) -> Any:
    opts = re2.Options()
    opts.log_errors = False
    try:
        if _go_rejects(pattern):
            raise re2.error("not Go syntax")
        return re2.compile("^(?:" + pattern + ")$", opts)
    except re2.error as err:
        raise FunctionError(f"invalid regular expression in label_replace(): {pattern}") from err


def _name_length(template: str, start: int) -> int:
    """Length of the run of letters, digits and underscores at start (Go's template names)."""
    i = start
    while i < len(template) and (template[i].isalpha() or template[i].isdecimal() or template[i] == "_"):
        i += 1
    return i - start


def _group_number(name: str) -> int:
    """A purely numeric name is a group number (no leading zeros, below 1e8); otherwise -1."""
    if not name.isascii() or not name.isdigit() or (name[0] == "0" and len(name) > 1) or len(name) > 9:
        return -1
    return int(name)


def expand(template: str, match: Any, names: dict[str, int]) -> str:
    """Go's Regexp.ExpandString: $1, ${1}, $name, ${name}, $$; a malformed $ is literal."""
    out: list[str] = []
    i = 0
    while True:
        dollar = template.find("$", i)
        if dollar < 0:
            out.append(template[i:])
            break
        out.append(template[i:dollar])
        i = dollar + 1
        if i < len(template) and template[i] == "$":
            out.append("$")
            i += 1
            continue
        brace = i < len(template) and template[i] == "{"
        name_start = i + 1 if brace else i
        n = _name_length(template, name_start)
        end = name_start + n
        if n == 0 or (brace and (end >= len(template) or template[end] != "}")):
            out.append("$")
            continue
        name = template[name_start:end]
        i = end + 1 if brace else end
        num = _group_number(name)
        group: int | None = num if num >= 0 else names.get(name)
        if group is not None and group <= match.re.groups:
            text = match.group(group)
            if text is not None:
                out.append(text)
    return "".join(out)


def _set_label(lset: Labels, name: str, value: str) -> Labels:
    """lset with `name` set to value (removed if value is empty), keeping the pairs sorted."""
    pairs = [p for p in lset.pairs if p[0] != name]
    if value:
        bisect.insort(pairs, (name, value))
    return Labels.from_sorted(tuple(pairs))


def label_replace(v: StepVector, dst: str, replacement: str, src: str, regex: str) -> StepVector:
    pattern = _compile(regex)
    if not is_valid_label_name(dst):
        raise FunctionError(f"invalid destination label name in label_replace(): {dst}")
    names: dict[str, int] = dict(pattern.groupindex)
    expanded: dict[str, str | None] = {}  # source value -> replacement, None when it does not match
    out: list[Labels] = []
    for lset in v.labels:
        value = lset.get(src)
        if value in expanded:
            new_value = expanded[value]
        else:
            match = pattern.match(value)
            new_value = expanded[value] = None if match is None else expand(replacement, match, names)
        out.append(lset if new_value is None else _set_label(lset, dst, new_value))
    return StepVector(out, v.values, v.present)


def label_join(v: StepVector, dst: str, separator: str, sources: list[str]) -> StepVector:
    for src in sources:
        if not is_valid_label_name(src):
            raise FunctionError(f"invalid source label name in label_join(): {src}")
    if not is_valid_label_name(dst):
        raise FunctionError(f"invalid destination label name in label_join(): {dst}")
    out = [_set_label(lset, dst, separator.join(lset.get(s) for s in sources)) for lset in v.labels]
    return StepVector(out, v.values, v.present)
