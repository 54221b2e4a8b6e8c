# ruff: noqa: E501 - the corpus is data: one template per line reads best
"""Differential test against promtool 2.42: our renderings of ~120 annotation templates must be what
`promtool test rules` expects.

One rule file gets one alerting rule per template (`expr` gives a known value with known labels); the
test file's `exp_annotations` are what erpmon's Expander renders, the way Prometheus's
rules/alerting.go calls it (ALERT_TEMPLATE_DEFS + text, "__alert_" + name, alert labels, value, eval
time, a query function over the test's series). promtool fails the run on the first mismatch and
prints the alert, so a failure shows which template differs.
"""

from __future__ import annotations

import math
import subprocess
from pathlib import Path
from typing import Any

import yaml
from tests.support import need_binary

from erpmon.templates import ALERT_TEMPLATE_DEFS, Expander, QuerySample, TemplateError, alert_template_data

EVAL_MS = 5 * 60 * 1000
EXTERNAL_URL = "http://prom.example.com:9090/prefix"
EXTERNAL_LABELS = {"cluster": "eu-1", "replica": "a"}
SERIES = {
    'up{instance="b:9100", job="node"}': ({"__name__": "up", "instance": "b:9100", "job": "node"}, 1.0),
    'up{instance="a:9100", job="node"}': ({"__name__": "up", "instance": "a:9100", "job": "node"}, 0.0),
    'node_load1{instance="host-1.example.com:9100", job="node"}': (
        {"__name__": "node_load1", "instance": "host-1.example.com:9100", "job": "node"},
        1234.5678,
    ),
}
BASE_LABELS = {"instance": "host-1.example.com:9100", "job": "node"}

VALUES = [
    "0", "1", "-1", "0.5", "999", "1000", "1234.5678", "-1234.5678", "1e6", "-2.5e9", "1.5e12", "3.3e15", "7e21",
    "1e27", "0.001", "1.234e-6", "-1e-9", "1e-15", "1e-21", "1e-27", "1023", "1048576", "NaN", "Inf", "-Inf",
]  # fmt: skip
HUMANIZERS = ["humanize", "humanize1024", "humanizeDuration", "humanizePercentage"]
DURATIONS = ["0.000123", "0.5", "1.5", "59.99", "61.5", "3599.9", "86399", "90061.25", "-90061.25", "1e-9"]

TEMPLATES = [
    "{{ $value }}",
    "{{ .Value }} {{ printf `%.2f` $value }} {{ printf `%5.1f|%-8.3e|%g` $value $value $value }}",
    "{{ printf `%d` 3 }} {{ printf `%.2f` 3 }} {{ printf `%s` 1.5 }} {{ printf `%s %s` `a` }} {{ printf `%d` `x` 2 }}",
    "{{ printf `%x %X %o %b %c %q %t %%` 255 255 8 5 65 `q` true }} {{ printf `%05d|%+d|% d|%-4d|` 42 42 42 42 }}",
    "{{ printf `%*d|%-*d|%.*f` 5 1 4 2 2 3.14159 }} {{ printf `%e %E %G` 1234.5678 0.000012 1e21 }}",
    "{{ range $k, $v := $labels }}{{ $k }}={{ $v }};{{ end }}",
    "{{ $labels.instance }} {{ $labels.missing }}|{{ .Labels.job }}",
    "{{ $externalLabels.cluster }} {{ $externalLabels }} {{ $externalURL }}",
    "{{ externalURL }} {{ pathPrefix }} {{ graphLink `rate(x[5m]) > 0` }} {{ tableLink `up == 0` }}",
    "{{ if gt $value 1000.0 }}big{{ else if gt $value 10.0 }}medium{{ else }}small{{ end }}",
    "{{ if eq $labels.job `node` }}node{{ end }}{{ if not (eq $labels.job `x`) }} not-x{{ end }}",
    "{{ with $labels.instance }}on {{ . }}{{ else }}nowhere{{ end }}{{ with $labels.nope }}x{{ else }} none{{ end }}",
    '{{ define "host" }}[{{ . | stripPort | toUpper }}]{{ end }}{{ template "host" $labels.instance }}',
    '{{ block "b" $labels.job }}<{{ . }}>{{ end }}',
    '{{ reReplaceAll "(.*)\\\\.example\\\\.com:(\\\\d+)" "$1 port $2" $labels.instance }}',
    '{{ reReplaceAll "o+" "0" "foo boo" }} {{ reReplaceAll "(?P<a>h)" "${a}H" "hah" }} {{ reReplaceAll "x*" "-" "abc" }}',
    '{{ match "^host" $labels.instance }} {{ title "hello wORLD foo_bar" }} {{ toUpper "abc" }} {{ toLower "ABC" }}',
    "{{ safeHtml `<b>x</b>` }} {{ html `<b>&` }} {{ js `it's` }} {{ urlquery `a b&c` }}",
    '{{ query "up" | sortByLabel "instance" | first | label "instance" }}',
    '{{ range query "up" | sortByLabel "instance" }}{{ .Labels.instance }}={{ .Value }} {{ end }}',
    '{{ with query "up == 0" }}{{ . | first | value }}{{ end }}',
    '{{ (query "node_load1" | first).Value | humanize }} {{ query "node_load1" | first | strvalue }}|',
    '{{ with query "absent_metric" }}x{{ else }}no data{{ end }}',
    '{{ len (query "up") }}',
    "{{ humanizeTimestamp 1234567890.123 }} {{ humanizeTimestamp 0 }} {{ humanizeTimestamp -1.5 }}",
    "{{ (toTime 1700000000).Unix }} {{ toTime 1.5 }} {{ humanizeTimestamp $value }}",
    "{{ parseDuration `1h30m` }} {{ parseDuration `90s` }} {{ parseDuration `1d` }} {{ parseDuration `500ms` }}",
    "{{ stripPort `host:9100` }} {{ stripPort `[::1]:80` }} {{ stripPort `host` }}",
    "{{ stripDomain `host.example.com:9100` }} {{ stripDomain `10.0.0.1:80` }} {{ stripDomain `a.b.c` }}",
    '{{ define "sub" }}{{ .arg0 }}-{{ .arg1 }}{{ end }}{{ template "sub" (args 1 "x") }}',
    "{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ end }}{{ $x }} {{ $v := printf `%.1f` $value }}{{ $v }}",
    "{{ and 1 0 }} {{ or 0 `` `x` }} {{ not 0 }} {{ len `abc` }} {{ index $labels `job` }} {{ slice `abcdef` 1 3 }}",
    "{{ eq 1 1 2 }} {{ ne `a` `b` }} {{ lt 1.5 2.5 }} {{ ge 2 2 }} {{ print 1 2 `a` }} {{ println `x` }}",
    "{{- /* trimmed */ -}}  {{ `a` }}  {{- `b` -}}  c",
    "{{ humanize `1234` }} {{ humanize 42 }} {{ humanize1024 `2048` }}",
    "{{ humanize `abc` }}",
    "{{ printf `%v` }} {{ $labels.instance.x }}",
    "{{ eq 1 1.0 }}",
    "{{ .Foo }}",
]


