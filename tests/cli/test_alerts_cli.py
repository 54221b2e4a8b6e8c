"""`erpmon alerts check-config` and `erpmon alerts routes [test]`: output and exit codes as amtool's.

In-process through `erpmon.cli.main`; each output is compared with amtool 0.25's on the same file
(the subprocess runs of our own executable are in tests/alerting/config and tests/alerting/routing).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from tests.support import ERPMON, need_binary

from erpmon.cli import main

CONFIG = """
route:
  receiver: default
  routes:
    - matchers: ['severity="critical"']
      receiver: pager
      continue: true
    - match_re: {service: 'db|cache'}
      receiver: dba
      routes:
        - matchers: ['env!="prod"']
          receiver: dba-test
    - matchers: ['team=~"a.*"', 'x="y"']
      receiver: team-a
receivers: [{name: default}, {name: pager}, {name: dba}, {name: dba-test}, {name: team-a}]
"""


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "am.yml"
    path.write_text(CONFIG)
    return path


def amtool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([need_binary("amtool"), *args], capture_output=True, text=True, timeout=60)


def ours(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[str, int]:
    code = main(["alerts", *args])
    return capsys.readouterr().out, code


@pytest.mark.parametrize(
    "args",
    [
        ["severity=critical", "service=db"],
        ["severity=critical", "service=db", "env=prod"],
        ["service=cache", "env=prod"],
        ["team=abc", "x=y"],
        ["team=abc"],
        [],
        ["--tree", "severity=critical", "service=db", "env=dev"],
        ["--tree", "nothing=here"],
        ["--verify.receivers=pager,dba-test", "severity=critical", "service=db"],
        ["--verify.receivers=pager", "severity=critical", "service=db"],
        ["--verify.receivers=default"],
        ['service="db"', "env = dev"],  # values may be quoted, spaces around '='
    ],
)
def test_routes_test_as_amtool(config: Path, capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    theirs = amtool("config", "routes", "test", f"--config.file={config}", *args)
    assert ours(capsys, "routes", "test", f"--config.file={config}", *args) == (
        theirs.stdout,
        theirs.returncode,
    )


def test_routes_tree_as_amtool(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    theirs = amtool("config", "routes", f"--config.file={config}")
    assert ours(capsys, "routes", f"--config.file={config}") == (theirs.stdout, 0)
    assert "└── default-route  receiver: default" in theirs.stdout


@pytest.mark.parametrize("label", ["a!=b", "a=~b", "1a=b", 'a="b'])
def test_bad_label_arguments_fail_as_amtool(
    config: Path, capsys: pytest.CaptureFixture[str], label: str
) -> None:
    theirs = amtool("config", "routes", "test", f"--config.file={config}", label)
    code = main(["alerts", "routes", "test", f"--config.file={config}", label])
    err = capsys.readouterr().err
    assert code == theirs.returncode == 1
    assert "Failed to parse labels: " in err and "Failed to parse labels: " in theirs.stderr
    reason = theirs.stderr.split("Failed to parse labels: ")[1].strip()
    assert reason in err


def test_routes_with_a_bad_config_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.yml"
    path.write_text("route: {receiver: nope}\nreceivers: [{name: r}]\n")
    assert main(["alerts", "routes", "test", f"--config.file={path}", "a=b"]) == 1
    assert f'{path}:1:19: undefined receiver "nope" used in route' in capsys.readouterr().err
    assert amtool("config", "routes", "test", f"--config.file={path}", "a=b").returncode == 1


def test_routes_needs_a_config_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["alerts", "routes", "test", "a=b"]) == 1
    assert "--config.file" in capsys.readouterr().err


def test_check_config_counts_and_exit_codes(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    theirs = amtool("check-config", str(config))
    assert ours(capsys, "check-config", str(config)) == (theirs.stdout, 0)
    assert " - 5 receivers" in theirs.stdout
    bad = tmp_path / "bad.yml"
    bad.write_text("route: {receiver: r, group_by: [a, a]}\nreceivers: [{name: r}]\n")
    out, code = ours(capsys, "check-config", str(config), str(bad))
    assert code == 1
    assert out.startswith(theirs.stdout)
    assert f"Checking '{bad}'  FAILED: {bad}:1:32: duplicated label \"a\" in group_by\n\n" in out


def test_check_config_template_failure(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "t.tmpl").write_text('{{ define "x" }}{{ .Foo }\n')
    path = tmp_path / "am.yml"
    path.write_text("route: {receiver: r}\nreceivers: [{name: r}]\ntemplates: ['*.tmpl']\n")
    theirs = amtool("check-config", str(path))
    out, code = ours(capsys, "check-config", str(path))
    assert code == theirs.returncode == 1
    head = f"Checking '{path}'  SUCCESS\nFound:\n - global config\n - route\n - 0 inhibit rules\n"
    assert out.startswith(head) and theirs.stdout.startswith(head)
    assert "  FAILED: " in out and "  FAILED: " in theirs.stdout


@pytest.mark.parametrize("missing", ["nope.yml", "."])
def test_check_config_refuses_missing_files_first(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], missing: str
) -> None:
    path = str(tmp_path / missing) if missing != "." else str(tmp_path)
    theirs = amtool("check-config", str(config), path)
    code = main(["alerts", "check-config", str(config), path])
    out, err = capsys.readouterr()
    assert (out, code) == (theirs.stdout, theirs.returncode) == ("", 1)
    assert err.strip() == theirs.stderr.replace("amtool: ", "erpmon: ").strip()


def test_check_config_reads_stdin(config: Path) -> None:
    text = config.read_text()
    amtool = [need_binary("amtool"), "check-config"]
    theirs = subprocess.run(amtool, input=text, capture_output=True, text=True, timeout=60)
    ours = subprocess.run([*ERPMON, "alerts", "check-config"], input=text, capture_output=True, text=True,
                          timeout=60)  # fmt: skip
    assert (ours.stdout, ours.returncode) == (theirs.stdout, theirs.returncode) == (theirs.stdout, 0)
    assert "Checking '/dev/stdin'  SUCCESS" in ours.stdout
