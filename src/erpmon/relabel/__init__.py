"""Relabeling: Prometheus 2.42's relabel configs and their exact application to label sets.

Owns: `RelabelConfig` (one validated step, every 2.42 action), `relabel()` (apply steps; None means
dropped), Go-compatible `$1` / `${name}` expansion, hashmod, RE2 regexes anchored `^(?:...)$`.
Reads from: `erpmon.model` (`Labels`, label-name validity).
Hands on: configs to `erpmon.config` (which builds them from YAML) and `relabel()` to scrape
(target and metric relabeling), alerting (alert relabeling) and remote write.
"""

from erpmon.model import go_quote
from erpmon.relabel._config import (
    DEFAULT_REGEX,
    DEFAULT_REPLACEMENT,
    DEFAULT_SEPARATOR,
    Action,
    RelabelConfig,
    RelabelConfigError,
    relabel_configs,
)
from erpmon.relabel._process import go_lower, go_upper, hashmod, relabel
from erpmon.relabel._regex import RegexError, compile_relabel_regex, expand

__all__ = [
    "DEFAULT_REGEX",
    "DEFAULT_REPLACEMENT",
    "DEFAULT_SEPARATOR",
    "Action",
    "RegexError",
    "RelabelConfig",
    "RelabelConfigError",
    "compile_relabel_regex",
    "expand",
    "go_lower",
    "go_quote",
    "go_upper",
    "hashmod",
    "relabel",
    "relabel_configs",
]
