"""Host collector scrape cost on this machine: one /node/metrics render, and each group alone.

A scrape of the host job every 15 s should cost a few milliseconds of one core. Prints the best
and median wall time of --repeat full renders (collect + generate_latest), the exposition size,
and each collector group's own duration as node_scrape_collector_duration_seconds reports it.
Usage: .venv/bin/python bench/hostmetrics_scrape.py [--repeat K]
"""

from __future__ import annotations

import argparse
import statistics
import time

from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from erpmon.hostmetrics import host_registry


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()

    registry = host_registry()
    generate_latest(registry)  # warm up: imports, first procfs reads
    times: list[float] = []
    body = b""
    for _ in range(args.repeat):
        start = time.perf_counter()
        body = generate_latest(registry)
        times.append(time.perf_counter() - start)
    samples = sum(len(f.samples) for f in text_string_to_metric_families(body.decode()))
    print(
        f"full render: best {min(times) * 1e3:.2f} ms, median {statistics.median(times) * 1e3:.2f} ms, "
        f"{samples} samples, {len(body)} bytes"
    )
    for family in text_string_to_metric_families(body.decode()):
        if family.name == "node_scrape_collector_duration_seconds":
            for sample in sorted(family.samples, key=lambda s: -s.value):
                print(f"  {sample.labels['collector']:<11} {sample.value * 1e3:.3f} ms")


if __name__ == "__main__":
    main()
