"""`erpmon up`: the server process — storage, scraping, HTTP — and its lifecycle (reload, shutdown)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn
from prometheus_client import CollectorRegistry
from starlette.applications import Starlette

from erpmon import __version__
from erpmon.cli._selfmetrics import RowsCollector, render, scrape_rows
from erpmon.cli._up_alerting import AlertingConfigError, AlertingRuntime
from erpmon.cli._up_incidents import IncidentsConfigError, IncidentsRuntime
from erpmon.clock import SystemClock
from erpmon.config import (
    ConfigError,
    PrometheusConfig,
    load_prometheus_config,
    parse_base2_bytes,
    parse_duration,
    parse_prometheus_config,
)
from erpmon.health import HealthRunner, load_checks_config
from erpmon.hostmetrics import host_registry, self_registry
from erpmon.promql import Engine, EngineOptions
from erpmon.rules import ManagerOptions, RuleFileError, RuleManager, RulesConfig
from erpmon.scrape import ScrapeManager
from erpmon.tsdb import TSDB, TSDBOptions
from erpmon.web import WebContext, build_app, query_routes, rfc3339, rules_routes
from erpmon.web._checks_api import checks_routes
from erpmon.web._inbox import Inbox, inbox_routes

log = logging.getLogger("erpmon")

COMPACTION_INTERVAL_S = 60.0

DEFAULT_CONFIG = """\
# erpmon's built-in configuration: it scrapes itself and the host it runs on.
global:
  scrape_interval: 15s
  evaluation_interval: 15s
scrape_configs:
  - job_name: erpmon
    static_configs:
      - targets: ["{address}"]
{host_job}"""

HOST_JOB = """\
  - job_name: node
    metrics_path: /node/metrics
    static_configs:
      - targets: ["{address}"]
