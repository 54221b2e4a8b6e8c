"""The public API: Template sets, funcs=, missingkey, Expander's wording (Prometheus 2.42's
template.go wraps Go's errors in "error parsing/executing template NAME: ..."), ParseTest.

Go-side expectations (messages) are Go 1.19's text/template texts, as recorded in go119_cases.json.
"""

from __future__ import annotations

import pytest

from erpmon.templates import (
    ALERT_TEMPLATE_DEFS,
    STRING,
    Expander,
    QuerySample,
    Template,
    TemplateError,
    alert_template_data,
    go_func,
)


def alert(text: str, value: float = 1e6, name: str = "X") -> Expander:
    data = alert_template_data({"instance": "h:9100"}, {"cluster": "c"}, "http://p:9090/x", value)
    query = lambda expr, ts: [QuerySample({"job": "a"}, float(ts))]  # noqa: E731
    return Expander(ALERT_TEMPLATE_DEFS + text, "__alert_" + name, data, 5000, query, "http://p:9090/x")


def test_alert_annotation_like_prometheus() -> None:
    out = alert(
        "{{ $labels.instance }} {{ $value }} {{ $labels.gone }}|{{ $externalLabels.cluster }}"
    ).expand()
    assert out == "h:9100 1e+06 |c"  # missingkey=zero: a missing label is "" (Prometheus's default option)
    assert alert('{{ query "q" | first | value }} {{ pathPrefix }}').expand() == "5000 /x"


def test_expander_error_wording() -> None:
    with pytest.raises(TemplateError) as err:
        alert("{{ foo }}").expand()
    assert (
        str(err.value)
        == 'error parsing template __alert_X: template: __alert_X:1: function "foo" not defined'
    )
    with pytest.raises(TemplateError) as err:
        alert('{{ humanize "x" }}').expand()
    assert str(err.value) == (
        # column 115: the 112 bytes of ALERT_TEMPLATE_DEFS come first (promtool shows the same offsets)
        'error executing template __alert_X: template: __alert_X:1:115: executing "__alert_X" at '
        '<humanize "x">: error calling humanize: strconv.ParseFloat: parsing "x": invalid syntax'
    )
    alert("{{ .Foo }}").parse_test()  # parse only: a bad field is an execution error
    with pytest.raises(TemplateError, match=r'^template: __alert_X:1: unexpected "}" in operand$'):
        alert("{{ .Foo }").parse_test()


def test_missingkey_options() -> None:
    text = "{{ .a }}|{{ .b.c }}"
    assert Template.parse("t", text).execute({"b": {}}) == "<no value>|<no value>"
    assert Template.parse("t", "{{ .a }}", missingkey="zero").execute({}) == "<no value>"
    with pytest.raises(TemplateError, match='map has no entry for key "a"'):
        Template.parse("t", "{{ .a }}", missingkey="error").execute({})
    with pytest.raises(TemplateError, match="unrecognized option: missingkey=bogus"):
        Template.parse("t", "", missingkey="bogus")


def test_sets_define_lookup_and_later_parses() -> None:
    root = Template.parse("root", '{{ define "a" }}A{{ . }}{{ end }}[{{ template "a" 1 }}]')
    assert root.execute(None) == "[A1]"
    assert root.execute_template("a", 2) == "A2"
    root.add("other", '{{ define "a" }}B{{ . }}{{ end }}{{ template "a" 3 }}')  # a later parse redefines
    assert root.execute(None) == "[B1]"
    assert root.lookup("nope") is None
    assert root.defined_templates() == ["a", "other", "root"]
    with pytest.raises(TemplateError, match='no template "nope" associated with template "root"'):
        root.execute_template("nope", None)


def test_funcs_extend_the_builtins_with_go_signatures() -> None:
    @go_func(STRING)
    def shout(s: str) -> str:
        return s.upper() + "!"

    tmpl = Template.parse(
        "t", "{{ shout .x }} {{ join 1 2 }}", {"shout": shout, "join": lambda *a: "-".join(map(str, a))}
    )
    assert tmpl.execute({"x": "hi"}) == "HI! 1-2"
    with pytest.raises(TemplateError, match="wrong type for value; expected string; got int"):
        tmpl.execute({"x": 1})
