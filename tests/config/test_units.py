"""Prometheus's duration (`model.Duration`) and byte-size (`units.Base2Bytes`) syntax, vs promtool."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from erpmon.config import format_duration, parse_base2_bytes, parse_duration

DURATIONS_OK: list[tuple[str, int]] = [
    ("0", 0),
    ("0s", 0),
    ("500ms", 500),
    ("15s", 15_000),
    ("1m", 60_000),
    ("1h30m", 5_400_000),
    ("1d", 86_400_000),
    ("1w", 604_800_000),
    ("1y", 31_536_000_000),
    ("1y2w3d4h5m6s7ms", 33_019_506_007),
    ("90d", 7_776_000_000),
    ("0001m", 60_000),
]
DURATIONS_BAD: list[tuple[str, str]] = [
    ("1.5h", 'not a valid duration string: "1.5h"'),
    ("30", 'not a valid duration string: "30"'),
    ("1m1h", 'not a valid duration string: "1m1h"'),
    ("1h1h", 'not a valid duration string: "1h1h"'),
    ("-1m", 'not a valid duration string: "-1m"'),
    ("1 m", 'not a valid duration string: "1 m"'),
    ("1M", 'not a valid duration string: "1M"'),
    ("1us", 'not a valid duration string: "1us"'),
    ("300000y", "duration out of range"),
]
SIZES: list[tuple[str, int | None]] = [
    ("0", 0),
    ("10MB", 10 << 20),
    ("10MiB", 10 << 20),
    ("1KB", 1024),
    ("1KiB", 1024),
    ("1.5KB", 1536),
    ("2GB", 2 << 30),
    ("1KB2B", 1026),
    ("100", None),
    ("10mb", None),
    ("1kB", None),
    ("1 MB", None),
]


@pytest.mark.parametrize(("text", "ms"), DURATIONS_OK)
def test_parse_duration(text: str, ms: int) -> None:
    assert parse_duration(text) == ms


@pytest.mark.parametrize(("text", "message"), DURATIONS_BAD)
def test_parse_duration_rejects(text: str, message: str) -> None:
    with pytest.raises(ValueError, match="^" + message.replace(".", r"\.") + "$"):
        parse_duration(text)


@pytest.mark.parametrize(
    ("ms", "text"),
    [
        (0, "0s"),
        (1, "1ms"),
        (60_000, "1m"),
        (5_400_000, "1h30m"),
        (7_776_000_000, "90d"),
        (31_536_000_000, "1y"),
    ],
)
def test_format_duration(ms: int, text: str) -> None:
    assert format_duration(ms) == text


@pytest.mark.parametrize(("text", "size"), SIZES)
def test_parse_base2_bytes(text: str, size: int | None) -> None:
    if size is None:
        with pytest.raises(ValueError, match=r"^units: "):
            parse_base2_bytes(text)
    else:
        assert parse_base2_bytes(text) == size


def _verdict(tmp_path: Path, check: Callable[[Path], tuple[int, str]], body: str) -> bool:
    path = tmp_path / "p.yml"
    path.write_text(body)
    return check(path)[0] == 0


def test_promtool_agrees_on_durations(
    tmp_path: Path, promtool_check: Callable[[Path], tuple[int, str]]
) -> None:
    for text, _ in DURATIONS_OK:
        assert _verdict(tmp_path, promtool_check, f"global:\n  evaluation_interval: '{text}'\n"), text
    for text, _ in DURATIONS_BAD:
        assert not _verdict(tmp_path, promtool_check, f"global:\n  evaluation_interval: '{text}'\n"), text


def test_promtool_agrees_on_sizes(tmp_path: Path, promtool_check: Callable[[Path], tuple[int, str]]) -> None:
    for text, size in SIZES:
        body = f"scrape_configs:\n  - job_name: a\n    body_size_limit: '{text}'\n"
        assert _verdict(tmp_path, promtool_check, body) == (size is not None), text
