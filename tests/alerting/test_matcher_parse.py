"""Alertmanager 0.25's matcher syntax (pkg/labels/parse.go)."""

from __future__ import annotations

import json
import random
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from tests.support import need_binary

from erpmon.alerting._matcher_parse import MatcherParseError, parse_matcher, parse_matchers
from erpmon.alerting._matchers import format_matchers
from erpmon.cli import main
from erpmon.model import Matcher


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ('{foo="bar"}', [Matcher.equal("foo", "bar")]),
        ("foo=bar", [Matcher.equal("foo", "bar")]),
        ('{foo=~"b.*", baz!="q"}', [Matcher.regex("foo", "b.*"), Matcher.not_equal("baz", "q")]),
        ('a!~"x,y"', [Matcher.not_regex("a", "x,y")]),
        ('a="with \\"quote\\" and \\\\ and \\n"', [Matcher.equal("a", 'with "quote" and \\ and \n')]),
        ('a="trailing\\\\"', [Matcher.equal("a", "trailing\\")]),
        ("  spaced = value  ", [Matcher.equal("spaced", "value")]),
        ('a=""', [Matcher.equal("a", "")]),
        ("{}", []),
        ('a="1",b="2",', [Matcher.equal("a", "1"), Matcher.equal("b", "2")]),
        ('a="ünï"', [Matcher.equal("a", "ünï")]),
    ],
)
def test_parses(text: str, want: list[Matcher]) -> None:
    assert parse_matchers(text) == want


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1a=b", "bad matcher format: 1a=b"),
        ("a", "bad matcher format: a"),
        ('a="unterminated', "matcher value contains unescaped double quote"),
        ('a="x"y"', "matcher value contains unescaped double quote"),
        ('a=~"("', "error parsing regexp"),
    ],
)
def test_refuses(text: str, message: str) -> None:
    with pytest.raises(MatcherParseError, match=message):
        parse_matcher(text)


def test_prints_as_alertmanager() -> None:
    ms = parse_matchers('{b=~"x|y", a="q\\"\\n"}')
    assert format_matchers(ms) == '{b=~"x|y",a="q\\"\\n"}'


# The same strings through Alertmanager 0.25 itself: as `matchers:` of routes, which
# `amtool config routes` prints back parsed and formatted, and `amtool check-config` refuses.
ACCEPTED = [
    "foo=bar",
    '{foo="bar"}',
    '{foo = "bar", dings != "bums", }',
    "foo=bar,dings!=bums",
    '{quote="She said: \\"Hi, ladies! That\'s gender-neutral…\\""}',
    'statuscode=~"5.."',
    'a=""',
    "a=",
    'a="x\\y"',  # a spurious escape is a literal backslash
    "a=b\\",  # so is a trailing one
    'a=\\"b',  # an escaped quote in an unquoted value
    "a=b\n",
    "a=b\t",
    'a = "b c"',
    'a!~"x,y"',
    'a="ünï"',
    "a=b,",
    "{ a = b }",
    "{a=b}}",
    'a="b,c",c=~"d|e"',
    "a=\u00a0b\u00a0",  # no-break spaces are not Go's \s: kept
    'a="\\n"',
    "  a=b  ,  c=d  ",
    "a==b",
    "a=~=b",
]
REFUSED = [
    "1a=b",
    "a",
    'a=~"("',
    'a="b',
    'a="b"c"',
    "{{a=b}",
    'a=b"c',
    "a!b",
    "=b",
    " { a = b } ",
    'a="b\\"',
    "a-b=c",
]


def routes_config(strings: list[str]) -> str:
    routes = "".join(f"    - {{receiver: r, matchers: [{json.dumps(s)}]}}\n" for s in strings)
    return f"route:\n  receiver: r\n  routes:\n{routes}receivers: [{{name: r}}]\n"


def test_accepted_strings_parse_as_alertmanager_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "am.yml"
    path.write_text(routes_config(ACCEPTED))
    theirs = subprocess.run([need_binary("amtool"), "config", "routes", f"--config.file={path}"],
                            capture_output=True, text=True, timeout=60)  # fmt: skip
    assert theirs.returncode == 0, theirs.stderr
    assert main(["alerts", "routes", f"--config.file={path}"]) == 0
    assert capsys.readouterr().out == theirs.stdout


@pytest.mark.parametrize("text", REFUSED)
def test_refused_strings_as_alertmanager(tmp_path: Path, text: str) -> None:
    path = tmp_path / "am.yml"
    path.write_text(routes_config([text]))
    amtool = [need_binary("amtool"), "check-config", str(path)]
    theirs = subprocess.run(amtool, capture_output=True, text=True, timeout=60)
    assert theirs.returncode == 1
    reason = theirs.stdout.split("FAILED: ", 1)[1].split("\n\n")[0]
    with pytest.raises(MatcherParseError) as err:
        parse_matchers(text)
    if reason.startswith("error parsing regexp:"):
        reason = "error parsing regexp:"  # Go's regexp and RE2 word the detail differently
    assert reason in str(err.value)


def random_matcher_strings(n: int, seed: int) -> list[str]:
    """Short strings over the characters the syntax cares about, shaped like matchers often enough."""
    rnd = random.Random(seed)
    alphabet = ['"', "\\", ",", "{", "}", "=", "~", "!", " ", "\n", "a", "b", "_", "1", "ü", "(", "*", "|"]
    out = []
    for _ in range(n):
        parts = []
        for _ in range(rnd.randint(1, 3)):
            name = rnd.choice(["a", "b_1", "1a", "", "a b"])
            op = rnd.choice(["=", "!=", "=~", "!~", "==", "~"])
            value = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 6)))
            if rnd.random() < 0.5:
                value = f'"{value}"'
            parts.append(rnd.choice(["", " "]) + name + op + value)
        text = ",".join(parts)
        out.append(f"{{{text}}}" if rnd.random() < 0.3 else text)
    return out


def test_random_strings_agree_with_alertmanager(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    strings = random_matcher_strings(150, seed=7)

    def amtool_verdict(i: int) -> tuple[bool, str]:
        path = tmp_path / f"{i}.yml"
        path.write_text(routes_config([strings[i]]))
        args = [need_binary("amtool"), "check-config", str(path)]
        done = subprocess.run(args, capture_output=True, text=True, timeout=30)
        return done.returncode == 0, done.stdout.split("FAILED: ", 1)[-1].split("\n\n")[0]

    with ThreadPoolExecutor(4) as pool:
        verdicts = list(pool.map(amtool_verdict, range(len(strings))))
    accepted = [s for s, (ok, _) in zip(strings, verdicts, strict=True) if ok]
    assert 20 <= len(accepted) <= len(strings) - 20  # both kinds are well represented
    for text, (ok, reason) in zip(strings, verdicts, strict=True):
        if ok:
            parse_matchers(text)
            continue
        with pytest.raises(MatcherParseError) as err:
            parse_matchers(text)
        expected = "error parsing regexp:" if reason.startswith("error parsing regexp:") else reason
        assert expected in str(err.value), text
    path = tmp_path / "accepted.yml"
    path.write_text(routes_config(accepted))
    theirs = subprocess.run([need_binary("amtool"), "config", "routes", f"--config.file={path}"],
                            capture_output=True, text=True, timeout=60, check=True)  # fmt: skip
    assert main(["alerts", "routes", f"--config.file={path}"]) == 0
    assert capsys.readouterr().out == theirs.stdout
