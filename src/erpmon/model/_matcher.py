"""Label matchers with Prometheus's semantics: fully anchored RE2, and "" matching absence."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import re2

from erpmon.model._gostrings import go_quote


class RegexError(ValueError):
    """A matcher or relabel regex that RE2 rejects."""


class MatchType(enum.Enum):
    EQUAL = "="
    NOT_EQUAL = "!="
    REGEX = "=~"
    NOT_REGEX = "!~"


@lru_cache(maxsize=4096)
def compile_anchored(pattern: str) -> Any:
    """Compile `pattern` as Prometheus 2.42 does: `^(?:pattern)$` in RE2 syntax (`.` stops at newlines)."""
    opts = re2.Options()
    opts.log_errors = False
    try:
        return re2.compile("^(?:" + pattern + ")$", opts)
    except re2.error as err:
        reason = err.args[0] if err.args else err
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        raise RegexError(f"error parsing regexp: {reason}: `{pattern}`") from err


@dataclass(frozen=True)
class Matcher:
    type: MatchType
    name: str
    value: str
    _regex: Any = field(default=None, compare=False, hash=False, repr=False)

    def __post_init__(self) -> None:
        if self.type in (MatchType.REGEX, MatchType.NOT_REGEX):
            object.__setattr__(self, "_regex", compile_anchored(self.value))

    @classmethod
    def equal(cls, name: str, value: str) -> Matcher:
        return cls(MatchType.EQUAL, name, value)

    @classmethod
    def not_equal(cls, name: str, value: str) -> Matcher:
        return cls(MatchType.NOT_EQUAL, name, value)

    @classmethod
    def regex(cls, name: str, value: str) -> Matcher:
        return cls(MatchType.REGEX, name, value)

    @classmethod
    def not_regex(cls, name: str, value: str) -> Matcher:
        return cls(MatchType.NOT_REGEX, name, value)

    def matches(self, value: str) -> bool:
        """Whether a label value matches; an absent label is the value ''."""
        t = self.type
        if t is MatchType.EQUAL:
            return value == self.value
        if t is MatchType.NOT_EQUAL:
            return value != self.value
        hit = self._regex.match(value) is not None
        return hit if t is MatchType.REGEX else not hit

    def matches_empty(self) -> bool:
        return self.matches("")

    def __str__(self) -> str:
        return f"{self.name}{self.type.value}{go_quote(self.value)}"
