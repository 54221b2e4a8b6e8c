"""Scraping: targets from static and file discovery, concurrent asyncio scrape loops, staleness.

Owns: target label population (PopulateLabels), the per-target scrape loop and its series cache,
report series (`up`, `scrape_*`), staleness markers, target health for the API.
Reads from: erpmon.config (scrape configs, file_sd), erpmon.relabel, erpmon.exposition (parser),
HTTP targets via httpx.
Hands on: one committed batch per scrape to a `storage.Appendable`; `PoolView`s to erpmon.web.
"""

from erpmon.scrape._loop import REPORT_METRICS, LoopOptions, ScrapeLoop
from erpmon.scrape._manager import ScrapeManager
from erpmon.scrape._pool import DroppedTarget, PoolView, ScrapePool
from erpmon.scrape._scraper import USER_AGENT, HTTPScraper, ScrapeError, Scraper, client_for
from erpmon.scrape._stats import ScrapeStats
from erpmon.scrape._target import Health, Target

__all__ = [
    "REPORT_METRICS",
    "USER_AGENT",
    "DroppedTarget",
    "HTTPScraper",
    "Health",
    "LoopOptions",
    "PoolView",
    "ScrapeError",
    "ScrapeLoop",
    "ScrapeManager",
    "ScrapePool",
    "ScrapeStats",
    "Scraper",
    "Target",
    "client_for",
]
