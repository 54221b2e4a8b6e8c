"""Default and user templates render as Alertmanager 0.25 renders them (`amtool template render`)."""

from __future__ import annotations

import json
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from tests.support import need_binary

from erpmon.alerting import Alert
from erpmon.alerting.templates import TemplateSet
from erpmon.model import Labels

S = 1_000_000_000
NOW = 1_700_000_000 * S


def alert(name: str, *, resolved: bool = False, **labels: str) -> Alert:
    ann = Labels.from_sorted(
        tuple(
            sorted(
                {
                    "summary": f"{name} on {labels.get('instance', '?')}",
                    "runbook": "https://x/r?a=1&b=<2>",
                }.items()
            )
        )
    )
    return Alert(
        Labels({"alertname": name, **labels}),
        ann,
        NOW - 600 * S,
        NOW - 60 * S if resolved else NOW + 300 * S,
        f"http://prom/graph?g0.expr={name}",
    )


DATA_SETS = {
    "one": ("team-a", {"alertname": "Disk"}, [alert("Disk", instance="db1", severity="warning")]),
    "many": (
        "pager",
        {"alertname": "Disk", "service": "db"},
        [alert("Disk", instance=f"db{i}", severity="warning", service="db") for i in range(3)],
    ),
    "mixed": (
        "re.cv",
        {},
        [alert("Api", instance="a", job="api"), alert("Api", instance="b", job="api", resolved=True)],
    ),
    "resolved": ("x", {"alertname": "Api"}, [alert("Api", instance="b", resolved=True)]),
    "unicode": ("ünï", {"alertname": "Dïsk"}, [alert("Dïsk", instance="☃", note='say "hi" & <bye>')]),
}
TEMPLATES = [
    '{{ template "__subject" . }}',
    '{{ template "__text_alert_list" .Alerts }}',
    '{{ template "slack.default.title" . }}',
    '{{ template "slack.default.fallback" . }}',
    '{{ template "slack.default.titlelink" . }}',
    '{{ template "pagerduty.default.description" . }}',
    '{{ template "pagerduty.default.instances" .Alerts.Firing }}',
    '{{ template "opsgenie.default.description" . }}',
    '{{ template "opsgenie.default.source" . }}',
    '{{ template "email.default.subject" . }}',
    '{{ range .Alerts }}{{ .Labels.SortedPairs.Names | join "," }};{{ end }}',
    "{{ .CommonLabels.Remove .GroupLabels.Names }}|{{ .Receiver }}|{{ .Status }}",
    "{{ range .Alerts.Resolved }}{{ .Fingerprint }} {{ .Labels.instance | toUpper }}{{ end }}",
    '{{ reReplaceAll "(d|D)b(\\\\d)" "host-$2" (index .Alerts 0).Labels.instance }}',
    '{{ title "hello world" }} {{ toLower "ABC" }} {{ match "^db" "db1" }}',
    '{{ stringSlice "a" "b" | join "+" }}',
    '{{ range .Alerts }}{{ .StartsAt.Format "2006-01-02 15:04:05" }}{{ end }}',
]
HTML_TEMPLATES = [
    '<p title="{{ (index .Alerts 0).Annotations.runbook }}">'
    "{{ range .Alerts }}{{ .Annotations.summary }}{{ end }}</p>",
    '{{ range .Alerts }}<b>{{ .Labels.note }}</b>{{ end }}{{ safeHtml "<i>ok</i>" }}',
]


# Debian builds amtool without its embedded default templates; it ships them in /usr/share.
def amtool_render(data_file: Path, text: str, kind: str) -> str:
    done = subprocess.run(
        [
            need_binary("amtool"),
            "template",
            "render",
            "--template.glob=/usr/share/prometheus/alertmanager/*.tmpl",
            f"--template.text={text}",
            f"--template.type={kind}",
            f"--template.data={data_file}",
        ],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_defaults_and_functions_match_amtool(tmp_path: Path) -> None:
    need_binary("amtool")
    ts = TemplateSet.load([], external_url="http://am.example:9093")
    jobs = []
    for name, (receiver, group, alerts) in DATA_SETS.items():
        data = ts.data(receiver, Labels(group), alerts, NOW)
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(data.to_json()))
        # amtool renders the data as given: the receiver is already quoted in it.
        jobs += [(name, path, t, "text", ts.text(t, data)) for t in TEMPLATES]
        jobs += [(name, path, t, "html", ts.html(t, data)) for t in HTML_TEMPLATES]
    with ThreadPoolExecutor(4) as pool:
        theirs = list(pool.map(lambda j: amtool_render(j[1], j[2], j[3]), jobs))
    diffs = [(j[0], j[2], j[4], t) for j, t in zip(jobs, theirs, strict=True) if j[4] != t]
    assert diffs == []


@pytest.mark.parametrize("bad", ['{{ define "x" }}', "{{ .Nope."])
def test_user_template_errors_name_the_file(tmp_path: Path, bad: str) -> None:
    from erpmon.alerting.templates import TemplateLoadError

    (tmp_path / "bad.tmpl").write_text(bad)
    with pytest.raises(TemplateLoadError, match=r"bad\.tmpl"):
        TemplateSet.load([str(tmp_path / "*.tmpl")], external_url="")


def test_user_templates_override_and_add(tmp_path: Path) -> None:
    (tmp_path / "a.tmpl").write_text('{{ define "slack.default.title" }}custom {{ .Status }}{{ end }}')
    ts = TemplateSet.load([str(tmp_path / "*.tmpl")], external_url="")
    data = ts.data("r", Labels(), [alert("A")], NOW)
    assert ts.text('{{ template "slack.default.title" . }}', data) == "custom firing"


def test_email_html_has_the_content_and_escapes(tmp_path: Path) -> None:
    ts = TemplateSet.load([], external_url="http://am")
    receiver, group, alerts = DATA_SETS["unicode"]
    html = ts.html('{{ template "email.default.html" . }}', ts.data(receiver, Labels(group), alerts, NOW))
    assert "say &#34;hi&#34; &amp; &lt;bye&gt;" in html and "<bye>" not in html
    assert ">Source</a>" in html and "View in Alertmanager" in html and "[1] Firing" in html
