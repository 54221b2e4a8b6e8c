"""Alertmanager 0.25's matcher syntax (pkg/labels/parse.go)."""

from __future__ import annotations

import pytest

from erpmon.alerting._matcher_parse import MatcherParseError, parse_matcher, parse_matchers
from erpmon.alerting._matchers import format_matchers
from erpmon.model import Matcher


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ('{foo="bar"}', [Matcher.equal("foo", "bar")]),
        ("foo=bar", [Matcher.equal("foo", "bar")]),
        ('{foo=~"b.*", baz!="q"}', [Matcher.regex("foo", "b.*"), Matcher.not_equal("baz", "q")]),
        ('a!~"x,y"', [Matcher.not_regex("a", "x,y")]),
        ('a="with \\"quote\\" and \\\\ and \\n"', [Matcher.equal("a", 'with "quote" and \\ and \n')]),
        ('a="trailing\\\\"', [Matcher.equal("a", "trailing\\")]),
        ("  spaced = value  ", [Matcher.equal("spaced", "value")]),
        ('a=""', [Matcher.equal("a", "")]),
        ("{}", []),
        ('a="1",b="2",', [Matcher.equal("a", "1"), Matcher.equal("b", "2")]),
        ('a="ünï"', [Matcher.equal("a", "ünï")]),
    ],
)
def test_parses(text: str, want: list[Matcher]) -> None:
    assert parse_matchers(text) == want


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1a=b", "bad matcher format: 1a=b"),
        ("a", "bad matcher format: a"),
        ('a="unterminated', "matcher value contains unescaped double quote"),
        ('a="x"y"', "matcher value contains unescaped double quote"),
        ('a=~"("', "error parsing regexp"),
    ],
)
def test_refuses(text: str, message: str) -> None:
    with pytest.raises(MatcherParseError, match=message):
        parse_matcher(text)


def test_prints_as_alertmanager() -> None:
    ms = parse_matchers('{b=~"x|y", a="q\\"\\n"}')
    assert format_matchers(ms) == '{b=~"x|y",a="q\\"\\n"}'
