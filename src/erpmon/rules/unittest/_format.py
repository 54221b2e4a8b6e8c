"""How promtool 2.42 prints unit-test failures: Go durations, label sets, floats and alert lists."""

from __future__ import annotations

from collections.abc import Sequence

from erpmon.config import format_duration
from erpmon.model import format_e, format_go_duration, go_quote
from erpmon.rules.unittest._series import LabelPairs

AlertView = tuple[LabelPairs, LabelPairs]
"""An alert as promtool compares it: (labels, annotations), each sorted by name."""

Sample = tuple[LabelPairs, float]


go_duration = format_go_duration


def model_duration(ms: int) -> str:
    """Prometheus's model.Duration.String() (how eval_time is echoed)."""
    return format_duration(ms)


def labels_string(pairs: LabelPairs) -> str:
    """labels.Labels.String(): `{a="1", b="2"}`, empty values included."""
    return "{" + ", ".join(f"{name}={go_quote(value)}" for name, value in pairs) + "}"


def float_e(value: float) -> str:
    """strconv.FormatFloat(v, 'E', -1, 64)."""
    return format_e(value).replace("e", "E")


def indent_lines(text: str, indent: str) -> str:
    """indentLines: every line but the first gets the indent."""
    return ("\n" + indent).join(text.split("\n"))


def alerts_string(alerts: Sequence[AlertView]) -> str:
    """labelsAndAnnotations.String()."""
    if not alerts:
        return "[]"
    parts = []
    for i, (labels, notes) in enumerate(alerts):
        one = "Labels:" + labels_string(labels) + "\nAnnotations:" + labels_string(notes)
        parts.append(f"{i}:" + indent_lines("\n" + one, "  "))
    return "[\n" + ",\n".join(parts) + "\n]"


def samples_string(samples: Sequence[Sample]) -> str:
    """parsedSamplesString."""
    if not samples:
        return "nil"
    return ", ".join(f"{labels_string(labels)} {float_e(value)}" for labels, value in samples)


def alert_failure(group_name: str, alertname: str, eval_time_ms: int, exp: str, got: str) -> str:
    head = f"    name: {group_name},\n" if group_name else ""
    pad = " " * 12
    return (
        f"{head}    alertname: {alertname}, time: {model_duration(eval_time_ms)}, \n"
        f"        exp:{indent_lines(exp, pad)}, \n"
        f"        got:{indent_lines(got, pad)}"
    )


def expr_failure(expr: str, eval_time_ms: int, exp: str, got: str) -> str:
    return (
        f"    expr: {go_quote(expr)}, time: {model_duration(eval_time_ms)},\n"
        f"        exp: {exp}\n"
        f"        got: {got}"
    )


def expr_error(expr: str, eval_time_ms: int, err: str) -> str:
    return f"    expr: {go_quote(expr)}, time: {model_duration(eval_time_ms)}, err: {err}"
