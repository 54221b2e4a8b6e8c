"""The table of ERPGo metric families: realistic label sets and value shapes, keyed by metric name.

Each family function writes every series of one family into a `Gen` (a histogram writes its
`_bucket`, `_sum` and `_count`); `FAMILIES` maps each metric name a family writes to it.
Incidents (all in the last minutes of the history, so alerts are pending or firing when the rules
run just after it): api-3 answers ~30% 5xx and slowly; api-4's process grows past 500 MiB; api-5
stops answering scrapes 4 minutes before the end (`up` 0, its series end); node-2's CPUs and load
run hot; node-4's memory and node-1's /var/lib/docker fill up; the erpgo-worker-1 container
restarts four times; brute-force logins from one IP; the redis cache misses; orders back up; the
database connection pools run full; one query (update on inventory) turns slow; page loads slow.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from erpmon.promql.testing import GenSeries

Floats = npt.NDArray[np.float64]
LabelSet = dict[str, str]
MIB = 1024.0**2
GIB = 1024.0**3

ENDPOINTS = tuple(
    [
        f"/api/v1/{r}{s}"
        for r in (
            "orders",
            "invoices",
            "customers",
            "products",
            "inventory",
            "users",
            "payments",
            "shipments",
            "suppliers",
            "purchase-orders",
            "warehouses",
            "categories",
        )
        for s in ("", "/{id}")
    ]
    + [
        "/api/v1/reports/sales",
        "/api/v1/reports/inventory",
        "/api/v1/reports/finance",
        "/api/v1/auth/login",
        "/api/v1/auth/logout",
        "/api/v1/auth/refresh",
        "/api/v1/search",
        "/api/v1/dashboard",
        "/api/v1/notifications",
        "/api/v1/settings",
        "/api/v1/audit-log",
        "/api/v1/exports",
        "/api/v1/imports",
        "/api/v1/taxes",
        "/api/v1/currencies",
        "/health",
    ]
)
METHODS = (("GET", 0.62), ("POST", 0.2), ("PUT", 0.1), ("DELETE", 0.04), ("PATCH", 0.04))
STATUS_CODES = (("200", 0.8), ("500", 0.012), ("404", 0.05), ("201", 0.08), ("400", 0.05), ("503", 0.008))
HTTP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, math.inf)
DB_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, math.inf)
PAGE_BUCKETS = (0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 7.5, 10.0, 15.0, math.inf)
FID_BUCKETS = (0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1.0, math.inf)
CLS_BUCKETS = (0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, math.inf)
PAGES = (
    "/dashboard",
    "/orders",
    "/orders/:id",
    "/invoices",
    "/customers",
    "/products",
    "/inventory",
    "/reports",
)
CORES = (4, 8, 8, 16, 4)
CPU_MODES = (("user", 0.65), ("system", 0.22), ("iowait", 0.05), ("softirq", 0.03), ("irq", 0.01))
CPU_MODES_IDLE = ("idle", "nice", "steal")


@dataclass(frozen=True)
class Scale:
    instances: int = 5
    endpoints: int = 40
    methods: int = 5
    status_codes: int = 6
    hosts: int = 5
    history_s: int = 7200
    interval_s: int = 15

    @classmethod
    def quick(cls) -> Scale:
        return cls(instances=2, endpoints=4, methods=2, status_codes=3, hosts=2, history_s=1800)


def _le(bound: float) -> str:
    return "+Inf" if math.isinf(bound) else repr(bound).removesuffix(".0")


def _lognormal_cdf(x: float, median: Floats, sigma: float) -> Floats:
    if math.isinf(x):
        return np.ones_like(median)
    z = (math.log(x) - np.log(median)) / (sigma * math.sqrt(2.0))
    return np.asarray(0.5 * (1.0 + np.vectorize(math.erf)(z)), dtype=np.float64)


class Gen:
    """The time grid, the random source and the series written so far."""

    def __init__(self, scale: Scale, end_s: int, seed: int) -> None:
        self.scale = scale
        self.rng = np.random.default_rng(seed)
        steps = scale.history_s // scale.interval_s + 1
        self.ts = (end_s - scale.history_s) * 1000 + np.arange(
            steps, dtype=np.int64
        ) * scale.interval_s * 1000
        self.age_s = (self.ts - end_s * 1000) / 1000.0  # <= 0: seconds before the end
        self.steps = steps
        self.api_instances = [f"api-{i + 1}:8080" for i in range(scale.instances)]
        self.hosts = [f"node-{i + 1}" for i in range(scale.hosts)]
        self.down_instance = self.api_instances[-1] if scale.instances >= 3 else None
        self.down_at = int(np.searchsorted(self.age_s, -240.0))
        self.series: list[GenSeries] = []

    # -- shapes -----------------------------------------------------------------------------------
    def last(self, minutes: float) -> npt.NDArray[np.bool_]:
        """True over the last `minutes` of the history."""
        return np.asarray(self.age_s > -minutes * 60.0)

    def ramp(self, minutes: float) -> Floats:
        """0 until `minutes` before the end, then rising to 1 within a minute."""
        return np.clip((self.age_s + minutes * 60.0) / 60.0, 0.0, 1.0)

    def wander(self, n: int, level: float | Floats, rel: float) -> Floats:
        """Gauges around `level`: a smooth random walk pulled back to it, relative size `rel`."""
        noise = self.rng.normal(0.0, 1.0, (n, self.steps))
        walk = np.empty_like(noise)
        walk[:, 0] = noise[:, 0]
        for t in range(1, self.steps):
            walk[:, t] = 0.97 * walk[:, t - 1] + 0.25 * noise[:, t]
        level_arr = np.asarray(level, dtype=np.float64).reshape(-1, 1)
        return np.asarray(level_arr * (1.0 + rel * walk), dtype=np.float64)

    def daily(self) -> Floats:
        """A gentle traffic swing over the history (the shape of a working-day morning)."""
        return np.asarray(1.0 + 0.15 * np.sin(self.age_s / 5400.0 * math.pi), dtype=np.float64)

    # -- writing ----------------------------------------------------------------------------------
    def add(self, name: str, labels: LabelSet, values: Floats) -> None:
        ts = self.ts
        if labels.get("instance") == self.down_instance and labels.get("job") == "erpgo-api" and name != "up":
            ts, values = ts[: self.down_at], values[: self.down_at]
        self.series.append(GenSeries(name, tuple(labels.items()), ts, np.asarray(values, dtype=np.float64)))

    def gauge(self, name: str, sets: Sequence[LabelSet], values: npt.ArrayLike) -> None:
        rows = np.broadcast_to(np.asarray(values, dtype=np.float64), (len(sets), self.steps))
        for labels, row in zip(sets, rows, strict=True):
            self.add(name, labels, row)

    def increments(self, rate: Floats | float, n: int, *, integer: bool = True) -> Floats:
        """Per-scrape increases of `n` counters going at `rate` per second (scalar, (n,) or (n, T))."""
        arr = np.asarray(rate, dtype=np.float64)
        if arr.ndim == 1 and len(arr) == n:
            arr = arr[:, None]
        lam = np.broadcast_to(arr, (n, self.steps))
        lam = lam * self.scale.interval_s
        if integer:
            return self.rng.poisson(lam).astype(np.float64)
        return np.asarray(lam * self.rng.gamma(20.0, 1.0 / 20.0, lam.shape), dtype=np.float64)

    def totals(self, inc: Floats) -> Floats:
        """Counters from increments, each starting where a few days of uptime left it."""
        uptime_steps = self.rng.uniform(2000, 40000, (inc.shape[0], 1))
        start = np.floor(inc.mean(axis=1, keepdims=True) * uptime_steps)
        return np.asarray(start + np.cumsum(inc, axis=1), dtype=np.float64)

    def counter(
        self, name: str, sets: Sequence[LabelSet], rate: Floats | float, *, integer: bool = True
    ) -> None:
        self.gauge(name, sets, self.totals(self.increments(rate, len(sets), integer=integer)))

    def histogram(
        self,
        name: str,
        sets: Sequence[LabelSet],
        requests: Floats,
        median: Floats,
        sigma: float,
        bounds: Sequence[float],
    ) -> None:
        """`name_bucket/_sum/_count` from per-scrape observation counts (L, T) and medians (L, T)."""
        n_sets = len(sets)
        medians, state = np.unique(np.round(median, 6), return_inverse=True)
        cdf = np.stack([_lognormal_cdf(b, medians, sigma) for b in bounds], axis=-1)
        probs = np.diff(cdf, axis=-1, prepend=0.0).clip(0.0, 1.0)
        probs /= probs.sum(axis=-1, keepdims=True)
        pvals = probs[state.reshape(n_sets, self.steps)]
        counts = self.rng.multinomial(requests.astype(np.int64), pvals).astype(np.float64)
        lower = (bounds[0] / 2.0, *bounds[:-1])
        mids = np.array(
            [
                math.sqrt(lo * hi) if math.isfinite(hi) else lo * 1.5
                for lo, hi in zip(lower, bounds, strict=True)
            ]
        )
        start_total = np.floor(requests.mean(axis=1) * self.rng.uniform(2000, 40000, n_sets))
        start_cdf = cdf[state.reshape(n_sets, self.steps)[:, 0]]  # (L, B)
        buckets = np.floor(start_total[:, None, None] * start_cdf[:, None, :]) + np.cumsum(
            np.cumsum(counts, axis=2), axis=1
        )
        sums = start_total[:, None] * float(np.median(median)) + np.cumsum(counts @ mids, axis=1)
        for i, labels in enumerate(sets):
            for j, bound in enumerate(bounds):
                self.add(f"{name}_bucket", labels | {"le": _le(bound)}, buckets[i, :, j])
            self.add(f"{name}_sum", labels, sums[i])
            self.add(f"{name}_count", labels, buckets[i, :, -1])

    def per_api(self, extra: Sequence[LabelSet] = ({},)) -> list[LabelSet]:
        return [{"job": "erpgo-api", "instance": inst} | e for inst in self.api_instances for e in extra]

    def api_index(self, i: int) -> int:
        return min(i, self.scale.instances - 1)


# -- the ERPGo API ----------------------------------------------------------------------------------
def _http(g: Gen) -> None:
    """erpgo_http_requests_total and the erpgo_http_request_duration_seconds histogram."""
    sc = g.scale
    endpoints = ENDPOINTS[: sc.endpoints]
    methods, codes = METHODS[: sc.methods], STATUS_CODES[: sc.status_codes]
    n_i, n_e, n_m, n_s = sc.instances, len(endpoints), len(methods), len(codes)
    ew = 1.0 / np.arange(1, n_e + 1) ** 0.9
    ew /= ew.sum()
    mw = np.array([w for _, w in methods]) / sum(w for _, w in methods)
    sw = np.array([w for _, w in codes]) / sum(w for _, w in codes)
    rate = 1100.0 / n_i * ew[None, :, None, None] * mw[None, None, :, None] * sw[None, None, None, :]
    rate = np.broadcast_to(rate, (n_i, n_e, n_m, n_s))[..., None] * g.daily()  # (I, E, M, S, T)
    rate = rate * g.rng.uniform(0.85, 1.15, (n_i, 1, 1, 1, 1))
    bad = g.api_index(2)
    is_5xx = np.array([c.startswith("5") for c, _ in codes])
    rate[bad, :, :, is_5xx, :] *= np.where(g.last(12), 25.0, 1.0)
    inc = g.increments(rate.reshape(-1, g.steps), n_i * n_e * n_m * n_s)
    totals = g.totals(inc)
    sets = [
        {"job": "erpgo-api", "instance": inst, "method": m, "endpoint": e, "status_code": c}
        for inst in g.api_instances
        for e in endpoints
        for m, _ in methods
        for c, _ in codes
    ]
    g.gauge("erpgo_http_requests_total", sets, totals)
    requests = inc.reshape(n_i * n_e * n_m, n_s, g.steps).sum(axis=1)
    base = np.exp(g.rng.uniform(math.log(0.012), math.log(0.35), n_e))
    base[[i for i, e in enumerate(endpoints) if "/reports/" in e or "exports" in e]] = 0.8
    median = np.broadcast_to(base[None, :, None, None], (n_i, n_e, n_m, g.steps)).copy()
    median[bad] *= np.where(g.last(15), 12.0, 1.0)
    hsets = [
        {"job": "erpgo-api", "instance": inst, "method": m, "endpoint": e}
        for inst in g.api_instances
        for e in endpoints
        for m, _ in methods
    ]
    g.histogram(
        "erpgo_http_request_duration_seconds",
        hsets,
        requests,
        median.reshape(-1, g.steps),
        0.8,
        HTTP_BUCKETS,
    )


def _db_queries(g: Gen) -> None:
    """erpgo_database_query_duration_seconds{query_type, table}."""
    tables = ("orders", "order_items", "invoices", "customers", "products", "users", "payments", "inventory")
    qtypes = (("select", 4.0), ("insert", 0.6), ("update", 0.8), ("delete", 0.05))
    extra = [{"query_type": q, "table": t} for q, _ in qtypes for t in tables]
    sets = g.per_api(extra)
    rate = np.array([w for _, w in qtypes for _ in tables] * g.scale.instances)
    median = np.full((len(sets), g.steps), 0.004)
    slow = [i for i, s in enumerate(sets) if s["query_type"] == "update" and s["table"] == "inventory"]
    median[slow] = np.where(g.last(20), 1.8, 0.004)
    g.histogram(
        "erpgo_database_query_duration_seconds", sets, g.increments(rate, len(sets)), median, 1.0, DB_BUCKETS
    )


def _db_pool(g: Gen) -> None:
    sets = g.per_api()
    n = len(sets)
    g.gauge("erpgo_database_connections_max", sets, np.full((n, g.steps), 20.0))
    active = g.wander(n, 12.0, 0.15) + 5.5 * g.ramp(10)
    g.gauge("erpgo_database_connections_active", sets, np.round(np.clip(active, 0, 20)))


def _cache(g: Gen) -> None:
    sets = g.per_api([{"cache": "redis"}, {"cache": "local"}])
    redis = np.array([s["cache"] == "redis" for s in sets])[:, None]
    hits = np.where(redis, 30.0 - 15.0 * g.ramp(10), 50.0) * g.daily()
    misses = np.where(redis, 3.0 + 22.0 * g.ramp(10), 5.0) * g.daily()
    g.counter("erpgo_cache_hits_total", sets, hits)
    g.counter("erpgo_cache_misses_total", sets, misses)


def _same_on_replicas(g: Gen, name: str, values: npt.ArrayLike) -> None:
    """A gauge every replica reports with the same value (read from the shared database)."""
    sets = g.per_api()
    g.gauge(name, sets, np.round(np.broadcast_to(values, (len(sets), g.steps))))


def _orders_pending(g: Gen) -> None:
    _same_on_replicas(g, "erpgo_orders_pending", g.wander(1, 60.0, 0.2) + 60.0 * g.ramp(15))


def _users(g: Gen) -> None:
    _same_on_replicas(g, "erpgo_users_active", g.wander(1, 1200.0, 0.05))
    _same_on_replicas(g, "erpgo_users_active_30d", g.wander(1, 8400.0, 0.005))
    _same_on_replicas(g, "erpgo_users_registered", 12000.0 + np.cumsum(g.rng.poisson(0.05, g.steps)))
    _same_on_replicas(g, "erpgo_users_anomalous", g.wander(1, 4.0, 0.3) + 10.0 * g.ramp(10))


def _business(g: Gen) -> None:
    sets = g.per_api()
    n = len(sets)
    day = g.daily()
    created = g.increments(0.4 * day, n)
    completed = np.minimum(created, g.increments(0.34 * day, n))
    g.gauge("erpgo_orders_created_total", sets, g.totals(created))
    g.gauge("erpgo_orders_completed_total", sets, g.totals(completed))
    g.gauge("erpgo_order_value_total", sets, g.totals(created * g.rng.gamma(9.0, 20.0, created.shape)))
    g.gauge("erpgo_revenue_total", sets, g.totals(completed * g.rng.gamma(9.0, 19.5, completed.shape)))
    g.counter("erpgo_product_views_total", sets, 12.0 * day)
    g.counter("erpgo_users_created_total", sets, 0.003)
    g.counter("erpgo_user_sessions_created_total", sets, 0.8 * day)
    actions = ("view", "create", "update", "delete", "export", "search")
    g.counter("erpgo_user_actions_total", g.per_api([{"action": a} for a in actions]), 0.5 * day)


def _process_memory(g: Gen) -> None:
    api = g.per_api()
    level = g.wander(len(api), g.rng.uniform(320, 420, len(api)) * MIB, 0.03)
    grow = g.api_index(3)
    level[grow] += 260 * MIB * g.ramp(20)
    g.gauge("process_resident_memory_bytes", api, np.round(level))
    others = [{"job": "node", "instance": f"{h}:9100"} for h in g.hosts]
    others += [{"job": "cadvisor", "instance": f"cadvisor-{i + 1}:8080"} for i in range(len(g.hosts))]
    others += [{"job": "postgres-exporter", "instance": "postgres-exporter:9187"}]
    g.gauge("process_resident_memory_bytes", others, np.round(g.wander(len(others), 40 * MIB, 0.05)))


def _up(g: Gen) -> None:
    api = g.per_api()
    values = np.ones((len(api), g.steps))
    if g.down_instance is not None:
        values[g.api_instances.index(g.down_instance), g.down_at :] = 0.0
    g.gauge("up", api, values)
    others = [{"job": "node", "instance": f"{h}:9100"} for h in g.hosts]
    others += [{"job": "cadvisor", "instance": f"cadvisor-{i + 1}:8080"} for i in range(len(g.hosts))]
    others += [{"job": j, "instance": i} for j, i in _EXPORTERS]
    g.gauge("up", others, np.ones((len(others), g.steps)))


def _checks(g: Gen) -> None:
    """erpmon's health checks (checks.yml): probe_success per check, the plan's health score. The
    sms-service check fails over the last 10 minutes; the score follows the busiest host."""
    erpmon = {"job": "erpmon", "instance": "localhost:9090"}
    checks = [("api-health", "http"), ("api-database", "http"), ("sms-service", "http"),
              ("postgres", "postgres"), ("redis", "redis"), ("host", "host")]  # fmt: skip
    sets = [erpmon | {"check": c, "type": t} for c, t in checks]
    values = np.ones((len(sets), g.steps))
    values[2] = np.where(g.last(10), 0.0, 1.0)
    g.gauge("probe_success", sets, values)
    busy = _busy(g).max(axis=0)
    g.add("erpgo_system_health_score", erpmon, np.where(busy > 0.8, 80.0, 100.0))


_EXPORTERS = (
    ("postgres-exporter", "postgres-exporter:9187"),
    ("redis-exporter", "redis-exporter:9121"),
    ("erpmon", "localhost:9090"),
)


# -- hosts (node_exporter names) --------------------------------------------------------------------
def _host(g: Gen, i: int) -> LabelSet:
    return {"job": "node", "instance": f"{g.hosts[i]}:9100"}


def _busy(g: Gen) -> Floats:
    """Each host's busy CPU fraction (H, T); node-2 runs hot over the last 20 minutes."""
    levels = np.array([0.35, 0.45, 0.25, 0.55, 0.3] * 4)[: len(g.hosts)]
    busy = g.wander(len(g.hosts), levels, 0.15)
    if len(g.hosts) > 1:
        busy[1] = np.where(g.last(20), 0.93 + 0.02 * g.rng.normal(size=g.steps), busy[1])
    return np.asarray(np.clip(busy, 0.02, 0.99), dtype=np.float64)


