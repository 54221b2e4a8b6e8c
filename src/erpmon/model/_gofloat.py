"""Go's float formatting, which Prometheus's outputs use: `%g` and strconv.FormatFloat(x, 'f', -1, 64).

Python's repr and Go's shortest formatting pick the same digits; they differ in when an exponent
is used and how it is written, which is all this module decides.
"""

from __future__ import annotations

import math

import numpy as np


def _special(x: float) -> str | None:
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "+Inf" if x > 0 else "-Inf"
    return None


def format_g(x: float) -> str:
    """fmt's `%g`: shortest digits; exponent form when the exponent is < -4 or >= 6."""
    special = _special(x)
    if special is not None:
        return special
    if x == 0:
        return "-0" if math.copysign(1.0, x) < 0 else "0"
    sci = np.format_float_scientific(x, unique=True, trim="-", exp_digits=2)
    mantissa, _, exp_text = sci.partition("e")
    exp = int(exp_text)
    # With the shortest representation Go switches to %e when exp < -4 || exp >= 6.
    if exp < -4 or exp >= 6:
        return f"{mantissa}e{exp_text[0]}{exp_text[1:]}"
    return format_f(x)


def format_f(x: float) -> str:
    """strconv.FormatFloat(x, 'f', -1, 64): shortest digits, never an exponent."""
    special = _special(x)
    if special is not None:
        return special
    return np.format_float_positional(x, unique=True, trim="-")


def format_e(x: float) -> str:
    """strconv.FormatFloat(x, 'e', -1, 64): shortest digits, always an exponent of 2+ digits."""
    special = _special(x)
    if special is not None:
        return special
    return np.format_float_scientific(x, unique=True, trim="-", exp_digits=2)


def format_api_value(x: float) -> str:
    """A sample value as Prometheus's HTTP API writes it: 'f' form, 'e' below 1e-6 or from 1e21."""
    magnitude = abs(x)
    if magnitude != 0 and (magnitude < 1e-6 or magnitude >= 1e21):
        return format_e(x)
    return format_f(x)
