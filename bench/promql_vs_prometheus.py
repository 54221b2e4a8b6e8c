"""PromQL over HTTP, erpmon against Prometheus 2.42, on the same backfilled data: ms per query.

Three data sets, each with its hot query (erpmon.promql.testing's BENCH_SETS):
  counter-10k      10,000 counters x{job, instance}, 30 min at 15 s; instant sum by (job) (rate(x[5m]))
  histogram-50x12  h_bucket, 50 label sets x 12 buckets, 1 h at 15 s;
                   instant histogram_quantile(0.95, sum by (le) (rate(h_bucket[5m])))
  range-1k-24h     1,000 counters, 24 h at 60 s; sum by (job) (rate(x[5m])) over 24 h at a 60 s step
For each: write OpenMetrics, backfill it with promtool and with erpmon, start both servers (one set
at a time), check that they answer alike, warm up, then time --repeat queries against each over
HTTP (keep-alive, one at a time) and print median/mean ms per query and erpmon/Prometheus.
Needs `prometheus` and `promtool` on PATH (apt-get install prometheus).
Usage: .venv/bin/python bench/promql_vs_prometheus.py [--repeat N] [--warmup N] [--sets a,b]
       [--only-prometheus] [--keep DIR]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

from erpmon.promql.testing import (
    BENCH_SETS,
    BenchSet,
    QueryClient,
    Server,
    backfill_erpmon,
    backfill_prometheus,
    compare,
    start_erpmon,
    start_prometheus,
    write_openmetrics,
)


def timed(client: QueryClient, bench: BenchSet, warmup: int, repeat: int) -> list[float]:
    for _ in range(warmup):
        client.query(bench.evaluation, bench.query)
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        got = client.query(bench.evaluation, bench.query)
        out.append((time.perf_counter() - t0) * 1000)
        if not got.ok:
            raise SystemExit(f"{client.name}: {bench.query} failed: {got.summary()}")
    return out


def run_set(bench: BenchSet, work: Path, args: argparse.Namespace) -> tuple[float, float | None]:
    series = bench.build()
    om = work / "data.om"
    samples = write_openmetrics(series, om)
    print(
        f"== {bench.name}: {len(series):,} series, {samples:,} samples; {bench.evaluation.kind} {bench.query}"
    )
    t0 = time.perf_counter()
    backfill_prometheus(om, work / "prometheus-data", args.promtool)
    line = f"backfill: promtool {time.perf_counter() - t0:.1f} s"
    if not args.only_prometheus:
        t0 = time.perf_counter()
        backfill_erpmon(om, work / "erpmon-data")
        line += f", erpmon {time.perf_counter() - t0:.1f} s"
    print(line)
    om.unlink()
    with ExitStack() as stack:
        servers: list[Server] = []
        prom = start_prometheus(work / "prometheus-data", work, args.prometheus)
        stack.callback(prom.stop)
        servers.append(prom)
        if not args.only_prometheus:
            erp = start_erpmon(work / "erpmon-data", work)
            stack.callback(erp.stop)
            servers.insert(0, erp)
        clients = [stack.enter_context(QueryClient(s.name, s.url, timeout=600)) for s in servers]
        answers = [c.query(bench.evaluation, bench.query) for c in clients]
        for client, answer in zip(clients, answers, strict=True):
            if not answer.ok:
                hint = " (no query API yet? try --only-prometheus)" if answer.http_status == 404 else ""
                raise SystemExit(f"{client.name}: {bench.query} failed: {answer.summary()}{hint}")
        if len(answers) == 2:
            diffs = compare(answers[0], answers[1], ordered=False, names=("erpmon", "prometheus"))
            print("answers agree" if not diffs else "ANSWERS DIFFER: " + "; ".join(diffs)[:600])
        medians: dict[str, float] = {}
        for client in clients:
            ms = timed(client, bench, args.warmup, args.repeat)
            median, mean = statistics.median(ms), statistics.mean(ms)
            print(
                f"{client.name + ':':<12} median {median:9.1f} ms   mean {mean:9.1f} ms   "
                f"min {min(ms):9.1f} ms   ({args.repeat} queries)"
            )
            medians[client.name] = median
        erpmon_ms = medians.get("erpmon")
        if erpmon_ms is not None:
            print(f"erpmon/prometheus: {erpmon_ms / medians['prometheus']:.1f}x (medians)")
        return medians["prometheus"], erpmon_ms


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=20, help="timed queries per server and set")
    ap.add_argument("--warmup", type=int, default=3, help="untimed queries first")
    ap.add_argument("--sets", default=",".join(b.name for b in BENCH_SETS), help="comma-separated set names")
    ap.add_argument("--only-prometheus", action="store_true", help="time Prometheus alone")
    ap.add_argument("--keep", type=Path, help="work in this directory and leave it behind")
    ap.add_argument("--prometheus", default="prometheus")
    ap.add_argument("--promtool", default="promtool")
    args = ap.parse_args()
    for binary in (args.prometheus, args.promtool):
        if shutil.which(binary) is None:
            raise SystemExit(f"{binary} not on PATH (apt-get install prometheus)")
    wanted = args.sets.split(",")
    unknown = set(wanted) - {b.name for b in BENCH_SETS}
    if unknown:
        raise SystemExit(f"unknown sets {sorted(unknown)}; known: {[b.name for b in BENCH_SETS]}")
    results = []
    with ExitStack() as stack:
        root = args.keep or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="promql-bench-")))
        for bench in BENCH_SETS:
            if bench.name in wanted:
                work = root / bench.name
                work.mkdir(parents=True, exist_ok=True)
                results.append((bench.name, *run_set(bench, work, args)))
    print("\nset               prometheus ms    erpmon ms   erpmon/prometheus")
    for name, prom_ms, erp_ms in results:
        ratio = f"{erp_ms / prom_ms:17.1f}x" if erp_ms is not None else f"{'-':>18}"
        erp = f"{erp_ms:12.1f}" if erp_ms is not None else f"{'-':>12}"
        print(f"{name:<17} {prom_ms:13.1f} {erp} {ratio}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