def _node_cpu(g: Gen) -> None:
    """node_cpu_seconds_total{cpu, mode} (every core's modes add up to the wall time) and node_load1."""
    busy = _busy(g)
    for h in range(len(g.hosts)):
        cores = CORES[h % len(CORES)]
        per_cpu = np.clip(busy[h] * g.rng.uniform(0.85, 1.15, (cores, 1)), 0.01, 0.995)
        fractions = {m: per_cpu * w for m, w in CPU_MODES}
        fractions["nice"] = per_cpu * 0.01
        fractions["steal"] = per_cpu * 0.03
        fractions["idle"] = 1.0 - sum(fractions.values())
        uptime = g.rng.uniform(5, 60) * 86400.0
        for mode, frac in sorted(fractions.items()):
            inc = frac * g.scale.interval_s * g.rng.uniform(0.98, 1.02, frac.shape)
            totals = np.round(frac[:, :1] * uptime + np.cumsum(inc, axis=1), 2)
            sets = [_host(g, h) | {"cpu": str(c), "mode": mode} for c in range(cores)]
            g.gauge("node_cpu_seconds_total", sets, totals)
        hot = 1.3 if h == 1 else 1.0
        load = cores * busy[h] * hot * (1.0 + 0.1 * g.rng.normal(size=g.steps))
        g.add("node_load1", _host(g, h), np.round(np.clip(load, 0, None), 2))


