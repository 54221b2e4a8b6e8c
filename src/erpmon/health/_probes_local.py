"""Dependency and local probes: postgres, redis, process, host thresholds and command.

postgres: connect, `SELECT 1`, and connections in use against max_connections (a warning above
`connections_warning`, default 0.8). redis: `PING` and used memory (a warning above
`memory_warning` bytes, if set). host: CPU, memory and disk use and load per CPU from the same
provider as the host collector, with the plan's thresholds as warnings and the health score.
command: an argument vector, no shell; exit 0 is ok, 1 a warning, anything else a failure (the
Nagios plugin convention), unless `ok_codes` / `warning_codes` say otherwise.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import time
from collections.abc import Mapping
from typing import Any

import psutil

from erpmon.health._result import Probe, ProbeFailed
from erpmon.hostmetrics import HostProvider, PsutilProvider

MAX_OUTPUT = 4096


async def probe_postgres(o: Mapping[str, Any], probe: Probe, timeout_s: float) -> None:
    import psycopg

    try:
        conn = await asyncio.wait_for(
            psycopg.AsyncConnection.connect(str(o["dsn"]), connect_timeout=max(1, int(timeout_s))), timeout_s
        )
    except TimeoutError as err:
        raise ProbeFailed(f"connect timed out after {timeout_s:g}s") from err
    except psycopg.Error as err:
        raise ProbeFailed(f"connect: {str(err).strip().splitlines()[0]}") from err
    try:
        async with conn.cursor() as cur:
            await cur.execute("SELECT 1")
            await cur.execute("SELECT count(*) FROM pg_stat_activity")
            row = await cur.fetchone()
            in_use = int(row[0]) if row else 0
            await cur.execute("SHOW max_connections")
            row = await cur.fetchone()
            limit = int(row[0]) if row else 0
    except psycopg.Error as err:
        raise ProbeFailed(f"query: {str(err).strip().splitlines()[0]}") from err
    finally:
        await conn.close()
    ratio = in_use / limit if limit else 0.0
    probe.details.update(connections=in_use, max_connections=limit, connection_ratio=round(ratio, 4))
    threshold = float(o.get("connections_warning") or 0.8)
    if ratio > threshold:
        probe.warn(f"{in_use} of {limit} connections in use ({ratio:.0%} > {threshold:.0%})")


async def probe_redis(o: Mapping[str, Any], probe: Probe, timeout_s: float) -> None:
    import redis.asyncio as aioredis
    import redis.exceptions

    client = aioredis.from_url(str(o["url"]), socket_timeout=timeout_s, socket_connect_timeout=timeout_s)
    try:
        if not await client.ping():
            raise ProbeFailed("PING did not answer PONG")
        info = await client.info("memory")
    except redis.exceptions.RedisError as err:
        raise ProbeFailed(f"{type(err).__name__}: {err}") from err
    finally:
        await client.aclose()
    used = int(info.get("used_memory", 0))
    probe.details["used_memory_bytes"] = used
    limit = float(o.get("memory_warning") or 0)
    if limit and used > limit:
        probe.warn(f"used memory {used} bytes > {limit:.0f}")


async def probe_process(o: Mapping[str, Any], probe: Probe, timeout_s: float) -> None:
    if o.get("pid_file"):
        try:
            with open(str(o["pid_file"]), encoding="utf-8") as f:
                pid = int(f.read().strip() or "0")
        except (OSError, ValueError) as err:
            raise ProbeFailed(f"pid file {o['pid_file']}: {err}") from err
        if not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
            raise ProbeFailed(f"process {pid} from {o['pid_file']} is not running")
        probe.details["pids"] = [pid]
        return
    pattern = re.compile(str(o.get("match") or ""))

    def scan() -> list[int]:
        found = []
        for p in psutil.process_iter(["pid", "name", "cmdline", "status"]):
            cmd = " ".join(p.info.get("cmdline") or []) or (p.info.get("name") or "")
            if p.info.get("status") != psutil.STATUS_ZOMBIE and p.pid != os.getpid() and pattern.search(cmd):
                found.append(p.pid)
        return found

    pids = await asyncio.to_thread(scan)
    probe.details["pids"] = pids[:20]
    want = int(o.get("min_count") or 1)
    if len(pids) < want:
        raise ProbeFailed(f"{len(pids)} process(es) match {pattern.pattern!r}, want at least {want}")


class HostSampler:
    """CPU use between two readings of the kernel's counters, plus memory, disk and load now."""

    def __init__(self, provider: HostProvider | None = None) -> None:
        self.provider = provider or PsutilProvider()
        self._last: tuple[float, float] | None = None

    def _cpu_counters(self) -> tuple[float, float]:
        busy = idle = 0.0
        for t in self.provider.cpu_times():
            idle += t.idle + (t.iowait or 0.0)
            busy += (
                t.user + (t.nice or 0.0) + t.system + (t.irq or 0.0) + (t.softirq or 0.0) + (t.steal or 0.0)
            )
        return busy, idle

    async def sample(self, path: str = "/") -> dict[str, float]:
        if self._last is None:
            self._last = self._cpu_counters()
            await asyncio.sleep(0.5)
        busy, idle = self._cpu_counters()
        d_busy, d_idle = busy - self._last[0], idle - self._last[1]
        self._last = (busy, idle)
        cpu = 100.0 * d_busy / (d_busy + d_idle) if d_busy + d_idle > 0 else 0.0
        mem = self.provider.meminfo()
        total = mem.get("MemTotal_bytes") or mem.get("MemTotal") or 0.0
        avail = mem.get("MemAvailable_bytes") or mem.get("MemAvailable") or 0.0
        memory = 100.0 * (1 - avail / total) if total else 0.0
        usage = self.provider.disk_usage(path)
        used = usage.size - usage.free
        disk = 100.0 * used / (used + usage.avail) if used + usage.avail else 0.0  # df's Use%
        cpus = max(1, len(self.provider.cpu_times()))
        load1 = self.provider.getloadavg()[0]
        return {
            "cpu_percent": round(cpu, 2), "memory_percent": round(memory, 2), "disk_percent": round(disk, 2),
            "load1": round(load1, 2), "load1_per_cpu": round(load1 / cpus, 3),
            "uptime_seconds": round(time.time() - self.provider.boot_time()),
        }  # fmt: skip


