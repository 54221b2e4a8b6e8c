"""RelabelConfig validation: Prometheus 2.42's checks, order and wording, confirmed by promtool."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from erpmon.relabel import Action, RegexError, RelabelConfig, RelabelConfigError

PROMTOOL = shutil.which("promtool")
needs_promtool = pytest.mark.skipif(PROMTOOL is None, reason="promtool (Prometheus 2.42) not installed")

# (kwargs, YAML step as a user writes it, expected error)
INVALID: list[tuple[dict[str, Any], str, str]] = [
    (
        {"action": "hashmod", "target_label": "h"},
        "{action: hashmod, target_label: h}",
        "relabel configuration for hashmod requires non-zero modulus",
    ),
    (
        {"source_labels": ("a",)},
        "{source_labels: [a]}",
        "relabel configuration for replace action requires 'target_label' value",
    ),
    (
        {"action": "hashmod", "modulus": 4},
        "{action: hashmod, modulus: 4}",
        "relabel configuration for hashmod action requires 'target_label' value",
    ),
    (
        {"target_label": "1bad"},
        "{target_label: 1bad}",
        "\"1bad\" is invalid 'target_label' for replace action",
    ),
    ({"target_label": "a-b"}, "{target_label: a-b}", "\"a-b\" is invalid 'target_label' for replace action"),
    (
        {"action": "lowercase"},
        "{action: lowercase}",
        "relabel configuration for lowercase action requires 'target_label' value",
    ),
    (
        {"action": "uppercase", "target_label": "42lab"},
        "{action: uppercase, target_label: 42lab}",
        "\"42lab\" is invalid 'target_label' for uppercase action",
    ),
    (
        {"action": "lowercase", "target_label": "x", "replacement": "y"},
        "{action: lowercase, target_label: x, replacement: y}",
        "'replacement' can not be set for lowercase action",
    ),
    (
        {"action": "labelmap", "replacement": "l-$1"},
        "{action: labelmap, replacement: l-$1}",
        "\"l-$1\" is invalid 'replacement' for labelmap action",
    ),
    (
        {"action": "hashmod", "modulus": 2, "target_label": "${1}"},
        "{action: hashmod, modulus: 2, target_label: '${1}'}",
        "\"${1}\" is invalid 'target_label' for hashmod action",
    ),
    (
        {"action": "keepequal"},
        "{action: keepequal}",
        "relabel configuration for keepequal action requires 'target_label' value",
    ),
    (
        {"action": "dropequal", "target_label": "t", "separator": ","},
        "{action: dropequal, target_label: t, separator: ','}",
        "dropequal action requires only 'source_labels' and `target_label`, and no other fields",
    ),
    (
        {"action": "keepequal", "target_label": "t", "regex": "(.*)", "regex_given": True},
        "{action: keepequal, target_label: t, regex: '(.*)'}",
        "keepequal action requires only 'source_labels' and `target_label`, and no other fields",
    ),
    (
        {"action": "labeldrop", "source_labels": ("a",)},
        "{action: labeldrop, source_labels: [a]}",
        "labeldrop action requires only 'regex', and no other fields",
    ),
    (
        {"action": "labelkeep", "target_label": "a"},
        "{action: labelkeep, target_label: a}",
        "labelkeep action requires only 'regex', and no other fields",
    ),
    (
        {"action": "labelkeep", "modulus": 3},
        "{action: labelkeep, modulus: 3}",
        "labelkeep action requires only 'regex', and no other fields",
    ),
    (
        {"action": "labeldrop", "separator": ","},
        "{action: labeldrop, separator: ','}",
        "labeldrop action requires only 'regex', and no other fields",
    ),
    (
        {"action": "labeldrop", "replacement": "x"},
        "{action: labeldrop, replacement: x}",
        "labeldrop action requires only 'regex', and no other fields",
    ),
    (
        {"action": "labeldrop", "source_labels": (), "source_labels_given": True},
        "{action: labeldrop, source_labels: []}",
        "labeldrop action requires only 'regex', and no other fields",
    ),
    ({"action": "frobnicate"}, "{action: frobnicate}", 'unknown relabel action "frobnicate"'),
]

INVALID_REGEX: list[tuple[str, str]] = [
    ("(a", "error parsing regexp: missing closing ): `^(?:(a)$`"),
    ("\\C", "error parsing regexp: invalid escape sequence: `\\C`"),
    ("(?<n>a)", "error parsing regexp: invalid or unsupported Perl syntax: `(?<`"),
    ("a{1001}", "error parsing regexp: invalid repeat count: `{1001}`"),
    ("[z-a]", "error parsing regexp: invalid character class range: `z-a`"),
    ("a**", "error parsing regexp: invalid nested repetition operator: `**`"),
    ("\\Z", "error parsing regexp: invalid escape sequence: `\\Z`"),
]


@pytest.mark.parametrize(("kwargs", "yaml_text", "message"), INVALID, ids=[m for _, _, m in INVALID])
def test_invalid_config_message(kwargs: dict[str, Any], yaml_text: str, message: str) -> None:
    with pytest.raises(RelabelConfigError) as err:
        RelabelConfig(**kwargs)
    assert str(err.value) == message


@pytest.mark.parametrize(("pattern", "message"), INVALID_REGEX, ids=[p for p, _ in INVALID_REGEX])
def test_invalid_regex_message(pattern: str, message: str) -> None:
    with pytest.raises(RegexError) as err:
        RelabelConfig(regex=pattern, target_label="t")
    assert str(err.value) == message


def test_regex_syntax_go_accepts() -> None:
    for pattern in ["[[:word:]]+", "\\Q.*\\E", "a{,3}", "(?P<n>a)(?P<m>b)", "\\pL+", "(?i)x", "(?s:.)"]:
        RelabelConfig(regex=pattern, target_label="t")


def test_valid_edge_configs() -> None:
    RelabelConfig(action=Action.KEEPEQUAL, source_labels=("a",), target_label="b")
    RelabelConfig(action=Action.LABELDROP, regex="tmp_.*")
    RelabelConfig(action=Action.HASHMOD, source_labels=("a",), target_label="h", modulus=(1 << 64) - 1)
    RelabelConfig(target_label="${1}_x${name}")


def _check_config(
    tmp_path: Path, steps: list[str], name: str = "prometheus.yml"
) -> subprocess.CompletedProcess[str]:
    assert PROMTOOL is not None
    body = "scrape_configs:\n  - job_name: relabel\n    relabel_configs:\n"
    body += "".join(f"      - {s}\n" for s in steps)
    body += "    metric_relabel_configs:\n" + "".join(f"      - {s}\n" for s in steps)
    body += "alerting:\n  alert_relabel_configs:\n" + "".join(f"    - {s}\n" for s in steps)
    path = tmp_path / name
    path.write_text(body)
    return subprocess.run(
        [PROMTOOL, "check", "config", str(path)], capture_output=True, text=True, check=False
    )


@needs_promtool
def test_every_test_config_passes_promtool(
    tmp_path: Path, all_case_configs: list[RelabelConfig], step_yaml: Any
) -> None:
    steps = [step_yaml(cfg) for cfg in all_case_configs]
    steps += [
        step_yaml(RelabelConfig(target_label="t", regex=p)) for p in ["[[:word:]]+", "\\Q.*\\E", "a{,3}"]
    ]
    result = _check_config(tmp_path, steps)
    assert result.returncode == 0, result.stdout + result.stderr


@needs_promtool
@pytest.mark.parametrize(("kwargs", "yaml_text", "message"), INVALID, ids=[m for _, _, m in INVALID])
def test_promtool_rejects_invalid_config_with_same_message(
    tmp_path: Path, kwargs: dict[str, Any], yaml_text: str, message: str
) -> None:
    result = _check_config(tmp_path, [yaml_text])
    assert result.returncode != 0
    assert message in result.stdout + result.stderr


@needs_promtool
@pytest.mark.parametrize(("pattern", "message"), INVALID_REGEX, ids=[p for p, _ in INVALID_REGEX])
def test_promtool_rejects_invalid_regex_with_same_message(tmp_path: Path, pattern: str, message: str) -> None:
    step = "{regex: '" + pattern.replace("'", "''") + "', target_label: t}"
    result = _check_config(tmp_path, [step])
    assert result.returncode != 0
    assert message in result.stdout + result.stderr
