"""promtool's unit-test files: decoded as `yaml.UnmarshalStrict` (yaml.v2) decodes them in 2.42.

Unknown and repeated fields and type mismatches are collected into one
`yaml: unmarshal errors:` message listing `line N: ...`; a bad duration ends decoding at once
with the duration's own message, as a Go `UnmarshalYAML` error does. Rule file paths are
resolved against the test file's directory and globbed; a pattern matching nothing is a warning.
"""

from __future__ import annotations

import glob
import os
import sys
from dataclasses import dataclass, field

import yaml

from erpmon.config._decode import Decoder
from erpmon.config._units import parse_duration
from erpmon.config._yamlnode import Node, compose

DEFAULT_EVALUATION_INTERVAL_MS = 60_000


class TestFileError(Exception):
    """A test file promtool refuses before running anything; str() is promtool's message."""


@dataclass(frozen=True)
class InputSeries:
    series: str
    values: str


@dataclass(frozen=True)
class ExpAlert:
    labels: dict[str, str]
    annotations: dict[str, str]


@dataclass(frozen=True)
class AlertTestCase:
    eval_time_ms: int
    alertname: str
    exp_alerts: tuple[ExpAlert, ...]


@dataclass(frozen=True)
class ExpSample:
    labels: str
    value: float


@dataclass(frozen=True)
class PromqlTestCase:
    expr: str
    eval_time_ms: int
    exp_samples: tuple[ExpSample, ...]


@dataclass(frozen=True)
class TestGroup:
    interval_ms: int = 0
    input_series: tuple[InputSeries, ...] = ()
    alert_rule_tests: tuple[AlertTestCase, ...] = ()
    promql_expr_tests: tuple[PromqlTestCase, ...] = ()
    external_labels: dict[str, str] = field(default_factory=dict)
    external_url: str = ""
    name: str = ""

    def max_eval_time_ms(self) -> int:
        times = [t.eval_time_ms for t in self.alert_rule_tests]
        times += [t.eval_time_ms for t in self.promql_expr_tests]
        return max(times, default=0)


@dataclass(frozen=True)
class TestFile:
    rule_files: tuple[str, ...] = ()
    evaluation_interval_ms: int = DEFAULT_EVALUATION_INTERVAL_MS
    group_eval_order: tuple[str, ...] = ()
    tests: tuple[TestGroup, ...] = ()


class _Fatal(Exception):
    """A custom unmarshaler's error: yaml.v2 stops decoding and returns only this."""


