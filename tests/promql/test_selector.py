import pytest

from erpmon.model import Matcher
from erpmon.promql import PromQLSyntaxError, parse_metric_selector


def test_name_and_matchers() -> None:
    ms = parse_metric_selector('http_requests_total{job="api", code=~"5..", x!="", y!~`a\\d`}')
    assert ms == [
        Matcher.equal("__name__", "http_requests_total"),
        Matcher.equal("job", "api"),
        Matcher.regex("code", "5.."),
        Matcher.not_equal("x", ""),
        Matcher.not_regex("y", "a\\d"),
    ]


def test_go_string_escapes() -> None:
    [m] = parse_metric_selector("{a='it\\'s \\x41\\u00e9\\n'}")
    assert m.value == "it's Aé\n"


def test_promtool_default_match_parses() -> None:
    [m] = parse_metric_selector("{__name__=~'(?s:.*)'}")
    assert m.matches("") and m.matches("anything")


@pytest.mark.parametrize("bad", ["", "{a}", 'up{a="x"', "up{a=~'('}", 'up{a="x"} junk', "{a='\\q'}"])
def test_errors(bad: str) -> None:
    with pytest.raises(PromQLSyntaxError):
        parse_metric_selector(bad)
