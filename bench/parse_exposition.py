"""Exposition parsing throughput, one core: erpmon steady state, first parse, prometheus_client.

The payload is shaped like ERPGo's HTTP latency histograms: one HELP/TYPE block per metric
family, `_bucket` lines with method/endpoint/le labels, then `_sum` and `_count`. "Steady state"
passes every key as `known` (the scrape cache is warm: no label parsing), "first parse" builds
`Labels` for every series. Prints samples/s (best of --repeat runs) for the text format and
OpenMetrics, and for prometheus_client.parser.text_string_to_metric_families on the same text.
Usage: .venv/bin/python bench/parse_exposition.py [--lines N] [--repeat K]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from prometheus_client.parser import text_string_to_metric_families

from erpmon.exposition import parse_openmetrics, parse_text

BUCKETS = ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"]
METHODS = ("GET", "POST", "PUT", "DELETE")
RESOURCES = ("orders", "invoices", "customers", "products", "payments", "shipments", "users", "reports")


def payload(n_lines: int, openmetrics: bool = False) -> str:
    """About n_lines sample lines; a new metric family (HELP/TYPE) every 8 endpoints."""
    out: list[str] = []
    n = 0
    family = 0
    while n < n_lines:
        name = f"erpgo_http_request_duration_seconds_{family}"
        out.append(f"# HELP {name} HTTP request duration in seconds, by method and route.")
        out.append(f"# TYPE {name} histogram")
        for resource in RESOURCES:
            for method in METHODS:
                series = f'method="{method}",endpoint="/api/v1/{resource}/{{id}}"'
                for i, le in enumerate(BUCKETS):
                    out.append(f'{name}_bucket{{{series},le="{le}"}} {1234 + 17 * i + n}')
                out.append(f"{name}_sum{{{series}}} {n * 0.731:.6g}")
                out.append(f"{name}_count{{{series}}} {1234 + 17 * len(BUCKETS) + n}")
                n += len(BUCKETS) + 2
        family += 1
    if openmetrics:
        out.append("# EOF")
    return "\n".join(out) + "\n"


def best_rate(fn: Callable[[], int], repeat: int) -> float:
    best = float("inf")
    samples = 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        samples = fn()
        best = min(best, time.perf_counter() - t0)
    return samples / best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    text = payload(args.lines)
    om = payload(args.lines, openmetrics=True)
    body, om_body = text.encode(), om.encode()
    keys = set(parse_text(body).keys)
    om_keys = set(parse_openmetrics(om_body).keys)
    n = len(parse_text(body))
    print(f"payload: {n} samples, {len(body)} bytes")

    def client() -> int:
        return sum(len(f.samples) for f in text_string_to_metric_families(text))

    r = args.repeat
    rows = [
        ("erpmon text, steady state (all keys known)", lambda: len(parse_text(body, known=keys)), r),
        ("erpmon text, first parse (labels built)", lambda: len(parse_text(body)), r),
        ("erpmon openmetrics, steady state", lambda: len(parse_openmetrics(om_body, known=om_keys)), r),
        ("erpmon openmetrics, first parse", lambda: len(parse_openmetrics(om_body)), r),
        ("prometheus_client text_string_to_metric_families", client, max(1, r // 3)),
    ]
    for label, fn, repeat in rows:
        print(f"{label:52s} {best_rate(fn, repeat):>12,.0f} samples/s")


if __name__ == "__main__":
    main()