def _node_memory(g: Gen) -> None:
    for h in range(len(g.hosts)):
        total = [16, 32, 32, 64, 16][h % 5] * GIB
        used = g.wander(1, [0.55, 0.6, 0.5, 0.7, 0.6][h % 5], 0.05)[0]
        if h == 3:
            used = np.where(g.last(20), 0.89 + 0.005 * g.rng.normal(size=g.steps), used)
        avail = np.round(total * (1.0 - used))
        values = {
            "MemTotal": np.full(g.steps, total),
            "MemAvailable": avail,
            "MemFree": np.round(avail * 0.3),
        }
        values |= {"Cached": np.round(avail * 0.6), "Buffers": np.round(avail * 0.05)}
        for field_name, v in values.items():
            g.add(f"node_memory_{field_name}_bytes", _host(g, h), v)


FILESYSTEMS = (
    ("/dev/nvme0n1p1", "ext4", "/", 100 * GIB, 0.45),
    ("/dev/nvme0n1p2", "vfat", "/boot/efi", 0.5 * GIB, 0.02),
    ("/dev/nvme1n1", "xfs", "/var/lib/docker", 500 * GIB, 0.6),
    ("tmpfs", "tmpfs", "/run", 3.2 * GIB, 0.01),
    ("tmpfs", "tmpfs", "/dev/shm", 16 * GIB, 0.0),
)


