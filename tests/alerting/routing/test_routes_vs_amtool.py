"""Routing differential: `erpmon alerts routes test` and `amtool config routes test` (0.25) agree.

Seeded random label sets run against several routing trees: the ERPGo pack's, and trees with
`continue`, nested routes, regex matchers (with RE2 edge cases), `'...'` and the deprecated
match / match_re.
"""

from __future__ import annotations

import random
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from tests.support import ERPMON, need_binary

from erpmon.alerting.config import load_alertmanager_config
from erpmon.cli import main
from erpmon.cli._alerts import parse_label_args, receivers_for
from erpmon.packs.erpgo import alertmanager_config

RECEIVERS = "\n".join(f"  - name: {n}" for n in ("default", "a", "b", "c", "d", "e", "f"))

TREES = {
    "continue": """
route:
  receiver: default
  group_by: ['...']
  routes:
    - matchers: ['team="db"']
      receiver: a
      continue: true
    - matchers: ['team=~"db|web"', 'severity!="info"']
      receiver: b
      continue: true
    - matchers: ['severity="critical"']
      receiver: c
receivers:
""",
    "nested": """
route:
  receiver: default
  routes:
    - matchers: ['service=~"app.*"']
      receiver: a
      routes:
        - matchers: ['severity="critical"']
          receiver: b
          routes:
            - matchers: ['team!~"web|"']
              receiver: c
        - matchers: ['severity=~"warn.*"']
          receiver: d
          continue: true
        - matchers: ['instance=~".+:9\\\\d+"']
          receiver: e
    - matchers: ['service="business"']
      receiver: f
receivers:
""",
    "deprecated": """
route:
  receiver: default
  group_by: [alertname]
  routes:
    - match: {severity: critical}
      receiver: a
    - match_re: {service: '^(infra|business)$'}
      receiver: b
      continue: true
    - match_re: {alertname: 'Disk.*|[A-Z]{3}'}
      match: {team: web}
      receiver: c
    - matchers: ['alertname=~"(?i)high.*"']
      receiver: d
receivers:
""",
    # RE2 as Go has it: Unicode and POSIX classes, \Q..\E, (?i), \x{..}, empty alternatives.
    "re2": r"""
route:
  receiver: default
  routes:
    - matchers: ['alertname=~"\\pL{3}"']
      receiver: a
    - matchers: ['instance=~"[[:alpha:]]+:9\\d{2,}"']
      receiver: b
      continue: true
    - matchers: ['team=~"|db"']
      receiver: c
      continue: true
    - matchers: ['service=~"\\Qapp.\\E.*"']
      receiver: d
    - matchers: ['severity=~"(?i)CRIT.*"']
      receiver: e
    - matchers: ['alertname!~"x*"', 'service=~"\\x{61}pp.*"']
      receiver: f
receivers:
""",
}

NAMES = {
    "alertname": ["DiskFull", "HighErrorRate", "highLoad", "ABC", "AB", "ApiDown", "Disk", "Äbç", "x1"],
    "severity": ["critical", "warning", "warn", "info", "high", "", "CRITICAL", "Crit"],
    "service": ["application", "app", "business", "infrastructure", "infra", "security", "appx", "app.x"],
    "team": ["db", "web", "ops", ""],
    "instance": ["db1:9100", "web:9100", "Ab:99", "web:8080", "x:95", "a:9", "ünï:9100"],
}


def label_sets(n: int, seed: int) -> list[list[str]]:
    rnd = random.Random(seed)
    out = []
    for _ in range(n):
        chosen = rnd.sample(sorted(NAMES), rnd.randint(1, len(NAMES)))
        out.append([f"{k}={rnd.choice(NAMES[k])}" for k in chosen if rnd.random() < 0.9])
    return out


def tree_files(tmp_path: Path) -> dict[str, Path]:
    files = {"erpgo-pack": alertmanager_config()}
    for name, text in TREES.items():
        path = tmp_path / f"{name}.yml"
        path.write_text(text + RECEIVERS + "\n")
        files[name] = path
    return files


def amtool(path: Path, labels: list[str]) -> str:
    done = subprocess.run(
        [need_binary("amtool"), "config", "routes", "test", f"--config.file={path}", *labels],
        capture_output=True, text=True, timeout=30, cwd=path.parent,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_receivers_match_amtool(tmp_path: Path) -> None:
    need_binary("amtool")
    jobs = []
    for i, (name, path) in enumerate(tree_files(tmp_path).items()):
        route = load_alertmanager_config(path).route
        for labels in label_sets(64, seed=i):
            jobs.append((name, path, labels, ",".join(receivers_for(route, parse_label_args(labels)))))
    with ThreadPoolExecutor(4) as pool:
        theirs = list(pool.map(lambda j: amtool(j[1], j[2]), jobs))
    assert len(jobs) >= 300
    diffs = [(j[0], j[2], j[3], t) for j, t in zip(jobs, theirs, strict=True) if j[3] != t]
    assert diffs == []
    assert len({t for t in theirs}) >= 8  # the label sets reach many receiver combinations


@pytest.mark.parametrize(
    "args", [[], ["--tree"], ["--verify.receivers=nobody"], ["--verify.receivers=a,b,c"]]
)
def test_cli_output_and_exit_code_match_amtool(tmp_path: Path, args: list[str]) -> None:
    path = tree_files(tmp_path)["continue"]
    labels = ["team=db", "severity=critical"]
    ours = subprocess.run([*ERPMON, "alerts", "routes", "test", f"--config.file={path}", *args, *labels],
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    amtool_args = [need_binary("amtool"), "config", "routes", "test", f"--config.file={path}", *args, *labels]
    theirs = subprocess.run(amtool_args, capture_output=True, text=True, timeout=60)
    assert (ours.stdout, ours.returncode) == (theirs.stdout, theirs.returncode)


def test_routes_tree_matches_amtool(tmp_path: Path) -> None:
    for path in tree_files(tmp_path).values():
        ours = subprocess.run([*ERPMON, "alerts", "routes", f"--config.file={path}"], capture_output=True,
                              text=True, timeout=60)  # fmt: skip
        theirs = subprocess.run([need_binary("amtool"), "config", "routes", f"--config.file={path}"],
                                capture_output=True, text=True, timeout=60)  # fmt: skip
        assert ours.stdout == theirs.stdout


def test_matching_tree_matches_amtool(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`--tree` for a sample of label sets on every tree: the whole output, byte for byte."""
    jobs = [
        (path, labels)
        for i, path in enumerate(tree_files(tmp_path).values())
        for labels in label_sets(8, 100 + i)
    ]

    def run_amtool(job: tuple[Path, list[str]]) -> str:
        args = [
            need_binary("amtool"),
            "config",
            "routes",
            "test",
            f"--config.file={job[0]}",
            "--tree",
            *job[1],
        ]
        return subprocess.run(args, capture_output=True, text=True, timeout=30, check=True).stdout

    with ThreadPoolExecutor(4) as pool:
        theirs = list(pool.map(run_amtool, jobs))
    for (path, labels), expected in zip(jobs, theirs, strict=True):
        assert main(["alerts", "routes", "test", f"--config.file={path}", "--tree", *labels]) == 0
        assert capsys.readouterr().out == expected, labels
