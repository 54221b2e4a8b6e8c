import numpy as np
import pytest

from erpmon.model import STALE_NAN, Matcher, RegexError, is_stale_nan


@pytest.mark.parametrize(
    ("matcher", "value", "expected"),
    [
        (Matcher.equal("a", "x"), "x", True),
        (Matcher.equal("a", ""), "", True),
        (Matcher.not_equal("a", "x"), "", True),
        (Matcher.regex("a", "fo."), "foo", True),
        (Matcher.regex("a", "fo."), "xfoo", False),  # anchored on both ends
        (Matcher.regex("a", "fo."), "food", False),
        (Matcher.regex("a", "a.b"), "a\nb", False),  # 2.42 anchors as ^(?:...)$: dot stops at newline
        (Matcher.regex("a", "(?s:a.b)"), "a\nb", True),
        (Matcher.regex("a", ".*"), "", True),
        (Matcher.regex("a", ".+"), "", False),
        (Matcher.not_regex("a", "b|c"), "b", False),
        (Matcher.not_regex("a", "b|c"), "bc", True),
        (Matcher.regex("a", r"\d+"), "٣", False),  # RE2's \d is ASCII-only; Python's re would match
        (Matcher.regex("a", "(?i)ABC"), "abc", True),
    ],
)
def test_matcher_semantics(matcher: Matcher, value: str, expected: bool) -> None:
    assert matcher.matches(value) is expected


@pytest.mark.parametrize("pattern", [r"(a)\1", "(?=x)", "(", "a{1001}"])
def test_patterns_re2_rejects(pattern: str) -> None:
    with pytest.raises(RegexError, match="error parsing regexp"):
        Matcher.regex("a", pattern)


def test_matches_empty() -> None:
    assert Matcher.equal("foo", "").matches_empty()
    assert not Matcher.not_equal("foo", "").matches_empty()
    assert Matcher.regex("foo", "x|").matches_empty()


def test_stale_nan_is_one_bit_pattern() -> None:
    assert is_stale_nan(STALE_NAN)
    assert not is_stale_nan(float("nan"))
    arr = np.array([STALE_NAN, np.nan, 0.0])
    assert is_stale_nan(arr).tolist() == [True, False, False]
