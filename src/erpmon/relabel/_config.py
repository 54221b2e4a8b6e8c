"""`RelabelConfig`: one relabel step, validated as Prometheus 2.42's `relabel.Config.UnmarshalYAML`."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import InitVar, dataclass, field
from typing import Any

import re2

from erpmon.model import go_quote, is_valid_label_name
from erpmon.relabel._regex import RelabelRegex, compile_relabel_regex

DEFAULT_SEPARATOR = ";"
DEFAULT_REGEX = "(.*)"
DEFAULT_REPLACEMENT = "$1"

# A target label (or labelmap replacement) built from letters, `_`, digits and `$1`/`${name}` refs.
_RELABEL_TARGET = re2.compile(r"^(?:(?:[a-zA-Z_]|\$(?:\{\w+\}|\w+))+\w*)+$")


class RelabelConfigError(ValueError):
    """A relabel configuration Prometheus rejects; the message is Prometheus's."""


class Action(enum.StrEnum):
    """Every relabel action Prometheus 2.42 knows."""

    REPLACE = "replace"
    KEEP = "keep"
    DROP = "drop"
    KEEPEQUAL = "keepequal"
    DROPEQUAL = "dropequal"
    HASHMOD = "hashmod"
    LABELMAP = "labelmap"
    LABELDROP = "labeldrop"
    LABELKEEP = "labelkeep"
    LOWERCASE = "lowercase"
    UPPERCASE = "uppercase"

    @classmethod
    def parse(cls, text: str) -> Action:
        """Case-insensitive, as Prometheus; raises `RelabelConfigError` for an unknown action."""
        try:
            return cls(text.lower())
        except ValueError:
            raise RelabelConfigError(f"unknown relabel action {go_quote(text)}") from None


_NEEDS_TARGET = frozenset(
    {Action.REPLACE, Action.HASHMOD, Action.LOWERCASE, Action.UPPERCASE, Action.KEEPEQUAL, Action.DROPEQUAL}
)
_TARGET_TEMPLATE_CHECKED = _NEEDS_TARGET - {Action.HASHMOD}
_NO_REPLACEMENT = frozenset({Action.LOWERCASE, Action.UPPERCASE, Action.KEEPEQUAL, Action.DROPEQUAL})


@dataclass(frozen=True)
class RelabelConfig:
    """One relabel step with Prometheus's defaults; invalid combinations raise `RelabelConfigError`.

    `regex` keeps the pattern as written; `compiled` is it anchored as `^(?:regex)$` (RE2), which
    is what every action matches against. An invalid regex raises `erpmon.relabel.RegexError`.

    The init-only flags `regex_given` / `source_labels_given` say whether the YAML named those
    keys at all (Prometheus rejects e.g. an explicit `regex` on keepequal even if it equals the
    default); when omitted they are inferred from the values.
    """

    source_labels: tuple[str, ...] = ()
    separator: str = DEFAULT_SEPARATOR
    regex: str = DEFAULT_REGEX
    modulus: int = 0
    target_label: str = ""
    replacement: str = DEFAULT_REPLACEMENT
    action: Action = Action.REPLACE
    compiled: RelabelRegex = field(init=False, repr=False, compare=False, hash=False)
    regex_given: InitVar[bool | None] = None
    source_labels_given: InitVar[bool | None] = None

    def __post_init__(self, regex_given: bool | None, source_labels_given: bool | None) -> None:
        if not isinstance(self.action, Action):
            object.__setattr__(self, "action", Action.parse(str(self.action)))
        if not isinstance(self.source_labels, tuple):
            object.__setattr__(self, "source_labels", tuple(self.source_labels))
        object.__setattr__(self, "compiled", compile_relabel_regex(self.regex))
        if regex_given is None:
            regex_given = self.regex != DEFAULT_REGEX
        if source_labels_given is None:
            source_labels_given = bool(self.source_labels)
        problem = _first_problem(self, regex_given, source_labels_given)
        if problem is not None:
            raise RelabelConfigError(problem)


def _first_problem(cfg: RelabelConfig, regex_given: bool, source_labels_given: bool) -> str | None:
    """The first check of Prometheus's order that `cfg` fails, or None."""
    act = cfg.action
    if act is Action.HASHMOD and cfg.modulus == 0:
        return "relabel configuration for hashmod requires non-zero modulus"
    if not 0 <= cfg.modulus < 1 << 64:
        return f"modulus {cfg.modulus} does not fit an unsigned 64-bit integer"
    if act in _NEEDS_TARGET and cfg.target_label == "":
        return f"relabel configuration for {act} action requires 'target_label' value"
    if act in _TARGET_TEMPLATE_CHECKED and _RELABEL_TARGET.search(cfg.target_label) is None:
        return f"{go_quote(cfg.target_label)} is invalid 'target_label' for {act} action"
    if act in _NO_REPLACEMENT and cfg.replacement != DEFAULT_REPLACEMENT:
        return f"'replacement' can not be set for {act} action"
    if act is Action.LABELMAP and _RELABEL_TARGET.search(cfg.replacement) is None:
        return f"{go_quote(cfg.replacement)} is invalid 'replacement' for {act} action"
    if act is Action.HASHMOD and not is_valid_label_name(cfg.target_label):
        return f"{go_quote(cfg.target_label)} is invalid 'target_label' for {act} action"
    if act in (Action.KEEPEQUAL, Action.DROPEQUAL) and (
        regex_given
        or cfg.modulus != 0
        or cfg.separator != DEFAULT_SEPARATOR
        or cfg.replacement != DEFAULT_REPLACEMENT
    ):
        return f"{act} action requires only 'source_labels' and `target_label`, and no other fields"
    if act in (Action.LABELDROP, Action.LABELKEEP) and (
        source_labels_given
        or cfg.target_label != ""
        or cfg.modulus != 0
        or cfg.separator != DEFAULT_SEPARATOR
        or cfg.replacement != DEFAULT_REPLACEMENT
    ):
        return f"{act} action requires only 'regex', and no other fields"
    return None


def relabel_configs(items: Sequence[RelabelConfig | dict[str, Any]]) -> tuple[RelabelConfig, ...]:
    """Build a tuple of configs from `RelabelConfig`s or keyword dicts (handy in tests and wiring)."""
    return tuple(item if isinstance(item, RelabelConfig) else RelabelConfig(**item) for item in items)
