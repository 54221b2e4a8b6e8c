"""`ConfigError`: every problem found in a config file, each with file, line, column and reason."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One reason a config is rejected; line and column are 1-based (0 when unknown)."""

    file: str
    line: int
    column: int
    reason: str

    def __str__(self) -> str:
        if self.line <= 0:
            return f"{self.file}: {self.reason}"
        return f"{self.file}:{self.line}:{self.column}: {self.reason}"


class ConfigError(ValueError):
    """A config Prometheus would reject. `str()` gives one `file:line:col: reason` line per problem."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
