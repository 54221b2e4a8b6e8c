"""The scrape manager: one pool per scrape config, rebuilt on reload, fed by discovery."""

from __future__ import annotations

import asyncio
import logging

from erpmon.clock import Clock
from erpmon.config import PrometheusConfig, ScrapeConfig
from erpmon.scrape._discovery import Discovery
from erpmon.scrape._pool import PoolView, ScrapePool
from erpmon.scrape._stats import ScrapeStats
from erpmon.storage import Appendable

log = logging.getLogger("erpmon.scrape")


class ScrapeManager:
    def __init__(
        self,
        appendable: Appendable,
        clock: Clock,
        stats: ScrapeStats | None = None,
        *,
        run_loops: bool = True,
    ) -> None:
        """With run_loops=False nothing is scheduled: the caller drives scrapes and discovery."""
        self._run_loops = run_loops
        self._appendable = appendable
        self._clock = clock
        self.stats = stats or ScrapeStats()
        self._pools: dict[str, ScrapePool] = {}
        self._discovery: dict[str, Discovery] = {}
        self._lock = asyncio.Lock()

    async def apply_config(self, cfg: PrometheusConfig) -> None:
        """Reconcile pools with the config: unchanged jobs keep running, changed ones restart."""
        async with self._lock:
            wanted: dict[str, ScrapeConfig] = {sc.job_name: sc for sc in cfg.scrape_configs}
            seed = str(cfg.global_config.external_labels)
            for name in [n for n in self._pools if n not in wanted]:
                await self._stop_job(name, mark_stale=True)
            for name, sc in wanted.items():
                old = self._pools.get(name)
                if old is not None and old.config == sc:
                    continue
                if old is not None:
                    # Same job, new settings: the new loops carry on the same series, no stale markers.
                    await self._stop_job(name, mark_stale=False)
                await self._start_job(sc, seed)

    async def _start_job(self, sc: ScrapeConfig, seed: str) -> None:
        pool = ScrapePool(sc, self._appendable, self._clock, self.stats, seed)
        disc = Discovery(sc.static_configs, sc.file_sd_configs, self.stats)
        self._pools[sc.job_name] = pool
        self._discovery[sc.job_name] = disc
        await pool.sync(disc.groups(), start=self._run_loops)

        async def on_change() -> None:
            async with self._lock:
                if self._pools.get(sc.job_name) is pool:
                    await pool.sync(disc.groups(), start=self._run_loops)

        if self._run_loops:
            disc.start(on_change)

    async def _stop_job(self, name: str, *, mark_stale: bool) -> None:
        disc = self._discovery.pop(name, None)
        if disc is not None:
            await disc.stop()
        pool = self._pools.pop(name, None)
        if pool is not None:
            await pool.stop(mark_stale=mark_stale)

    async def sync_discovery(self) -> None:
        """Re-read discovery sources now and sync every pool (what the watchers do on a change)."""
        async with self._lock:
            for name, pool in self._pools.items():
                await pool.sync(self._discovery[name].groups(), start=self._run_loops)

    async def stop(self) -> None:
        """Shut down: no stale markers, a restart carries on where this left off."""
        async with self._lock:
            for name in list(self._pools):
                await self._stop_job(name, mark_stale=False)

    def pools(self) -> list[PoolView]:
        return [p.view() for p in self._pools.values()]

    def pool(self, job_name: str) -> ScrapePool | None:
        return self._pools.get(job_name)
