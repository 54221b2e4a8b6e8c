"""Notification templates with Alertmanager 0.25's data model and default templates.

Owns: `Data` (`.Receiver`, `.Status`, `.Alerts` with `.Firing`/`.Resolved`, `.GroupLabels`,
`.CommonLabels`, `.CommonAnnotations`, `.ExternalURL`; `KV` with SortedPairs, Names, Values,
Remove) and its JSON form, the default templates (`default.tmpl`: `__subject`,
`__text_alert_list`, `slack.default.*`, `email.default.*`, ... plus erpmon's `sms.default.text`
and `apprise.default.*`), the extra functions (toUpper, title, join, match, reReplaceAll, ...), and
`TemplateSet`, which loads the config's template files and renders text and HTML.
HTML rendering escapes the data's strings as html/template does in text and attribute contexts;
JS and CSS contexts are not distinguished.
Reads from: `erpmon.templates` (Go's text/template).
Hands on: rendered strings to the integrations (`erpmon.alerting.notify`).
"""

from erpmon.alerting.templates._data import KV, Alerts, Data, build_data, escape_html
from erpmon.alerting.templates._set import TemplateLoadError, TemplateSet

__all__ = ["KV", "Alerts", "Data", "TemplateLoadError", "TemplateSet", "build_data", "escape_html"]