def _node_filesystem(g: Gen) -> None:
    for h in range(len(g.hosts)):
        for device, fstype, mount, size, used_level in FILESYSTEMS:
            labels = _host(g, h) | {"device": device, "fstype": fstype, "mountpoint": mount}
            used = np.clip(used_level + 0.002 * np.cumsum(g.rng.normal(size=g.steps)) / 10, 0, 0.99)
            if h == 0 and mount == "/var/lib/docker":
                used = np.where(g.last(20), 0.93 + 0.035 * g.ramp(20) * (1 + g.age_s / 1200), used)
            free = np.round(size * (1.0 - used) / 4096) * 4096
            g.add("node_filesystem_size_bytes", labels, np.full(g.steps, size))
            g.add("node_filesystem_free_bytes", labels, free)
            g.add("node_filesystem_avail_bytes", labels, np.maximum(free - 0.05 * size, 0))


def _node_network(g: Gen) -> None:
    devices = (("lo", 2e5), ("eth0", 6e6), ("docker0", 1.5e6))
    for direction, f in (("receive", 1.0), ("transmit", 0.6)):
        sets = [_host(g, h) | {"device": d} for h in range(len(g.hosts)) for d, _ in devices]
        rate = np.array([r * f for _ in g.hosts for _, r in devices])[:, None] * g.daily()
        g.counter(f"node_network_{direction}_bytes_total", sets, rate, integer=False)


