"""Property tests: duration round trips, and string fields keeping any plain scalar's literal text."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from erpmon.config import format_duration, parse_duration, parse_prometheus_config

PLAIN_TOKEN = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,12}", fullmatch=True)


@given(st.integers(min_value=0, max_value=((1 << 63) - 1) // 1_000_000))  # Go durations are int64 ns
def test_duration_round_trip(ms: int) -> None:
    assert parse_duration(format_duration(ms)) == ms


@settings(max_examples=300)
@given(PLAIN_TOKEN)
def test_plain_scalar_in_string_field_keeps_its_text(token: str) -> None:
    cfg = parse_prometheus_config(f"global:\n  external_labels:\n    v: {token}\n")
    expected = "" if token in ("null", "Null", "NULL") else token
    assert cfg.global_config.external_labels.get("v") == expected


@settings(max_examples=200)
@given(st.text(st.characters(max_codepoint=0xFFFF, blacklist_categories=("Cs",)), max_size=20))
def test_quoted_label_value_round_trips(value: str) -> None:
    cfg = parse_prometheus_config(
        "scrape_configs:\n  - job_name: j\n    static_configs:\n"
        f"      - targets: ['a:1']\n        labels: {{v: {json.dumps(value)}}}\n"
    )
    assert cfg.scrape_configs[0].static_configs[0].labels.get("v") == value


def test_surrogate_escape_is_rejected_as_in_libyaml() -> None:
    import pytest

    from erpmon.config import ConfigError

    with pytest.raises(ConfigError, match="invalid Unicode character escape code"):
        parse_prometheus_config('global:\n  external_labels:\n    v: "\\ud800\\udc00"\n')
