"""/api/v1/status/tsdb figures and the /metrics rows."""

from __future__ import annotations

from erpmon.model import Labels
from erpmon.tsdb import TSDBMetric


def test_status_matches_prometheus_shape_and_counts(open_db):
    db = open_db()
    app = db.appender()
    for i in range(3):
        app.append(0, Labels.of(__name__="http_requests_total", code=str(200 + i), job="api"), 1000, 1.0)
    app.append(0, Labels.of(__name__="up", job="api"), 1500, 1.0)
    app.commit()
    data = db.stats(limit=2)
    assert data["headStats"] == {
        "numSeries": 4,
        "numLabelPairs": 6,  # __name__ x2, code x3, job x1
        "chunkCount": 4,
        "minTime": 1000,
        "maxTime": 1500,
    }
    assert data["seriesCountByMetricName"] == [
        {"name": "http_requests_total", "value": 3},
        {"name": "up", "value": 1},
    ]
    assert data["labelValueCountByLabelName"] == [
        {"name": "code", "value": 3},
        {"name": "__name__", "value": 2},
    ]
    assert data["memoryInBytesByLabelName"] == [
        {"name": "__name__", "value": 3 * len("http_requests_total") + 2},
        {"name": "job", "value": 12},
    ]
    assert data["seriesCountByLabelValuePair"] == [
        {"name": "job=api", "value": 4},
        {"name": "__name__=http_requests_total", "value": 3},
    ]


def test_empty_store_status(open_db):
    assert open_db().stats()["headStats"] == {
        "numSeries": 0,
        "numLabelPairs": 0,
        "chunkCount": 0,
        "minTime": 0,
        "maxTime": 0,
    }


def test_metric_rows(open_db):
    rows = open_db().metrics()
    assert all(isinstance(r, TSDBMetric) and r.type in ("counter", "gauge") for r in rows)
    names = {r.name for r in rows}
    assert {
        "erpmon_tsdb_head_series",
        "erpmon_tsdb_head_samples_appended_total",
        "erpmon_tsdb_out_of_order_samples_total",
        "erpmon_tsdb_duplicate_samples_total",
        "erpmon_tsdb_too_old_samples_total",
        "erpmon_tsdb_wal_corruptions_total",
        "erpmon_tsdb_wal_truncations_total",
        "erpmon_tsdb_compactions_total",
        "erpmon_tsdb_blocks_loaded",
        "erpmon_tsdb_storage_blocks_bytes",
    } <= names
    assert all(r.name.endswith("_total") == (r.type == "counter") for r in rows)
