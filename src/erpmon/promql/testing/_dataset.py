"""The differential data set: ~6 h of ERPGo-like series with the shapes PromQL's edge cases need.

Deterministic for a seed. What it holds, and why:
- counters with resets: api-3 is down for 3 minutes at 2 h (no samples, `up` 0) and restarts from
  zero; api-1 resets at 4 h 30 m between two scrapes without a gap;
- jittered timestamps (api-2, node-2, one sensor: +-1.5 s, millisecond precision) next to exact ones;
- missed scrapes (api-3 3 %, worker 10 %); a 60 s sensor next to 15 s ones;
- gauges going negative, NaN, +Inf, -Inf, -0, 1e-300 and 1e300 (sums overflow);
- classic histograms (12 buckets to `+Inf`, `_sum`, `_count`) for 9 label sets;
- summary-like `quantile` gauges (NaN while a service sees no requests);
- series that start late (cache, at 1 h 30 m 7 s), stop early (legacy, last sample at 3 h 59 m 45 s),
  flap (20 min present, 10 min absent) or have 6 min holes, so lookback expiry matters;
- `erpgo_build_info` changing version at api-3's restart: two series overlap within the 5 m lookback,
  which makes one-to-one joins on `instance` fail there at run time;
- two series differing only in `__name__` (legacy), so dropping the name yields duplicates.

OpenMetrics cannot carry staleness markers ("NaN" parses as an ordinary NaN), so staleness is
covered by series ending (the 5 m lookback expiring) rather than by explicit markers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from erpmon.promql.testing._openmetrics import FloatArray, GenSeries, IntArray

T0 = 1_677_618_000  # 2023-02-28T21:00:00Z: the 6 h cross midnight and the end of a 28-day month
DURATION_S = 6 * 3600
INTERVAL_S = 15
API = ("api-1:8080", "api-2:8080", "api-3:8080")
NODES = ("node-1:9100", "node-2:9100")
WORKER = "worker-1:8081"
LEGACY = "legacy-1:8080"
ENDPOINTS = ("/api/v1/orders", "/api/v1/orders/{id}", "/api/v1/invoices")
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, math.inf)
JITTER_MS = 1500


@dataclass(frozen=True)
class DifferentialDataset:
    series: tuple[GenSeries, ...]
    start_s: int  # first scrape of the long-lived series
    end_s: int  # last scrape of the long-lived series
    api3_down_s: tuple[int, int]  # [from, to): api-3 not scraped, then restarts from zero
    api1_reset_s: int
    late_start_s: float  # first sample of the cache series
    legacy_stop_s: int  # last sample of the legacy series

    @property
    def num_samples(self) -> int:
        return sum(len(s.ts_ms) for s in self.series)


def _le(bound: float) -> str:
    return "+Inf" if math.isinf(bound) else repr(bound).removesuffix(".0")


class _Builder:
    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.series: list[GenSeries] = []

    def grid(
        self,
        start_s: float,
        stop_s: float,
        interval_s: float = INTERVAL_S,
        *,
        jitter: bool = False,
        miss: float = 0.0,
        holes: tuple[tuple[float, float], ...] = (),
    ) -> IntArray:
        """Scrape times in [start, stop) ms: optional jitter, random misses, [from, to) holes."""
        ts = np.arange(int(start_s * 1000), int(stop_s * 1000), int(interval_s * 1000), dtype=np.int64)
        if jitter:
            ts = ts + self.rng.integers(-JITTER_MS, JITTER_MS + 1, len(ts))
        keep = np.ones(len(ts), dtype=bool)
        if miss:
            keep[1:] = self.rng.random(len(ts) - 1) >= miss
        for lo, hi in holes:
            keep &= (ts < lo * 1000) | (ts >= hi * 1000)
        return ts[keep]

    def add(self, name: str, labels: dict[str, str], ts: IntArray, values: FloatArray) -> None:
        self.series.append(GenSeries(name, tuple(labels.items()), ts, values.astype(np.float64)))

    @staticmethod
    def counter(ts: IntArray, increments: FloatArray, resets_s: tuple[float, ...] = ()) -> FloatArray:
        """Running sums of `increments`, restarting from the increment at each reset time."""
        total = np.cumsum(increments)
        for r in resets_s:
            i = int(np.searchsorted(ts, r * 1000))
            if i < len(ts):
                total[i:] -= total[i] - increments[i]
        return total


def _api_instance_shape(b: _Builder, ds: DifferentialDataset, inst: str) -> tuple[IntArray, tuple[int, ...]]:
    end = ds.end_s + 1
    if inst == API[0]:
        return b.grid(ds.start_s, end), (ds.api1_reset_s,)
    if inst == API[1]:
        return b.grid(ds.start_s, end, jitter=True), ()
    return b.grid(ds.start_s, end, miss=0.03, holes=(ds.api3_down_s,)), (ds.api3_down_s[1],)


def _http(b: _Builder, ds: DifferentialDataset) -> None:
    code_rate = {"200": 20.0, "404": 1.5, "500": 0.3}
    endpoint_rate = dict(zip(ENDPOINTS, (1.0, 2.5, 0.4), strict=True))
    for inst in API:
        ts, resets = _api_instance_shape(b, ds, inst)
        for method, mf in (("GET", 1.0), ("POST", 0.25)):
            for endpoint in ENDPOINTS:
                for code, cf in code_rate.items():
                    inc = b.rng.poisson(cf * mf * endpoint_rate[endpoint], len(ts)).astype(np.float64)
                    labels = {"job": "erpgo-api", "instance": inst, "method": method}
                    labels |= {"endpoint": endpoint, "code": code}
                    b.add("erpgo_http_requests_total", labels, ts, b.counter(ts, inc, resets))
        for endpoint in ENDPOINTS:
            n_obs = b.rng.poisson(12.0 * endpoint_rate[endpoint], len(ts))
            obs = b.rng.lognormal(math.log(0.08), 1.2, int(n_obs.sum()))
            scrape = np.repeat(np.arange(len(ts)), n_obs)
            bucket = np.searchsorted(np.array(BUCKETS), obs)  # first bound >= observation
            per = np.bincount(scrape * len(BUCKETS) + bucket, minlength=len(ts) * len(BUCKETS))
            cumulative = np.cumsum(per.reshape(len(ts), len(BUCKETS)), axis=1).astype(np.float64)
            labels = {"job": "erpgo-api", "instance": inst, "endpoint": endpoint}
            name = "erpgo_http_request_duration_seconds"
            for j, bound in enumerate(BUCKETS):
                b.add(
                    f"{name}_bucket", labels | {"le": _le(bound)}, ts, b.counter(ts, cumulative[:, j], resets)
                )
            sums = np.round(np.bincount(scrape, weights=obs, minlength=len(ts)), 6).astype(np.float64)
            b.add(f"{name}_sum", labels, ts, b.counter(ts, sums, resets))
            b.add(f"{name}_count", labels, ts, b.counter(ts, n_obs.astype(np.float64), resets))
        pools = {"primary": 20.0, "replica": 8.0}
        for pool, mean in pools.items():
            walk = np.clip(np.round(mean + np.cumsum(b.rng.normal(0, 1.5, len(ts)))), 0, 50)
            b.add("erpgo_db_connections", {"job": "erpgo-api", "instance": inst, "pool": pool}, ts, walk)
        version = "1.5.0"
        if inst == API[2]:
            before = ts < ds.api3_down_s[0] * 1000
            info = {"job": "erpgo-api", "instance": inst, "goversion": "go1.20"}
            b.add("erpgo_build_info", info | {"version": "1.4.1"}, ts[before], np.ones(int(before.sum())))
            b.add("erpgo_build_info", info | {"version": version}, ts[~before], np.ones(int((~before).sum())))
        else:
            info = {"job": "erpgo-api", "instance": inst, "goversion": "go1.20", "version": version}
            b.add("erpgo_build_info", info, ts, np.ones(len(ts)))
        region = "us-east" if inst == API[2] else "eu-west"
        info = {"job": "erpgo-api", "instance": inst, "region": region, "tier": "web"}
        b.add("erpgo_instance_info", info, ts, np.ones(len(ts)))


def _up(b: _Builder, ds: DifferentialDataset) -> None:
    end = ds.end_s + 1
    for job, inst in (
        [("erpgo-api", i) for i in API] + [("node", n) for n in NODES] + [("erpgo-worker", WORKER)]
    ):
        ts = b.grid(ds.start_s, end, jitter=inst in (API[1], NODES[1]))
        lo, hi = ds.api3_down_s
        down = (ts >= lo * 1000) & (ts < hi * 1000) if inst == API[2] else np.zeros(len(ts), dtype=bool)
        b.add("up", {"job": job, "instance": inst}, ts, np.where(down, 0.0, 1.0))
    ts = b.grid(ds.start_s, ds.legacy_stop_s + 1)
    b.add("up", {"job": "erpgo-legacy", "instance": LEGACY}, ts, np.ones(len(ts)))


def _node(b: _Builder, ds: DifferentialDataset) -> None:
    share = {"idle": 0.7, "user": 0.2, "system": 0.07, "iowait": 0.03}
    for n, inst in enumerate(NODES):
        ts = b.grid(ds.start_s, ds.end_s + 1, jitter=n == 1)
        for cpu in range(4):
            for mode, frac in share.items():
                inc = np.round(np.abs(b.rng.normal(INTERVAL_S * frac, 0.5 * frac * INTERVAL_S, len(ts))), 2)
                start = 100_000.0 * frac + 1000 * cpu
                labels = {"job": "node", "instance": inst, "cpu": str(cpu), "mode": mode}
                b.add("node_cpu_seconds_total", labels, ts, np.round(start + np.cumsum(inc), 2))


def _worker(b: _Builder, ds: DifferentialDataset) -> None:
    base = {"job": "erpgo-worker", "instance": WORKER}
    end = ds.end_s + 1
    for channel, lam in (("web", 0.4), ("api", 0.15), ("pos", 0.02)):
        ts = b.grid(ds.start_s, end, miss=0.1)
        inc = b.rng.poisson(lam, len(ts)).astype(np.float64)
        b.add("erpgo_orders_created_total", base | {"channel": channel}, ts, b.counter(ts, inc))
    for queue in ("email", "pdf"):
        ts = b.grid(ds.start_s, end)
        depth = np.abs(np.round(np.cumsum(b.rng.normal(0, 2, len(ts)))))
        b.add("erpgo_queue_depth", base | {"queue": queue}, ts, depth)
    for warehouse in ("a", "b"):
        ts = b.grid(ds.start_s, end, 60)
        adjustment = b.rng.integers(-5, 6, len(ts)).astype(np.float64)
        b.add("erpgo_inventory_adjustment", base | {"warehouse": warehouse}, ts, adjustment)
    for batch in ("invoices", "reports"):
        ts = b.grid(ds.start_s, end)
        runs = np.sort(b.rng.uniform(ds.start_s - 3600, ds.end_s, 12))
        last = runs[np.clip(np.searchsorted(runs, ts / 1000, side="right") - 1, 0, None)]
        b.add("erpgo_batch_last_success_timestamp_seconds", base | {"batch": batch}, ts, np.round(last, 3))
    # Present 20 minutes, absent 10: gaps longer than the 5 m lookback.
    holes = tuple((ds.start_s + k * 1800 + 1200, ds.start_s + (k + 1) * 1800) for k in range(12))
    ts = b.grid(ds.start_s, end, holes=holes)
    b.add("erpgo_sync_lag_seconds", base, ts, np.round(b.rng.exponential(3.0, len(ts)), 3))
    holes = ((ds.start_s + 3000, ds.start_s + 3360), (ds.start_s + 10000, ds.start_s + 10400))
    ts = b.grid(ds.start_s, end, 120, holes=holes)
    b.add("erpgo_batch_progress_ratio", base | {"batch": "invoices"}, ts, np.round(b.rng.random(len(ts)), 4))


def _gauges(b: _Builder, ds: DifferentialDataset) -> None:
    end = ds.end_s + 1
    for k, sensor in enumerate(("s1", "s2", "s3")):
        ts = b.grid(ds.start_s, end, 60 if sensor == "s3" else INTERVAL_S, jitter=sensor == "s2")
        phase = 2 * math.pi * (ts / 1000 - ds.start_s) / 7200 + k
        temp = np.round(20 * np.sin(phase) + b.rng.normal(0, 2, len(ts)), 2)
        b.add("erpgo_temperature_celsius", {"job": "sensors", "sensor": sensor}, ts, temp)
    ts = b.grid(ds.start_s, end)
    n = len(ts)
    i = np.arange(n)
    weird = {
        "nan": np.full(n, math.nan),
        "inf": np.where((ts // 3_600_000) % 2 == 0, math.inf, -math.inf),
        "tiny": np.round(b.rng.random(n), 6) * 1e-300,
        "huge": np.round(b.rng.random(n), 6) * 1e300,
    }
    mixed = np.round(b.rng.normal(0, 100, n), 3)
    mixed[i % 7 == 3] = math.nan
    mixed[i % 11 == 5] = math.inf
    mixed[i % 13 == 6] = -math.inf
    mixed[i % 17 == 8] = -0.0
    weird["mixed"] = mixed
    for kind, values in weird.items():
        b.add("erpgo_weird_values", {"job": "weird", "kind": kind}, ts, values)
    ratio = np.round(b.rng.beta(5, 2, n), 3)
    ratio[i % 29 == 0], ratio[i % 31 == 0] = 1.0, 0.0
    b.add("erpgo_cache_hit_ratio", {"job": "erpgo-api", "instance": API[0]}, ts, ratio)
    for service, median in (("orders", 0.05), ("billing", 0.12)):
        labels = {"job": "erpgo-api", "instance": API[0], "service": service}
        idle = (ts >= (ds.start_s + 9000) * 1000) & (ts < (ds.start_s + 9900) * 1000) & (service == "billing")
        for q, factor in (("0.5", 1.0), ("0.9", 3.0), ("0.99", 9.0)):
            v = np.round(median * factor * b.rng.lognormal(0, 0.2, n), 5)
            b.add("erpgo_rpc_duration_seconds", labels | {"quantile": q}, ts, np.where(idle, math.nan, v))
        count = b.counter(ts, np.where(idle, 0, b.rng.poisson(30, n)).astype(np.float64))
        b.add("erpgo_rpc_duration_seconds_sum", labels, ts, np.round(count * median * 1.3, 4))
        b.add("erpgo_rpc_duration_seconds_count", labels, ts, count)


def _lifecycle(b: _Builder, ds: DifferentialDataset) -> None:
    """Series that start late, stop early, or share labels but not names."""
    ts = b.grid(ds.late_start_s, ds.end_s + 1)
    for cache, hit in (("orders", 0.8), ("sessions", 0.95)):
        req = b.rng.poisson(40, len(ts))
        hits = b.rng.binomial(req, hit)
        labels = {"job": "erpgo-api", "instance": API[0], "cache": cache}
        b.add("erpgo_cache_requests_total", labels, ts, np.cumsum(req).astype(np.float64))
        b.add("erpgo_cache_hits_total", labels, ts, np.cumsum(hits).astype(np.float64))
    ts = b.grid(ds.start_s, ds.legacy_stop_s + 1)
    labels = {"job": "erpgo-legacy", "instance": LEGACY}
    b.add("erpgo_legacy_requests_total", labels, ts, np.cumsum(b.rng.poisson(3, len(ts))).astype(np.float64))
    b.add("erpgo_legacy_queue_depth", labels, ts, b.rng.integers(0, 30, len(ts)).astype(np.float64))


def build_dataset(seed: int = 20230228) -> DifferentialDataset:
    """The data set; each family draws from its own generator so adding one leaves the others alone."""
    ds = DifferentialDataset(
        series=(),
        start_s=T0,
        end_s=T0 + DURATION_S - INTERVAL_S,
        api3_down_s=(T0 + 7200, T0 + 7380),
        api1_reset_s=T0 + 16200,
        late_start_s=T0 + 5407.25,
        legacy_stop_s=T0 + 4 * 3600 - INTERVAL_S,
    )
    series: list[GenSeries] = []
    for k, family in enumerate((_http, _up, _node, _worker, _gauges, _lifecycle)):
        b = _Builder(seed * 100 + k)
        family(b, ds)
        series += b.series
    return DifferentialDataset(
        series=tuple(series),
        start_s=ds.start_s,
        end_s=ds.end_s,
        api3_down_s=ds.api3_down_s,
        api1_reset_s=ds.api1_reset_s,
        late_start_s=ds.late_start_s,
        legacy_stop_s=ds.legacy_stop_s,
    )
