"""The fast paths may give up, but whatever they accept the exact tokenizers accept identically."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from erpmon.exposition import ParseError, parse_openmetrics, parse_text
from erpmon.exposition._omexact import parse_openmetrics_exact
from erpmon.exposition._openmetrics import parse_openmetrics_fast
from erpmon.exposition._text import parse_text_fast
from erpmon.exposition._textexact import parse_text_exact

from .helpers import same

# Characters that matter to either grammar, plus a few that must be refused.
ALPHABET = ' \t\n{}",=#\\_:amn01259.eE+-xpINafHELPTYUOF\r\x00é'
NAMES = st.sampled_from(["m", "m_total", "m_bucket", "a:b", "_x"])
LNAMES = st.sampled_from(["a", "le", "_b", "A1"])
LVALUES = st.text(alphabet='ab "\\n{},=#é', max_size=6).map(
    lambda v: v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
)
VALUES = st.sampled_from(["1", "-0", "1e3", ".5", "5.", "NaN", "+Inf", "-Inf", "inf", "1.5e-300", "0.1"])


def _both_text(body: str, known: frozenset[str]) -> None:
    fast = parse_text_fast(body, known)
    try:
        exact = parse_text_exact(body, known)
    except ParseError:
        assert fast is None
        return
    assert fast is None or same(fast, exact)


def _both_om(body: str, known: frozenset[str]) -> None:
    fast = parse_openmetrics_fast(body, known)
    try:
        exact = parse_openmetrics_exact(body, known)
    except ParseError:
        assert fast is None
        return
    assert fast is None or same(fast, exact)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=40), st.sampled_from([frozenset(), frozenset({"m", "m{}", "a:"})]))
def test_text_fast_path_on_arbitrary_input(body: str, known: frozenset[str]) -> None:
    _both_text(body, known)
    _both_text(body + "\nm 1 2\nm{} 3\n", known)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=40), st.sampled_from([frozenset(), frozenset({"m", "m{}"})]))
def test_openmetrics_fast_path_on_arbitrary_input(body: str, known: frozenset[str]) -> None:
    _both_om(body + "\n# EOF\n", known)
    _both_om("m 1\n" + body + "\n# EOF", known)


@st.composite
def text_lines(draw: st.DrawFn) -> str:
    ws = st.sampled_from(["", " ", "\t", "  "])
    pairs = draw(st.lists(st.tuples(LNAMES, LVALUES), max_size=3, unique_by=lambda p: p[0]))
    block = ""
    if len(pairs) > 0 or draw(st.booleans()):
        sep = draw(st.sampled_from([",", ", ", " ,"]))
        block = draw(ws) + "{" + sep.join(f'{n}{draw(ws)}="{v}"' for n, v in pairs)
        block += draw(st.sampled_from(["", ","])) if pairs else ""
        block += draw(ws) + "}"
    ts = draw(st.sampled_from(["", " 0", " 1700000000000", "\t42"]))
    return f"{draw(ws)}{draw(NAMES)}{block} {draw(VALUES)}{ts}{draw(ws)}"


@settings(max_examples=300, deadline=None)
@given(st.lists(text_lines() | st.sampled_from(["", "# HELP m x", "# TYPE m gauge", "# c"]), max_size=12))
def test_text_generated_payloads(lines: list[str]) -> None:
    body = "\n".join(lines)
    first = parse_text(body)
    assert same(first, parse_text_exact(body, frozenset()))
    again = parse_text(body, known=frozenset(first.keys))
    assert (again.keys, again.labels) == (first.keys, {})
    assert again.values.tobytes() == first.values.tobytes()
    assert again.timestamps.tolist() == first.timestamps.tolist()


@st.composite
def om_lines(draw: st.DrawFn) -> str:
    pairs = draw(st.lists(st.tuples(LNAMES, LVALUES), max_size=3, unique_by=lambda p: p[0]))
    name = draw(NAMES)
    braces = len(pairs) > 0 or draw(st.booleans())
    block = "{" + ",".join(f'{n}="{v}"' for n, v in pairs) + "}" if braces else ""
    ts = draw(st.sampled_from(["", " 0", " 1700000000.123", " -1.5", " 1e3"]))
    exemplar = ""
    if name.endswith(("_total", "_bucket")) and draw(st.booleans()):
        exemplar = ' # {trace_id="x y"} 0.5' + draw(st.sampled_from(["", " 1.5"]))
    return f"{name}{block} {draw(VALUES)}{ts}{exemplar}"


@settings(max_examples=300, deadline=None)
@given(st.lists(om_lines() | st.sampled_from(["# HELP m x y", "# TYPE m gauge", "# UNIT m_s s"]), max_size=9))
def test_openmetrics_generated_payloads(lines: list[str]) -> None:
    body = "\n".join([*lines, "# EOF"]) + "\n"
    first = parse_openmetrics(body)
    assert same(first, parse_openmetrics_exact(body, frozenset()))
    again = parse_openmetrics(body, known=frozenset(first.keys))
    assert (again.keys, again.labels) == (first.keys, {})
    assert again.values.tobytes() == first.values.tobytes()


def test_the_fast_paths_take_ordinary_payloads() -> None:
    # Soundness is not enough: the common shapes must not fall back to the slow tokenizers.
    text = '# HELP m h\n# TYPE m histogram\nm_bucket{le="1",a="x"} 1\nm_sum 2 1000\n  n 3\n'
    assert parse_text_fast(text, frozenset()) is not None
    assert parse_text_fast(text, frozenset({'m_bucket{le="1",a="x"}', "m_sum"})) is not None
    om = '# TYPE m histogram\nm_bucket{le="1"} 1 # {t="1"} 1 2\nm_sum 2 1.5\n# EOF\n'
    assert parse_openmetrics_fast(om, frozenset()) is not None
    assert parse_openmetrics_fast(om, frozenset({"m_sum"})) is not None


@pytest.mark.parametrize("body", ["m 1\n", b"m 1\n"])
def test_known_may_be_any_container(body: str | bytes) -> None:
    assert parse_text(body, known={"m": 7}).labels == {}
    assert parse_text(body, known=["m"]).labels == {}
