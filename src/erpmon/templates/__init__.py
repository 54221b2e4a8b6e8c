"""Go's text/template in Python, with Prometheus 2.42's template functions.

Owns: the lexer, parser and executor of Go 1.19's text/template (actions, pipelines, variables,
if/else if/range/with/define/template/block, break/continue, trim markers, comments), Go's
predefined functions, fmt's printing (`%v` and printf's verbs, flags and error forms), the mapping
of Python values to Go values (`GoFunc`, `StringMap`, `GoStruct`...), and Prometheus's functions and
`Expander` (how alert labels and annotations are rendered; `promtool check rules`' ParseTest).
Reads from: `erpmon.model` (Go float formatting, strconv.Quote), `erpmon.relabel` (Go regexp syntax
checks, strings.ToUpper/ToLower), `erpmon.config` (Prometheus durations), RE2.
Hands on: strings to rules (annotations and labels) and, next, to Alertmanager's notification
templates, which add their functions through `funcs=`.

Only text/template is implemented: html/template's contextual auto-escaping is out of scope
(`html` and `safeHtml` are plain functions here, as in text/template).
"""

from erpmon.templates._errors import TemplateError
from erpmon.templates._expander import Expander
from erpmon.templates._fmt import format_v, sprint, sprintf, sprintln
from erpmon.templates._gotime import GoTime
from erpmon.templates._humanize import (
    convert_to_float,
    humanize,
    humanize1024,
    humanize_duration,
    humanize_percentage,
    humanize_timestamp,
)
from erpmon.templates._prometheus import ALERT_TEMPLATE_DEFS, QueryFunc, QuerySample, alert_template_data
from erpmon.templates._template import Template
from erpmon.templates._types import (
    ANY,
    BOOL,
    FLOAT64,
    HTML,
    INT,
    STRING,
    GoFunc,
    GoMap,
    GoSlice,
    GoStruct,
    GoType,
    StringMap,
    go_func,
    type_name,
)

__all__ = [
    "ALERT_TEMPLATE_DEFS",
    "ANY",
    "BOOL",
    "FLOAT64",
    "HTML",
    "INT",
    "STRING",
    "Expander",
    "GoFunc",
    "GoMap",
    "GoSlice",
    "GoStruct",
    "GoTime",
    "GoType",
    "QueryFunc",
    "QuerySample",
    "StringMap",
    "Template",
    "TemplateError",
    "alert_template_data",
    "convert_to_float",
    "format_v",
    "go_func",
    "humanize",
    "humanize1024",
    "humanize_duration",
    "humanize_percentage",
    "humanize_timestamp",
    "sprint",
    "sprintf",
    "sprintln",
    "type_name",
]
