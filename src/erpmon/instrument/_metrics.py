"""Every `erpgo_*` metric the ERPGo pack reads, with the names, types, labels and help of its
METRICS.md contract, and helpers that say what happened rather than which counter moved.

`ERPGoMetrics(registry)` creates the collectors once per registry. Gauges that ERPGo reads from
its database (pending orders, active users...) report the same value on every worker and replica,
so under prometheus_client's multiprocess mode they keep the most recent value ("mostrecent")
instead of summing; per-process gauges (the connection pool) are summed over live workers.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, Summary

DEF_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 3.0, 5.0, 10.0)  # Go's DefBuckets + 3
PAGE_LOAD_BUCKETS = (0.5, 1, 2, 3, 5, 8, 13, 20)
FCP_BUCKETS = (1, 1.8, 3, 5)
LCP_BUCKETS = (1, 2.5, 4, 6)
FID_BUCKETS = (0.05, 0.1, 0.3, 0.5)
CLS_BUCKETS = (0.05, 0.1, 0.25, 0.5)
OTHER = "other"


class TopN:
    """Bounds a label's values to the `n` most frequent (by count so far) plus "other".

    A value gets its own series once it has been seen `min_count` times while fewer than n have
    one; until then, and for everyone else, "other" is used. Candidates are counted in a table of
    4n entries; a newcomer to a full table replaces the rarest entry and starts at 1 (unlike
    space-saving, it does not inherit the count, which would admit one-off addresses of a botnet).
    So a scanner hammering from one address soon has its own series, while a botnet of a million
    addresses costs n + 1 series.
    """

    def __init__(self, n: int = 50, min_count: int = 3) -> None:
        self.n = n
        self.min_count = min_count
        self._counts: dict[str, int] = {}
        self._admitted: set[str] = set()
        self._lock = threading.Lock()

    def __call__(self, value: str) -> str:
        with self._lock:
            if value in self._admitted:
                return value
            if value not in self._counts and len(self._counts) >= 4 * self.n:
                del self._counts[min(self._counts, key=self._counts.__getitem__)]
            self._counts[value] = self._counts.get(value, 0) + 1
            if len(self._admitted) < self.n and self._counts[value] >= self.min_count:
                self._admitted.add(value)
                del self._counts[value]
                return value
            return OTHER


class ERPGoMetrics:
    def __init__(self, registry: CollectorRegistry | None = REGISTRY, *, ip_top_n: int = 50) -> None:
        r = registry
        # HTTP
        self.http_requests = Counter(
            "erpgo_http_requests_total", "Total number of HTTP requests",
            ["method", "endpoint", "status_code"],
            registry=r,
        )  # fmt: skip
        self.http_duration = Histogram(
            "erpgo_http_request_duration_seconds", "HTTP request duration in seconds", ["method", "endpoint"],
            buckets=DEF_BUCKETS, registry=r,
        )  # fmt: skip
        # database pool (per process: summed across workers) and queries
        self.db_active = Gauge(
            "erpgo_database_connections_active", "Number of open database connections", registry=r,
            multiprocess_mode="livesum",
        )  # fmt: skip
        self.db_idle = Gauge(
            "erpgo_database_connections_idle", "Open database connections not in use", registry=r,
            multiprocess_mode="livesum",
        )  # fmt: skip
        self.db_in_use = Gauge(
            "erpgo_database_connections_in_use", "Database connections checked out", registry=r,
            multiprocess_mode="livesum",
        )  # fmt: skip
        self.db_max = Gauge(
            "erpgo_database_connections_max", "Maximum open connections of the pool", registry=r,
            multiprocess_mode="livesum",
        )  # fmt: skip
        self.db_wait = Counter(
            "erpgo_database_wait_duration_seconds", "Time spent waiting for a pooled connection", registry=r
        )
        self.db_query_duration = Histogram(
            "erpgo_database_query_duration_seconds", "Database query duration in seconds",
            ["query_type", "table"],
            buckets=DEF_BUCKETS, registry=r,
        )  # fmt: skip
        self.db_query_errors = Counter(
            "erpgo_database_query_errors_total", "Database queries that failed",
            ["query_type", "table", "error_type"], registry=r,
        )  # fmt: skip
        # cache
        self.cache_hits = Counter("erpgo_cache_hits_total", "Cache lookups that found the key", registry=r)
        self.cache_misses = Counter("erpgo_cache_misses_total", "Cache lookups that missed", registry=r)
        # business
        self.orders_created = Counter(
            "erpgo_orders_created_total", "Total number of orders created", registry=r
        )
        self.orders_completed = Counter(
            "erpgo_orders_completed_total", "Orders that reached the completed state", registry=r
        )
        self.orders_cancelled = Counter("erpgo_orders_cancelled_total", "Orders cancelled", registry=r)
        self.order_value = Counter("erpgo_order_value_total", "Total value of orders created", registry=r)
        self.revenue = Counter("erpgo_revenue_total", "Revenue recognised (paid)", registry=r)
        self.product_views = Counter("erpgo_product_views_total", "Product page views", registry=r)
        self.orders_pending = Gauge(
            "erpgo_orders_pending",
            "Orders waiting to be processed",
            registry=r,
            multiprocess_mode="mostrecent",
        )
        self.orders_by_status = Gauge(
            "erpgo_orders_by_status", "Orders by status (from the database)", ["status"], registry=r,
            multiprocess_mode="mostrecent",
        )  # fmt: skip
        self.users_created = Counter("erpgo_users_created_total", "User registrations", registry=r)
        self.users_active = Gauge(
            "erpgo_users_active", "Number of active users", registry=r, multiprocess_mode="mostrecent"
        )
        self.users_active_30d = Gauge(
            "erpgo_users_active_30d", "Distinct users active in the last 30 days", registry=r,
            multiprocess_mode="mostrecent",
        )  # fmt: skip
        self.users_registered = Gauge(
            "erpgo_users_registered", "Registered users", registry=r, multiprocess_mode="mostrecent"
        )
        self.sessions_created = Counter(
            "erpgo_user_sessions_created_total", "User sessions started (logins)", registry=r
        )
        self.sessions_active = Gauge(
            "erpgo_user_sessions_active",
            "Sessions currently valid",
            registry=r,
            multiprocess_mode="mostrecent",
        )
        self.user_actions = Counter(
            "erpgo_user_actions_total", "User actions performed", ["action"], registry=r
        )
        # security
        self.auth_attempts = Counter(
            "erpgo_auth_attempts_total", "Total number of authentication attempts", ["result"], registry=r
        )
        self.auth_success = Counter("erpgo_auth_success_total", "Successful authentications", registry=r)
        self.auth_failure = Counter("erpgo_auth_failure_total", "Failed authentications", registry=r)
        self.auth_failures_by_ip = Counter(
            "erpgo_auth_failures_by_ip_total", "Authentication failures by IP address", ["ip"], registry=r
        )
        self.authz_denials = Counter(
            "erpgo_authz_denials_total",
            "Total number of authorization denials",
            ["resource", "action"],
            registry=r,
        )
        self.suspicious = Counter(
            "erpgo_suspicious_activities_total", "Total number of suspicious activities detected",
            ["activity_type"], registry=r,
        )  # fmt: skip
        self.security_events = Counter(
            "erpgo_security_events_total", "Security-relevant events", ["event_type"], registry=r
        )
        self.api_abuse = Counter(
            "erpgo_api_abuse_total", "Requests rejected as API abuse", ["reason"], registry=r
        )
        self.users_anomalous = Gauge(
            "erpgo_users_anomalous", "Users currently flagged as behaving anomalously", registry=r,
            multiprocess_mode="mostrecent",
        )  # fmt: skip
        # frontend (real-user monitoring beacons)
        self.page_load = Histogram(
            "erpgo_page_load_duration_seconds",
            "Page load time",
            ["page"],
            buckets=PAGE_LOAD_BUCKETS,
            registry=r,
        )
        self.fcp = Histogram(
            "erpgo_fcp_seconds", "First contentful paint", ["page"], buckets=FCP_BUCKETS, registry=r
        )
        self.lcp = Histogram(
            "erpgo_lcp_seconds", "Largest contentful paint", ["page"], buckets=LCP_BUCKETS, registry=r
        )
        self.fid = Histogram(
            "erpgo_fid_seconds", "First input delay", ["page"], buckets=FID_BUCKETS, registry=r
        )
        self.cls = Histogram(
            "erpgo_cls", "Cumulative layout shift", ["page"], buckets=CLS_BUCKETS, registry=r
        )
        self.js_errors = Counter(
            "erpgo_js_errors_total", "JavaScript errors reported by browsers", ["page"], registry=r
        )
        self.satisfaction = Summary(
            "erpgo_user_satisfaction_score", "User satisfaction survey ratings (1-5)", registry=r
        )
        self._ip_guard = TopN(ip_top_n)

    # -- what happened --------------------------------------------------------------------------

    def order_created(self, value: float) -> None:
        self.orders_created.inc()
        self.order_value.inc(value)

    def order_completed(self) -> None:
        self.orders_completed.inc()

    def order_cancelled(self) -> None:
        self.orders_cancelled.inc()

    def payment_received(self, amount: float) -> None:
        self.revenue.inc(amount)

    def product_viewed(self) -> None:
        self.product_views.inc()

    def user_registered(self) -> None:
        self.users_created.inc()

    def session_started(self) -> None:
        self.sessions_created.inc()

    def user_action(self, action: str) -> None:
        self.user_actions.labels(action).inc()

    def auth_attempt(self, *, success: bool, ip: str) -> None:
        self.auth_attempts.labels("success" if success else "failure").inc()
        if success:
            self.auth_success.inc()
            return
        self.auth_failure.inc()
        self.auth_failures_by_ip.labels(self._ip_guard(ip)).inc()

    def authz_denied(self, resource: str, action: str) -> None:
        self.authz_denials.labels(resource, action).inc()

    def suspicious_activity(self, activity_type: str) -> None:
        self.suspicious.labels(activity_type).inc()

    def security_event(self, event_type: str) -> None:
        self.security_events.labels(event_type).inc()

    def api_abuse_rejected(self, reason: str) -> None:
        self.api_abuse.labels(reason).inc()

    def cache_lookup(self, *, hit: bool) -> None:
        (self.cache_hits if hit else self.cache_misses).inc()

    def query(self, query_type: str, table: str, seconds: float) -> None:
        self.db_query_duration.labels(query_type, table).observe(seconds)

    def query_failed(self, query_type: str, table: str, error_type: str) -> None:
        self.db_query_errors.labels(query_type, table, error_type).inc()

    def page_view(
        self, page: str, *, load: float | None = None, fcp: float | None = None, lcp: float | None = None,
        fid: float | None = None, cls: float | None = None,
    ) -> None:  # fmt: skip
        for histogram, value in ((self.page_load, load), (self.fcp, fcp), (self.lcp, lcp), (self.fid, fid),
                                 (self.cls, cls)):  # fmt: skip
            if value is not None:
                histogram.labels(page).observe(value)

    def js_error(self, page: str) -> None:
        self.js_errors.labels(page).inc()

    def satisfaction_rating(self, rating: float) -> None:
        if not 1 <= rating <= 5:
            raise ValueError(f"a satisfaction rating is 1 to 5, not {rating}")
        self.satisfaction.observe(rating)

    # -- what the database says (every replica reports the same) ---------------------------------

    def set_database_state(
        self,
        *,
        orders_pending: int | None = None,
        orders_by_status: Iterable[tuple[str, int]] = (),
        users_active: int | None = None,
        users_active_30d: int | None = None,
        users_registered: int | None = None,
        sessions_active: int | None = None,
        users_anomalous: int | None = None,
    ) -> None:
        for gauge, value in (
            (self.orders_pending, orders_pending), (self.users_active, users_active),
            (self.users_active_30d, users_active_30d), (self.users_registered, users_registered),
            (self.sessions_active, sessions_active), (self.users_anomalous, users_anomalous),
        ):  # fmt: skip
            if value is not None:
                gauge.set(value)
        for status, count in orders_by_status:
            self.orders_by_status.labels(status).set(count)
