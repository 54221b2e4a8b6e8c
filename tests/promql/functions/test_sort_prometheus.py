"""sort()/sort_desc() order, ties and NaNs included, against a real Prometheus 2.42 server.

Prometheus sorts with Go's unstable pdqsort, so equal values come out in an order only that
algorithm gives. The series are backfilled into one block (series in label order, which is the
order the engine hands them to sort), the server is queried, and our order must be identical.
"""

from __future__ import annotations

import json
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator

import numpy as np
import pytest
from tests.support import free_port, need_binary

from erpmon.promql.functions._gosort import go_sort_order

# metric -> values of its series i="000".."nnn"; small pools give many ties.
CASES: dict[str, list[float]] = {}
_rng = np.random.default_rng(7)
for _k, (_n, _pool) in enumerate(
    [
        (5, [1.0, 1.0]),
        (12, [0.0, 1.0, float("nan")]),
        (13, [0.0, 1.0]),
        (60, [0.0, 1.0, 2.0, float("nan")]),
        (200, [0.0, 1.0, 2.0, 3.0, 5.0, float("nan")]),
        (300, [1.0]),
        (150, [-1.0, 0.0, 7.0]),
        (400, list(np.arange(40.0))),
        (64, [float("nan")]),
        (90, [float("inf"), float("-inf"), 0.0, float("nan")]),
    ]
):
    CASES[f"m{_k}"] = [float(v) for v in _rng.choice(np.asarray(_pool), _n)]
CASES["ascending"] = [float(i // 3) for i in range(100)]
CASES["descending"] = [float(100 - i // 4) for i in range(100)]


def _om_value(v: float) -> str:
    if np.isnan(v):
        return "NaN"
    if np.isinf(v):
        return "+Inf" if v > 0 else "-Inf"
    return repr(v)


@pytest.fixture(scope="module")
def prometheus_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    promtool = need_binary("promtool")
    prometheus = need_binary("prometheus")
    root = tmp_path_factory.mktemp("sortprom")
    lines = []
    for name, values in CASES.items():
        lines.append(f"# TYPE {name} gauge")
        lines += [f'{name}{{i="{i:03d}"}} {_om_value(v)} 1000' for i, v in enumerate(values)]
    lines.append("# EOF")
    (root / "in.om").write_text("\n".join(lines) + "\n")
    subprocess.run(
        [promtool, "tsdb", "create-blocks-from", "openmetrics", str(root / "in.om"), str(root / "data")],
        check=True,
        capture_output=True,
    )
    (root / "prometheus.yml").write_text("global: {}\n")
    port = free_port()
    args = [
        prometheus,
        f"--config.file={root / 'prometheus.yml'}",
        f"--storage.tsdb.path={root / 'data'}",
        f"--web.listen-address=127.0.0.1:{port}",
        "--storage.tsdb.retention.time=100y",
    ]
    with (root / "log.txt").open("w") as log:
        proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url + "/-/ready", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                pytest.fail("prometheus did not start: " + (root / "log.txt").read_text()[-2000:])
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _query_order(url: str, query: str) -> list[str]:
    qs = urllib.parse.urlencode({"query": query, "time": "1010"})
    with urllib.request.urlopen(f"{url}/api/v1/query?{qs}", timeout=30) as r:
        body = json.load(r)
    return [s["metric"]["i"] for s in body["data"]["result"]]


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("descending", [False, True])
def test_sort_order_matches_prometheus(prometheus_url: str, name: str, descending: bool) -> None:
    values = np.asarray(CASES[name])
    theirs = _query_order(prometheus_url, f"sort_desc({name})" if descending else f"sort({name})")
    ours = [f"{i:03d}" for i in go_sort_order(values, descending)]
    assert ours == theirs
