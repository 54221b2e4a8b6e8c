"""Prometheus 2.42 itself as the oracle: instant queries answered by `promtool test rules`.

Every query is written as a `promql_expr_test` expecting nothing, so promtool prints what it got
(values in Go's shortest 'E' format, which round-trips exactly) or the error.
"""

from __future__ import annotations

import math
import re
import subprocess
from collections.abc import Sequence
from pathlib import Path

import yaml

from erpmon.model import go_quote
from erpmon.promql.functions._testing import parse_labels

Sample = tuple[str, float]  # (labels as Prometheus prints them, value)
_BLOCK = re.compile(
    r"^    expr: (\".*\"), time: (\S+),(?: err: (.*)|\n        exp: .*\n        got: (.*))$", re.M
)
_SAMPLE = re.compile(r"(\{[^{}]*\}) (\S+?)(?:, |$)")


def format_value(v: float | None) -> str:
    if v is None:
        return "_"
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Inf" if v > 0 else "-Inf"
    return repr(v)


def prom_duration(ms: int) -> str:
    """Prometheus's model.Duration.String() (how promtool prints eval times)."""
    if ms == 0:
        return "0s"
    out = ""
    for unit, mult, exact in (
        ("y", 365 * 86_400_000, True),
        ("w", 7 * 86_400_000, True),
        ("d", 86_400_000, False),
        ("h", 3_600_000, False),
        ("m", 60_000, False),
        ("s", 1000, False),
        ("ms", 1, False),
    ):
        if exact and ms % mult:
            continue
        if ms // mult > 0:
            out += f"{ms // mult}{unit}"
            ms -= ms // mult * mult
    return out


def promtool_eval(
    promtool: str,
    workdir: Path,
    interval_ms: int,
    series: Sequence[tuple[str, Sequence[float | None]]],
    queries: Sequence[tuple[str, int]],
) -> list[list[Sample] | str]:
    """For each (expr, eval time ms): the samples Prometheus returns, or its error message.

    promtool loads samples lazily, only up to the last evaluation_interval tick before the
    largest eval time; a last query after every sample makes it load them all.
    """
    longest = max((len(values) for _, values in series), default=0) * interval_ms
    load_all = -(-max([longest, *(at for _, at in queries)]) // 60_000) * 60_000 + 60_000
    doc = {
        "rule_files": [],
        "evaluation_interval": "1m",
        "tests": [
            {
                "interval": f"{interval_ms}ms",
                "input_series": [
                    {"series": name, "values": " ".join(format_value(v) for v in values)}
                    for name, values in series
                ],
                "promql_expr_test": [
                    {"expr": expr, "eval_time": f"{at}ms"} for expr, at in [*queries, ("vector(0)", load_all)]
                ],
            }
        ],
    }
    path = workdir / "oracle.yml"
    path.write_text(yaml.safe_dump(doc, width=1 << 20))
    proc = subprocess.run([promtool, "test", "rules", str(path)], capture_output=True, text=True, timeout=300)
    found: dict[tuple[str, str], list[Sample] | str] = {}
    for m in _BLOCK.finditer(proc.stdout + proc.stderr):
        expr_q, time_s, err, got = m.groups()
        if err is not None:
            found[(expr_q, time_s)] = err
        else:
            found[(expr_q, time_s)] = (
                [] if got == "nil" else [(lbl, float(v)) for lbl, v in _SAMPLE.findall(got)]
            )
    if proc.returncode not in (0, 1) or (proc.returncode == 1 and not found):
        raise RuntimeError(f"promtool failed: {proc.stdout}\n{proc.stderr}")
    return [found.get((go_quote(expr), prom_duration(at)), []) for expr, at in queries]


def as_dict(samples: Sequence[Sample]) -> dict[object, float]:
    return {parse_labels(lbl): v for lbl, v in samples}
