import pytest

from erpmon.model import format_api_value, format_f, format_g, go_quote


@pytest.mark.parametrize(
    ("x", "g", "f"),
    [
        (1e6, "1e+06", "1000000"),
        (123456.0, "123456", "123456"),
        (1234567.0, "1.234567e+06", "1234567"),
        (0.0001, "0.0001", "0.0001"),
        (0.00001, "1e-05", "0.00001"),
        (-0.0, "-0", "-0"),
        (1e21, "1e+21", "1000000000000000000000"),
        (1 / 3, "0.3333333333333333", "0.3333333333333333"),
        (float("nan"), "NaN", "NaN"),
        (float("inf"), "+Inf", "+Inf"),
        (float("-inf"), "-Inf", "-Inf"),
        (1.7976931348623157e308, "1.7976931348623157e+308", "1" + "7976931348623157" + "0" * 292),
    ],
)
def test_go_formats(x: float, g: str, f: str) -> None:
    assert format_g(x) == g
    assert format_f(x) == f


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        ('a"b\\c', '"a\\"b\\\\c"'),
        ("tab\tbell\a\x01", '"tab\\tbell\\a\\x01"'),
        ("é€", '"é€"'),
        ("\u200b", '"\\u200b"'),
        ("\udcff", '"\\xff"'),
    ],
)
def test_go_quote(text: str, quoted: str) -> None:
    assert go_quote(text) == quoted


@pytest.mark.parametrize(
    ("x", "text"),
    [
        (7.94161e299, "7.94161e+299"),
        (5.5318999999999995e-301, "5.5318999999999995e-301"),
        (1e21, "1e+21"),
        (1e20, "100000000000000000000"),
        (1e-6, "0.000001"),
        (9e-7, "9e-07"),
        (0.0, "0"),
        (float("-inf"), "-Inf"),
    ],
)
def test_api_value_format(x: float, text: str) -> None:
    assert format_api_value(x) == text
