"""One evaluation cycle of the ERPGo rule pack: erpmon (in process) vs Prometheus 2.42, side by side.

The data: a realistic ERPGo deployment derived from the pack's rule files (bench/erpgo_deployment.py:
5 API instances x 40 endpoints x 5 methods x 6 status codes, 12-bucket latency histograms, 5
node_exporter hosts, cAdvisor, PostgreSQL, business, security and RUM metrics), 2 h at 15 s ending
near now, written as OpenMetrics and backfilled with promtool and with erpmon, so both stores hold
the same data. Incidents in the last minutes make alerts pending or firing.

Prometheus: started on 127.0.0.1 with the pack's rule files, `evaluation_interval: 15s` and no
scrape jobs; once every group has evaluated twice (warm-up; Prometheus restores `for` state after
the second), each group's `prometheus_rule_group_last_duration_seconds` is read from /metrics for
--prom-evals further evaluations. Groups run concurrently in Prometheus; the cycle is reported as
the sum over groups, as for erpmon.
erpmon: the TSDB opened in process, `Engine`, `RuleManager` loaded with the same files; every group
is evaluated at the same timestamps (15 s apart, starting just after the data's end), one cycle
after another: 2 warm-up cycles (then `for` state is restored, as Prometheus does), then --cycles
timed ones. The table shows per-group medians and their sum.

erpmon's time depends on where the data's end falls in the 2 h block grid (printed as "newest
block"): its block reader decodes the whole block of every selected series, Prometheus only the
chunks a window overlaps. Seen: 1.1x Prometheus with a 10 min newest block, ~2.3-3.5x with 114 min.
Prometheus refuses samples older than its newest block, so the data must end before it starts:
the data's end is placed far enough in the future (`--lead`, estimated from the sample count)
to cover writing and promtool's backfill, and the bench waits for it before starting Prometheus.
Needs `prometheus` and `promtool` on PATH unless --no-prometheus.
Usage: .venv/bin/python bench/rules_pack_eval.py [--quick] [--no-prometheus] [--cycles N]
       [--prom-evals N] [--profile N] [--keep DIR] [--seed N]
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import io
import math
import pstats
import re
import shutil
import signal
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import yaml

from erpgo_deployment import Deployment, Scale, build_deployment, rule_files
from erpmon.clock import FakeClock
from erpmon.promql import Engine, EngineOptions
from erpmon.promql.testing import backfill_erpmon, backfill_prometheus, start_prometheus, write_openmetrics
from erpmon.tsdb import TSDB, TSDBOptions

if TYPE_CHECKING:
    from erpmon.rules import AlertingRule, Group

PACK = Path(__file__).resolve().parents[1] / "src" / "erpmon" / "packs" / "erpgo"
INTERVAL_MS = 15_000
BLOCK_MS = 2 * 3600 * 1000
WARMUP = 2  # erpmon cycles before timing: after the second, `for` state is restored (as on a start)
# Prometheus loads the groups by a reload (SIGHUP), and reloaded groups do not restore `for` state:
# they write ALERTS from their first evaluation, which is skipped as a warm-up.
PROM_WARMUP = 1
GroupId = tuple[str, str]  # (rule file name, group name)


@dataclass
class RuleTiming:
    group: GroupId
    name: str
    kind: str
    ms: list[float] = field(default_factory=list)
    health: str = "unknown"
    last_error: str = ""


@dataclass
class ErpmonSide:
    groups: dict[GroupId, list[float]]  # ms per timed cycle
    iterations: dict[GroupId, int]
    rules: list[RuleTiming]
    alerts: dict[str, int]  # state -> active alerts after the last cycle
    cycle_ms: list[float]  # wall time of each timed cycle
    eval_offsets_s: tuple[float, float]  # first and last timed evaluation, after the data's end
    open_s: float
    series_at_end: int
    profile: str = ""

    def rule_errors(self) -> list[RuleTiming]:
        return [r for r in self.rules if r.health != "ok"]


@dataclass
class PrometheusSide:
    groups: dict[GroupId, list[float]]  # ms per timed evaluation
    failures: dict[GroupId, float]
    alerts: dict[str, int]
    eval_offsets_s: tuple[float, float]
    median_offset_s: float
    series_at_end: int
    waited_s: float


@dataclass
class Run:
    scale: Scale
    deployment: Deployment
    end_ms: int
    timings: dict[str, float]
    openmetrics_bytes: int
    erpmon: ErpmonSide | None = None
    prometheus: PrometheusSide | None = None


# -- erpmon -------------------------------------------------------------------------------------------
def group_id(group: Group) -> GroupId:
    return Path(group.file).name, group.name


def _alert_states(rules: list[AlertingRule]) -> dict[str, int]:
    states: dict[str, int] = {}
    for rule in rules:
        for alert in rule.active.values():
            states[str(alert.state)] = states.get(str(alert.state), 0) + 1
    return states


def _count_series(engine: Engine, t_ms: int) -> int:
    """Series the data set holds at its end (recorded names all contain a colon)."""
    vec = engine.instant_vector('count({__name__=~"[^:]+", __name__!~"ALERTS.*"})', t_ms)
    return int(vec.values[0]) if len(vec.values) else 0


def erpmon_side(
    files: list[Path], data: Path, end_ms: int, cycles: int, first_offset_ms: int, profile_top: int = 0
) -> ErpmonSide:
    """Warm-up cycles, then `cycles` timed ones from `end_ms + first_offset_ms`, 15 s apart."""
    from erpmon.rules import ManagerOptions, RuleManager, RulesConfig  # not needed by the Prometheus side

    t0 = time.perf_counter()
    db = TSDB.open(data, TSDBOptions())
    open_s = time.perf_counter() - t0
    try:
        engine = Engine(db, EngineOptions(default_eval_interval_ms=INTERVAL_MS))
        series_at_end = _count_series(engine, end_ms)
        clock = FakeClock(end_ms)
        options = ManagerOptions()
        manager = RuleManager(engine.instant_vector, db, db, clock, options=options)
        manager.load(RulesConfig(files=tuple(str(f) for f in files), evaluation_interval_ms=INTERVAL_MS))
        groups = manager.groups()
        timed: dict[GroupId, list[float]] = {group_id(g): [] for g in groups}
        rules = [RuleTiming(group_id(g), r.name, r.kind) for g in groups for r in g.rules]
        cycle_ms: list[float] = []
        offsets: list[float] = []

        def cycle(k: int) -> int:
            ts = end_ms + first_offset_ms + (k - WARMUP) * INTERVAL_MS
            clock.set(ts)
            started = time.perf_counter()
            for g in groups:
                g.eval(ts)
            elapsed = (time.perf_counter() - started) * 1000
            if k == WARMUP - 1:
                for g in groups:  # as RuleManager does after a start's second evaluation
                    g.restore_for_state(ts, db, options.outage_tolerance_ms, options.for_grace_period_ms)
                    g.should_restore = False
            if k >= WARMUP:
                cycle_ms.append(elapsed)
                offsets.append((ts - end_ms) / 1000)
                it = iter(rules)
                for g in groups:
                    timed[group_id(g)].append(g.counters.last_duration_s * 1000)
                    for r in g.rules:
                        next(it).ms.append(r.eval_duration_s * 1000)
            return ts

        for k in range(WARMUP + cycles):
            cycle(k)
        it = iter(rules)
        for g in groups:
            for r in g.rules:
                timing = next(it)
                timing.health, timing.last_error = r.health, r.last_error
        profile = ""
        if profile_top:
            profiler = cProfile.Profile()
            profiler.enable()
            for k in range(WARMUP + cycles, WARMUP + cycles + 2):
                cycle(k)
            profiler.disable()
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out)
            stats.sort_stats("cumulative").print_stats(profile_top)
            out.write("\n--- by own time ---\n")
            stats.sort_stats("tottime").print_stats(profile_top)
            profile = out.getvalue()
        return ErpmonSide(
            groups=timed,
            iterations={group_id(g): g.counters.iterations for g in groups},
            rules=rules,
            alerts=_alert_states(manager.alerting_rules()),
            cycle_ms=cycle_ms,
            eval_offsets_s=(offsets[0], offsets[-1]) if offsets else (0.0, 0.0),
            open_s=open_s,
            series_at_end=series_at_end,
            profile=profile,
        )
    finally:
        db.close()


# -- Prometheus ---------------------------------------------------------------------------------------
_SAMPLE = re.compile(r'^(prometheus_rule_[a-z_]+)\{rule_group="([^"]*)"\} (\S+)$')


def _rule_metrics(client: httpx.Client) -> dict[str, dict[GroupId, float]]:
    out: dict[str, dict[GroupId, float]] = {}
    for line in client.get("/metrics").text.splitlines():
        m = _SAMPLE.match(line)
        if m:
            path, _, name = m.group(2).partition(";")
            out.setdefault(m.group(1), {})[(Path(path).name, name)] = float(m.group(3))
    return out


def _prometheus_config(files: list[Path]) -> str:
    listed = "".join(f"  - {f.resolve()}\n" for f in files)
    return (
        "# The ERPGo rule pack over backfilled data; no scrape jobs.\n"
        "global:\n  evaluation_interval: 15s\n"
        f"rule_files:\n{listed}"
        "scrape_configs: []\n"
    )


def prometheus_side(
    files: list[Path], data: Path, work: Path, end_ms: int, evals: int, binary: str, timeout_s: float
) -> PrometheusSide:
    waited = max(0.0, end_ms / 1000 + 1 - time.time())
    time.sleep(waited)
    server = start_prometheus(data, work, binary)
    try:
        # start_prometheus writes a config without rules; give it the pack's and reload (SIGHUP).
        (work / "prometheus.yml").write_text(_prometheus_config(files))
        server.proc.send_signal(signal.SIGHUP)
        expected = _count_groups(files)
        seen: dict[GroupId, dict[float, float]] = {}
        failures: dict[GroupId, float] = {}
        with httpx.Client(base_url=server.url, timeout=30) as client:
            deadline = time.monotonic() + timeout_s
            while True:
                metrics = _rule_metrics(client)
                last = metrics.get("prometheus_rule_group_last_evaluation_timestamp_seconds", {})
                durations = metrics.get("prometheus_rule_group_last_duration_seconds", {})
                failures = metrics.get("prometheus_rule_evaluation_failures_total", {})
                for gid, ts in last.items():
                    if ts > 0 and gid in durations:
                        # Prometheus sets the duration before the timestamp: the first reading of
                        # a new timestamp carries its own duration.
                        seen.setdefault(gid, {}).setdefault(ts, durations[gid] * 1000)
                if len(seen) == expected and all(len(v) >= PROM_WARMUP + evals for v in seen.values()):
                    break
                if time.monotonic() > deadline:
                    short = {f"{f};{g}": len(v) for (f, g), v in seen.items() if len(v) < PROM_WARMUP + evals}
                    raise SystemExit(
                        f"prometheus: groups not evaluated in time: {short}\n{server.log_tail()}"
                    )
                time.sleep(0.5)
            series = client.get(
                "/api/v1/query",
                params={"query": 'count({__name__=~"[^:]+", __name__!~"ALERTS.*"})', "time": end_ms / 1000},
            ).json()
            alerts = client.get("/api/v1/alerts").json()["data"]["alerts"]
        states: dict[str, int] = {}
        for a in alerts:
            states[a["state"]] = states.get(a["state"], 0) + 1
        timed_at = {gid: sorted(v)[PROM_WARMUP : PROM_WARMUP + evals] for gid, v in seen.items()}
        timed = {gid: [seen[gid][t] for t in stamps] for gid, stamps in timed_at.items()}
        offsets = [t - end_ms / 1000 for stamps in timed_at.values() for t in stamps]
        result = series["data"]["result"]
        return PrometheusSide(
            groups=timed,
            failures=failures,
            alerts=states,
            eval_offsets_s=(min(offsets), max(offsets)),
            median_offset_s=statistics.median(offsets),
            series_at_end=int(float(result[0]["value"][1])) if result else 0,
            waited_s=waited,
        )
    finally:
        server.stop()


def _count_groups(files: list[Path]) -> int:
    return sum(len((yaml.safe_load(f.read_text()) or {}).get("groups") or ()) for f in files)


# -- the run ------------------------------------------------------------------------------------------
def _lead_s(samples: int) -> float:
    """Seconds to write the OpenMetrics file and backfill it with promtool, with a margin."""
    return 10.0 + samples * 12e-6


def _shift(dep: Deployment, delta_ms: int) -> None:
    dep.series = [dataclasses.replace(s, ts_ms=s.ts_ms + delta_ms) for s in dep.series]


def run(args: argparse.Namespace, work: Path) -> Run:
    scale = Scale.quick() if args.quick else Scale()
    files = rule_files(args.pack)
    for old in ("prometheus-data", "erpmon-data"):  # from an earlier run with --keep
        shutil.rmtree(work / old, ignore_errors=True)
    timings: dict[str, float] = {}
    now_s = int(time.time())
    t0 = time.perf_counter()
    dep = build_deployment(files, scale, now_s, seed=args.seed)
    timings["generate"] = time.perf_counter() - t0
    lead = 0.0 if args.no_prometheus else (args.lead if args.lead is not None else _lead_s(dep.num_samples))
    end_ms = (now_s + math.ceil(lead)) * 1000
    _shift(dep, end_ms - now_s * 1000)
    om = work / "data.om"
    t0 = time.perf_counter()
    write_openmetrics(dep.series, om)
    timings["write OpenMetrics"] = time.perf_counter() - t0
    result = Run(scale, dep, end_ms, timings, om.stat().st_size)
    if not args.no_prometheus:
        t0 = time.perf_counter()
        backfill_prometheus(om, work / "prometheus-data", args.promtool)
        timings["promtool backfill"] = time.perf_counter() - t0
        timeout = (WARMUP + args.prom_evals + 1) * 60 + 120
        result.prometheus = prometheus_side(
            files, work / "prometheus-data", work, end_ms, args.prom_evals, args.prometheus, timeout
        )
        shutil.rmtree(work / "prometheus-data", ignore_errors=True)
    t0 = time.perf_counter()
    backfill_erpmon(om, work / "erpmon-data")
    timings["erpmon backfill"] = time.perf_counter() - t0
    om.unlink()
    # erpmon's timed cycles around the time Prometheus's timed evaluations saw (the data ages alike)
    first_s = (WARMUP + 1) * INTERVAL_MS / 1000
    if result.prometheus is not None:
        centre = result.prometheus.median_offset_s - (args.cycles - 1) * INTERVAL_MS / 2000
        first_s = max(first_s, round(centre / 15) * 15)
    first_ms = int(first_s * 1000)
    result.erpmon = erpmon_side(files, work / "erpmon-data", end_ms, args.cycles, first_ms, args.profile)
    timings["erpmon TSDB open"] = result.erpmon.open_s
    return result


# -- the report ---------------------------------------------------------------------------------------
def _median(xs: list[float]) -> float | None:
    return statistics.median(xs) if xs else None


def _ms(x: float | None) -> str:
    return f"{x:10.1f}" if x is not None else f"{'-':>10}"


def _ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:8.2f}x" if a is not None and b else f"{'-':>9}"


def _states(states: dict[str, int]) -> str:
    return ", ".join(f"{n} {s}" for s, n in sorted(states.items())) or "none"


def report(r: Run) -> str:
    dep, out = r.deployment, []
    out.append(
        f"data: {len(dep.series):,} series, {dep.num_samples:,} samples "
        f"({r.scale.history_s // 60} min at {r.scale.interval_s} s, ending "
        f"{time.strftime('%H:%M:%S', time.gmtime(r.end_ms / 1000))} UTC), "
        f"OpenMetrics {r.openmetrics_bytes / 1e6:,.0f} MB; families: {len(dep.families)}"
        + (f"; fallback names: {', '.join(dep.fallback)}" if dep.fallback else "")
    )
    if dep.unmatched:
        out.append("selectors matching no generated series: " + ", ".join(map(str, dep.unmatched)))
    out.append("times: " + ", ".join(f"{k} {v:.1f} s" for k, v in r.timings.items()))
    # Both backfills cut blocks at 2 h boundaries (UTC); erpmon decodes a selected series' whole
    # block, Prometheus only the chunks in the window: erpmon's time grows with this.
    newest_min = (r.end_ms % BLOCK_MS) / 60_000
    out.append(f"newest block: the last {newest_min:.0f} min of the data (blocks are aligned to 2 h)")
    erp, prom = r.erpmon, r.prometheus
    if prom is not None:
        lo, hi = prom.eval_offsets_s
        out.append(
            f"prometheus: waited {prom.waited_s:.0f} s for the data's end; timed evaluations at "
            f"end+{lo:.0f}..{hi:.0f} s (median {prom.median_offset_s:.0f} s); "
            f"series at the end {prom.series_at_end:,}; "
            f"alerts: {_states(prom.alerts)}"
        )
    if erp is not None:
        lo, hi = erp.eval_offsets_s
        out.append(
            f"erpmon: {len(erp.cycle_ms)} timed cycles at end+{lo:.0f}..{hi:.0f} s after {WARMUP} warm-up; "
            f"series at the end {erp.series_at_end:,}; alerts: {_states(erp.alerts)}"
        )
    ids = list(erp.groups) if erp else list(prom.groups if prom else {})
    if prom is not None:
        ids += [g for g in prom.groups if g not in ids]
    out.append("")
    out.append(f"{'group (file: name)':<62} {'rules':>5} {'erpmon ms':>10} {'prom ms':>10} {'erp/prom':>9}")
    rule_count: dict[GroupId, int] = {}
    for rt in erp.rules if erp else []:
        rule_count[rt.group] = rule_count.get(rt.group, 0) + 1
    total_e = total_p = 0.0
    for gid in ids:
        e = _median(erp.groups.get(gid, [])) if erp else None
        p = _median(prom.groups.get(gid, [])) if prom else None
        total_e += e or 0.0
        total_p += p or 0.0
        name = f"{gid[0]}: {gid[1]}"
        out.append(f"{name:<62} {rule_count.get(gid, 0):>5} {_ms(e)} {_ms(p)} {_ratio(e, p)}")
    te = total_e if erp else None
    tp = total_p if prom else None
    total = "one cycle (sum of group medians)"
    out.append(f"{total:<62} {sum(rule_count.values()):>5} {_ms(te)} {_ms(tp)} {_ratio(te, tp)}")
    if erp is not None:
        out.append(
            f"erpmon cycle wall time: median {statistics.median(erp.cycle_ms):.1f} ms, "
            f"min {min(erp.cycle_ms):.1f} ms over {len(erp.cycle_ms)} cycles"
        )
        out.append("")
        out.append("slowest rules on erpmon (median ms):")
        slowest = sorted(erp.rules, key=lambda rt: -(_median(rt.ms) or 0.0))[:5]
        for rt in slowest:
            out.append(f"  {_ms(_median(rt.ms))}  {rt.kind:<9} {rt.name:<58} ({rt.group[0]})")
        for rt in erp.rule_errors():
            out.append(f"  RULE {rt.health}: {rt.name} ({rt.group[1]}): {rt.last_error}")
    if prom is not None and any(prom.failures.values()):
        failed = {f"{g[0]}: {g[1]}": v for g, v in prom.failures.items() if v}
        out.append(f"prometheus rule evaluation failures: {failed}")
    if erp is not None and erp.profile:
        out.append("")
        out.append("cProfile of 2 more erpmon cycles:")
        out.append(erp.profile)
    return "\n".join(out)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="a small deployment and 30 min of history")
    ap.add_argument("--no-prometheus", action="store_true", help="time erpmon alone")
    ap.add_argument("--cycles", type=int, default=5, help="timed erpmon cycles after the warm-up")
    ap.add_argument("--prom-evals", type=int, default=3, help="timed Prometheus evaluations per group")
    ap.add_argument("--profile", type=int, default=0, metavar="N", help="print cProfile's top N lines")
    ap.add_argument("--lead", type=float, help="seconds from now to the data's end (default: estimated)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--pack", type=Path, default=PACK, help="the pack directory (rules/*.yml)")
    ap.add_argument("--keep", type=Path, help="work in this directory and leave it behind")
    ap.add_argument("--prometheus", default="prometheus")
    ap.add_argument("--promtool", default="promtool")
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> Run:
    args = parse_args(argv)
    if not args.no_prometheus:
        for binary in (args.prometheus, args.promtool):
            if shutil.which(binary) is None:
                raise SystemExit(f"{binary} not on PATH (apt-get install prometheus), or --no-prometheus")
    with ExitStack() as stack:
        work = args.keep or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="rules-pack-")))
        work.mkdir(parents=True, exist_ok=True)
        result = run(args, work)
    print(report(result))
    sys.stdout.flush()
    return result


if __name__ == "__main__":
    main()