"""


def default_config_text(listen_address: str, host_collector: bool) -> str:
    host, _, port = listen_address.rpartition(":")
    if host in ("", "0.0.0.0", "::", "[::]"):
        host = "localhost"
    address = f"{host}:{port}"
    host_job = HOST_JOB.format(address=address) if host_collector else ""
    return DEFAULT_CONFIG.format(address=address, host_job=host_job)


@dataclass
class _ConfigState:
    config: PrometheusConfig
    text: str
    loaded_at: float
    reload_ok: bool = True


class Runtime:
    """Owns the running components and the one way to change their configuration."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.clock = SystemClock()
        self.started_at = time.time()
        self.ready = False
        self.state = self._load()
        self.tsdb = TSDB.open(
            args.storage_tsdb_path,
            TSDBOptions(
                retention_ms=args.retention_ms,
                retention_bytes=args.retention_bytes,
                wal_fsync=args.wal_fsync,
            ),
        )
        self.scrape = ScrapeManager(self.tsdb, self.clock)
        self.engine = Engine(
            self.tsdb,
            EngineOptions(
                lookback_ms=args.lookback_ms,
                timeout_s=args.query_timeout_ms / 1000.0,
                max_samples=args.query_max_samples,
                max_concurrency=args.query_max_concurrency,
                default_eval_interval_ms=self.state.config.global_config.evaluation_interval_ms,
            ),
        )
        self.registry = self_registry()
        self.registry.register(RowsCollector(self.tsdb.metrics))
        self.registry.register(
            RowsCollector(
                lambda: scrape_rows(
                    self.scrape.stats, lambda: sum(len(p.active) for p in self.scrape.pools())
                )
            )
        )
        try:
            self.alerting = AlertingRuntime(args, self.state.config, self.registry)
        except Exception:
            self.tsdb.close()
            raise
        self.rules = RuleManager(
            self.engine.instant_vector,
            self.tsdb,
            self.tsdb,
            self.clock,
            notify=self.alerting.notify,
            options=ManagerOptions(
                outage_tolerance_ms=args.for_outage_tolerance_ms,
                for_grace_period_ms=args.for_grace_period_ms,
                resend_delay_ms=args.resend_delay_ms,
            ),
        )
        try:
            self.rules.load(self.rules_config(self.state.config))
        except RuleFileError:
            self.tsdb.close()
            raise
        self.registry.register(self.rules)
        self.checks: HealthRunner | None = None
        if args.checks_config_file:
            try:
                self.checks = HealthRunner(
                    load_checks_config(args.checks_config_file), registry=self.registry
                )
            except Exception:
                self.tsdb.close()
                raise
        self.incidents: IncidentsRuntime | None = None
        if args.incidents_config_file:
            try:
                self.incidents = IncidentsRuntime(
                    args, self.alerting.service, self.engine, lambda: self.rules, self.clock, self.registry,
                    checks=self.checks,
                )  # fmt: skip
            except Exception:
                self.tsdb.close()
                raise
        self.host: CollectorRegistry | None = host_registry() if args.host_collector else None
        self._tasks: list[asyncio.Task[None]] = []

    def rules_config(self, cfg: PrometheusConfig) -> RulesConfig:
        return RulesConfig(
            files=cfg.rule_files,
            evaluation_interval_ms=cfg.global_config.evaluation_interval_ms,
            external_labels=cfg.global_config.external_labels,
            external_url=self.args.external_url,
        )

    def _load(self) -> _ConfigState:
        path = self.args.config_file
        if path:
            text = Path(path).read_text()
            cfg = load_prometheus_config(path)
        else:
            text = default_config_text(self.args.listen_address, self.args.host_collector)
            cfg = parse_prometheus_config(text, "<built-in config>")
        return _ConfigState(cfg, text, time.time())

    async def reload(self) -> str | None:
        """Load the config again; on any error keep the running one and say why."""
        self.scrape.stats.reloads += 1
        try:
            new = self._load()
            apply_alerting = self.alerting.prepare_reload(new.config)
            apply_incidents = self.incidents.prepare_reload() if self.incidents is not None else None
            checks_cfg = load_checks_config(self.args.checks_config_file) if self.checks is not None else None
            self.rules.load(self.rules_config(new.config))
            apply_alerting()
            if apply_incidents is not None:
                apply_incidents()
            if self.checks is not None and checks_cfg is not None:
                await self.checks.apply_config(checks_cfg)
        except (OSError, ConfigError, RuleFileError, AlertingConfigError, IncidentsConfigError) as err:
            self.scrape.stats.reload_failures += 1
            self.state.reload_ok = False
            log.error("Error reloading config err=%s", err)
            return str(err)
        await self.scrape.apply_config(new.config)
        self.state = new
        log.info("Completed loading of configuration file filename=%s", self.args.config_file or "<built-in>")
        return None

    async def _housekeeping(self) -> None:
        while True:
            await asyncio.sleep(COMPACTION_INTERVAL_S)
            try:
                await asyncio.to_thread(self.tsdb.compact)
                await asyncio.to_thread(self.tsdb.apply_retention)
            except OSError as err:  # a loop boundary: a full disk must not stop the server
                log.error("compaction failed err=%s", err)

    async def _wal_sync(self) -> None:
        """--storage.tsdb.wal-fsync=interval: fsync the WAL at most once a second, off the event loop."""
        while True:
            await asyncio.sleep(1.0)
            try:
                await asyncio.to_thread(self.tsdb.sync)
            except OSError as err:
                log.error("WAL fsync failed err=%s", err)

    @contextlib.asynccontextmanager
    async def lifespan(self, _: Starlette) -> AsyncIterator[None]:
        await self.scrape.apply_config(self.state.config)
        loop = asyncio.get_running_loop()
        self._tasks.append(loop.create_task(self._housekeeping()))
        self._tasks.append(loop.create_task(self.rules.run()))
        self.alerting.start()
        if self.incidents is not None:
            self.incidents.start()
        if self.checks is not None:
            self.checks.start()
        if self.args.wal_fsync == "interval":
            self._tasks.append(loop.create_task(self._wal_sync()))
        self.ready = True
        log.info("Server is ready to receive web requests.")
        try:
            yield
        finally:
            self.ready = False
            for t in self._tasks:
                t.cancel()
            if self.incidents is not None:
                await self.incidents.stop()
            if self.checks is not None:
                await self.checks.stop()
            await self.alerting.stop()
            await self.scrape.stop()
            self.tsdb.close()
            log.info("See you next time!")

    def web_context(self) -> WebContext:
        return WebContext(
            is_ready=lambda: self.ready,
            reload=self.reload,
            pools=self.scrape.pools,
            tsdb_status=self.tsdb.stats,
            metrics=lambda: render(self.registry),
            config_yaml=lambda: self.state.text,
            runtime_info=self.runtime_info,
            metadata=self.metadata,
            host_metrics=(lambda: render(self.host)) if self.host is not None else None,  # type: ignore[arg-type]
            flags=self.args.flag_values,
            build_info={
                "version": "2.42.0",
                "revision": f"erpmon-{__version__}",
                "branch": "erpmon",
                "buildUser": "erpmon",
                "buildDate": "",
                "goVersion": "python",
            },
            enable_lifecycle=self.args.enable_lifecycle,
        )

    def runtime_info(self) -> dict[str, Any]:
        return {
            "startTime": rfc3339(int(self.started_at * 1000)),
            "CWD": os.getcwd(),
            "reloadConfigSuccess": self.state.reload_ok,
            "lastConfigTime": rfc3339(int(self.state.loaded_at * 1000)),
            "corruptionCount": 0,
            "goroutineCount": len(asyncio.all_tasks()),
            "GOMAXPROCS": os.cpu_count() or 1,
            "GOGC": "",
            "GODEBUG": "",
            "storageRetention": self.args.retention_text,
        }

    def metadata(self) -> dict[str, list[dict[str, str]]]:
        out: dict[str, list[dict[str, str]]] = {}
        for name in sorted({p.job_name for p in self.scrape.pools()}):
            pool = self.scrape.pool(name)
            if pool is None:
                continue
            for loop in pool.loops():
                for metric, (mtype, help_text, unit) in loop.metadata.items():
                    entry = {"type": mtype, "help": help_text, "unit": unit}
                    if entry not in out.setdefault(metric, []):
                        out[metric].append(entry)
        return out


