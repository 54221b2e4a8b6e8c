"""The incident side of `erpmon up`: the engine, its store, its API and the status page.

With `--incidents.config.file`, every group the embedded Alertmanager flushes is shown to the
engine (after inhibition and silences); notifications go through the embedded Alertmanager's
receivers and templates; verification queries the PromQL engine and reads the rule manager's
alerting rules. incidents.yml reloads with the server.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import secrets
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry
from starlette.routing import BaseRoute

from erpmon.alerting import Alert
from erpmon.alerting.config import ReceiverConfig
from erpmon.alerting.dispatch import FlushContext
from erpmon.alerting.templates import TemplateSet
from erpmon.clock import Clock
from erpmon.config import ConfigError
from erpmon.health import HealthRunner
from erpmon.incidents import ContactNotifier, IncidentEngine, IncidentStore
from erpmon.incidents.config import IncidentsConfig, load_incidents_config
from erpmon.model import Labels
from erpmon.promql import Engine
from erpmon.rules import AlertingRule, RuleManager

if TYPE_CHECKING:
    from erpmon.alerting._service import AlertingService


class IncidentsConfigError(Exception):
    """incidents.yml could not be used."""


def read_token(args: argparse.Namespace) -> str | None:
    if args.api_token_file:
        with open(args.api_token_file, encoding="utf-8") as f:
            return f.read().strip() or None
    return os.environ.get("ERPMON_API_TOKEN") or None


def _ack_secret(directory: str) -> bytes:
    """The key that signs acknowledge links; kept so links stay valid across restarts."""
    path = os.path.join(directory, "ack.key")
    with contextlib.suppress(FileNotFoundError), open(path, "rb") as f:
        key = f.read()
        if len(key) >= 32:
            return key
    key = secrets.token_bytes(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, key)
        os.fsync(fd)
    finally:
        os.close(fd)
    return key


class IncidentsRuntime:
    def __init__(
        self,
        args: argparse.Namespace,
        service: AlertingService | None,
        promql: Engine,
        rules: Callable[[], RuleManager],
        clock: Clock,
        registry: CollectorRegistry,
        checks: HealthRunner | None = None,
    ) -> None:
        if service is None:
            raise IncidentsConfigError(
                "--incidents.config.file needs --alertmanager.config.file: incidents open from the groups "
                "the embedded Alertmanager flushes"
            )
        self._args = args
        self._service = service
        self.token = read_token(args)
        directory = args.incidents_storage_path or os.path.join(args.storage_tsdb_path, "incidents")
        os.makedirs(directory, exist_ok=True)
        cfg = self._load()
        self.store = IncidentStore(
            os.path.join(directory, "incidents.db"), os.path.join(directory, "incident-response.log")
        )

        def receivers() -> dict[str, ReceiverConfig]:
            return {r.name: r for r in service.config.receivers} if service.config is not None else {}

        def templates() -> TemplateSet:
            assert service.templates is not None
            return service.templates

        self.notifier = ContactNotifier(receivers, templates, service.notify_metrics)

        def rule_exprs(name: str) -> list[str]:
            return [
                r.query
                for g in rules().groups()
                for r in g.rules
                if isinstance(r, AlertingRule) and r.name == name
            ]

        def query(expr: str, t_ms: int) -> Sequence[Labels]:
            return promql.instant_vector(expr, t_ms).labels

        async def health_check(name: str) -> tuple[bool, str]:
            spec = checks.cfg.by_name(name) if checks is not None else None
            if checks is None or spec is None:
                return False, f"no check {name!r} in checks.yml"
            result = await checks.run_check(spec)
            return result.success, result.message

        self.engine = IncidentEngine(
            self.store,
            cfg,
            clock=clock,
            notifier=self.notifier,
            templates=templates,
            external_url=args.external_url,
            ack_secret=_ack_secret(directory),
            rule_exprs=rule_exprs,
            query=query,
            health_check=health_check,
            registry=registry,
        )
        service.flush_observers.append(self._observe)
        self._task: asyncio.Task[None] | None = None

    def _observe(self, ctx: FlushContext, alerts: Sequence[Alert]) -> None:
        self.engine.observe(ctx.receiver, ctx.group_key, ctx.group_labels, alerts, ctx.now_ns)

    def _load(self) -> IncidentsConfig:
        cfg = self._service.config
        try:
            return load_incidents_config(
                self._args.incidents_config_file,
                receivers=[r.name for r in cfg.receivers] if cfg is not None else None,
                glob=cfg.global_ if cfg is not None else None,
            )
        except ConfigError as err:
            raise IncidentsConfigError(str(err)) from err

    def prepare_reload(self) -> Callable[[], None]:
        cfg = self._load()
        token = read_token(self._args)

        def apply() -> None:
            self.engine.apply_config(cfg)
            self.token = token

        return apply

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self.engine.run())

    async def stop(self) -> None:
        self.engine.stop()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.notifier.aclose()
        self.store.close()

    def routes(self) -> list[BaseRoute]:
        from erpmon.web._incidents_api import incidents_routes

        return incidents_routes(self.engine, lambda: self.token)
