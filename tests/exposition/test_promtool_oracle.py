"""Differential tests against promtool 2.42: `check metrics` (text) and the OpenMetrics backfill.

`promtool check metrics` reads the text format with prometheus/common's expfmt, not with the
scrape path's textparse, so only inputs where both agree are compared; `DIVERGENT` lists the
known differences (checked against a real Prometheus 2.42 scrape, where we follow the scrape).
`promtool tsdb create-blocks-from openmetrics` runs textparse's OpenMetrics parser itself (it
requires a timestamp on every sample), and `promtool tsdb dump` shows what it stored.
"""

from __future__ import annotations

import math
import shutil
import subprocess
from pathlib import Path

import pytest

from erpmon.exposition import ParseError, parse_openmetrics, parse_text

PROMTOOL = shutil.which("promtool")
pytestmark = pytest.mark.skipif(
    PROMTOOL is None, reason="promtool (Debian package prometheus) is not on PATH"
)

TEXT_VALID = [
    "m 1\n",
    '# HELP m help \\\\ text\n# TYPE m counter\nm{a="1",b="x\\"y\\\\z\\n"} 1 1395066363000\n',
    'm{a="1",} 1\n',
    "m{} 1\n",
    'm{ a = "1" , b="2" } 1\n',
    'm {a="1"} 1\n',
    "  m 1\n",
    "m\t1\t2\n",
    "\n\nm 1\n\n",
    "# just a comment\n#\nm 1\n",
    "m NaN\nn +Inf\no -Inf\np Inf\nq 1e3\nr .5\ns 5.\nt -0\n",
    "m 1e-400\n",
    "some:colon_name 1\n",
    "_under 1\n",
    'm{_l="v"} 1\n',
    '# TYPE m histogram\nm_bucket{le="0.1"} 1\nm_bucket{le="+Inf"} 2\nm_sum 0.3\nm_count 2\n',
    '# TYPE m summary\nm{quantile="0.5"} 1\nm_sum 1\nm_count 1\n',
    'm{a="日本語"} 1\n',
]

TEXT_INVALID = [
    "m\n",
    "m 1 2 3\n",
    "m 1 1.5\n",
    "m 1_000\n",
    "m 0x10\n",
    "m 0x1p3\n",
    "m 1e400\n",
    "m +NaN\n",
    "m true\n",
    "m 1\r\n",
    "1m 1\n",
    '{a="1"} 1\n',
    "m{a='1'} 1\n",
    'm{1a="1"} 1\n',
    'm{a-b="1"} 1\n',
    'm{,a="1"} 1\n',
    'm{a="1",,} 1\n',
    'm{a="1"',
    'm{a="1",a="2"} 1\n',
    "# TYPE m info\n",
    "# TYPE m counter extra\n",
    "# TYPE m counter \nm 1\n",  # 2.42: the blank is part of the type word
    'm{a="1"}{b="2"} 1\n',
    "m 1 99999999999999999999\n",
]

# (payload, promtool's exit code, ours accepts): expfmt vs the 2.42 scrape parser.
DIVERGENT = [
    ('m{a="1" b="2"} 1\n', 1, True),  # pairs without a comma
    ('m{a="x\ny"} 1\n', 1, True),  # a raw newline inside a label value
    ('m{a="x\\ty"} 1\n', 1, True),  # an unknown escape, kept verbatim by the scrape
    ("m 1\n# TYPE m gauge\n", 1, True),  # TYPE after its samples
    ("m 1 -5\n", 3, False),  # a negative timestamp
    ("m 1", 1, True),  # no final line break (Prometheus appends one)
    ("m 1 \n", 1, True),  # blanks after the value
    ("# TYPE m\nm 1\n", 3, False),  # no type word: 2.42 reads the empty string, an invalid type
]


def _promtool_check(body: str, tmp_path: Path) -> int:
    assert PROMTOOL is not None
    path = tmp_path / "in.txt"
    path.write_text(body)
    with path.open("rb") as stdin:
        return subprocess.run(
            [PROMTOOL, "check", "metrics"], stdin=stdin, capture_output=True, check=False, timeout=60
        ).returncode


def _accepts_text(body: str) -> bool:
    try:
        parse_text(body)
    except ParseError:
        return False
    return True


@pytest.mark.parametrize("body", TEXT_VALID)
def test_text_valid_for_both(body: str, tmp_path: Path) -> None:
    assert _promtool_check(body, tmp_path) in (0, 3)  # 3: parsed, with lint findings
    assert _accepts_text(body)


@pytest.mark.parametrize("body", TEXT_INVALID)
def test_text_invalid_for_both(body: str, tmp_path: Path) -> None:
    assert _promtool_check(body, tmp_path) == 1
    assert not _accepts_text(body)


