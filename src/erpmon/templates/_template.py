"""`Template`: Go's *text/template.Template — a named template in a set of associated templates.

Owns: parsing into a set (Go's Parse / New / AddParseTree rules: a later parse redefines a name,
an empty body never replaces a defined one), options (`missingkey`), lookup, Execute and
ExecuteTemplate.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from erpmon.model import go_quote
from erpmon.templates import _nodes as n
from erpmon.templates._builtins import BUILTINS
from erpmon.templates._errors import TemplateError
from erpmon.templates._exec import execute
from erpmon.templates._parser import parse
from erpmon.templates._tset import TemplateSet
from erpmon.templates._types import GoFunc

MISSINGKEY = {"invalid": "default", "default": "default", "zero": "zero", "error": "error"}


def parse_option(option: str) -> str:
    """The missingkey mode an Option string sets; TemplateError as Go's panic text otherwise."""
    if option == "":
        raise TemplateError("empty option string")
    key, sep, value = option.partition("=")
    if sep and key == "missingkey" and value in MISSINGKEY:
        return MISSINGKEY[value]
    raise TemplateError("unrecognized option: " + option)


class Template:
    """A named template; templates made with `new`/`add` share definitions, functions and options."""

    def __init__(self, name: str, tset: TemplateSet) -> None:
        self.name = name
        self._set = tset

    @classmethod
    def parse(
        cls,
        name: str,
        text: str,
        funcs: Mapping[str, Callable[..., Any]] | None = None,
        *,
        missingkey: str = "default",
    ) -> Template:
        """template.New(name).Funcs(funcs).Option("missingkey=...").Parse(text); funcs add to the builtins."""
        tmpl = cls.new_set(name, funcs, missingkey=missingkey)
        tmpl.parse_text(text)
        return tmpl

    @classmethod
    def new_set(
        cls, name: str, funcs: Mapping[str, Callable[..., Any]] | None = None, *, missingkey: str = "default"
    ) -> Template:
        """An empty template (Go's template.New) with `funcs` and the missingkey option."""
        mode = parse_option("missingkey=" + missingkey)
        tset = TemplateSet(builtins=BUILTINS, missingkey=mode)
        for fname, fn in (funcs or {}).items():
            tset.funcs[fname] = GoFunc.wrap(fn)
        return cls(name, tset)

    def funcs(self, funcs: Mapping[str, Callable[..., Any]]) -> Template:
        """Add or replace functions for later parses and executions (Go's Funcs)."""
        for fname, fn in funcs.items():
            self._set.funcs[fname] = GoFunc.wrap(fn)
        return self

    def option(self, *options: str) -> Template:
        for opt in options:
            self._set.missingkey = parse_option(opt)
        return self

    def new(self, name: str) -> Template:
        """A template of the same set (Go's t.New(name)); it has no body until parsed."""
        return Template(name, self._set)

    def parse_text(self, text: str) -> Template:
        """Parse `text` as this template's body (its definitions join the set); Go's t.Parse."""
        trees: dict[str, n.Tree] = {}
        parse(self.name, text, self._set.has_function, trees)
        for name, tree in trees.items():
            old = self._set.trees.get(name)
            if old is not None and n.is_empty_tree(tree.root) and old.root is not None:
                continue
            self._set.trees[name] = tree
        return self

    def add(self, name: str, text: str) -> Template:
        """Go's t.New(name).Parse(text): parse another file or text into the same set."""
        return self.new(name).parse_text(text)

    def lookup(self, name: str) -> Template | None:
        return Template(name, self._set) if name in self._set.trees else None

    def defined_templates(self) -> list[str]:
        """Names of the templates in the set, sorted."""
        return sorted(self._set.trees)

    def execute(self, data: Any) -> str:
        tree = self._set.trees.get(self.name)
        if tree is None:
            raise TemplateError(
                f"template: {self.name}: {go_quote(self.name)} is an incomplete or empty template"
            )
        return execute(self._set, tree, data)

    def execute_template(self, name: str, data: Any) -> str:
        tmpl = self.lookup(name)
        if tmpl is None:
            raise TemplateError(
                f"template: no template {go_quote(name)} associated with template {go_quote(self.name)}"
            )
        return tmpl.execute(data)
