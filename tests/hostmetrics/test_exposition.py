"""The text exposition of each group, line for line, from a fake host."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, generate_latest

from erpmon.clock import FakeClock
from erpmon.hostmetrics import HostCollector, HostOptions, host_registry

from .fakes import FakeProvider


def exposition(provider: FakeProvider | None = None, options: HostOptions | None = None) -> str:
    registry = host_registry(options, provider=provider or FakeProvider(), clock=FakeClock(1_700_000_123_456))
    return generate_latest(registry).decode()


def family_block(text: str, name: str) -> str:
    """The HELP, TYPE and sample lines of family ``name`` (the exposed name, ``_total`` included)."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith(f"# HELP {name} ")), None)
    assert start is not None, f"no family {name} in exposition"
    block = lines[start : start + 2]
    for line in lines[start + 2 :]:
        if line.startswith("#"):
            break
        block.append(line)
    return "\n".join(block) + "\n"


def test_cpu_seconds_and_guest_seconds() -> None:
    text = exposition()
    assert family_block(text, "node_cpu_seconds_total") == (
        "# HELP node_cpu_seconds_total Seconds the CPUs spent in each mode.\n"
        "# TYPE node_cpu_seconds_total counter\n"
        'node_cpu_seconds_total{cpu="0",mode="user"} 10.5\n'
        'node_cpu_seconds_total{cpu="0",mode="nice"} 0.5\n'
        'node_cpu_seconds_total{cpu="0",mode="system"} 3.25\n'
        'node_cpu_seconds_total{cpu="0",mode="idle"} 100.0\n'
        'node_cpu_seconds_total{cpu="0",mode="iowait"} 1.0\n'
        'node_cpu_seconds_total{cpu="0",mode="irq"} 0.0\n'
        'node_cpu_seconds_total{cpu="0",mode="softirq"} 0.25\n'
        'node_cpu_seconds_total{cpu="0",mode="steal"} 0.75\n'
        'node_cpu_seconds_total{cpu="1",mode="user"} 20.0\n'
        'node_cpu_seconds_total{cpu="1",mode="nice"} 0.0\n'
        'node_cpu_seconds_total{cpu="1",mode="system"} 4.0\n'
        'node_cpu_seconds_total{cpu="1",mode="idle"} 90.0\n'
        'node_cpu_seconds_total{cpu="1",mode="iowait"} 2.0\n'
        'node_cpu_seconds_total{cpu="1",mode="irq"} 0.125\n'
        'node_cpu_seconds_total{cpu="1",mode="softirq"} 0.5\n'
        'node_cpu_seconds_total{cpu="1",mode="steal"} 1.0\n'
    )
    assert family_block(text, "node_cpu_guest_seconds_total") == (
        "# HELP node_cpu_guest_seconds_total Seconds the CPUs spent in guests (VMs) for each mode.\n"
        "# TYPE node_cpu_guest_seconds_total counter\n"
        'node_cpu_guest_seconds_total{cpu="0",mode="user"} 0.0\n'
        'node_cpu_guest_seconds_total{cpu="0",mode="nice"} 0.0\n'
        'node_cpu_guest_seconds_total{cpu="1",mode="user"} 1.5\n'
        'node_cpu_guest_seconds_total{cpu="1",mode="nice"} 0.5\n'
    )


def test_cpu_guest_can_be_turned_off() -> None:
    text = exposition(options=HostOptions(cpu_guest=False))
    assert "node_cpu_seconds_total{" in text
    assert "node_cpu_guest_seconds_total" not in text


def test_memory_fields() -> None:
    text = exposition()
    assert family_block(text, "node_memory_MemTotal_bytes") == (
        "# HELP node_memory_MemTotal_bytes Memory information field MemTotal_bytes.\n"
        "# TYPE node_memory_MemTotal_bytes gauge\n"
        "node_memory_MemTotal_bytes 8.589934592e+09\n"
    )
    expected = {
        "MemAvailable_bytes": "5.36870912e+09",
        "MemFree_bytes": "2.147483648e+09",
        "Buffers_bytes": "1.048576e+08",
        "Cached_bytes": "2.147483648e+09",
        "SwapTotal_bytes": "1.073741824e+09",
        "SwapFree_bytes": "5.36870912e+08",
    }
    for field, value in expected.items():
        name = f"node_memory_{field}"
        assert family_block(text, name) == (
            f"# HELP {name} Memory information field {field}.\n# TYPE {name} gauge\n{name} {value}\n"
        )


