"""Format negotiation: the Accept header Prometheus 2.42 sends, and how it reads Content-Type."""

from __future__ import annotations

import pytest

import erpmon.exposition
from erpmon.exposition import ACCEPT_HEADER, ParseError, content_type_is_openmetrics, parse


def test_accept_header_is_prometheus_2_42s() -> None:
    # scrapeAcceptHeader in scrape/scrape.go (v2.42.0), protobuf negotiation off.
    assert ACCEPT_HEADER == (
        "application/openmetrics-text;version=1.0.0,"
        "application/openmetrics-text;version=0.0.1;q=0.75,"
        "text/plain;version=0.0.4;q=0.5,"
        "*/*;q=0.1"
    )


@pytest.mark.parametrize(
    ("content_type", "openmetrics"),
    [
        (None, False),
        ("", False),
        ("text/plain; version=0.0.4; charset=utf-8", False),
        ("text/plain", False),
        ("application/openmetrics-text; version=1.0.0; charset=utf-8", True),
        ("application/openmetrics-text;version=0.0.1", True),
        ("application/openmetrics-text", True),
        ("Application/OpenMetrics-Text; version=1.0.0", True),
        ('application/openmetrics-text; version="1.0.0"', True),
        ("application/openmetrics-text;", True),  # Go forgives one trailing semicolon
        ("application/openmetrics-text; version", False),  # a broken header: text parser
        ("application/openmetrics-text; version=1.0.0;;", False),
        ("application/openmetrics-text extra", False),
        ("application / openmetrics-text", False),
        ("application/openmetrics-text; version=1.0.0; VERSION=0.0.1", False),  # duplicate parameter
        ("application/openmetrics", False),
        ("application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily", False),
    ],
)
def test_content_type(content_type: str | None, openmetrics: bool) -> None:
    assert content_type_is_openmetrics(content_type) is openmetrics


def test_parse_dispatches_on_content_type() -> None:
    om = "m 1 1.5\n# EOF\n"
    got = parse(om, "application/openmetrics-text; version=1.0.0")
    assert got.openmetrics and got.timestamps.tolist() == [1500]
    # The same body read as text: `# EOF` is a comment, the timestamp must be integer ms.
    with pytest.raises(ParseError, match=r"^line 1: expected next entry after timestamp"):
        parse(om, "text/plain; version=0.0.4")
    assert parse("m 1 1500\n").timestamps.tolist() == [1500]
    with pytest.raises(ParseError, match="data does not end with # EOF"):
        parse("m 1\n", "application/openmetrics-text")


def test_exported_members() -> None:
    assert sorted(erpmon.exposition.__all__) == [
        "ACCEPT_HEADER",
        "MetricType",
        "NORMAL_NAN",
        "NORMAL_NAN_BITS",
        "NO_TIMESTAMP",
        "OPENMETRICS_MEDIA_TYPE",
        "ParseError",
        "ParsedExposition",
        "content_type_is_openmetrics",
        "parse",
        "parse_openmetrics",
        "parse_text",
    ]
    for name in erpmon.exposition.__all__:
        assert getattr(erpmon.exposition, name) is not None
