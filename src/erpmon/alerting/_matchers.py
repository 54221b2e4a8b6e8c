"""Alertmanager's label matchers (`pkg/labels`): ordering, printing and matching a label set.

The matcher itself is `erpmon.model.Matcher` (anchored RE2, as Go's regexp), so the rules engine and
the alerting stage match the same way; this module adds Alertmanager's own spelling and order.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from erpmon.model import Labels, Matcher, MatchType

_TYPE_ORDER = {MatchType.EQUAL: 0, MatchType.NOT_EQUAL: 1, MatchType.REGEX: 2, MatchType.NOT_REGEX: 3}


def escape_value(value: str) -> str:
    """`openMetricsEscape`: backslash, newline and double quote."""
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def format_matcher(m: Matcher) -> str:
    """`labels.Matcher.String()`: name, operator, quoted value."""
    return f'{m.name}{m.type.value}"{escape_value(m.value)}"'


def format_matchers(ms: Iterable[Matcher]) -> str:
    """`labels.Matchers.String()`: `{a="b",c=~"d"}`, no spaces."""
    return "{" + ",".join(format_matcher(m) for m in ms) + "}"


def sort_matchers(ms: Iterable[Matcher]) -> tuple[Matcher, ...]:
    """`sort.Sort(labels.Matchers)`: by name, then value, then operator."""
    return tuple(sorted(ms, key=lambda m: (m.name, m.value, _TYPE_ORDER[m.type])))


def matches_all(ms: Sequence[Matcher], labels: Labels) -> bool:
    """`labels.Matchers.Matches`: every matcher holds; a missing label is the empty value."""
    return all(m.matches(labels.get(m.name)) for m in ms)


def matcher_to_api(m: Matcher) -> dict[str, object]:
    """The v2 API's matcher object."""
    return {
        "name": m.name,
        "value": m.value,
        "isRegex": m.type in (MatchType.REGEX, MatchType.NOT_REGEX),
        "isEqual": m.type in (MatchType.EQUAL, MatchType.REGEX),
    }


def matcher_from_flags(name: str, value: str, *, is_regex: bool, is_equal: bool = True) -> Matcher:
    """A matcher from the API's (isRegex, isEqual) pair; raises RegexError on a bad regex."""
    if is_regex:
        kind = MatchType.REGEX if is_equal else MatchType.NOT_REGEX
    else:
        kind = MatchType.EQUAL if is_equal else MatchType.NOT_EQUAL
    return Matcher(kind, name, value)