def test_every_meminfo_field_is_exported_and_only_valid_names() -> None:
    fake = FakeProvider()
    fake.memory = {"Active_anon_bytes": 4096.0, "HugePages_Total": 0.0, "Bad(name": 1.0}
    text = exposition(fake)
    assert "node_memory_Active_anon_bytes 4096.0\n" in text
    assert "node_memory_HugePages_Total 0.0\n" in text
    assert "Bad" not in text


def test_filesystem_families() -> None:
    text = exposition()
    root = 'device="/dev/sda1",fstype="ext4",mountpoint="/"'
    data = 'device="/dev/sdb1",fstype="xfs",mountpoint="/data"'
    assert family_block(text, "node_filesystem_avail_bytes") == (
        "# HELP node_filesystem_avail_bytes Filesystem space available to non-root users in bytes.\n"
        "# TYPE node_filesystem_avail_bytes gauge\n"
        f"node_filesystem_avail_bytes{{{root}}} 3.758096384e+10\n"
        f"node_filesystem_avail_bytes{{{data}}} 5.49755813888e+11\n"
    )
    assert family_block(text, "node_filesystem_size_bytes") == (
        "# HELP node_filesystem_size_bytes Filesystem size in bytes.\n"
        "# TYPE node_filesystem_size_bytes gauge\n"
        f"node_filesystem_size_bytes{{{root}}} 1.073741824e+11\n"
        f"node_filesystem_size_bytes{{{data}}} 1.099511627776e+12\n"
    )
    assert family_block(text, "node_filesystem_free_bytes") == (
        "# HELP node_filesystem_free_bytes Filesystem free space in bytes.\n"
        "# TYPE node_filesystem_free_bytes gauge\n"
        f"node_filesystem_free_bytes{{{root}}} 4.294967296e+10\n"
        f"node_filesystem_free_bytes{{{data}}} 5.49755813888e+11\n"
    )
    assert family_block(text, "node_filesystem_files") == (
        "# HELP node_filesystem_files Filesystem total file nodes.\n"
        "# TYPE node_filesystem_files gauge\n"
        f"node_filesystem_files{{{root}}} 6.5536e+06\n"
        f"node_filesystem_files{{{data}}} 1000.0\n"
    )
    assert family_block(text, "node_filesystem_files_free") == (
        "# HELP node_filesystem_files_free Filesystem total free file nodes.\n"
        "# TYPE node_filesystem_files_free gauge\n"
        f"node_filesystem_files_free{{{root}}} 6e+06\n"
        f"node_filesystem_files_free{{{data}}} 900.0\n"
    )
    assert family_block(text, "node_filesystem_readonly") == (
        "# HELP node_filesystem_readonly Filesystem read-only status.\n"
        "# TYPE node_filesystem_readonly gauge\n"
        f"node_filesystem_readonly{{{root}}} 0.0\n"
        f"node_filesystem_readonly{{{data}}} 1.0\n"
    )
    assert family_block(text, "node_filesystem_device_error") == (
        "# HELP node_filesystem_device_error"
        " Whether an error occurred while getting statistics for the given device.\n"
        "# TYPE node_filesystem_device_error gauge\n"
        f"node_filesystem_device_error{{{root}}} 0.0\n"
        f"node_filesystem_device_error{{{data}}} 0.0\n"
    )


def test_network_families() -> None:
    text = exposition()
    values = {
        "receive_bytes": ("9000.0", "1000.0"),
        "receive_packets": ("90.0", "10.0"),
        "receive_errs": ("1.0", "0.0"),
        "receive_drop": ("3.0", "0.0"),
        "transmit_bytes": ("5000.0", "1000.0"),
        "transmit_packets": ("50.0", "10.0"),
        "transmit_errs": ("2.0", "0.0"),
        "transmit_drop": ("4.0", "0.0"),
    }
    for stat, (eth0, lo) in values.items():
        name = f"node_network_{stat}_total"
        assert family_block(text, name) == (
            f"# HELP {name} Network device statistic {stat}.\n"
            f"# TYPE {name} counter\n"
            f'{name}{{device="eth0"}} {eth0}\n'
            f'{name}{{device="lo"}} {lo}\n'
        )


