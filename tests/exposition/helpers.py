"""Shared checks for the exposition tests: fast and exact paths must agree on every payload."""

from __future__ import annotations

from collections.abc import Container

import numpy as np

from erpmon.exposition import ParsedExposition, parse_openmetrics, parse_text
from erpmon.exposition._omexact import parse_openmetrics_exact
from erpmon.exposition._textexact import parse_text_exact


def same(a: ParsedExposition, b: ParsedExposition) -> bool:
    return (
        a.keys == b.keys
        and a.values.tobytes() == b.values.tobytes()  # bit-exact, NaN payloads included
        and np.array_equal(a.timestamps, b.timestamps)
        and a.labels == b.labels
        and a.types == b.types
        and a.helps == b.helps
        and a.units == b.units
        and a.openmetrics == b.openmetrics
    )


def text(body: str | bytes, known: Container[str] = frozenset()) -> ParsedExposition:
    """parse_text, checked against the exact tokenizer run on its own."""
    got = parse_text(body, known=known)
    decoded = body.decode("utf-8", "surrogateescape") if isinstance(body, bytes) else body
    assert same(got, parse_text_exact(decoded, known))
    return got


def om(body: str | bytes, known: Container[str] = frozenset()) -> ParsedExposition:
    """parse_openmetrics, checked against the exact line tokenizer run on its own."""
    got = parse_openmetrics(body, known=known)
    decoded = body.decode("utf-8", "surrogateescape") if isinstance(body, bytes) else body
    assert same(got, parse_openmetrics_exact(decoded, known))
    return got
