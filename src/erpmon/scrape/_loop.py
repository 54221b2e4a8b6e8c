"""One target's scrape loop: fetch, parse, relabel through a cache, append, mark stale, report.

The hot path keeps Prometheus's scrapeCache idea: the raw series text of a line maps to a storage
ref, so a steady-state scrape resolves refs with one dict lookup per line and appends the whole
scrape as numpy arrays.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from erpmon.clock import Clock
from erpmon.exposition import NO_TIMESTAMP, ParseError, content_type_is_openmetrics, parse
from erpmon.model import METRIC_NAME, STALE_NAN, Labels, is_valid_label_name, is_valid_metric_name
from erpmon.relabel import RelabelConfig, relabel
from erpmon.scrape._scraper import ScrapeError, Scraper
from erpmon.scrape._stats import ScrapeStats
from erpmon.scrape._target import Health, Target
from erpmon.storage import Appendable, Appender, AppendError

log = logging.getLogger("erpmon.scrape")

_DROPPED = -1

REPORT_METRICS = (
    "up",
    "scrape_duration_seconds",
    "scrape_samples_scraped",
    "scrape_samples_post_metric_relabeling",
    "scrape_series_added",
)


class AppendRejected(Exception):
    """The scrape as a whole cannot be stored (sample or label limit, invalid series)."""


@dataclass(frozen=True)
class LoopOptions:
    honor_labels: bool = False
    honor_timestamps: bool = True
    sample_limit: int = 0
    label_limit: int = 0
    label_name_length_limit: int = 0
    label_value_length_limit: int = 0
    metric_relabel_configs: Sequence[RelabelConfig] = field(default_factory=tuple)


@dataclass
class _AppendResult:
    total: int = 0
    added: int = 0
    series_added: int = 0


class ScrapeLoop:
    def __init__(
        self,
        target: Target,
        scraper: Scraper,
        appendable: Appendable,
        options: LoopOptions,
        clock: Clock,
        stats: ScrapeStats,
    ) -> None:
        self.target = target
        self._scraper = scraper
        self._appendable = appendable
        self._opts = options
        self._clock = clock
        self._stats = stats
        self._cache: dict[str, int] = {}
        self._cache_openmetrics = False
        self._prev_refs: npt.NDArray[np.int64] = np.empty(0, dtype=np.int64)
        self._report_refs: dict[str, int] = {}
        self._target_labels = target.public_labels
        self.metadata: dict[str, tuple[str, str, str]] = {}
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()
        self.last_scrape_ms = 0

    # --- one scrape -------------------------------------------------------------------------

    async def scrape_once(self, ts_ms: int) -> None:
        """Scrape now and store the result under timestamp `ts_ms`."""
        start = self._clock.monotonic()
        scrape_err: str = ""
        body = b""
        content_type: str | None = None
        try:
            body, content_type = await self._scraper.fetch()
        except ScrapeError as err:
            scrape_err = str(err)
        self.ingest(body, content_type, ts_ms, scrape_err, self._clock.monotonic() - start)

    def ingest(
        self, body: bytes, content_type: str | None, ts_ms: int, scrape_err: str, duration_s: float
    ) -> None:
        """Append a fetched body (or a failed fetch) and the report series, in one commit."""
        app = self._appendable.appender()
        result = _AppendResult()
        if not scrape_err:
            try:
                try:
                    result = self._append(app, body, content_type, ts_ms)
                except AppendError:
                    # The store refused a cached ref (e.g. a series it collected long ago): forget
                    # every ref this loop holds and resolve the scrape from labels once more.
                    app.rollback()
                    app = self._appendable.appender()
                    self._forget_refs()
                    result = self._append(app, body, content_type, ts_ms)
            except (ParseError, AppendRejected, AppendError) as err:
                app.rollback()
                app = self._appendable.appender()
                scrape_err = str(err)
                if "sample limit exceeded" in scrape_err:
                    self._stats.exceeded_sample_limit += 1
        if scrape_err:
            # A failed scrape is an empty one: every series of the last good scrape goes stale.
            self._append_stale(app, self._prev_refs, ts_ms)
            self._prev_refs = np.empty(0, dtype=np.int64)
        self._report(app, ts_ms, duration_s, result, up=not scrape_err)
        committed = app.commit()
        if committed.out_of_order or committed.duplicate or committed.too_old:
            self._stats.add_rejections(committed)
            log.warning(
                "samples rejected target=%s out_of_order=%d duplicate=%d too_old=%d",
                self.target.url(),
                committed.out_of_order,
                committed.duplicate,
                committed.too_old,
            )
        t = self.target
        t.health = Health.DOWN if scrape_err else Health.UP
        t.last_error = scrape_err
        t.last_scrape_ms = ts_ms
        t.last_scrape_duration_s = duration_s
        self.last_scrape_ms = ts_ms
        self._stats.scrapes += 1
        if scrape_err:
            self._stats.failed_scrapes += 1

    def _append(self, app: Appender, body: bytes, content_type: str | None, ts_ms: int) -> _AppendResult:
        openmetrics = content_type_is_openmetrics(content_type)
        if openmetrics != self._cache_openmetrics:
            # Cached keys are only valid for the parser that produced them (the text format
            # tolerates spacing OpenMetrics rejects), so a format switch starts a fresh cache.
            self._cache = {}
            self._cache_openmetrics = openmetrics
        parsed = parse(body, content_type, known=self._cache)
        cache = self._cache
        series_added = 0
        for key, lset in parsed.labels.items():
            final = self._mutate(lset)
            if final is None:
                cache[key] = _DROPPED
                continue
            self._check_series(final)
            cache[key] = app.ref(final)
            series_added += 1
        keys = parsed.keys
        n = len(keys)
        refs = np.fromiter(map(cache.__getitem__, keys), dtype=np.int64, count=n)
        keep = refs != _DROPPED
        added = int(np.count_nonzero(keep))
        if self._opts.sample_limit and added > self._opts.sample_limit:
            raise AppendRejected("sample limit exceeded")
        ts = parsed.timestamps
        explicit = ts != NO_TIMESTAMP if self._opts.honor_timestamps else np.zeros(n, dtype=bool)
        ts_final = np.where(explicit, ts, np.int64(ts_ms))
        refs, ts_final, values, explicit = refs[keep], ts_final[keep], parsed.values[keep], explicit[keep]
        app.append_many(refs, ts_final, values)
        # Series with explicit timestamps bypass staleness, as in Prometheus.
        cur = np.unique(refs[~explicit])
        self._append_stale(app, np.setdiff1d(self._prev_refs, cur, assume_unique=True), ts_ms)
        self._prev_refs = cur
        self.metadata = {
            name: (mtype.value, parsed.helps.get(name, ""), parsed.units.get(name, ""))
            for name, mtype in parsed.types.items()
        }
        if len(cache) > 2 * n + 1024:
            # Forget series this target no longer exposes (Prometheus's iterDone pruning).
            self._cache = {k: cache[k] for k in keys}
        return _AppendResult(total=n, added=added, series_added=series_added)

    def _forget_refs(self) -> None:
        self._cache = {}
        self._report_refs = {}
        self._prev_refs = np.empty(0, dtype=np.int64)

    def _mutate(self, exposed: Labels) -> Labels | None:
        """Attach target labels (honor_labels rules), then metric_relabel_configs."""
        lset = _merge_target_labels(exposed, self._target_labels, self._opts.honor_labels)
        if self._opts.metric_relabel_configs:
            return relabel(lset, self._opts.metric_relabel_configs)
        return lset

    def _check_series(self, lset: Labels) -> None:
        name = lset.get(METRIC_NAME)
        if not name:
            raise AppendRejected("__name__ label is missing")
        if not is_valid_metric_name(name) or not all(is_valid_label_name(n) for n in lset.names()[1:]):
            raise AppendRejected(f"invalid metric name or label names: {lset}")
        o = self._opts
        short = name[:50]
        if o.label_limit and len(lset) > o.label_limit:
            raise AppendRejected(
                f"label_limit exceeded (metric: {short}, number of labels: {len(lset)}, "
                f"limit: {o.label_limit})"
            )
        for lname, lvalue in lset.pairs:
            if o.label_name_length_limit and len(lname) > o.label_name_length_limit:
                raise AppendRejected(
                    f"label_name_length_limit exceeded (metric: {short}, label name: {lname[:50]}, "
                    f"length: {len(lname)}, limit: {o.label_name_length_limit})"
                )
            if o.label_value_length_limit and len(lvalue) > o.label_value_length_limit:
                raise AppendRejected(
                    f"label_value_length_limit exceeded (metric: {short}, label name: {lname[:50]}, "
                    f'value: "{lvalue[:50]}", length: {len(lvalue)}, limit: {o.label_value_length_limit})'
                )

    def _append_stale(self, app: Appender, refs: npt.NDArray[np.int64], ts_ms: int) -> None:
        if refs.size:
            n = refs.shape[0]
            app.append_many(refs, np.full(n, ts_ms, dtype=np.int64), np.full(n, STALE_NAN, dtype=np.float64))

    def _report(self, app: Appender, ts_ms: int, duration_s: float, r: _AppendResult, *, up: bool) -> None:
        values = (1.0 if up else 0.0, duration_s, float(r.total), float(r.added), float(r.series_added))
        self._append_report(app, ts_ms, values)

    def _append_report(self, app: Appender, ts_ms: int, values: Sequence[float]) -> None:
        refs = np.fromiter((self._report_ref(app, m) for m in REPORT_METRICS), dtype=np.int64)
        app.append_many(refs, np.full(refs.shape[0], ts_ms, dtype=np.int64), np.asarray(values, np.float64))

    def _report_ref(self, app: Appender, metric: str) -> int:
        ref = self._report_refs.get(metric)
        if ref is None:
            # mutateReportSampleLabels: target labels always win over the report metric's own.
            lset = self._target_labels.merged({METRIC_NAME: metric})
            ref = self._report_refs[metric] = app.ref(lset)
        return ref

    def end_of_run_staleness(self, ts_ms: int) -> None:
        """The target went away: its series and report series go stale."""
        if not self.last_scrape_ms:
            return
        app = self._appendable.appender()
        self._append_stale(app, self._prev_refs, ts_ms)
        self._append_report(app, ts_ms, [STALE_NAN] * len(REPORT_METRICS))
        app.commit()
        self._prev_refs = np.empty(0, dtype=np.int64)

    # --- scheduling -------------------------------------------------------------------------

    def start(self, offset_s: float, interval_s: float) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(offset_s, interval_s))

    async def _run(self, offset_s: float, interval_s: float) -> None:
        loop = asyncio.get_running_loop()
        next_at = loop.time() + offset_s
        while True:
            try:
                await asyncio.wait_for(self._stopping.wait(), timeout=max(0.0, next_at - loop.time()))
                return
            except TimeoutError:
                pass
            try:
                await self.scrape_once(self._clock.now_ms())
            except Exception:  # a loop boundary: one broken scrape must not end the loop
                log.exception("scrape failed unexpectedly target=%s", self.target.url())
            next_at += interval_s
            now = loop.time()
            if next_at < now:
                # Skip the scrapes we missed instead of bunching them up.
                next_at += ((now - next_at) // interval_s + 1) * interval_s

    async def stop(self, *, mark_stale: bool) -> None:
        self._stopping.set()
        if self._task is not None:
            await self._task
            self._task = None
        if mark_stale:
            self.end_of_run_staleness(self._clock.now_ms())
        await self._scraper.aclose()


def _merge_target_labels(exposed: Labels, target: Labels, honor: bool) -> Labels:
    """Prometheus's mutateSampleLabels: conflicts become `exported_<name>` unless honor_labels."""
    if not len(target):
        return exposed
    d = exposed.to_dict()
    if honor:
        for name, value in target.pairs:
            d.setdefault(name, value)
        return Labels(d)
    conflicts = sorted(((n, d[n]) for n, _ in target.pairs if d.get(n)), key=lambda p: len(p[0]))
    d.update(target.pairs)
    taken: set[str] = set()
    for name, value in conflicts:
        new = name
        while True:
            new = "exported_" + new
            if new not in exposed and new not in target and new not in taken:
                break
        taken.add(new)
        d[new] = value
    return Labels(d)
