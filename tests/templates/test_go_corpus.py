"""742 templates whose output or error text was produced by Go 1.19.8's text/template.

The expectations in testdata/go119_cases.json were recorded by a throwaway Go program (Go 1.19.8,
linux/amd64) that executed each template with the same data and with Prometheus 2.42's template
functions (copied from template/template.go into that program; `query` returned the two samples
below). Cases where erpmon differs on purpose are not in the file; see the package README notes in
the final report (complex constants, `#` with float verbs, pointer addresses, nil interface values).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar

import pytest

from erpmon.templates import (
    STRING,
    GoSlice,
    GoStruct,
    QuerySample,
    StringMap,
    Template,
    TemplateError,
    alert_template_data,
    go_func,
)
from erpmon.templates._prometheus import prometheus_funcs

CASES = json.loads((Path(__file__).parent / "testdata" / "go119_cases.json").read_text())["cases"]
EXTERNAL_URL = "http://prom.example.com:9090/prefix"


class StrSlice(GoSlice):
    go_type = "[]string"


class S(GoStruct):
    """The Go program's `type S struct` (with methods Hello(string) string and Err() (string, error))."""

    go_type: ClassVar[str] = "main.S"
    go_fields: ClassVar[tuple[str, ...]] = ("Name", "N", "F", "B", "L", "M", "I", "P", "secret")
    go_methods: ClassVar[tuple[str, ...]] = ("Hello", "Err")

    def __init__(self) -> None:
        self.Name, self.N, self.F, self.B = "bob", 3, 1.5, True
        self.L = StrSlice(["x", "y"])
        self.M = StringMap({"k": "v", "a": "b"})
        self.I = None
        self.P = None
        self.secret = "s"

    @go_func(STRING)
    def Hello(self, x: str) -> str:
        return "hello " + x

    def Err(self) -> str:
        raise ValueError("boom")


def query(expr: str, ts: int) -> list[QuerySample]:
    if expr == "fail":
        raise ValueError("query failed")
    if expr == "empty":
        return []
    return [
        QuerySample({"__name__": "up", "instance": "b:9100", "job": "node"}, 1.0),
        QuerySample({"__name__": "up", "instance": "a:9100", "job": "node"}, 0.5),
    ]


def data_for(case: dict[str, Any]) -> Any:
    kind = case.get("data")
    if kind == "alert":
        labels = {
            "alertname": "HighLoad",
            "instance": "host-1.example.com:9100",
            "job": "node",
            "severity": "critical",
        }
        return alert_template_data(
            labels, {"cluster": "eu-1", "replica": "a"}, EXTERNAL_URL, case.get("value", 0.0)
        )
    if kind == "struct":
        return S()
    if kind == "map":
        return {
            "Name": "bob",
            "N": 3,
            "F": 1.5,
            "Zero": 0,
            "Empty": "",
            "T": True,
            "Nil": None,
            "L": ["a", 2, 3.5, True, None],
            "SL": [],
            "M": {"k": "v", "a": 1, "n": None, "inner": {"x": "y"}},
            "SM": StringMap({"k": "v"}),
            "EM": {},
        }
    return None


def render(case: dict[str, Any]) -> tuple[str | None, str | None]:
    tmpl = Template.new_set("t", prometheus_funcs(0, query, EXTERNAL_URL))
    try:
        tmpl.option(*case.get("options", []))
        tmpl.parse_text(case["text"])
        if case.get("mode") == "sub":
            return tmpl.execute_template("sub", data_for(case)), None
        return tmpl.execute(data_for(case)), None
    except TemplateError as err:
        return None, str(err)


@pytest.mark.parametrize("case", CASES, ids=[f"{c['feature']}-{i}" for i, c in enumerate(CASES)])
def test_same_output_or_error_as_go(case: dict[str, Any]) -> None:
    out, err = render(case)
    assert (out, err) == (case["out"], case["err"]), case["text"]


def test_corpus_covers_every_feature() -> None:
    features = {c["feature"] for c in CASES}
    assert features >= {
        "lex",
        "parse",
        "exec",
        "missingkey",
        "struct",
        "printf",
        "humanize",
        "time",
        "query",
        "regex",
    }
    assert len(CASES) >= 700
