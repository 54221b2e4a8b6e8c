"""Two API answers to one query -> the differences that matter, in words a person can act on.

Equal means: both succeed with the same resultType, the same label sets, the same timestamps and
values within a relative 1e-9 (absolute 1e-12 near zero; NaN equals NaN, infinities by sign);
equal values (0 and -0 too) must also be written the same way. In order-keeping instant results
(sort, sort_desc, topk, bottomk) the sequence of values must match too; label sets sharing a value
may come in any order. Or: both fail with the same errorType; their messages are kept, not compared.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

REL_TOL = 1e-9
ABS_TOL = 1e-12
SHOW = 5  # differences of each kind quoted in a report


@dataclass(frozen=True)
class Outcome:
    """One server's answer: a result (`ok`) or an error, from the API or from getting there."""

    ok: bool
    http_status: int
    result_type: str = ""
    result: Any = None
    error_type: str = ""
    error: str = ""

    @classmethod
    def from_response(cls, response: httpx.Response) -> Outcome:
        try:
            body = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            body = None
        if not isinstance(body, dict) or body.get("status") not in ("success", "error"):
            text = response.text[:300].strip()
            return cls(False, response.status_code, error_type="<not the API>", error=text)
        if body["status"] == "error":
            return cls(
                False,
                response.status_code,
                error_type=str(body.get("errorType", "")),
                error=str(body.get("error", "")),
            )
        data = body.get("data") or {}
        return cls(True, response.status_code, str(data.get("resultType", "")), data.get("result"))

    @classmethod
    def transport_error(cls, err: Exception) -> Outcome:
        return cls(False, 0, error_type="<no answer>", error=f"{type(err).__name__}: {err}")

    def summary(self) -> str:
        if not self.ok:
            return f"error (HTTP {self.http_status}, {self.error_type}): {self.error}"
        size = len(self.result) if self.result_type in ("vector", "matrix") else 1
        return (
            f"{self.result_type} of {size}"
            if self.result_type in ("vector", "matrix")
            else (f"{self.result_type} {self.result!r}")
        )


def same_value(a: str, b: str) -> bool:
    x, y = float(a), float(b)
    if math.isnan(x) or math.isnan(y):
        return math.isnan(x) and math.isnan(y)
    if math.isinf(x) or math.isinf(y):
        return x == y
    return math.isclose(x, y, rel_tol=REL_TOL, abs_tol=ABS_TOL)


def _value_problem(actual: str, expected: str) -> str | None:
    if actual == expected:
        return None
    if not same_value(actual, expected):
        return "value"
    return "format" if float(actual) == float(expected) else None  # equal, but spelled differently


def _v(text: str) -> str:
    """A value as quoted in a report: long spellings (1e300 written out) cut in the middle."""
    return text if len(text) <= 40 else f"{text[:18]}...{text[-18:]} ({len(text)} chars)"


def _note(problem: str | None) -> str:
    return " (equal values, written differently)" if problem == "format" else ""


def _ms(t: float) -> int:
    return round(float(t) * 1000)


def labels_text(metric: dict[str, str]) -> str:
    name = metric.get("__name__", "")
    rest = ", ".join(f"{k}={json.dumps(v)}" for k, v in sorted(metric.items()) if k != "__name__")
    return f"{name}{{{rest}}}"


def _keyed(result: Sequence[dict[str, Any]], what: str) -> tuple[dict[str, dict[str, Any]], list[str]]:
    out: dict[str, dict[str, Any]] = {}
    problems = []
    for item in result:
        key = labels_text(item.get("metric") or {})
        if key in out:
            problems.append(f"{what} returned the label set {key} twice")
        out[key] = item
    return out, problems


def _quote(items: Iterable[str], total: int) -> str:
    shown = list(items)[:SHOW]
    more = f" ... and {total - len(shown)} more" if total > len(shown) else ""
    return "; ".join(shown) + more


def _compare_sets(
    actual: dict[str, Any], expected: dict[str, Any], names: tuple[str, str]
) -> tuple[list[str], list[str]]:
    only_actual = sorted(set(actual) - set(expected))
    only_expected = sorted(set(expected) - set(actual))
    diffs = []
    if only_expected:
        diffs.append(
            f"series only in {names[1]} ({len(only_expected)}): {_quote(only_expected, len(only_expected))}"
        )
    if only_actual:
        diffs.append(
            f"series only in {names[0]} ({len(only_actual)}): {_quote(only_actual, len(only_actual))}"
        )
    return diffs, sorted(set(actual) & set(expected))