class _Server(uvicorn.Server):
    """uvicorn, with SIGTERM/SIGINT handled our way (clean exit 0) and SIGHUP reloading."""

    def __init__(self, config: uvicorn.Config, runtime: Runtime) -> None:
        super().__init__(config)
        self._runtime = runtime

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        loop = asyncio.get_running_loop()

        def stop() -> None:
            log.warning("Received termination request, shutting down gracefully")
            self.should_exit = True

        pending: set[asyncio.Task[str | None]] = set()

        def hup() -> None:
            task = loop.create_task(self._runtime.reload())
            pending.add(task)
            task.add_done_callback(pending.discard)

        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop)
        loop.add_signal_handler(signal.SIGHUP, hup)
        try:
            yield
        finally:
            for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
                loop.remove_signal_handler(sig)


def prepare_up_args(args: argparse.Namespace, parser: argparse.ArgumentParser) -> None:
    """Turn flag text into typed values (ValueError on bad input) and remember flags for the API."""
    args.retention_ms = parse_duration(args.retention_time)
    args.retention_bytes = parse_base2_bytes(args.retention_size)
    args.lookback_ms = parse_duration(args.lookback_delta)
    args.query_timeout_ms = parse_duration(args.query_timeout)
    args.for_outage_tolerance_ms = parse_duration(args.for_outage_tolerance)
    args.for_grace_period_ms = parse_duration(args.for_grace_period)
    args.resend_delay_ms = parse_duration(args.resend_delay)
    if not args.alertmanager_storage_path:
        args.alertmanager_storage_path = os.path.join(args.storage_tsdb_path, "alertmanager")
    if not args.external_url:
        host, _, port = args.listen_address.rpartition(":")
        if host in ("", "0.0.0.0", "::", "[::]"):
            host = socket.gethostname()
        args.external_url = f"http://{host}:{port}/"
    args.retention_text = args.retention_time
    if args.retention_bytes:
        args.retention_text += f" or {args.retention_size}"
    _, sep, port = args.listen_address.rpartition(":")
    if not sep or not port.isdigit():
        raise ValueError(f"invalid --web.listen-address {args.listen_address!r}: want HOST:PORT")
    by_dest = {a.dest: a.option_strings[0].lstrip("-") for a in _up_actions(parser)}
    args.flag_values = {
        flag: str(getattr(args, dest)).lower()
        if isinstance(getattr(args, dest), bool)
        else str(getattr(args, dest))
        for dest, flag in by_dest.items()
    }


def _up_actions(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return [a for a in action.choices["up"]._actions if a.option_strings and a.dest != "help"]
    return []


def run_up(args: argparse.Namespace) -> int:
    try:
        runtime = Runtime(args)
    except (ConfigError, RuleFileError, AlertingConfigError, IncidentsConfigError) as err:
        log.error("Error loading config err=%s", err)
        print(err, file=sys.stderr)
        return 1
    except OSError as err:
        log.error("Error starting erpmon err=%s", err)
        return 1
    host, _, port = args.listen_address.rpartition(":")
    app = build_app(
        runtime.web_context(),
        lifespan=runtime.lifespan,
        extra_routes=[
            *query_routes(runtime.engine, runtime.tsdb, runtime.clock.now_ms),
            *rules_routes(runtime.rules.groups),
            *runtime.alerting.routes(),
            *(runtime.incidents.routes() if runtime.incidents is not None else []),
            *(checks_routes(runtime.checks) if runtime.checks is not None else []),
            *(inbox_routes(Inbox()) if args.notification_inbox else []),
        ],
    )
    config = uvicorn.Config(
        app, host=host or "0.0.0.0", port=int(port), log_config=None, lifespan="on", access_log=False
    )
    log.info("Starting erpmon version=%s listen=%s", __version__, args.listen_address)
    asyncio.run(_Server(config, runtime).serve())
    return 0