# -- containers (cAdvisor) --------------------------------------------------------------------------
def _containers(g: Gen) -> list[tuple[int, str, str]]:
    """(host, name, image) of every container; a root cgroup (no name) per host comes separately."""
    out = [(i, f"erpgo-api-{i + 1}", "erpgo/api:1.8.2") for i in range(len(g.hosts))]
    out += [(i, f"erpgo-worker-{i + 1}", "erpgo/worker:1.8.2") for i in range(min(2, len(g.hosts)))]
    out += [(0, "nginx", "nginx:1.25"), (len(g.hosts) - 1, "redis", "redis:7.2")]
    out += [(min(3, len(g.hosts) - 1), "postgres", "postgres:15"), (len(g.hosts) - 1, "erpmon", "erpmon:dev")]
    return out


def _cadvisor(g: Gen) -> None:
    restarts_s = (-270.0, -200.0, -130.0, -60.0)
    for k, (h, name, image) in enumerate(_containers(g)):
        labels = {
            "job": "cadvisor",
            "instance": f"cadvisor-{h + 1}:8080",
            "id": f"/docker/{k:04x}a1b2c3d4e5f6",
        }
        labels |= {"image": image, "name": name}
        started = np.full(g.steps, g.ts[0] / 1000.0 - g.rng.uniform(1, 20) * 86400.0)
        resets: list[int] = []
        if name == "erpgo-worker-1":
            for r in restarts_s:
                i = int(np.searchsorted(g.age_s, r))
                started[i:] = g.ts[i] / 1000.0 - 3.0
                resets.append(i)

        def restarting(inc: Floats, resets: list[int] = resets) -> Floats:
            """A counter that starts over at each restart of its container."""
            out = 86400.0 * float(inc.mean()) + np.cumsum(inc)
            for i in resets:
                out[i:] = np.cumsum(inc[i:])
            return np.asarray(out, dtype=np.float64)

        cpu = g.rng.uniform(0.05, 1.5) * g.scale.interval_s * g.rng.gamma(20, 1 / 20, g.steps)
        g.add("container_cpu_usage_seconds_total", labels | {"cpu": "total"}, np.round(restarting(cpu), 3))
        g.add(
            "container_memory_usage_bytes",
            labels,
            np.round(g.wander(1, g.rng.uniform(80, 900) * MIB, 0.05)[0]),
        )
        g.add("container_start_time_seconds", labels, np.round(started, 3))
        for direction in ("receive", "transmit"):
            net = np.round(g.rng.uniform(1e4, 2e6) * g.scale.interval_s * g.rng.gamma(20, 1 / 20, g.steps))
            g.add(
                f"container_network_{direction}_bytes_total", labels | {"interface": "eth0"}, restarting(net)
            )
    for h in range(len(g.hosts)):  # the root cgroup: no name, filtered out by name=~"erpgo.*"
        root = {"job": "cadvisor", "instance": f"cadvisor-{h + 1}:8080", "id": "/"}
        cpu = CORES[h % len(CORES)] * 0.4 * g.scale.interval_s * np.ones(g.steps)
        g.add("container_cpu_usage_seconds_total", root | {"cpu": "total"}, 1e6 + np.cumsum(cpu))
        g.add("container_memory_usage_bytes", root, np.round(g.wander(1, 8 * GIB, 0.03)[0]))
        g.add("container_start_time_seconds", root, np.full(g.steps, g.ts[0] / 1000.0 - 30 * 86400.0))
        for direction in ("receive", "transmit"):
            g.add(
                f"container_network_{direction}_bytes_total",
                root | {"interface": "eth0"},
                1e9 + np.cumsum(cpu) * 1e5,
            )


