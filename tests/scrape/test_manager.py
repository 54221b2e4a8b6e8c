"""Scraping real HTTP targets on 127.0.0.1 through the manager, driven scrape by scrape."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from erpmon.clock import FakeClock
from erpmon.config import parse_prometheus_config
from erpmon.model import Matcher, is_stale_nan
from erpmon.scrape import Health, ScrapeLoop, ScrapeManager
from erpmon.tsdb import TSDB

from .conftest import Route, TargetServer

T0 = 1_700_000_000_000
GOOD = b"# TYPE erpgo_orders_created_total counter\nerpgo_orders_created_total 42\n"


def config(job_yaml: str) -> str:
    return "global:\n  scrape_interval: 1h\n  scrape_timeout: 2s\nscrape_configs:\n" + job_yaml


async def manager_for(db: TSDB, text: str, tmp_path: Path, clock: FakeClock | None = None) -> ScrapeManager:
    path = tmp_path / "prometheus.yml"
    path.write_text(text)
    manager = ScrapeManager(db, clock or FakeClock(T0), run_loops=False)
    await manager.apply_config(parse_prometheus_config(text, str(path)))
    return manager


def only_loop(manager: ScrapeManager, job: str) -> ScrapeLoop:
    pool = manager.pool(job)
    assert pool is not None
    [loop] = pool.loops()
    return loop


def up_values(db: TSDB) -> list[float]:
    [s] = db.querier(0, T0 * 2).select([Matcher.equal("__name__", "up")])
    return s.values.tolist()


async def test_scrape_up_with_auth_gzip_and_headers(
    db: TSDB, target_server: TargetServer, tmp_path: Path
) -> None:
    target_server.routes["/metrics"] = Route(GOOD, gzip=True)
    (tmp_path / "pw").write_text("s3cret\n")
    manager = await manager_for(
        db,
        config(
            f"""  - job_name: erpgo-api
    basic_auth: {{username: erpmon, password_file: pw}}
    params: {{format: [prometheus]}}
    static_configs: [{{targets: ["{target_server.address}"], labels: {{env: prod}}}}]
"""
        ),
        tmp_path,
    )
    loop = only_loop(manager, "erpgo-api")
    await loop.scrape_once(T0)
    assert loop.target.health is Health.UP, loop.target.last_error
    [s] = db.querier(0, T0).select([Matcher.equal("__name__", "erpgo_orders_created_total")])
    assert s.labels.to_dict()["env"] == "prod" and s.values.tolist() == [42.0]
    path, headers = target_server.requests[-1]
    assert path == "/metrics?format=prometheus"
    assert headers["Authorization"] == "Basic ZXJwbW9uOnMzY3JldA=="
    assert headers["Accept"].startswith("application/openmetrics-text;version=1.0.0")
    assert headers["X-Prometheus-Scrape-Timeout-Seconds"] == "2"
    await manager.stop()


@pytest.mark.parametrize(
    ("route", "error"),
    [
        (Route(b"", status=500), "server returned HTTP status 500 Internal Server Error"),
        (Route(b"garbage { here\n"), "line 1"),
        (Route(GOOD, delay_s=3.0), "context deadline exceeded"),
        (Route(GOOD * 200), "body size limit exceeded"),
    ],
)
async def test_bad_targets_go_down_and_their_series_stale(
    db: TSDB, target_server: TargetServer, tmp_path: Path, route: Route, error: str
) -> None:
    target_server.routes["/metrics"] = Route(GOOD)
    manager = await manager_for(
        db,
        config(
            f"""  - job_name: flaky
    body_size_limit: 1KB
    static_configs: [{{targets: ["{target_server.address}"]}}]
"""
        ),
        tmp_path,
    )
    loop = only_loop(manager, "flaky")
    await loop.scrape_once(T0)
    target_server.routes["/metrics"] = route
    await loop.scrape_once(T0 + 15_000)
    assert loop.target.health is Health.DOWN
    assert error in loop.target.last_error
    assert up_values(db) == [1.0, 0.0]
    [s] = db.querier(0, T0 * 2).select([Matcher.equal("__name__", "erpgo_orders_created_total")])
    assert is_stale_nan(s.values[-1])
    await manager.stop()


async def test_unreachable_target(db: TSDB, tmp_path: Path) -> None:
    manager = await manager_for(
        db, config('  - job_name: gone\n    static_configs: [{targets: ["127.0.0.1:1"]}]\n'), tmp_path
    )
    loop = only_loop(manager, "gone")
    await loop.scrape_once(T0)
    assert loop.target.health is Health.DOWN and "127.0.0.1:1" in loop.target.last_error
    assert up_values(db) == [0.0]
    await manager.stop()


async def test_file_sd_changes_add_and_remove_targets(
    db: TSDB, target_server: TargetServer, tmp_path: Path
) -> None:
    target_server.routes["/metrics"] = Route(GOOD)
    sd = tmp_path / "targets.json"
    sd.write_text(json.dumps([{"targets": [target_server.address], "labels": {"team": "erp"}}]))
    clock = FakeClock(T0)
    manager = await manager_for(
        db, config("  - job_name: sd\n    file_sd_configs: [{files: ['targets.json']}]\n"), tmp_path, clock
    )
    loop = only_loop(manager, "sd")
    assert loop.target.public_labels.get("team") == "erp"
    await loop.scrape_once(T0)
    clock.advance(30_000)
    sd.write_text(json.dumps([{"targets": ["127.0.0.1:2"]}]))
    await manager.sync_discovery()
    assert only_loop(manager, "sd").target.labels.get("__address__") == "127.0.0.1:2"
    # The vanished target's series, including `up`, were marked stale.
    assert is_stale_nan(up_values(db)[-1])
    sd.write_text("not: [valid")  # a broken file keeps the last good targets
    await manager.sync_discovery()
    assert only_loop(manager, "sd").target.labels.get("__address__") == "127.0.0.1:2"
    assert manager.stats.sd_file_read_errors == 1
    await manager.stop()


async def test_reload_keeps_unchanged_jobs_and_drops_removed_ones(
    db: TSDB, target_server: TargetServer, tmp_path: Path
) -> None:
    target_server.routes["/metrics"] = Route(GOOD)
    job_a = f'  - job_name: a\n    static_configs: [{{targets: ["{target_server.address}"]}}]\n'
    job_b = f'  - job_name: b\n    static_configs: [{{targets: ["{target_server.address}"]}}]\n'
    manager = await manager_for(db, config(job_a + job_b), tmp_path)
    loop_a = only_loop(manager, "a")
    await only_loop(manager, "b").scrape_once(T0)
    await manager.apply_config(parse_prometheus_config(config(job_a), "prometheus.yml"))
    assert only_loop(manager, "a") is loop_a
    assert manager.pool("b") is None
    assert [p.job_name for p in manager.pools()] == ["a"]
    await manager.stop()
