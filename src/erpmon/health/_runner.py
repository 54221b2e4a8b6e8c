"""Running checks: one attempt loop per run (timeout, retries), the schedule, state and metrics.

A run makes up to 1 + retries attempts, half a second apart, and fails only if every attempt
failed. Whatever a probe raises becomes a failed result with a reason; the loop never dies. Each
check runs on its own task every `interval`, phase-spread by a hash of its name like scrapes.
Results are exported in blackbox_exporter's names (`probe_success`, `probe_duration_seconds`,
`probe_http_status_code`, `probe_ssl_earliest_cert_expiry`) labelled by check, plus
`erpmon_check_*` and, from the host check, `erpgo_system_health_score`.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import structlog
from prometheus_client import CollectorRegistry
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from erpmon.clock import Clock, SystemClock
from erpmon.health._config import ChecksConfig, CheckSpec, ScoreConfig
from erpmon.health._probes_local import (
    HostSampler,
    probe_command,
    probe_host,
    probe_postgres,
    probe_process,
    probe_redis,
)
from erpmon.health._probes_net import probe_dns, probe_http, probe_metrics, probe_tcp
from erpmon.health._result import CRITICAL, OK, WARNING, CheckResult, Probe, ProbeFailed

log = structlog.get_logger("erpmon.health")
RETRY_PAUSE_S = 0.5
BACKSTOP_S = 1.0
_PROBES = {
    "http": probe_http, "tcp": probe_tcp, "dns": probe_dns, "metrics": probe_metrics,
    "postgres": probe_postgres, "redis": probe_redis, "process": probe_process, "command": probe_command,
}  # fmt: skip


@dataclass(frozen=True)
class Score:
    value: int
    band: str
    deductions: tuple[str, ...]


def health_score(values: dict[str, float], cfg: ScoreConfig) -> Score:
    """The plan's formula: start at 100, take off each penalty whose threshold is exceeded."""
    score = cfg.start
    deductions = []
    for p in cfg.penalties:
        used = values.get(f"{p.metric}_percent", 0.0)
        if used > p.above:
            score -= p.minus
            deductions.append(f"-{p.minus}: {p.metric} {used:.1f}% > {p.above:g}%")
    return Score(score, cfg.band(score), tuple(deductions))


@dataclass
class CheckState:
    spec: CheckSpec
    last: CheckResult | None = None
    last_success_ms: int | None = None
    last_error: str = ""
    consecutive_failures: int = 0
    runs: dict[str, int] = field(default_factory=lambda: {OK: 0, WARNING: 0, CRITICAL: 0})