# -- PostgreSQL (postgres_exporter) -----------------------------------------------------------------
PG = {"job": "postgres-exporter", "instance": "postgres-exporter:9187", "server": "postgres:5432"}
PG_STATES = (
    "active",
    "idle",
    "idle in transaction",
    "idle in transaction (aborted)",
    "fastpath function call",
    "disabled",
)


def _pg_activity(g: Gen) -> None:
    levels = {"active": 12.0, "idle": 55.0, "idle in transaction": 3.0}
    for datname in ("erpgo", "postgres"):
        for state in PG_STATES:
            level = levels.get(state, 0.0) if datname == "erpgo" else (1.0 if state == "idle" else 0.0)
            v = g.wander(1, level, 0.1)[0] if level else np.zeros(g.steps)
            if datname == "erpgo" and state == "active":
                v = v + 20.0 * g.ramp(8)
            g.add(
                "pg_stat_activity_count",
                PG | {"datname": datname, "state": state},
                np.round(np.clip(v, 0, None)),
            )


def _pg_size(g: Gen) -> None:
    for datname, size, growth in (
        ("erpgo", 52 * GIB, 2e5),
        ("postgres", 8 * MIB, 0),
        ("template1", 7.6 * MIB, 0),
    ):
        v = size + growth * np.cumsum(g.rng.uniform(0, 2 * g.scale.interval_s, g.steps))
        g.add("pg_database_size_bytes", PG | {"datname": datname}, np.round(v / 8192) * 8192)


