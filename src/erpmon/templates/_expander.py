"""`Expander`: Prometheus 2.42's template.Expander (NewTemplateExpander, Expand, ParseTest).

Owns: the option default (nil options mean `missingkey=zero`), the error wrapping Prometheus adds
("error parsing template NAME: ...", "error executing template NAME: ..."), and ParseTest (what
`promtool check rules` runs on every label and annotation of an alerting rule).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from erpmon.templates._errors import TemplateError
from erpmon.templates._prometheus import QueryFunc, prometheus_funcs
from erpmon.templates._template import Template, parse_option
from erpmon.templates._types import GoFunc

# Alert templates are rendered for every alert at every evaluation; their parse trees depend only
# on the text, the name and which function names exist, so they are parsed once.
_PARSED: dict[tuple[str, str, frozenset[str]], dict[str, Any]] = {}
_PARSED_MAX = 4096


class Expander:
    """Renders one template text with Prometheus's functions, bound to a time, a query and a URL.

    `external_url` None stands for a nil *url.URL, as promtool's unit tests have it.
    """

    def __init__(
        self,
        text: str,
        name: str,
        data: Any,
        timestamp_ms: int,
        query: QueryFunc | None,
        external_url: str | None,
        options: Sequence[str] = (),
    ) -> None:
        self.text = text
        self.name = name
        self.data = data
        self.options = list(options) or ["missingkey=zero"]
        self.func_map: dict[str, GoFunc] = prometheus_funcs(timestamp_ms, query, external_url)

    def funcs(self, funcs: Mapping[str, Callable[..., Any]]) -> None:
        """Add functions, replacing Prometheus's on conflict (Expander.Funcs)."""
        for fname, fn in funcs.items():
            self.func_map[fname] = GoFunc.wrap(fn)

    def expand(self) -> str:
        tmpl = Template.new_set(self.name, self.func_map)
        try:
            tmpl.option(*self.options)
        except TemplateError as err:
            raise TemplateError(f"panic expanding template {self.name}: {err}") from None
        key = (self.name, self.text, frozenset(self.func_map))
        trees = _PARSED.get(key)
        if trees is None:
            try:
                tmpl.parse_text(self.text)
            except TemplateError as err:
                raise TemplateError(f"error parsing template {self.name}: {err}") from None
            if len(_PARSED) >= _PARSED_MAX:
                _PARSED.clear()
            _PARSED[key] = dict(tmpl._set.trees)
        else:
            tmpl._set.trees.update(trees)
        try:
            return tmpl.execute(self.data)
        except TemplateError as err:
            raise TemplateError(f"error executing template {self.name}: {err}") from None

    def parse_test(self) -> None:
        """Parse only (with missingkey=zero), raising the parse error unwrapped, as ParseTest does."""
        parse_option("missingkey=zero")
        Template.parse(self.name, self.text, self.func_map, missingkey="zero")
