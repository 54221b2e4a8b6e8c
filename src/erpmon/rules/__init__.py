"""Recording and alerting rules: Prometheus 2.42's rule files, groups, alert states and unit tests.

Owns: rule files (`load_rule_file`, promtool's validation and messages), the rule manager
(scheduling, reloads, staleness of recorded series, `ALERTS` / `ALERTS_FOR_STATE`, restoring
`for` state after a restart, the rule self-metrics), and promtool-compatible rule unit tests
(`erpmon.rules.unittest`).
Reads from: erpmon.promql (parsing; evaluation only through a `QueryFunc`), erpmon.templates
(labels and annotations), erpmon.storage (`Appendable` to write, `Queryable` to restore).
Hands on: alerts to a `NotifyFunc` (the alerting stage), groups and alerts to the web API.
"""

from erpmon.rules._alerting import Alert, AlertingRule, AlertState, QueryFunc
from erpmon.rules._file import (
    GroupSpec,
    RuleFile,
    RuleFileError,
    RuleSpec,
    duplicate_rules,
    load_rule_file,
    parse_rule_file,
)
from erpmon.rules._group import Group, GroupOptions, NotifyFunc, Rule, group_key
from erpmon.rules._manager import ManagerOptions, RuleManager, RulesConfig, expand_rule_files
from erpmon.rules._recording import RecordingRule

__all__ = [
    "Alert",
    "AlertState",
    "AlertingRule",
    "Group",
    "GroupOptions",
    "GroupSpec",
    "ManagerOptions",
    "NotifyFunc",
    "QueryFunc",
    "RecordingRule",
    "Rule",
    "RuleFile",
    "RuleFileError",
    "RuleManager",
    "RuleSpec",
    "RulesConfig",
    "duplicate_rules",
    "expand_rule_files",
    "group_key",
    "load_rule_file",
    "parse_rule_file",
]
