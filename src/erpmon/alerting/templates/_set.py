"""`TemplateSet`: Alertmanager's `template.Template` — the default templates, the config's template
files, and rendering a notification's strings as text or HTML."""

from __future__ import annotations

import glob
import re
from collections.abc import Sequence
from importlib import resources
from typing import Any

import re2

from erpmon.alerting._types import Alert
from erpmon.alerting.templates._data import Data, build_data
from erpmon.model import Labels
from erpmon.templates import HTML, STRING, Template, TemplateError, go_func
from erpmon.templates._types import GoType


class TemplateLoadError(ValueError):
    """A template file that cannot be read or parsed; the message names the file."""


def _title(text: str) -> str:
    return re2.sub(r"\b(\w)", lambda m: m.group(1).upper(), text) if text else text


@go_func(STRING, STRING)
def _match(pattern: str, text: str) -> bool:
    try:
        return re2.search(pattern, text) is not None
    except re2.error as err:
        raise TemplateError(f"error parsing regexp: {err}") from err


_DOLLAR = re.compile(r"\$(?:(\$)|\{(\w+)\}|(\w+))")


def _go_expand(template: str, m: Any) -> str:
    """Go's `Regexp.Expand`: `$1`, `${1}`, `$name`, `${name}`; `$$` is a dollar; unknown is empty."""

    def one(d: re.Match[str]) -> str:
        if d.group(1):
            return "$"
        name = d.group(2) or d.group(3)
        try:
            value = m.group(int(name)) if name.isdigit() else m.group(name)
        except (IndexError, KeyError, re2.error):
            return ""
        return value or ""

    return _DOLLAR.sub(one, template)


@go_func(STRING, STRING, STRING)
def _re_replace_all(pattern: str, repl: str, text: str) -> str:
    compiled = re2.compile(pattern)
    return str(compiled.sub(lambda m: _go_expand(repl, m), text))


FUNCS = {
    "toUpper": go_func(STRING)(lambda s: s.upper()),
    "toLower": go_func(STRING)(lambda s: s.lower()),
    "title": go_func(STRING)(_title),
    "join": go_func(STRING, GoType("[]string", "any"))(lambda sep, items: sep.join(items or ())),
    "match": _match,
    "safeHtml": go_func(STRING)(lambda s: HTML(s)),
    "reReplaceAll": _re_replace_all,
    "stringSlice": go_func(variadic=STRING)(lambda *s: list(s)),
}


class TemplateSet:
    def __init__(self, base: Template, external_url: str) -> None:
        self._base = base
        self.external_url = external_url

    @classmethod
    def load(cls, patterns: Sequence[str], *, external_url: str) -> TemplateSet:
        base = Template.new_set("", FUNCS, missingkey="zero")
        default = resources.files("erpmon.alerting.templates").joinpath("default.tmpl").read_text("utf-8")
        base.add("default.tmpl", default)
        for pattern in patterns:
            for path in sorted(glob.glob(pattern)):
                try:
                    with open(path, encoding="utf-8") as f:
                        base.add(path.rsplit("/", 1)[-1], f.read())
                except (OSError, TemplateError) as err:
                    raise TemplateLoadError(f"{path}: {err}") from err
        return cls(base, external_url.rstrip("/"))

    def data(self, receiver: str, group_labels: Labels, alerts: Sequence[Alert], now_ns: int) -> Data:
        return build_data(receiver, group_labels, alerts, now_ns, self.external_url)

    def text(self, source: str, data: Any) -> str:
        """`ExecuteTextString`: `source` parsed as a new template of the set, missingkey=zero."""
        if not source:
            return ""
        return self._base.new("").parse_text(source).execute(data)

    def html(self, source: str, data: Any) -> str:
        """`ExecuteHTMLString`, with html/template's escaping of every string the data inserts.

        The data's strings are escaped before rendering (safeHtml values pass through), which is
        what html/template does in text and quoted-attribute contexts; JS and CSS contexts are
        not distinguished.
        """
        if not source:
            return ""
        escaped = data.html_escaped() if isinstance(data, Data) else data
        return self._base.new("").parse_text(source).execute(escaped)