# -- security ---------------------------------------------------------------------------------------
def _auth(g: Gen) -> None:
    methods = (("password", 2.0), ("sso", 1.0), ("api_key", 0.5))
    extra = [{"method": m, "result": r} for m, _ in methods for r in ("success", "failure")]
    sets = g.per_api(extra)
    weight = dict(methods)
    rate = np.array([weight[s["method"]] * (1.0 if s["result"] == "success" else 0.02) for s in sets])
    rate = rate[:, None] * g.daily()
    brute = np.array([s["result"] == "failure" and s["method"] == "password" for s in sets])
    rate[brute] += 0.6 * g.ramp(10)
    g.counter("erpgo_auth_attempts_total", sets, rate)


def _auth_by_ip(g: Gen) -> None:
    ips = [f"10.20.{k // 8}.{10 + k}" for k in range(11)] + ["203.0.113.7"]
    sets = g.per_api([{"ip": ip} for ip in ips])
    attacker = np.array([s["ip"] == "203.0.113.7" for s in sets])[:, None]
    g.counter("erpgo_auth_failures_by_ip_total", sets, np.where(attacker, 0.002 + 0.5 * g.ramp(10), 0.002))


def _security_counters(g: Gen) -> None:
    resources = ("orders", "invoices", "customers", "users", "settings", "reports")
    g.counter("erpgo_authz_denials_total", g.per_api([{"resource": r} for r in resources]), 0.01)
    events = ("login", "logout", "password_change", "mfa_enabled", "role_change", "token_revoked")
    g.counter("erpgo_security_events_total", g.per_api([{"type": e} for e in events]), 0.05)
    kinds = ("impossible_travel", "privilege_escalation", "mass_export", "off_hours_access")
    g.counter("erpgo_suspicious_activities_total", g.per_api([{"type": k} for k in kinds]), 0.004)
    reasons = ("rate_limited", "invalid_token", "scraping")
    sets = g.per_api([{"reason": r} for r in reasons])
    limited = np.array([s["reason"] == "rate_limited" for s in sets])[:, None]
    g.counter("erpgo_api_abuse_total", sets, np.where(limited, 0.01 + 0.2 * g.ramp(30), 0.005))


# -- real user monitoring ---------------------------------------------------------------------------
def _rum_histogram(
    g: Gen, name: str, median: float, sigma: float, bounds: Sequence[float], slow: float
) -> None:
    sets = g.per_api([{"page": p} for p in PAGES])
    views = g.increments(0.5 * g.daily(), len(sets))
    medians = np.broadcast_to(np.where(g.last(15), median * slow, median), (len(sets), g.steps))
    g.histogram(name, sets, views, medians, sigma, bounds)


def _page_load(g: Gen) -> None:
    _rum_histogram(g, "erpgo_page_load_duration_seconds", 1.4, 0.45, PAGE_BUCKETS, 2.0)