async def probe_host(o: Mapping[str, Any], probe: Probe, sampler: HostSampler) -> dict[str, float]:
    values = await sampler.sample(str(o.get("path") or "/"))
    probe.details.update(values)
    limits = (
        ("cpu", "cpu_percent", float(o.get("cpu_warning") or 80)),
        ("memory", "memory_percent", float(o.get("memory_warning") or 85)),
        ("disk", "disk_percent", float(o.get("disk_warning") or 85)),
    )
    for what, key, limit in limits:
        if values[key] > limit:
            probe.warn(f"{what} at {values[key]:.1f}% > {limit:g}%")
    load_limit = float(o.get("load_warning") or 2.0)
    if values["load1_per_cpu"] > load_limit:
        probe.warn(f"load {values['load1']:.2f} is {values['load1_per_cpu']:.2f} per CPU > {load_limit:g}")
    return values


async def probe_command(o: Mapping[str, Any], probe: Probe, timeout_s: float) -> None:
    argv = [str(a) for a in o["command"]]
    try:
        proc = await asyncio.create_subprocess_exec(
            *argv, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT, env={**os.environ, **dict(o.get("env") or {})},
            start_new_session=True,
        )  # fmt: skip
    except OSError as err:
        raise ProbeFailed(f"start {argv[0]}: {err.strerror or err}") from err
    try:
        out, _ = await asyncio.wait_for(proc.communicate(), timeout_s)
    except TimeoutError as err:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        await proc.communicate()
        raise ProbeFailed(f"killed after its timeout of {timeout_s:g}s") from err
    except asyncio.CancelledError:  # the runner gave up (or erpmon stops): leave no process behind
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        await asyncio.shield(proc.communicate())
        raise
    text = out[-MAX_OUTPUT:].decode("utf-8", "replace").strip()
    code = proc.returncode
    probe.details.update(exit_code=code, output=text)
    ok = tuple(o.get("ok_codes") or (0,))
    warning = tuple(o.get("warning_codes") or (1,))
    first_line = text.splitlines()[0] if text else ""
    if code in ok:
        return
    if code in warning:
        probe.warn(f"exit code {code}{': ' + first_line if first_line else ''}")
        return
    raise ProbeFailed(f"exit code {code}{': ' + first_line if first_line else ''}")
