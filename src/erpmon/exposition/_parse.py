"""Entry points: decode the body, pick the format from the Content-Type, run fast then exact path."""

from __future__ import annotations

import re
from collections.abc import Container

from erpmon.exposition._omexact import parse_openmetrics_exact
from erpmon.exposition._openmetrics import parse_openmetrics_fast
from erpmon.exposition._text import parse_text_fast
from erpmon.exposition._textexact import parse_text_exact
from erpmon.exposition._types import ParsedExposition

# scrapeAcceptHeader in Prometheus 2.42's scrape/scrape.go (protobuf negotiation off).
ACCEPT_HEADER = (
    "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
    "text/plain;version=0.0.4;q=0.5,*/*;q=0.1"
)
OPENMETRICS_MEDIA_TYPE = "application/openmetrics-text"

_NO_KEYS: frozenset[str] = frozenset()
_TOKEN = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
_MEDIA_TYPE_RE = re.compile(rf"\s*({_TOKEN}/{_TOKEN})\s*")
_PARAM_RE = re.compile(rf'\s*;\s*({_TOKEN})\s*=\s*(?:{_TOKEN}|"(?:[^"\\]|\\.)*")\s*')
_TRAILING_SEMICOLON_RE = re.compile(r"\s*;\s*")


def content_type_is_openmetrics(content_type: str | None) -> bool:
    """True if Prometheus 2.42 would parse a body with this Content-Type as OpenMetrics.

    Like textparse.New: the media type must be `application/openmetrics-text` (any case)
    and the header must parse (Go's mime.ParseMediaType); anything else, including no
    header, means the text format.
    """
    if not content_type:
        return False
    m = _MEDIA_TYPE_RE.match(content_type)
    if m is None or m.group(1).lower() != OPENMETRICS_MEDIA_TYPE:
        return False
    pos = m.end()
    seen: set[str] = set()
    while pos < len(content_type):
        p = _PARAM_RE.match(content_type, pos)
        if p is None:
            # mime.ParseMediaType forgives one trailing ";", nothing else.
            return _TRAILING_SEMICOLON_RE.fullmatch(content_type, pos) is not None
        if p.group(1).lower() in seen:
            return False  # "mime: duplicate parameter name"
        seen.add(p.group(1).lower())
        pos = p.end()
    return True


def _decode(body: bytes | str) -> tuple[str, bool]:
    """The payload as str, and whether it was valid UTF-8 (bad bytes become surrogates)."""
    if isinstance(body, str):
        return body, True
    try:
        return body.decode("utf-8"), True
    except UnicodeDecodeError:
        return body.decode("utf-8", "surrogateescape"), False


def parse_text(body: bytes | str, *, known: Container[str] = _NO_KEYS) -> ParsedExposition:
    """Parse a Prometheus text format 0.0.4 payload; raise `ParseError` if it is malformed.

    `known` holds keys the caller already resolved (its scrape cache); their labels are not
    parsed again, but their lines are still checked. It must only hold keys that this
    function returned.
    """
    text, valid_utf8 = _decode(body)
    if valid_utf8:
        parsed = parse_text_fast(text, known)
        if parsed is not None:
            return parsed
    return parse_text_exact(text, known)


def parse_openmetrics(body: bytes | str, *, known: Container[str] = _NO_KEYS) -> ParsedExposition:
    """Parse an OpenMetrics 1.0 text payload (ending in `# EOF`); raise `ParseError` if malformed.

    `known` as for `parse_text`, holding keys that this function returned.
    """
    text, valid_utf8 = _decode(body)
    if valid_utf8:
        parsed = parse_openmetrics_fast(text, known)
        if parsed is not None:
            return parsed
    return parse_openmetrics_exact(text, known)


def parse(
    body: bytes | str, content_type: str | None = None, *, known: Container[str] = _NO_KEYS
) -> ParsedExposition:
    """Parse a scraped body in the format its Content-Type names (text 0.0.4 by default)."""
    if content_type_is_openmetrics(content_type):
        return parse_openmetrics(body, known=known)
    return parse_text(body, known=known)
