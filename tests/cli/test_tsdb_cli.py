"""`erpmon tsdb` against promtool: the same OpenMetrics backfilled by both dumps the same samples."""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

import pytest
from tests.support import ERPMON, need_binary

HOUR = 3600


def openmetrics_fixture(seed: int = 7) -> str:
    """Several series over ~7 h (four 2 h blocks), with escapes, special values and fractional seconds."""
    rng = random.Random(seed)
    t0 = 1_700_000_000
    lines = ["# HELP erpgo_orders_created_total Orders created.", "# TYPE erpgo_orders_created_total counter"]
    for endpoint in ("/api/v1/orders/{id}", 'quote"back\\slash', "new\nline"):
        total = 0.0
        escaped = endpoint.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        for i in range(0, 7 * HOUR, 15 * 60):
            total += rng.randint(0, 40)
            lines.append(
                f'erpgo_orders_created_total{{endpoint="{escaped}"}} {total} {t0 + i + rng.random():.3f}'
            )
    lines += ["# TYPE erpgo_cpu gauge"]
    values = ["NaN", "+Inf", "-Inf", "1e-07", "123456789", "0.1", "-0", "3.14159", "1e+22"]
    for i in range(0, 7 * HOUR, 20 * 60):
        lines.append(f'erpgo_cpu{{core="0"}} {values[(i // 1200) % len(values)]} {t0 + i}')
    lines += ["# TYPE erpgo_latency histogram"]
    for i in range(0, 3 * HOUR, 30 * 60):
        for le in ("0.1", "1", "+Inf"):
            lines.append(f'erpgo_latency_bucket{{le="{le}"}} {i // 60 + len(le)} {t0 + i}')
        lines.append(f"erpgo_latency_count {i // 60 + 4} {t0 + i}")
        lines.append(f"erpgo_latency_sum {i / 7:.6f} {t0 + i}")
    lines.append("# EOF")
    return "\n".join(lines) + "\n"


def run(cmd: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def test_backfill_and_dump_match_promtool(tmp_path: Path) -> None:
    promtool = need_binary("promtool")
    src = tmp_path / "input.om"
    src.write_text(openmetrics_fixture())
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    made = run([*ERPMON, "tsdb", "create-blocks-from", "openmetrics", str(src), str(ours)])
    assert made.returncode == 0, made.stderr
    ref = run([promtool, "tsdb", "create-blocks-from", "openmetrics", str(src), str(theirs)])
    assert ref.returncode == 0, ref.stderr
    (theirs / "wal").mkdir(exist_ok=True)  # promtool 2.42's dump insists on a wal dir
    our_dump = run([*ERPMON, "tsdb", "dump", str(ours)])
    their_dump = run([promtool, "tsdb", "dump", str(theirs)])
    assert our_dump.returncode == 0 and their_dump.returncode == 0, our_dump.stderr + their_dump.stderr
    assert len(their_dump.stdout.splitlines()) > 100
    assert our_dump.stdout == their_dump.stdout
    # Both split the data into the same 2 h-aligned blocks.
    our_blocks = sorted(line.split()[1:3] for line in made.stdout.splitlines()[1:])
    their_blocks = sorted(line.split()[1:3] for line in ref.stdout.splitlines()[1:])
    assert our_blocks == their_blocks and len(our_blocks) == 4


@pytest.mark.parametrize(
    "match",
    ["erpgo_cpu", '{__name__=~"erpgo_latency_.*", le!="+Inf"}', '{endpoint=~".*back.*"}'],
)
def test_dump_with_matchers_and_time_range_matches_promtool(tmp_path: Path, match: str) -> None:
    promtool = need_binary("promtool")
    src = tmp_path / "input.om"
    src.write_text(openmetrics_fixture())
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    run([*ERPMON, "tsdb", "create-blocks-from", "openmetrics", "-q", str(src), str(ours)])
    run([promtool, "tsdb", "create-blocks-from", "openmetrics", "-q", str(src), str(theirs)])
    (theirs / "wal").mkdir(exist_ok=True)
    window = ["--min-time=1700003600000", "--max-time=1700014400000", f"--match={match}"]
    a = run([*ERPMON, "tsdb", "dump", str(ours), *window])
    b = run([promtool, "tsdb", "dump", str(theirs), *window])
    assert a.returncode == b.returncode == 0, a.stderr + b.stderr
    assert a.stdout == b.stdout and a.stdout


@pytest.mark.parametrize(
    "body",
    [
        # Out of order and repeated timestamps within one 2 h window are dropped; across windows kept.
        "a 1 10\na 2 5\na 3 10\na 4 11\na 5 7300\na 6 7000\nb 1 1\nb 2 1\n# EOF\n",
        'a{x="1"} 1 7300\na{x="1"} 2 10\na{x="2"} 3 10\n# EOF\n',
    ],
)
def test_backfill_keeps_what_promtool_keeps(tmp_path: Path, body: str) -> None:
    promtool = need_binary("promtool")
    src = tmp_path / "in.om"
    src.write_text(body)
    assert (
        run([*ERPMON, "tsdb", "create-blocks-from", "openmetrics", str(src), str(tmp_path / "o")]).returncode
        == 0
    )
    assert (
        run([promtool, "tsdb", "create-blocks-from", "openmetrics", str(src), str(tmp_path / "t")]).returncode
        == 0
    )
    (tmp_path / "t" / "wal").mkdir(exist_ok=True)
    ours = run([*ERPMON, "tsdb", "dump", str(tmp_path / "o")]).stdout
    assert ours == run([promtool, "tsdb", "dump", str(tmp_path / "t")]).stdout
    assert ours


@pytest.mark.parametrize(
    "body",
    [
        "a 1\n# EOF\n",  # no timestamp
        "a 1 10\n",  # no # EOF
        "a 1 10\n# EOF\nb 1 10\n",  # data after # EOF
    ],
)
def test_backfill_rejects_what_promtool_rejects(tmp_path: Path, body: str) -> None:
    promtool = need_binary("promtool")
    src = tmp_path / "bad.om"
    src.write_text(body)
    ours = run([*ERPMON, "tsdb", "create-blocks-from", "openmetrics", str(src), str(tmp_path / "o")])
    theirs = run([promtool, "tsdb", "create-blocks-from", "openmetrics", str(src), str(tmp_path / "t")])
    assert theirs.returncode != 0
    assert ours.returncode != 0 and ours.stderr


def test_analyze_reports_cardinality(tmp_path: Path) -> None:
    src = tmp_path / "input.om"
    src.write_text(openmetrics_fixture())
    run([*ERPMON, "tsdb", "create-blocks-from", "openmetrics", "-q", str(src), str(tmp_path / "d")])
    out = run([*ERPMON, "tsdb", "analyze", str(tmp_path / "d")])
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert "Series: 9\n" in text
    assert "Highest cardinality metric names:\n5 erpgo_latency_bucket" not in text
    assert "3 erpgo_orders_created_total" in text
    assert "Highest cardinality labels:" in text