def our_query(expr: str, ts: int) -> list[QuerySample]:
    assert ts == EVAL_MS
    if expr == "up":
        return [QuerySample(*SERIES[k]) for k in SERIES if k.startswith("up")]
    if expr == "up == 0":
        return [QuerySample(*SERIES['up{instance="a:9100", job="node"}'])]
    if expr == "node_load1":
        return [QuerySample(*SERIES['node_load1{instance="host-1.example.com:9100", job="node"}'])]
    return []


def render(name: str, text: str, value: float) -> str:
    """As rules/alerting.go renders an annotation; $labels are the sample's labels (no __name__ after
    the arithmetic). promtool 2.42 gives the template functions a nil external URL (only the
    `$externalURL` string is set), hence None."""
    data = alert_template_data(BASE_LABELS, EXTERNAL_LABELS, EXTERNAL_URL, value)
    expander = Expander(ALERT_TEMPLATE_DEFS + text, "__alert_" + name, data, EVAL_MS, our_query, None)
    try:
        return expander.expand()
    except TemplateError as err:
        return f"<error expanding template: {err}>"


def corpus() -> list[tuple[str, str]]:
    """(value expression, template) pairs."""
    out = [(v, f"{{{{ $value | {h} }}}}") for h in HUMANIZERS for v in VALUES]
    out += [(v, "{{ humanizeTimestamp $value }}") for v in ("0", "1234567890.123", "-1.5", "NaN", "1e20")]
    out += [(d, "{{ humanizeDuration $value }}") for d in DURATIONS]
    out += [("1234.5678", t) for t in TEMPLATES]
    return out


def _value(expr: str) -> float:
    specials = {"Inf": math.inf, "-Inf": -math.inf, "NaN": math.nan}
    return specials[expr] if expr in specials else float(expr)


def build(tmp: Path) -> tuple[Path, int]:
    rules: list[dict[str, Any]] = []
    expected: list[dict[str, Any]] = []
    for i, (value, text) in enumerate(corpus()):
        name = f"T{i:03d}"
        rules.append(
            {
                "alert": name,
                "expr": f"node_load1 * 0 + {value}"
                if not value.startswith("-")
                else f"node_load1 * 0 - {value[1:]}",
                "labels": {"severity": "page"},
                "annotations": {"a": text},
            }
        )
        expected.append(
            {
                "eval_time": "5m",
                "alertname": name,
                "exp_alerts": [
                    {
                        "exp_labels": {**BASE_LABELS, "severity": "page"},
                        "exp_annotations": {"a": render(name, text, _value(value))},
                    }
                ],
            }
        )
    (tmp / "rules.yml").write_text(yaml.safe_dump({"groups": [{"name": "templates", "rules": rules}]}))
    tests = {
        "rule_files": ["rules.yml"],
        "evaluation_interval": "1m",
        "tests": [
            {
                "interval": "1m",
                "external_labels": EXTERNAL_LABELS,
                "external_url": EXTERNAL_URL,
                "input_series": [{"series": s, "values": f"{v}+0x10"} for s, (_, v) in SERIES.items()],
                "alert_rule_test": expected,
            }
        ],
    }
    (tmp / "test.yml").write_text(yaml.safe_dump(tests, allow_unicode=True))
    return tmp / "test.yml", len(rules)


def test_promtool_renders_every_template_as_we_do(tmp_path: Path) -> None:
    promtool = need_binary("promtool")
    test_file, count = build(tmp_path)
    assert count >= 80
    proc = subprocess.run(
        [promtool, "test", "rules", test_file.name], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
