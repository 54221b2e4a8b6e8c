"""Relabel cases shared by the unit tests and the promtool differential tests.

Each case: an input label set, relabel steps (keyword dicts for `RelabelConfig`, all valid for
Prometheus 2.42), and the expected output (None = dropped). The cases restate, in our own words,
what Prometheus's model/relabel tests pin down, plus Go-vs-Python edges (expansion, case mapping).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from erpmon.relabel import DEFAULT_REGEX, DEFAULT_REPLACEMENT, DEFAULT_SEPARATOR, RelabelConfig


@dataclass(frozen=True)
class Case:
    name: str
    labels: dict[str, str]
    steps: list[dict[str, Any]]
    want: dict[str, str] | None


def _c(name: str, labels: dict[str, str], steps: list[dict[str, Any]], want: dict[str, str] | None) -> Case:
    return Case(name, labels, steps, want)


CASES: list[Case] = [
    _c(
        "replace_with_braced_group",
        {"a": "foo", "b": "bar"},
        [{"source_labels": ["a"], "regex": "f(.*)", "target_label": "d", "replacement": "ch${1}-ch${1}"}],
        {"a": "foo", "b": "bar", "d": "choo-choo"},
    ),
    _c(
        "two_sources_joined_then_chained_step",
        {"a": "foo", "b": "bar", "c": "baz"},
        [
            {
                "source_labels": ["a", "b"],
                "regex": "f(.*);(.*)r",
                "target_label": "a",
                "replacement": "b${1}${2}m",
            },
            {
                "source_labels": ["c", "a"],
                "regex": "(b).*b(.*)ba(.*)",
                "target_label": "d",
                "replacement": "$1$2$2$3",
            },
        ],
        {"a": "boobam", "b": "bar", "c": "baz", "d": "boooom"},
    ),
    _c(
        "drop_on_match_stops_everything",
        {"a": "foo"},
        [
            {"source_labels": ["a"], "regex": ".*o.*", "action": "drop"},
            {"source_labels": ["a"], "regex": "f(.*)", "target_label": "d", "replacement": "x$1"},
        ],
        None,
    ),
    _c(
        "drop_without_match_keeps",
        {"a": "foo"},
        [{"source_labels": ["a"], "regex": "no-match", "action": "drop"}],
        {"a": "foo"},
    ),
    _c(
        "drop_regex_is_anchored",
        {"a": "foo"},
        [{"source_labels": ["a"], "regex": "f|o", "action": "drop"}],
        {"a": "foo"},
    ),
    _c(
        "keep_without_match_drops",
        {"a": "foo"},
        [{"source_labels": ["a"], "regex": "no-match", "action": "keep"}],
        None,
    ),
    _c(
        "keep_with_match_keeps",
        {"a": "foo"},
        [{"source_labels": ["a"], "regex": "f.*", "action": "Keep"}],
        {"a": "foo"},
    ),
    _c(
        "keep_missing_label_is_empty_string",
        {"a": "foo"},
        [{"source_labels": ["nope"], "regex": "", "action": "keep"}],
        {"a": "foo"},
    ),
    _c(
        "replace_without_full_match_is_noop",
        {"a": "foo"},
        [{"source_labels": ["a"], "regex": "f", "target_label": "b", "replacement": "bar"}],
        {"a": "foo"},
    ),
    _c(
        "replace_constant_with_default_regex",
        {"a": "foo"},
        [{"target_label": "env", "replacement": "prod"}],
        {"a": "foo", "env": "prod"},
    ),
    _c(
        "replace_empty_result_deletes_target",
        {"a": "foo", "t": "old"},
        [{"source_labels": ["missing"], "target_label": "t"}],
        {"a": "foo"},
    ),
    _c(
        "dollar_1x_names_group_1x_so_expands_empty",
        {"a": "foo", "t": "old"},
        [{"source_labels": ["a"], "regex": "(.*)", "target_label": "t", "replacement": "$1x"}],
        {"a": "foo"},
    ),
    _c(
        "braced_group_then_letter",
        {"a": "foo"},
        [{"source_labels": ["a"], "regex": "(.*)", "target_label": "t", "replacement": "${1}x"}],
        {"a": "foo", "t": "foox"},
    ),
    _c(
        "double_dollar_and_malformed_dollar_are_literal",
        {"a": "foo"},
        [{"source_labels": ["a"], "regex": "(.*)", "target_label": "t", "replacement": "$$1-$-${1"}],
        {"a": "foo", "t": "$1-$-${1"},
    ),
    _c(
        "named_groups",
        {"addr": "db1:5432"},
        [
            {
                "source_labels": ["addr"],
                "regex": "(?P<host>[^:]+):(?P<port>\\d+)",
                "target_label": "host",
                "replacement": "$host",
            },
            {
                "source_labels": ["addr"],
                "regex": "(?P<host>[^:]+):(?P<port>\\d+)",
                "target_label": "port",
                "replacement": "${port}",
            },
        ],
        {"addr": "db1:5432", "host": "db1", "port": "5432"},
    ),
    _c(
        "leading_zero_group_ref_is_a_name",
        {"a": "foo", "t": "x"},
        [{"source_labels": ["a"], "regex": "(f)(o)o", "target_label": "t", "replacement": "${01}"}],
        {"a": "foo"},
    ),
    _c(
        "target_label_from_group",
        {"a": "some-name-value"},
        [
            {
                "source_labels": ["a"],
                "regex": "some-([^-]+)-([^,]+)",
                "target_label": "${1}",
                "replacement": "${2}",
            }
        ],
        {"a": "some-name-value", "name": "value"},
    ),
    _c(
        "replacement_from_missing_group_deletes_template_name_only",
        {"a": "some-name-value"},
        [
            {
                "source_labels": ["a"],
                "regex": "some-([^-]+)-([^,]+)",
                "target_label": "${1}",
                "replacement": "${3}",
            }
        ],
        {"a": "some-name-value"},
    ),
    _c(
        "target_expanding_to_invalid_name_is_skipped",
        {"a": "some-name-0"},
        [
            {
                "source_labels": ["a"],
                "regex": "some-([^-]+)-([^,]+)",
                "target_label": "${3}",
                "replacement": "${1}",
            },
            {
                "source_labels": ["a"],
                "regex": "some-([^-]+)-([^,]+)",
                "target_label": "${2}",
                "replacement": "${1}",
            },
        ],
        {"a": "some-name-0"},
    ),
    _c(
        "real_life_tags_to_path_and_job",
        {"__meta_sd_tags": "path:/secret,job:some-job,label:foo=bar"},
        [
            {
                "source_labels": ["__meta_sd_tags"],
                "regex": "(?:.+,|^)path:(/[^,]+).*",
                "target_label": "__metrics_path__",
            },
            {"source_labels": ["__meta_sd_tags"], "regex": "(?:.+,|^)job:([^,]+).*", "target_label": "job"},
            {
                "source_labels": ["__meta_sd_tags"],
                "regex": "(?:.+,|^)label:([^=]+)=([^,]+).*",
                "target_label": "${1}",
                "replacement": "${2}",
            },
        ],
        {
            "__meta_sd_tags": "path:/secret,job:some-job,label:foo=bar",
            "__metrics_path__": "/secret",
            "job": "some-job",
            "foo": "bar",
        },
    ),
    _c(
        "hashmod_missing_label",
        {"a": "foo"},
        [{"source_labels": ["c"], "target_label": "d", "action": "hashmod", "modulus": 1000}],
        {"a": "foo", "d": "958"},
    ),
    _c(
        "hashmod_value",
        {"a": "foo", "b": "bar"},
        [{"source_labels": ["a"], "target_label": "b", "action": "hashmod", "modulus": 1000}],
        {"a": "foo", "b": "696"},
    ),
    _c(
        "hashmod_large_modulus_uses_low_eight_bytes",
        {"a": "foo"},
        [{"source_labels": ["a"], "target_label": "h", "action": "hashmod", "modulus": 18446744073709551615}],
        {"a": "foo", "h": "17145033699835028696"},
    ),
    _c(
        "labelmap_prefix",
        {"a": "foo", "b1": "bar", "b2": "baz"},
        [{"regex": "(b.*)", "replacement": "bar_${1}", "action": "labelmap"}],
        {"a": "foo", "b1": "bar", "b2": "baz", "bar_b1": "bar", "bar_b2": "baz"},
    ),
    _c(
        "labelmap_meta_strip",
        {"__meta_my_bar": "aaa", "__meta_my_baz": "bbb", "__meta_other": "ccc"},
        [{"regex": "__meta_(my.*)", "replacement": "${1}", "action": "labelmap"}],
        {
            "__meta_my_bar": "aaa",
            "__meta_my_baz": "bbb",
            "__meta_other": "ccc",
            "my_bar": "aaa",
            "my_baz": "bbb",
        },
    ),
    _c(
        "labelmap_collision_last_sorted_wins",
        {"x_a": "1", "y_a": "2"},
        [{"regex": "[xy]_(a)", "replacement": "$1", "action": "labelmap"}],
        {"x_a": "1", "y_a": "2", "a": "2"},
    ),
    _c(
        "labeldrop",
        {"a": "foo", "b": "bar", "c": "baz"},
        [{"regex": "a|b", "action": "labeldrop"}],
        {"c": "baz"},
    ),
    _c(
        "labelkeep",
        {"a": "foo", "b": "bar", "c": "baz"},
        [{"regex": "(b|c)", "action": "labelkeep"}],
        {"b": "bar", "c": "baz"},
    ),
    _c(
        "lowercase",
        {"foo": "BaR", "x": "İSTANBUL"},
        [
            {"source_labels": ["foo"], "target_label": "lo", "action": "lowercase"},
            {"source_labels": ["x"], "target_label": "ly", "action": "lowercase"},
        ],
        {"foo": "BaR", "x": "İSTANBUL", "lo": "bar", "ly": "istanbul"},
    ),
    _c(
        "uppercase_simple_case_mapping",
        {"foo": "straße-ǆ"},
        [
            {"source_labels": ["foo"], "target_label": "up", "action": "uppercase"},
        ],
        {"foo": "straße-ǆ", "up": "STRAßE-Ǆ"},
    ),
    _c(
        "lowercase_empty_deletes_target",
        {"t": "x"},
        [
            {"source_labels": ["missing"], "target_label": "t", "action": "lowercase"},
        ],
        {},
    ),
    _c(
        "keepequal_keeps_on_equal",
        {"a": "1", "b": "1"},
        [{"source_labels": ["a"], "target_label": "b", "action": "keepequal"}],
        {"a": "1", "b": "1"},
    ),
    _c(
        "keepequal_drops_on_difference",
        {"a": "1", "b": "2"},
        [{"source_labels": ["a"], "target_label": "b", "action": "keepequal"}],
        None,
    ),
    _c(
        "dropequal_drops_on_equal",
        {"a": "1", "b": "1"},
        [{"source_labels": ["a"], "target_label": "b", "action": "dropequal"}],
        None,
    ),
    _c(
        "dropequal_keeps_on_difference",
        {"a": "1", "b": "2"},
        [{"source_labels": ["a"], "target_label": "b", "action": "dropequal"}],
        {"a": "1", "b": "2"},
    ),
    _c(
        "custom_separator_and_order",
        {"a": "x", "b": "y"},
        [
            {
                "source_labels": ["b", "a"],
                "separator": "--",
                "regex": "(.*)--(.*)",
                "target_label": "j",
                "replacement": "$2.$1",
            }
        ],
        {"a": "x", "b": "y", "j": "x.y"},
    ),
    _c(
        "dot_does_not_match_newline",
        {"a": "x\ny"},
        [{"source_labels": ["a"], "regex": "x.y", "action": "drop"}],
        {"a": "x\ny"},
    ),
    _c(
        "case_insensitive_flag",
        {"a": "FOO"},
        [{"source_labels": ["a"], "regex": "(?i)foo", "target_label": "m", "replacement": "yes"}],
        {"a": "FOO", "m": "yes"},
    ),
    _c(
        "leftmost_first_alternation",
        {"a": "ab"},
        [{"source_labels": ["a"], "regex": "(a|ab)(.*)", "target_label": "g", "replacement": "$1|$2"}],
        {"a": "ab", "g": "a|b"},
    ),
    _c(
        "unicode_dot_is_one_rune",
        {"a": "éx"},
        [{"source_labels": ["a"], "regex": "..", "action": "keep"}],
        {"a": "éx"},
    ),
    _c(
        "unicode_group_capture",
        {"a": "ölfaß"},
        [{"source_labels": ["a"], "regex": "(.)(.*)(.)", "target_label": "t", "replacement": "$1-${3}"}],
        {"a": "ölfaß", "t": "ö-ß"},
    ),
    _c(
        "target_with_suffix_after_ref",
        {"kind": "http"},
        [{"source_labels": ["kind"], "regex": "(.+)", "target_label": "${1}_enabled", "replacement": "true"}],
        {"kind": "http", "http_enabled": "true"},
    ),
]


def config_of(step: dict[str, Any]) -> RelabelConfig:
    return RelabelConfig(**{**step, "source_labels": tuple(step.get("source_labels", ()))})


def yaml_step(cfg: RelabelConfig) -> str:
    """A flow-style YAML mapping naming only the non-default fields (JSON strings are valid YAML)."""
    parts: list[str] = []
    if cfg.source_labels:
        parts.append(f"source_labels: {json.dumps(list(cfg.source_labels))}")
    if cfg.separator != DEFAULT_SEPARATOR:
        parts.append(f"separator: {json.dumps(cfg.separator)}")
    if cfg.regex != DEFAULT_REGEX:
        parts.append(f"regex: {json.dumps(cfg.regex)}")
    if cfg.modulus:
        parts.append(f"modulus: {cfg.modulus}")
    if cfg.target_label:
        parts.append(f"target_label: {json.dumps(cfg.target_label)}")
    if cfg.replacement != DEFAULT_REPLACEMENT:
        parts.append(f"replacement: {json.dumps(cfg.replacement)}")
    parts.append(f"action: {cfg.action.value}")
    return "{" + ", ".join(parts) + "}"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize any test taking `relabel_case` over the shared case table."""
    if "relabel_case" in metafunc.fixturenames:
        metafunc.parametrize("relabel_case", CASES, ids=[c.name for c in CASES])


@pytest.fixture
def step_config() -> Callable[[dict[str, Any]], RelabelConfig]:
    return config_of


@pytest.fixture
def step_yaml() -> Callable[[RelabelConfig], str]:
    return yaml_step


@pytest.fixture
def all_case_configs() -> list[RelabelConfig]:
    return [config_of(s) for c in CASES for s in c.steps]


@pytest.fixture
def relabel_case_table() -> list[Case]:
    return CASES