@pytest.mark.parametrize(("body", "promtool_rc", "ours"), DIVERGENT)
def test_known_divergences_from_expfmt(body: str, promtool_rc: int, ours: bool, tmp_path: Path) -> None:
    assert _promtool_check(body, tmp_path) == promtool_rc
    assert _accepts_text(body) is ours


def _backfill(body: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    assert PROMTOOL is not None
    path = tmp_path / "in.om"
    path.write_text(body)
    out = tmp_path / "blocks"
    return subprocess.run(
        [PROMTOOL, "tsdb", "create-blocks-from", "openmetrics", str(path), str(out)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


OM_VALID = [
    "# EOF\n",
    "m 1 1000\n# EOF",
    '# HELP m h \\"q\\"\n# TYPE m gauge\n# UNIT m_seconds seconds\n'
    'm{a="x\\"y",b="\\\\"} 1.5 1000.25\n# EOF\n',
    '# TYPE c counter\nc_total 1 1000 # {trace_id="a"} 1 1000\nc_created 5 1000\n# EOF\n',
    '# TYPE h histogram\nh_bucket{le="+Inf"} 1 1000 # {} 0.5\nh_count 1 1000\nh_sum 0.5 1000\n# EOF\n',
    '# TYPE s stateset\ns{s="a"} 1 1000\n# TYPE i info\ni_info{v="1"} 1 1000\n# EOF\n',
    '# TYPE g gaugehistogram\ng_bucket{le="+Inf"} 1 1000\ng_gcount 1 1000\ng_gsum 2 1000\n# EOF\n',
    "m NaN 1000\nn +Inf 1000\no -Inf 1000\np 1e3 1000\n# EOF\n",
    "m{} 1 1000\n# EOF\n",
    "c 1 1000\n# TYPE c counter\n# EOF\n",  # 2.42 checks no family structure
]

OM_INVALID = [
    "m 1 1000\n",
    "m 1 1000\n# EOF\nn 1 1000\n",
    "m 1 1000\n# EOF\n\n",
    "m 1 1000\n\n# EOF\n",
    "# comment\nm 1 1000\n# EOF\n",
    "m  1 1000\n# EOF\n",
    "m 1 1000 \n# EOF\n",
    'm{a="1",} 1 1000\n# EOF\n',
    'm{a="1", b="2"} 1 1000\n# EOF\n',
    'm{a="1",a="2"} 1 1000\n# EOF\n',
    "m 1 NaN\n# EOF\n",
    "m 1_0 1000\n# EOF\n",
    'm 1 1000 # {a="b"} 1\n# EOF\n',  # exemplar on a name without _total/_bucket
    'm_total 1 1000 # {a="b"}\n# EOF\n',
    "# TYPE m untyped\n# EOF\n",
    "# UNIT m seconds\n# EOF\n",
    "# HELP m\n# EOF\n",
]


@pytest.mark.parametrize("body", OM_VALID)
def test_openmetrics_valid_for_both(body: str, tmp_path: Path) -> None:
    result = _backfill(body, tmp_path)
    assert result.returncode == 0, result.stderr
    parse_openmetrics(body)


@pytest.mark.parametrize("body", OM_INVALID)
def test_openmetrics_invalid_for_both(body: str, tmp_path: Path) -> None:
    assert _backfill(body, tmp_path).returncode != 0
    with pytest.raises(ParseError):
        parse_openmetrics(body)


def test_openmetrics_samples_match_the_backfill(tmp_path: Path) -> None:
    body = (
        '# TYPE m gauge\nm{a="x\\"y",b=""} 1.5 1000.0019\nm{a="2"} NaN 1000.5\n'
        'n_total -Inf 1001 # {t="1"} 2 1000\nn_total 7 1002.25\n# EOF\n'
    )
    assert _backfill(body, tmp_path).returncode == 0
    (tmp_path / "blocks" / "wal").mkdir(exist_ok=True)  # dump wants a WAL directory
    args = ["tsdb", "dump", f"--min-time={-(2**63)}", f"--max-time={2**63 - 1}", str(tmp_path / "blocks")]
    dump = subprocess.run(
        [PROMTOOL or "promtool", *args], capture_output=True, text=True, check=True, timeout=120
    ).stdout.split("\n")
    stored = sorted(line for line in dump if line)
    parsed = parse_openmetrics(body)
    ours = sorted(
        f"{parsed.labels[k]} {_go_float(v)} {t}"
        for k, v, t in zip(parsed.keys, parsed.values.tolist(), parsed.timestamps.tolist(), strict=True)
    )
    assert stored == ours


def _go_float(v: float) -> str:
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "+Inf" if v > 0 else "-Inf"
    return repr(v).removesuffix(".0")