def test_disk_families_in_go_float_arithmetic() -> None:
    text = exposition()
    expected = [
        ("reads_completed_total", "The total number of reads completed successfully.", "100.0"),
        ("reads_merged_total", "The total number of reads merged.", "7.0"),
        ("read_bytes_total", "The total number of bytes read successfully.", "51200.0"),
        ("read_time_seconds_total", "The total number of seconds spent by all reads.", "1.5"),
        ("writes_completed_total", "The total number of writes completed successfully.", "200.0"),
        ("writes_merged_total", "The number of writes merged.", "8.0"),
        ("written_bytes_total", "The total number of bytes written successfully.", "102400.0"),
        ("write_time_seconds_total", "This is the total number of seconds spent by all writes.", "2.5"),
        # 8104 ms * (1/1000.0), node_exporter's arithmetic; 8104 / 1000 would print 8.104.
        ("io_time_seconds_total", "Total seconds spent doing I/Os.", "8.104000000000001"),
    ]
    for suffix, help_, value in expected:
        name = f"node_disk_{suffix}"
        assert family_block(text, name) == (
            f'# HELP {name} {help_}\n# TYPE {name} counter\n{name}{{device="sda"}} {value}\n'
        )


def test_load_stat_time_uname() -> None:
    text = exposition()
    assert (
        family_block(text, "node_load1")
        == "# HELP node_load1 1m load average.\n# TYPE node_load1 gauge\nnode_load1 0.5\n"
    )
    assert (
        family_block(text, "node_load5")
        == "# HELP node_load5 5m load average.\n# TYPE node_load5 gauge\nnode_load5 0.25\n"
    )
    assert family_block(text, "node_load15") == (
        "# HELP node_load15 15m load average.\n# TYPE node_load15 gauge\nnode_load15 0.125\n"
    )
    assert family_block(text, "node_boot_time_seconds") == (
        "# HELP node_boot_time_seconds Node boot time, in unixtime.\n"
        "# TYPE node_boot_time_seconds gauge\n"
        "node_boot_time_seconds 1.7e+09\n"
    )
    assert family_block(text, "node_context_switches_total") == (
        "# HELP node_context_switches_total Total number of context switches.\n"
        "# TYPE node_context_switches_total counter\n"
        "node_context_switches_total 123456.0\n"
    )
    assert family_block(text, "node_intr_total") == (
        "# HELP node_intr_total Total number of interrupts serviced.\n"
        "# TYPE node_intr_total counter\n"
        "node_intr_total 65432.0\n"
    )
    assert family_block(text, "node_time_seconds") == (
        "# HELP node_time_seconds System time in seconds since epoch (1970).\n"
        "# TYPE node_time_seconds gauge\n"
        "node_time_seconds 1.700000123456e+09\n"
    )
    assert family_block(text, "node_uname_info") == (
        "# HELP node_uname_info Labeled system information as provided by the uname system call.\n"
        "# TYPE node_uname_info gauge\n"
        'node_uname_info{domainname="(none)",machine="x86_64",nodename="db1",release="6.1.0-18-amd64",'
        'sysname="Linux",version="#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01)"} 1.0\n'
    )


def test_scrape_meta_families_name_every_enabled_group() -> None:
    text = exposition(options=HostOptions(collectors=frozenset({"uname", "loadavg"})))
    assert family_block(text, "node_scrape_collector_success") == (
        "# HELP node_scrape_collector_success node_exporter: Whether a collector succeeded.\n"
        "# TYPE node_scrape_collector_success gauge\n"
        'node_scrape_collector_success{collector="loadavg"} 1.0\n'
        'node_scrape_collector_success{collector="uname"} 1.0\n'
    )
    # The fake clock does not move while collecting.
    assert family_block(text, "node_scrape_collector_duration_seconds") == (
        "# HELP node_scrape_collector_duration_seconds node_exporter: Duration of a collector scrape.\n"
        "# TYPE node_scrape_collector_duration_seconds gauge\n"
        'node_scrape_collector_duration_seconds{collector="loadavg"} 0.0\n'
        'node_scrape_collector_duration_seconds{collector="uname"} 0.0\n'
    )


def test_whole_exposition_has_only_node_families_in_group_order() -> None:
    text = exposition()
    names = [line.split(" ")[2] for line in text.splitlines() if line.startswith("# TYPE ")]
    assert all(n.startswith("node_") for n in names)
    assert names[0] == "node_cpu_seconds_total"
    assert names[-2:] == ["node_scrape_collector_duration_seconds", "node_scrape_collector_success"]
    assert len(names) == len(set(names))


def test_collect_twice_from_one_collector_gives_same_exposition() -> None:
    registry = CollectorRegistry()
    HostCollector(provider=FakeProvider(), clock=FakeClock(), registry=registry)
    assert generate_latest(registry) == generate_latest(registry)