def load_test_file(path: str) -> TestFile:
    """Read, decode and resolve a test file; raises TestFileError with promtool's message."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError as err:
        raise TestFileError(f"open {path}: {(err.strerror or str(err)).lower()}") from err
    text = raw.decode("utf-8", "surrogateescape")
    try:
        root = compose(text)
    except yaml.YAMLError as err:
        raise TestFileError(_syntax_error(err)) from err
    dec = Decoder(path)
    try:
        parsed = _decode_file(dec, root) if root is not None else TestFile()
    except _Fatal as err:
        raise TestFileError(str(err)) from err
    if dec.problems:
        lines = [f"line {p.line}: {p.reason}" for p in sorted(dec.problems, key=lambda p: p.line)]
        raise TestFileError("yaml: unmarshal errors:\n  " + "\n  ".join(lines))
    rule_files = _resolve_rule_files(os.path.dirname(path), parsed.rule_files)
    return TestFile(rule_files, parsed.evaluation_interval_ms, parsed.group_eval_order, parsed.tests)


# PyYAML's wording of a problem -> libyaml's (which yaml.v2 reports), by message prefix.
_LIBYAML_WORDING = (
    ("expected <block end>", "did not find expected key"),
    ("expected ',' or ']'", "did not find expected ',' or ']'"),
    ("expected ',' or '}'", "did not find expected ',' or '}'"),
    ("mapping values are not allowed", "mapping values are not allowed in this context"),
    ("found character", "found character that cannot start any token"),
)


def _syntax_error(err: yaml.YAMLError) -> str:
    """yaml.v2's `yaml: line N: problem`. Its line is the 0-based problem line for parser errors
    (libyaml's marks are 0-based and yaml.v2 adds one only for scanner errors)."""
    mark = getattr(err, "problem_mark", None)
    reason = str(getattr(err, "problem", None) or err)
    if isinstance(err, yaml.parser.ParserError) and "<block end>" in reason:
        context = str(getattr(err, "context", "") or "")
        reason = "did not find expected '-' indicator" if "collection" in context else reason
    for prefix, libyaml in _LIBYAML_WORDING:
        if reason.startswith(prefix):
            reason = libyaml
            break
    line = 0
    if mark is not None:
        line = mark.line + 1 if isinstance(err, yaml.scanner.ScannerError) else mark.line
    return f"yaml: line {line}: {reason}" if line else f"yaml: {reason}"


def _resolve_rule_files(base: str, patterns: tuple[str, ...]) -> tuple[str, ...]:
    """resolveAndGlobFilepaths: join relative patterns to the test's directory, then glob."""
    out: list[str] = []
    for pattern in patterns:
        if pattern and not os.path.isabs(pattern):
            pattern = os.path.normpath(os.path.join(base or ".", pattern))
        matches = sorted(glob.glob(pattern, include_hidden=True)) if pattern else []
        if not matches:
            print("  WARNING: no file match pattern", pattern, file=sys.stderr)
        out.extend(matches)
    return tuple(out)


def _duration(dec: Decoder, node: Node | None) -> int:
    text = dec.custom_string(node)
    if text is None:
        return 0
    try:
        return parse_duration(text)
    except ValueError as err:
        raise _Fatal(str(err)) from err


_FILE_KEYS = ("rule_files", "evaluation_interval", "group_eval_order", "tests")


def _decode_file(dec: Decoder, root: Node) -> TestFile:
    f = dec.fields(
        root, "main.unitTestFile", ("rule_files", "evaluation_interval", "group_eval_order", "tests")
    )
    if f is None:
        return TestFile()
    rule_files = dec.string_list(f.get("rule_files")) or []
    interval = _duration(dec, f.get("evaluation_interval"))
    order = dec.string_list(f.get("group_eval_order")) or []
    tests = dec.sequence(f.get("tests"), lambda n: _decode_group(dec, n), "[]main.testGroup") or []
    return TestFile(tuple(rule_files), interval or DEFAULT_EVALUATION_INTERVAL_MS, tuple(order), tuple(tests))


_GROUP_KEYS = (
    "interval",
    "input_series",
    "alert_rule_test",
    "promql_expr_test",
    "external_labels",
    "external_url",
    "name",
)


def _decode_group(dec: Decoder, node: Node) -> TestGroup | None:
    f = dec.fields(node, "main.testGroup", _GROUP_KEYS)
    if f is None:
        return TestGroup()
    interval = _duration(dec, f.get("interval"))
    series = dec.sequence(f.get("input_series"), lambda n: _decode_series(dec, n), "[]main.series") or []
    alerts = dec.sequence(
        f.get("alert_rule_test"), lambda n: _decode_alert_test(dec, n), "[]main.alertTestCase"
    )
    exprs = dec.sequence(
        f.get("promql_expr_test"), lambda n: _decode_expr_test(dec, n), "[]main.promqlTestCase"
    )
    return TestGroup(
        interval_ms=interval,
        input_series=tuple(series),
        alert_rule_tests=tuple(alerts or ()),
        promql_expr_tests=tuple(exprs or ()),
        external_labels=dec.string_map(f.get("external_labels")) or {},
        external_url=dec.string(f.get("external_url")),
        name=dec.string(f.get("name")),
    )


def _decode_series(dec: Decoder, node: Node) -> InputSeries | None:
    f = dec.fields(node, "main.series", ("series", "values"))
    if f is None:
        return InputSeries("", "")
    return InputSeries(dec.string(f.get("series")), dec.string(f.get("values")))


def _decode_alert_test(dec: Decoder, node: Node) -> AlertTestCase | None:
    f = dec.fields(node, "main.alertTestCase", ("eval_time", "alertname", "exp_alerts"))
    if f is None:
        return AlertTestCase(0, "", ())
    eval_time = _duration(dec, f.get("eval_time"))
    name = dec.string(f.get("alertname"))
    exp = dec.sequence(f.get("exp_alerts"), lambda n: _decode_exp_alert(dec, n), "[]main.alert") or []
    return AlertTestCase(eval_time, name, tuple(exp))


def _decode_exp_alert(dec: Decoder, node: Node) -> ExpAlert | None:
    f = dec.fields(node, "main.alert", ("exp_labels", "exp_annotations"))
    if f is None:
        return ExpAlert({}, {})
    labels = dec.string_map(f.get("exp_labels")) or {}
    annotations = dec.string_map(f.get("exp_annotations")) or {}
    return ExpAlert(labels, annotations)


def _decode_expr_test(dec: Decoder, node: Node) -> PromqlTestCase | None:
    f = dec.fields(node, "main.promqlTestCase", ("expr", "eval_time", "exp_samples"))
    if f is None:
        return PromqlTestCase("", 0, ())
    expr = dec.string(f.get("expr"))
    eval_time = _duration(dec, f.get("eval_time"))
    samples = dec.sequence(f.get("exp_samples"), lambda n: _decode_sample(dec, n), "[]main.sample") or []
    return PromqlTestCase(expr, eval_time, tuple(samples))


def _decode_sample(dec: Decoder, node: Node) -> ExpSample | None:
    f = dec.fields(node, "main.sample", ("labels", "value"))
    if f is None:
        return ExpSample("", 0.0)
    return ExpSample(dec.string(f.get("labels")), dec.number(f.get("value"), 0.0))
