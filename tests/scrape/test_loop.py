"""The scrape loop's append path against the real store: labels, staleness, limits, reports."""

from __future__ import annotations

import numpy as np
import pytest

from erpmon.clock import FakeClock
from erpmon.model import Labels, Matcher, is_stale_nan
from erpmon.relabel import RelabelConfig
from erpmon.scrape import Health, LoopOptions, ScrapeLoop, ScrapeStats, Target
from erpmon.storage import Series
from erpmon.tsdb import TSDB

T0 = 1_700_000_000_000
TARGET_LABELS = Labels(
    {
        "__address__": "h:1",
        "__scheme__": "http",
        "__metrics_path__": "/metrics",
        "job": "api",
        "instance": "h:1",
    }
)


class NoFetch:
    async def fetch(self) -> tuple[bytes, str | None]:
        raise AssertionError("these tests feed bodies directly")

    async def aclose(self) -> None:
        pass


def make_loop(db: TSDB, **opts: object) -> ScrapeLoop:
    target = Target(TARGET_LABELS, TARGET_LABELS, {}, interval_ms=15_000, timeout_ms=10_000)
    return ScrapeLoop(target, NoFetch(), db, LoopOptions(**opts), FakeClock(T0), ScrapeStats())  # type: ignore[arg-type]


def select(db: TSDB, name: str, **labels: str) -> list[Series]:
    q = db.querier(T0 - 3_600_000, T0 + 3_600_000)
    ms = [Matcher.equal("__name__", name)] + [Matcher.equal(k, v) for k, v in labels.items()]
    return q.select(ms)


def values(db: TSDB, name: str, **labels: str) -> list[tuple[int, float]]:
    [s] = select(db, name, **labels)
    return list(zip(s.timestamps.tolist(), s.values.tolist(), strict=True))


def ingest(loop: ScrapeLoop, body: str, t: int, err: str = "", ctype: str | None = None) -> None:
    loop.ingest(body.encode(), ctype, t, err, 0.01)


def test_samples_get_target_labels_and_report_series(db: TSDB) -> None:
    loop = make_loop(db)
    ingest(loop, '# TYPE a counter\na_total 1\nb{x="1"} 2\nb{x="2"} 3\n', T0)
    [s] = select(db, "a_total")
    assert s.labels.to_dict() == {"__name__": "a_total", "instance": "h:1", "job": "api"}
    assert values(db, "up") == [(T0, 1.0)]
    assert values(db, "scrape_samples_scraped") == [(T0, 3.0)]
    assert values(db, "scrape_samples_post_metric_relabeling") == [(T0, 3.0)]
    assert values(db, "scrape_series_added") == [(T0, 3.0)]
    assert loop.target.health is Health.UP
    ingest(loop, 'a_total 2\nb{x="1"} 2\nb{x="2"} 3\n', T0 + 15_000)
    assert values(db, "scrape_series_added")[-1] == (T0 + 15_000, 0.0)


def test_conflicting_labels_become_exported_unless_honored(db: TSDB) -> None:
    ingest(make_loop(db), 'm{job="theirs",exported_job="x"} 1\n', T0)
    [s] = select(db, "m")
    assert s.labels.get("job") == "api"
    assert s.labels.get("exported_exported_job") == "theirs"
    assert s.labels.get("exported_job") == "x"


def test_honor_labels_keeps_exposed_values(db: TSDB) -> None:
    ingest(make_loop(db, honor_labels=True), 'm{job="theirs"} 1\n', T0)
    [s] = select(db, "m")
    assert s.labels.get("job") == "theirs" and s.labels.get("instance") == "h:1"


def test_vanished_series_get_a_staleness_marker(db: TSDB) -> None:
    loop = make_loop(db)
    ingest(loop, "a 1\nb 1\n", T0)
    ingest(loop, "a 2\n", T0 + 15_000)
    [(t1, v1), (t2, v2)] = values(db, "b")
    assert (t1, v1) == (T0, 1.0)
    assert t2 == T0 + 15_000 and is_stale_nan(v2)
    assert values(db, "a") == [(T0, 1.0), (T0 + 15_000, 2.0)]


def test_failed_scrape_marks_everything_stale_and_sets_up_0(db: TSDB) -> None:
    loop = make_loop(db)
    ingest(loop, "a 1\n", T0)
    ingest(loop, "", T0 + 15_000, err="server returned HTTP status 500 Internal Server Error")
    assert is_stale_nan(values(db, "a")[-1][1])
    assert values(db, "up")[-1] == (T0 + 15_000, 0.0)
    assert loop.target.health is Health.DOWN
    assert "500" in loop.target.last_error
    ingest(loop, "a 3\n", T0 + 30_000)
    assert values(db, "a")[-1] == (T0 + 30_000, 3.0)


