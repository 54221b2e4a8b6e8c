"""The library exports exactly the pack's contract (METRICS.md's ERPGo tables: names, types,
labels), and the per-IP guard bounds cardinality."""

from __future__ import annotations

import re

import pytest
from prometheus_client import CollectorRegistry

from erpmon.instrument import OTHER, ERPGoMetrics, TopN
from erpmon.packs.erpgo import erpgo_pack_dir

ROW = re.compile(r"^\| `(erpgo_[a-z0-9_]+)` \| (counter|gauge|histogram|summary[^|]*) \| ([^|]*) \|")


def contract() -> dict[str, tuple[str, set[str]]]:
    """METRICS.md's ERPGo rows: name -> (type, label names)."""
    out = {}
    for line in (erpgo_pack_dir() / "METRICS.md").read_text().splitlines():
        m = ROW.match(line)
        if m:
            labels = set(re.findall(r"`([a-z_]+)`", re.sub(r"\([^)]*\)", "", m.group(3))))
            out[m.group(1)] = (m.group(2).split()[0], labels)
    return out


def exported(registry: CollectorRegistry) -> dict[str, tuple[str, set[str]]]:
    out = {}
    for family in registry.collect():
        name = family.name + ("_total" if family.type == "counter" else "")
        labels: set[str] = set()
        for sample in family.samples:
            labels |= set(sample.labels) - {"le", "quantile"}
        out[name] = (family.type, labels)
    return out


def test_every_contract_metric_is_exported_with_its_type_and_labels() -> None:
    registry = CollectorRegistry()
    m = ERPGoMetrics(registry)
    # touch every labelled metric once, so its label names show in the samples
    m.http_requests.labels("GET", "/x", "200").inc()
    m.http_duration.labels("GET", "/x").observe(0.1)
    m.query("select", "orders", 0.01)
    m.user_action("search")
    m.auth_attempt(success=False, ip="10.0.0.1")
    m.authz_denied("orders", "delete")
    m.suspicious_activity("sql_injection")
    m.security_event("password_reset")
    m.page_view("/checkout", load=1.2, fcp=0.9, lcp=1.5, fid=0.02, cls=0.01)
    m.js_error("/checkout")
    have = exported(registry)
    wanted = contract()
    assert len(wanted) >= 30
    for name, (kind, labels) in wanted.items():
        assert name in have, f"{name} is in METRICS.md but not exported"
        assert have[name][0] == kind, f"{name}: {have[name][0]} != {kind}"
        assert labels <= have[name][1], f"{name}: labels {have[name][1]} lack {labels - have[name][1]}"
    # the pair of counters the plan's rules named, next to the contract's result-labelled counter
    assert {"erpgo_auth_success_total", "erpgo_auth_failure_total"} <= set(have)


def test_helpers_move_the_right_series() -> None:
    registry = CollectorRegistry()
    m = ERPGoMetrics(registry)
    m.order_created(120.5)
    m.order_created(79.5)
    m.order_completed()
    m.payment_received(120.5)
    m.auth_attempt(success=True, ip="10.0.0.1")
    m.cache_lookup(hit=True)
    m.cache_lookup(hit=False)
    m.set_database_state(
        orders_pending=7, orders_by_status=[("pending", 7), ("completed", 1)], users_active=3
    )
    value = registry.get_sample_value
    assert value("erpgo_orders_created_total") == 2 and value("erpgo_order_value_total") == 200.0
    assert value("erpgo_revenue_total") == 120.5 and value("erpgo_orders_completed_total") == 1
    assert value("erpgo_auth_attempts_total", {"result": "success"}) == 1
    assert value("erpgo_auth_success_total") == 1 and value("erpgo_auth_failure_total") == 0
    assert value("erpgo_cache_hits_total") == 1 and value("erpgo_cache_misses_total") == 1
    assert value("erpgo_orders_pending") == 7 and value("erpgo_orders_by_status", {"status": "pending"}) == 7
    with pytest.raises(ValueError, match="1 to 5"):
        m.satisfaction_rating(9)


def test_the_ip_guard_keeps_the_top_offenders_and_folds_the_rest() -> None:
    guard = TopN(n=3, min_count=3)
    # a botnet: a thousand addresses, one failure each -> all "other"
    assert {guard(f"198.51.100.{i % 250}.{i}") for i in range(1000)} == {OTHER}
    # a scanner hammering from one address gets its own series after min_count failures
    assert [guard("203.0.113.9") for _ in range(4)] == [OTHER, OTHER, "203.0.113.9", "203.0.113.9"]
    for ip in ("192.0.2.1", "192.0.2.2", "192.0.2.3"):
        for _ in range(3):
            last = guard(ip)
    assert last == OTHER  # only n addresses are ever admitted
    registry = CollectorRegistry()
    m = ERPGoMetrics(registry, ip_top_n=2)
    for i in range(500):
        m.auth_attempt(success=False, ip=f"10.1.{i // 250}.{i % 250}")
    series = [s for f in registry.collect() if f.name == "erpgo_auth_failures_by_ip" for s in f.samples
              if s.name.endswith("_total")]  # fmt: skip
    assert len(series) <= 3 and sum(s.value for s in series) == 500
