"""The two registries the server renders: erpmon's own /metrics and the host's /node/metrics."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from prometheus_client import REGISTRY, generate_latest

from erpmon.clock import FakeClock
from erpmon.hostmetrics import HostOptions, SelfMetricsOptions, host_registry, self_registry

from .fakes import FakeProvider, parse_exposition, scrape


class FakePlatform:
    def python_version_tuple(self) -> tuple[str, str, str]:
        return ("3", "11", "9")

    def python_version(self) -> str:
        return "3.11.9"

    def python_implementation(self) -> str:
        return "CPython"

    def system(self) -> str:
        return "Linux"


def test_self_registry_has_process_and_python_metrics() -> None:
    fams = scrape(self_registry(SelfMetricsOptions(platform=FakePlatform())))
    assert fams["python_info"].samples[0][1] == {
        "implementation": "CPython",
        "major": "3",
        "minor": "11",
        "patchlevel": "9",
        "version": "3.11.9",
    }
    assert "python_gc_objects_collected" in fams
    if sys.platform.startswith("linux"):
        for name in ("process_cpu_seconds", "process_resident_memory_bytes", "process_open_fds"):
            assert name in fams, name
        assert fams["process_start_time_seconds"].samples[0][2] > 0


def test_self_registry_namespace_and_no_gc() -> None:
    fams = scrape(self_registry(SelfMetricsOptions(namespace="erpmon", gc=False)))
    assert not any(n.startswith("python_gc_") for n in fams)
    assert not any(n.startswith("process_") for n in fams)
    if sys.platform.startswith("linux"):
        assert "erpmon_process_cpu_seconds" in fams


def test_self_registry_reads_the_given_process_from_the_given_procfs(tmp_path: Path) -> None:
    fake_pid = tmp_path / "4242"
    fake_pid.mkdir()
    stat = "4242 (erpmon) S 1 " + " ".join(["0"] * 9) + " 200 100 0 0 20 0 1 0 500 1048576 25"
    (fake_pid / "stat").write_text(stat + " 0 0 0\n")
    (tmp_path / "stat").write_text("btime 1700000000\n")
    (fake_pid / "fd").mkdir()
    (fake_pid / "limits").write_text(
        "Max open files            1024                 4096                 files\n"
    )
    registry = self_registry(SelfMetricsOptions(pid=lambda: 4242, proc=str(tmp_path), gc=False))
    fams = scrape(registry)
    assert fams["process_cpu_seconds"].samples[0][2] == 3.0
    assert fams["process_virtual_memory_bytes"].samples[0][2] == 1048576.0
    assert fams["process_max_fds"].samples[0][2] == 1024.0


def test_registries_are_new_and_leave_the_global_registry_alone() -> None:
    before = {m.name for m in REGISTRY.collect()}
    first, second = self_registry(), self_registry()
    assert first is not second
    host_registry(provider=FakeProvider())
    assert {m.name for m in REGISTRY.collect()} == before
    assert not any(name.startswith("node_") for name in before)


def test_host_registry_serves_host_collector_output() -> None:
    registry = host_registry(
        HostOptions(collectors=frozenset({"meminfo", "uname"})), provider=FakeProvider(), clock=FakeClock()
    )
    text = generate_latest(registry).decode()
    fams = parse_exposition(text)
    assert fams["node_memory_MemTotal_bytes"].samples[0][2] == 8 * 2**30
    assert fams["node_uname_info"].label_values("nodename") == {"db1"}
    assert not any(n.startswith(("process_", "python_")) for n in fams)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads this host's procfs")
def test_host_registry_defaults_read_this_host() -> None:
    fams = scrape(host_registry())
    assert fams["node_uname_info"].label_values("nodename") == {os.uname().nodename}
    assert set(fams["node_scrape_collector_success"].label_values("collector")) >= {"cpu", "meminfo"}
    assert all(v == 1.0 for _, _, v in fams["node_scrape_collector_success"].samples)
