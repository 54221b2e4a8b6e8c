"""Counters the scrape manager exports about itself (Prometheus's prometheus_target_* family)."""

from __future__ import annotations

from dataclasses import dataclass

from erpmon.storage import AppendStats


@dataclass
class ScrapeStats:
    scrapes: int = 0
    failed_scrapes: int = 0
    exceeded_sample_limit: int = 0
    out_of_order: int = 0
    duplicate: int = 0
    too_old: int = 0
    sd_file_read_errors: int = 0
    reloads: int = 0
    reload_failures: int = 0

    def add_rejections(self, s: AppendStats) -> None:
        self.out_of_order += s.out_of_order
        self.duplicate += s.duplicate
        self.too_old += s.too_old
