"""A scrape pool: the targets of one scrape config and their loops, kept in sync with discovery."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field

import httpx

from erpmon.clock import Clock
from erpmon.config import ScrapeConfig, TargetError, TargetGroup, populate_target
from erpmon.model import Labels
from erpmon.scrape._loop import LoopOptions, ScrapeLoop
from erpmon.scrape._scraper import HTTPClientSettings, HTTPScraper, build_client
from erpmon.scrape._stats import ScrapeStats
from erpmon.scrape._target import ADDRESS, Target, target_interval_ms
from erpmon.storage import Appendable

log = logging.getLogger("erpmon.scrape")


@dataclass
class DroppedTarget:
    discovered_labels: Labels
    reason: str = ""


@dataclass
class PoolView:
    """What the targets API shows of a pool."""

    job_name: str
    active: list[Target] = field(default_factory=list)
    dropped: list[DroppedTarget] = field(default_factory=list)


def loop_options(cfg: ScrapeConfig) -> LoopOptions:
    return LoopOptions(
        honor_labels=cfg.honor_labels,
        honor_timestamps=cfg.honor_timestamps,
        sample_limit=cfg.sample_limit,
        label_limit=cfg.label_limit,
        label_name_length_limit=cfg.label_name_length_limit,
        label_value_length_limit=cfg.label_value_length_limit,
        metric_relabel_configs=tuple(cfg.metric_relabel_configs),
    )


def client_settings(cfg: ScrapeConfig) -> HTTPClientSettings:
    hc = cfg.http
    tls = hc.tls_config
    return HTTPClientSettings(
        basic_auth=hc.basic_auth,
        authorization=hc.authorization,
        ca_file=tls.ca_file or None,
        cert_file=tls.cert_file or None,
        key_file=tls.key_file or None,
        server_name=tls.server_name or None,
        insecure_skip_verify=tls.insecure_skip_verify,
        follow_redirects=hc.follow_redirects,
        proxy_url=hc.proxy_url or None,
    )


class ScrapePool:
    def __init__(
        self, cfg: ScrapeConfig, appendable: Appendable, clock: Clock, stats: ScrapeStats, seed: str = ""
    ) -> None:
        self.config = cfg
        self._appendable = appendable
        self._clock = clock
        self._stats = stats
        self._seed = seed
        self._options = loop_options(cfg)
        self._client: httpx.AsyncClient = build_client(client_settings(cfg))
        self._loops: dict[tuple[Labels, str], ScrapeLoop] = {}
        self.dropped: list[DroppedTarget] = []

    @property
    def job_name(self) -> str:
        return self.config.job_name

    def view(self) -> PoolView:
        return PoolView(self.job_name, [loop.target for loop in self._loops.values()], list(self.dropped))

    def loops(self) -> list[ScrapeLoop]:
        return list(self._loops.values())

    def targets_from_groups(self, groups: list[TargetGroup]) -> tuple[list[Target], list[DroppedTarget]]:
        active: dict[tuple[Labels, str], Target] = {}
        dropped: list[DroppedTarget] = []
        for group in groups:
            for address in group.targets:
                discovered = group.labels.merged({ADDRESS: address})
                try:
                    lset, pre = populate_target(discovered.to_dict(), self.config)
                except TargetError as err:
                    log.warning("creating target failed job=%s err=%s", self.job_name, err)
                    dropped.append(DroppedTarget(discovered, str(err)))
                    continue
                if lset is None:
                    dropped.append(DroppedTarget(pre))
                    continue
                interval_ms, timeout_ms = target_interval_ms(lset)
                t = Target(lset, pre, self.config.params, interval_ms=interval_ms, timeout_ms=timeout_ms)
                active.setdefault(t.identity, t)
        return list(active.values()), dropped

    async def sync(self, groups: list[TargetGroup], *, start: bool = True) -> None:
        """Start loops for new targets; stop (and mark stale) loops of vanished ones."""
        targets, self.dropped = self.targets_from_groups(groups)
        wanted = {t.identity: t for t in targets}
        for key in [k for k in self._loops if k not in wanted]:
            await self._loops.pop(key).stop(mark_stale=True)
        for key, target in wanted.items():
            if key in self._loops:
                continue
            loop = self._new_loop(target)
            self._loops[key] = loop
            if start:
                loop.start(self._offset_s(target), target.interval_ms / 1000.0)

    def _new_loop(self, target: Target) -> ScrapeLoop:
        scraper = HTTPScraper(
            self._client,
            target.url(),
            timeout_s=target.timeout_ms / 1000.0,
            body_size_limit=self.config.body_size_limit,
            server_name=self.config.http.tls_config.server_name or None,
        )
        return ScrapeLoop(target, scraper, self._appendable, self._options, self._clock, self._stats)

    def _offset_s(self, target: Target) -> float:
        """Spread targets over the interval by a stable hash, so restarts keep their phase."""
        interval = target.interval_ms
        digest = hashlib.blake2b(f"{self._seed}|{target.labels}|{target.url()}".encode(), digest_size=8)
        phase = int.from_bytes(digest.digest(), "big") % interval
        return ((phase - self._clock.now_ms() % interval) % interval) / 1000.0

    async def stop(self, *, mark_stale: bool) -> None:
        for loop in self._loops.values():
            await loop.stop(mark_stale=mark_stale)
        self._loops.clear()
        await self._client.aclose()