def test_garbage_fails_the_whole_scrape(db: TSDB) -> None:
    loop = make_loop(db)
    ingest(loop, "a 1\n", T0)
    ingest(loop, "a 2\nthis is { not an exposition\n", T0 + 15_000)
    got = values(db, "a")
    assert got[0] == (T0, 1.0) and is_stale_nan(got[1][1]) and len(got) == 2
    assert values(db, "up")[-1][1] == 0.0
    assert loop.target.last_error


def test_sample_limit_rejects_the_scrape(db: TSDB) -> None:
    loop = make_loop(db, sample_limit=2)
    ingest(loop, "a 1\nb 1\nc 1\n", T0)
    assert select(db, "a") == []
    assert loop.target.last_error == "sample limit exceeded"
    assert values(db, "up") == [(T0, 0.0)]


def test_sample_limit_counts_after_metric_relabeling(db: TSDB) -> None:
    drop_c = (RelabelConfig(source_labels=("__name__",), regex="c", action="drop"),)
    loop = make_loop(db, sample_limit=2, metric_relabel_configs=drop_c)
    ingest(loop, "a 1\nb 1\nc 1\n", T0)
    assert values(db, "up") == [(T0, 1.0)]
    assert select(db, "c") == []
    assert values(db, "scrape_samples_scraped") == [(T0, 3.0)]
    assert values(db, "scrape_samples_post_metric_relabeling") == [(T0, 2.0)]


def test_label_limit(db: TSDB) -> None:
    loop = make_loop(db, label_limit=3)
    ingest(loop, 'a{x="1",y="2"} 1\n', T0)
    assert loop.target.last_error.startswith(
        "label_limit exceeded (metric: a, number of labels: 5, limit: 3)"
    )


def test_explicit_timestamps_are_kept_and_bypass_staleness(db: TSDB) -> None:
    loop = make_loop(db)
    ingest(loop, f"a 1 {T0 - 5000}\nb 1\n", T0)
    ingest(loop, "b 2\n", T0 + 15_000)
    assert values(db, "a") == [(T0 - 5000, 1.0)]


def test_honor_timestamps_false_uses_scrape_time(db: TSDB) -> None:
    ingest(make_loop(db, honor_timestamps=False), f"a 1 {T0 - 5000}\n", T0)
    assert values(db, "a") == [(T0, 1.0)]


def test_duplicate_series_in_one_scrape_keeps_the_first(db: TSDB) -> None:
    loop = make_loop(db)
    ingest(loop, "a 1\na 2\n", T0)
    assert values(db, "a") == [(T0, 1.0)]
    assert loop._stats.duplicate == 1
    assert values(db, "up") == [(T0, 1.0)]


def test_nan_values_are_not_staleness_markers(db: TSDB) -> None:
    ingest(make_loop(db), "a NaN\n", T0)
    [(_, v)] = values(db, "a")
    assert np.isnan(v) and not is_stale_nan(v)


def test_end_of_run_marks_series_and_report_stale(db: TSDB) -> None:
    loop = make_loop(db)
    ingest(loop, "a 1\n", T0)
    loop.end_of_run_staleness(T0 + 20_000)
    assert is_stale_nan(values(db, "a")[-1][1])
    assert is_stale_nan(values(db, "up")[-1][1])


@pytest.mark.parametrize("ctype", ["application/openmetrics-text; version=1.0.0; charset=utf-8"])
def test_openmetrics_payload(db: TSDB, ctype: str) -> None:
    ingest(make_loop(db), "# TYPE a counter\na_total 1\n# EOF\n", T0, ctype=ctype)
    assert values(db, "a_total") == [(T0, 1.0)]


def test_format_switch_reparses_instead_of_trusting_the_cache(db: TSDB) -> None:
    loop = make_loop(db)
    ingest(loop, "a  1\n", T0)  # two spaces: fine in the text format
    om = "application/openmetrics-text; version=1.0.0"
    ingest(loop, "a  1\n# EOF\n", T0 + 15_000, ctype=om)  # OpenMetrics rejects the same line
    assert loop.target.health is Health.DOWN and loop.target.last_error


def test_refs_the_store_forgot_are_resolved_again(db: TSDB) -> None:
    loop = make_loop(db)
    ingest(loop, "a 1\n", T0)
    loop._cache = dict.fromkeys(loop._cache, 10**9)  # refs the store never handed out
    loop._report_refs = dict.fromkeys(loop._report_refs, 10**9)
    ingest(loop, "a 2\n", T0 + 15_000)
    assert loop.target.health is Health.UP, loop.target.last_error
    assert values(db, "a") == [(T0, 1.0), (T0 + 15_000, 2.0)]