def _compare_vector(
    actual: list[dict[str, Any]], expected: list[dict[str, Any]], ordered: bool, names: tuple[str, str]
) -> list[str]:
    a, problems = _keyed(actual, names[0])
    e, more = _keyed(expected, names[1])
    diffs, common = _compare_sets(a, e, names)
    diffs = problems + more + diffs
    bad: list[str] = []
    for key in common:
        (ta, va), (te, ve) = a[key]["value"], e[key]["value"]
        kind = _value_problem(va, ve)
        if _ms(ta) != _ms(te):
            bad.append(f"{key}: timestamp {names[0]} {ta} {names[1]} {te}")
        elif kind:
            bad.append(f"{key}: {names[0]} {_v(va)} {names[1]} {_v(ve)}{_note(kind)}")
    if bad:
        diffs.append(f"values differ ({len(bad)} of {len(common)} series): {_quote(bad, len(bad))}")
    if ordered and not diffs and not _same_order(actual, expected):
        diffs.append(
            f"order differs: {names[0]} {[i['value'][1] for i in actual][:12]} "
            f"{names[1]} {[i['value'][1] for i in expected][:12]}"
        )
    return diffs


def _same_order(actual: list[dict[str, Any]], expected: list[dict[str, Any]]) -> bool:
    """Same sequence of values; label sets sharing a value may be permuted among themselves."""
    if len(actual) != len(expected):
        return False
    i = 0
    while i < len(expected):
        j = i
        while j + 1 < len(expected) and same_value(expected[j + 1]["value"][1], expected[i]["value"][1]):
            j += 1
        run_e = {labels_text(x["metric"]) for x in expected[i : j + 1]}
        run_a = {labels_text(x["metric"]) for x in actual[i : j + 1]}
        if run_a != run_e or not all(
            same_value(x["value"][1], expected[i]["value"][1]) for x in actual[i : j + 1]
        ):
            return False
        i = j + 1
    return True


def _compare_matrix(
    actual: list[dict[str, Any]], expected: list[dict[str, Any]], names: tuple[str, str]
) -> list[str]:
    a, problems = _keyed(actual, names[0])
    e, more = _keyed(expected, names[1])
    diffs, common = _compare_sets(a, e, names)
    diffs = problems + more + diffs
    bad: list[str] = []
    for key in common:
        pa, pe = a[key].get("values") or [], e[key].get("values") or []
        ts_a, ts_e = [_ms(p[0]) for p in pa], [_ms(p[0]) for p in pe]
        if ts_a != ts_e:
            missing = sorted(set(ts_e) - set(ts_a))
            extra = sorted(set(ts_a) - set(ts_e))
            bad.append(
                f"{key}: timestamps differ ({len(pa)} vs {len(pe)} points; missing in {names[0]} "
                f"{[t / 1000 for t in missing[:3]]}, extra {[t / 1000 for t in extra[:3]]})"
            )
            continue
        for (t, va), (_, ve) in zip(pa, pe, strict=True):
            kind = _value_problem(va, ve)
            if kind:
                bad.append(f"{key} @{t}: {names[0]} {_v(va)} {names[1]} {_v(ve)}{_note(kind)}")
                break
    if bad:
        diffs.append(f"series differ ({len(bad)} of {len(common)}): {_quote(bad, len(bad))}")
    return diffs


def compare(actual: Outcome, expected: Outcome, *, ordered: bool, names: tuple[str, str]) -> list[str]:
    """Differences between `actual` (the system under test) and `expected` (the reference); [] if none."""
    if not actual.ok or not expected.ok:
        if actual.ok != expected.ok:
            return [f"{names[0]}: {actual.summary()}", f"{names[1]}: {expected.summary()}"]
        if actual.error_type != expected.error_type:
            return [f"errorType {names[0]} {actual.error_type!r} {names[1]} {expected.error_type!r}"]
        return []
    if actual.result_type != expected.result_type:
        return [f"resultType {names[0]} {actual.result_type!r} {names[1]} {expected.result_type!r}"]
    kind = expected.result_type
    if kind == "vector":
        return _compare_vector(actual.result or [], expected.result or [], ordered, names)
    if kind == "matrix":
        return _compare_matrix(actual.result or [], expected.result or [], names)
    (ta, va), (te, ve) = actual.result, expected.result
    if _ms(ta) != _ms(te):
        return [f"timestamp {names[0]} {ta} {names[1]} {te}"]
    if kind == "string":
        return [] if va == ve else [f"string {names[0]} {va!r} {names[1]} {ve!r}"]
    problem = _value_problem(va, ve)
    return [f"scalar {names[0]} {_v(va)} {names[1]} {_v(ve)}{_note(problem)}"] if problem else []
