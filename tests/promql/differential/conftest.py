"""Session fixtures: the differential data set, backfilled by promtool and by erpmon, and servers
(Prometheus 2.42, a second Prometheus, erpmon) each over its own copy of its store.

Environment:
- ERPMON_DIFF_AGAINST=prometheus: test a second Prometheus instead of erpmon (checks the harness).
- ERPMON_DIFF_FILTER=<regex>: only expressions matching it (re.search).
- ERPMON_DIFF_REPORT=<dir>: where full per-group reports go (default: the session's tmp dir).
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from tests.support import need_binary

from erpmon.promql.testing import (
    DifferentialDataset,
    Evaluation,
    Outcome,
    QueryClient,
    Server,
    backfill_erpmon,
    backfill_prometheus,
    build_dataset,
    evaluations,
    start_erpmon,
    start_prometheus,
    write_openmetrics,
)

REFERENCE = "prometheus"


@dataclass(frozen=True)
class DiffData:
    dataset: DifferentialDataset
    openmetrics: Path
    root: Path  # shared by the xdist workers of a run: the data set, backfilled stores, reports
    servers: Path  # this process's own: server copies of the stores, configs, logs


@dataclass(frozen=True)
class Target:
    """The server under test: its client, and why it cannot be tested yet ('' if it can)."""

    client: QueryClient
    server: Server
    problem: str

    def require_query_api(self) -> None:
        if self.problem:
            pytest.fail(self.problem, pytrace=False)


def _once(path: Path, build: Callable[[Path], None]) -> Path:
    """Build `path` unless another process of this run already has; whoever is first builds, the rest wait."""
    with (path.parent / f"{path.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = path.parent / f"{path.name}.done"
        if not done.exists():
            if path.is_dir():
                shutil.rmtree(path)
            build(path)
            done.touch()
    return path


@pytest.fixture(scope="session")
def diff_data(tmp_path_factory: pytest.TempPathFactory) -> DiffData:
    need_binary("prometheus")
    need_binary("promtool")
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # the run's directory, above each worker's own
    root = base / "promql-differential"
    root.mkdir(exist_ok=True)
    dataset = build_dataset()

    def write(path: Path) -> None:
        write_openmetrics(dataset.series, path)

    openmetrics = _once(root / "dataset.om", write)
    return DiffData(dataset, openmetrics, root, tmp_path_factory.mktemp("promql-servers"))


@pytest.fixture(scope="session")
def diff_evaluations(diff_data: DiffData) -> tuple[Evaluation, ...]:
    return evaluations(diff_data.dataset)


@pytest.fixture(scope="session")
def prometheus_store(diff_data: DiffData) -> Path:
    promtool = need_binary("promtool")
    return _once(
        diff_data.root / "prometheus-blocks",
        lambda p: backfill_prometheus(diff_data.openmetrics, p, promtool),
    )


def _serve_prometheus(diff_data: DiffData, store: Path, name: str) -> Iterator[Server]:
    data = diff_data.servers / f"{name}-data"
    shutil.copytree(store, data)
    server = start_prometheus(data, diff_data.servers, need_binary("prometheus"), name=name)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def prometheus_server(diff_data: DiffData, prometheus_store: Path) -> Iterator[Server]:
    yield from _serve_prometheus(diff_data, prometheus_store, REFERENCE)


@pytest.fixture(scope="session")
def prometheus_twin(diff_data: DiffData, prometheus_store: Path) -> Iterator[Server]:
    yield from _serve_prometheus(diff_data, prometheus_store, "prometheus-twin")


@pytest.fixture(scope="session")
def erpmon_server(diff_data: DiffData) -> Iterator[Server]:
    store = _once(diff_data.root / "erpmon-blocks", lambda p: backfill_erpmon(diff_data.openmetrics, p))
    data = diff_data.servers / "erpmon-data"
    shutil.copytree(store, data)
    server = start_erpmon(data, diff_data.servers)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def reference(prometheus_server: Server) -> Iterator[QueryClient]:
    with QueryClient(REFERENCE, prometheus_server.url) as client:
        yield client


def _probe(client: QueryClient, server: Server, at: Evaluation) -> str:
    """'' if the server answers `1` as Prometheus does; otherwise a message saying what is missing."""
    got = client.query(at, "1")
    if got.ok and got.result_type == "scalar":
        return ""
    url = f"{server.url}{at.path}?query=1"
    if got.http_status == 404:
        return (
            f"{server.name} does not serve {at.path} yet (GET {url} -> HTTP 404): the PromQL engine and "
            "query API have not landed. This test passes once they answer as Prometheus 2.42 does; "
            "to check the harness alone, run with ERPMON_DIFF_AGAINST=prometheus."
        )
    return f"{server.name} cannot answer the query `1`: GET {url} -> {_describe(got)}\n{server.log_tail()}"


def _describe(outcome: Outcome) -> str:
    return outcome.summary() if not outcome.ok else f"{outcome.result_type} {outcome.result!r}"


@pytest.fixture(scope="session")
def under_test(request: pytest.FixtureRequest, diff_evaluations: tuple[Evaluation, ...]) -> Iterator[Target]:
    against = os.environ.get("ERPMON_DIFF_AGAINST", "erpmon")
    if against not in ("erpmon", "prometheus"):
        raise pytest.UsageError(f"ERPMON_DIFF_AGAINST must be erpmon or prometheus, not {against!r}")
    fixture = "erpmon_server" if against == "erpmon" else "prometheus_twin"
    server: Server = request.getfixturevalue(fixture)
    with QueryClient(server.name, server.url) as client:
        yield Target(client, server, _probe(client, server, diff_evaluations[0]))


@pytest.fixture(scope="session")
def report_dir(diff_data: DiffData) -> Path:
    path = Path(os.environ.get("ERPMON_DIFF_REPORT") or diff_data.root / "reports")
    path.mkdir(parents=True, exist_ok=True)
    return path