class HealthRunner:
    def __init__(
        self,
        cfg: ChecksConfig,
        *,
        registry: CollectorRegistry | None = None,
        clock: Clock | None = None,
        sampler: HostSampler | None = None,
    ) -> None:
        self.cfg = cfg
        self.clock = clock or SystemClock()
        self.sampler = sampler or HostSampler()
        self.states: dict[str, CheckState] = {c.name: CheckState(c) for c in cfg.checks}
        self.score: Score | None = None
        self._tasks: dict[str, asyncio.Task[None]] = {}
        if registry is not None:
            registry.register(_Exporter(self))

    async def run_check(self, spec: CheckSpec) -> CheckResult:
        """One run with its retries; records it. Never raises (except cancellation)."""
        started = time.monotonic()
        attempts = 0
        probe = Probe()
        error = ""
        for attempts in range(1, spec.retries + 2):
            probe = Probe()
            try:
                # Probes enforce the timeout themselves (and clean up); this is a backstop.
                await asyncio.wait_for(self._probe(spec, probe), spec.timeout_ms / 1000 + BACKSTOP_S)
                error = ""
                break
            except ProbeFailed as err:
                error = str(err)
            except TimeoutError:
                error = f"timed out after {spec.timeout_ms / 1000:g}s"
            except Exception as err:  # a probe's bug is the check's failure, not the loop's end
                log.exception("check probe raised", check=spec.name)
                error = f"{type(err).__name__}: {err}"
            if attempts <= spec.retries:
                await asyncio.sleep(RETRY_PAUSE_S)
        success = not error
        if not success:
            status, message = spec.severity, error
        elif probe.warnings:
            status, message = WARNING, "; ".join(probe.warnings)
        else:
            status, message = OK, "ok"
        result = CheckResult(
            spec.name, spec.type, success, status, message, time.monotonic() - started, self.clock.now_ms(),
            attempts, probe.details, probe.http_status, probe.cert_expiry_s,
        )  # fmt: skip
        self._record(result)
        return result

    async def _probe(self, spec: CheckSpec, probe: Probe) -> None:
        if spec.type == "host":
            values = await probe_host(spec.options, probe, self.sampler)
            self.score = health_score(values, self.cfg.score)
            probe.details.update(health_score=self.score.value, health_band=self.score.band)
            return
        await _PROBES[spec.type](spec.options, probe, spec.timeout_ms / 1000)

    def _record(self, result: CheckResult) -> None:
        state = self.states.get(result.name)
        if state is None:
            return
        state.last = result
        state.runs[result.status] += 1
        if result.success:
            state.last_success_ms, state.consecutive_failures, state.last_error = result.at_ms, 0, ""
        else:
            state.consecutive_failures += 1
            state.last_error = result.message
            log.warning("check failed", check=result.name, reason=result.message, attempts=result.attempts)

    async def run_all(self, specs: Sequence[CheckSpec] | None = None) -> list[CheckResult]:
        return list(await asyncio.gather(*(self.run_check(s) for s in (specs or self.cfg.checks))))

    # -- the schedule -----------------------------------------------------------------------------

    async def _loop(self, spec: CheckSpec) -> None:
        interval = spec.interval_ms / 1000
        digest = int.from_bytes(hashlib.blake2b(spec.name.encode(), digest_size=8).digest(), "big")
        await asyncio.sleep((digest % 1000) / 1000 * min(interval, 5.0))
        while True:
            started = time.monotonic()
            await self.run_check(spec)
            await asyncio.sleep(max(0.0, interval - (time.monotonic() - started)))

    def start(self) -> None:
        loop = asyncio.get_running_loop()
        for spec in self.cfg.checks:
            self._tasks[spec.name] = loop.create_task(self._loop(spec))

    async def stop(self) -> None:
        for t in self._tasks.values():
            t.cancel()
        for t in self._tasks.values():
            with contextlib.suppress(asyncio.CancelledError):
                await t
        self._tasks.clear()

    async def apply_config(self, cfg: ChecksConfig) -> None:
        """Unchanged checks keep their state and schedule; changed ones restart; removed ones go."""
        running = bool(self._tasks)
        old = {c.name: c for c in self.cfg.checks}
        self.cfg = cfg
        for name in list(self.states):
            if name not in {c.name for c in cfg.checks} or old.get(name) != cfg.by_name(name):
                task = self._tasks.pop(name, None)
                if task is not None:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
                del self.states[name]
        for spec in cfg.checks:
            if spec.name not in self.states:
                self.states[spec.name] = CheckState(spec)
                if running:
                    self._tasks[spec.name] = asyncio.get_running_loop().create_task(self._loop(spec))

    def views(self) -> list[dict[str, Any]]:
        out = []
        for state in self.states.values():
            last = state.last
            out.append(
                {
                    "name": state.spec.name, "type": state.spec.type, "severity": state.spec.severity,
                    "interval_seconds": state.spec.interval_ms / 1000, "labels": dict(state.spec.labels),
                    "status": last.status if last else "unknown", "success": last.success if last else None,
                    "last_run": last.at_ms if last else None, "last_success": state.last_success_ms,
                    "last_error": state.last_error, "consecutive_failures": state.consecutive_failures,
                    "result": last.to_json() if last else None,
                }
            )  # fmt: skip
        return out


class _Exporter(Collector):
    def __init__(self, runner: HealthRunner) -> None:
        self._runner = runner

    def collect(self) -> Iterator[Metric]:
        labels = ["check", "type"]
        success = GaugeMetricFamily("probe_success", "Whether the check's last run succeeded.", labels=labels)
        duration = GaugeMetricFamily(
            "probe_duration_seconds", "How long the check's last run took, retries included.", labels=labels
        )
        http = GaugeMetricFamily(
            "probe_http_status_code", "The HTTP status of the last run.", labels=["check"]
        )
        cert = GaugeMetricFamily(
            "probe_ssl_earliest_cert_expiry",
            "Unix time the earliest TLS certificate expires.",
            labels=["check"],
        )
        status = GaugeMetricFamily(
            "erpmon_check_status", "The check's last status: 0 ok, 1 warning, 2 critical.", labels=labels
        )
        runs = CounterMetricFamily("erpmon_check_runs", "Check runs by status.", labels=["check", "status"])
        failures = GaugeMetricFamily(
            "erpmon_check_consecutive_failures", "Failed runs in a row.", labels=["check"]
        )
        last_run = GaugeMetricFamily(
            "erpmon_check_last_run_timestamp_seconds", "When the check last ran.", labels=["check"]
        )
        codes = {OK: 0, WARNING: 1, CRITICAL: 2}
        for state in self._runner.states.values():
            name, kind, last = state.spec.name, state.spec.type, state.last
            for s, n in state.runs.items():
                runs.add_metric([name, s], n)
            if last is None:
                continue
            success.add_metric([name, kind], 1.0 if last.success else 0.0)
            duration.add_metric([name, kind], last.duration_s)
            status.add_metric([name, kind], codes[last.status])
            failures.add_metric([name], state.consecutive_failures)
            last_run.add_metric([name], last.at_ms / 1000)
            if last.http_status is not None:
                http.add_metric([name], last.http_status)
            if last.cert_expiry_s is not None:
                cert.add_metric([name], last.cert_expiry_s)
        yield from (success, duration, http, cert, status, runs, failures, last_run)
        score = self._runner.score
        if score is not None:
            yield GaugeMetricFamily(
                "erpgo_system_health_score", "The plan's system health score (0-100).", value=score.value
            )
            band = GaugeMetricFamily(
                "erpgo_system_health_band", "The health score's band (Excellent, Good, Needs Attention).",
                labels=["band"],
            )  # fmt: skip
            band.add_metric([score.band], 1.0)
            yield band
