"""One `alertmanagers` entry at run time: its HTTP client, its discovery and the endpoints found.

Discovery and the HTTP client are the scrape package's (static groups plus file_sd files polled for
changes; auth headers and TLS as for scrape targets), so both behave as they do for scrape jobs.
"""

from __future__ import annotations

import asyncio
import threading
import time

import httpx
import structlog

from erpmon.alerting.forward._metrics import ForwardMetrics
from erpmon.alerting.forward._targets import Endpoints, sync_endpoints
from erpmon.config import AlertmanagerConfig
from erpmon.scrape import USER_AGENT, ScrapeStats, client_for
from erpmon.scrape._discovery import Discovery

log = structlog.get_logger("erpmon.alerting.forward")


class SendError(Exception):
    """Why a post to one Alertmanager failed, worded as Prometheus logs it."""


def _client(cfg: AlertmanagerConfig) -> httpx.AsyncClient:
    return client_for(cfg.http)


class AlertmanagerSet:
    """`alertmanagerSet`: the endpoints of one config entry, kept in sync with its discovery."""

    def __init__(self, name: str, cfg: AlertmanagerConfig, metrics: ForwardMetrics) -> None:
        self.name = name
        self.cfg = cfg
        self._metrics = metrics
        self._client = _client(cfg)
        self._stats = ScrapeStats()
        self._discovery = Discovery(cfg.static_configs, cfg.file_sd_configs, self._stats)
        self._lock = threading.Lock()
        self._endpoints = Endpoints((), ())
        server_name = cfg.http.tls_config.server_name
        self._extensions = {"sni_hostname": server_name} if server_name else {}
        self.sync()

    def sync(self) -> None:
        found, errors = sync_endpoints(self._discovery.groups(), self.cfg)
        for err in errors:
            log.error("Creating discovered Alertmanagers failed", config=self.name, err=err)
        for url in found.active:
            self._metrics.touch(url)
        with self._lock:
            self._endpoints = found

    def endpoints(self) -> Endpoints:
        with self._lock:
            return self._endpoints

    def start(self) -> None:
        async def changed() -> None:
            self.sync()

        self._discovery.start(changed)

    async def post(self, url: str, payload: bytes, started: float, count: int) -> bool:
        """One batch to one Alertmanager within the set's timeout; True when it answered 2xx."""
        ok = False
        try:
            async with asyncio.timeout(self.cfg.timeout_ms / 1000.0):
                await self._post(url, payload)
            ok = True
        except TimeoutError:
            self._failed(url, count, "context deadline exceeded")
        except SendError as err:
            self._failed(url, count, str(err))
        except Exception as err:  # one send is the loop boundary: count, log, go on
            self._failed(url, count, f'Post "{url}": {err or type(err).__name__}')
        self._metrics.latency.labels(url).observe(time.monotonic() - started)
        # Prometheus counts the alerts of every attempt as sent, failed or not.
        self._metrics.sent.labels(url).inc(count)
        return ok

    async def _post(self, url: str, payload: bytes) -> None:
        headers = {"User-Agent": USER_AGENT, "Content-Type": "application/json"}
        req = self._client.build_request(
            "POST", url, content=payload, headers=headers, timeout=None, extensions=self._extensions
        )
        resp = await self._client.send(req)
        await resp.aclose()
        if resp.status_code // 100 != 2:
            raise SendError(f"bad response status {resp.status_code} {resp.reason_phrase}")

    def _failed(self, url: str, count: int, reason: str) -> None:
        log.error("Error sending alert", alertmanager=url, count=count, err=reason)
        self._metrics.errors.labels(url).inc()

    async def close(self) -> None:
        await self._discovery.stop()
        await self._client.aclose()