def _fcp(g: Gen) -> None:
    _rum_histogram(g, "erpgo_fcp_seconds", 0.9, 0.4, PAGE_BUCKETS, 1.5)


def _lcp(g: Gen) -> None:
    _rum_histogram(g, "erpgo_lcp_seconds", 1.8, 0.45, PAGE_BUCKETS, 1.5)


def _fid(g: Gen) -> None:
    _rum_histogram(g, "erpgo_fid_seconds", 0.03, 0.8, FID_BUCKETS, 1.0)


def _cls(g: Gen) -> None:
    _rum_histogram(g, "erpgo_cls", 0.06, 0.9, CLS_BUCKETS, 1.5)


def _js_errors(g: Gen) -> None:
    sets = g.per_api([{"page": p} for p in PAGES])
    g.counter("erpgo_js_errors_total", sets, 0.002 + 0.006 * g.ramp(10))


def _satisfaction(g: Gen) -> None:
    """The erpgo_user_satisfaction_score summary (survey answers 1..5): _sum and _count."""
    sets = g.per_api()
    answers = g.increments(0.01, len(sets))
    scores = answers * g.rng.normal(3.8, 0.3, answers.shape).clip(1, 5)
    g.gauge("erpgo_user_satisfaction_score_count", sets, g.totals(answers))
    g.gauge("erpgo_user_satisfaction_score_sum", sets, np.round(g.totals(scores), 1))


Family = Callable[[Gen], None]


def _table() -> dict[str, Family]:
    table: dict[str, Family] = {}
    histograms: dict[str, Family] = {
        "erpgo_http_request_duration_seconds": _http,
        "erpgo_database_query_duration_seconds": _db_queries,
        "erpgo_page_load_duration_seconds": _page_load,
        "erpgo_fcp_seconds": _fcp,
        "erpgo_lcp_seconds": _lcp,
        "erpgo_fid_seconds": _fid,
        "erpgo_cls": _cls,
    }
    for base, family in histograms.items():
        for suffix in ("_bucket", "_sum", "_count"):
            table[base + suffix] = family
    table["erpgo_http_requests_total"] = _http
    table["erpgo_user_satisfaction_score_sum"] = _satisfaction
    table["erpgo_user_satisfaction_score_count"] = _satisfaction
    plain: dict[Family, tuple[str, ...]] = {
        _db_pool: ("erpgo_database_connections_active", "erpgo_database_connections_max"),
        _cache: ("erpgo_cache_hits_total", "erpgo_cache_misses_total"),
        _orders_pending: ("erpgo_orders_pending",),
        _users: (
            "erpgo_users_active",
            "erpgo_users_active_30d",
            "erpgo_users_registered",
            "erpgo_users_anomalous",
        ),
        _business: (
            "erpgo_orders_created_total",
            "erpgo_orders_completed_total",
            "erpgo_order_value_total",
            "erpgo_revenue_total",
            "erpgo_product_views_total",
            "erpgo_users_created_total",
            "erpgo_user_sessions_created_total",
            "erpgo_user_actions_total",
        ),
        _process_memory: ("process_resident_memory_bytes",),
        _up: ("up",),
        _node_cpu: ("node_cpu_seconds_total", "node_load1"),
        _node_memory: tuple(
            f"node_memory_{f}_bytes" for f in ("MemTotal", "MemAvailable", "MemFree", "Cached", "Buffers")
        ),
        _node_filesystem: (
            "node_filesystem_size_bytes",
            "node_filesystem_free_bytes",
            "node_filesystem_avail_bytes",
        ),
        _node_network: ("node_network_receive_bytes_total", "node_network_transmit_bytes_total"),
        _cadvisor: (
            "container_cpu_usage_seconds_total",
            "container_memory_usage_bytes",
            "container_start_time_seconds",
            "container_network_receive_bytes_total",
            "container_network_transmit_bytes_total",
        ),
        _pg_activity: ("pg_stat_activity_count",),
        _pg_size: ("pg_database_size_bytes",),
        _auth: ("erpgo_auth_attempts_total",),
        _auth_by_ip: ("erpgo_auth_failures_by_ip_total",),
        _security_counters: (
            "erpgo_authz_denials_total",
            "erpgo_security_events_total",
            "erpgo_suspicious_activities_total",
            "erpgo_api_abuse_total",
        ),
        _js_errors: ("erpgo_js_errors_total",),
        _checks: ("probe_success", "erpgo_system_health_score"),
    }
    for family, names in plain.items():
        for name in names:
            table[name] = family
    return table


FAMILIES = _table()
"""Metric name -> the family that writes it (and its siblings)."""
