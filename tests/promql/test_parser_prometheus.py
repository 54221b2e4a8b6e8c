"""parse_expr against a live Prometheus 2.42: the same verdict, and the same message, for every query.

One Prometheus (empty data directory, a free local port) serves the whole session. A query that does
not parse is a `bad_data` answer whose error says "parse error"; anything else (even an evaluation
error) means it parsed. Skipped when the binary is absent.
"""

from __future__ import annotations

import random
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from tests.support import free_port, need_binary

from erpmon.promql._check import format_expr
from erpmon.promql._parser import PromQLSyntaxError, parse_expr, parse_metric_selector

API_PREFIX = 'invalid parameter "query": '


@dataclass(frozen=True)
class Verdict:
    ok: bool
    message: str = ""  # "1:5: parse error: ..." when not ok


class Reference:
    def __init__(self, client: httpx.Client) -> None:
        self.client = client

    def verdict(self, query: str) -> Verdict:
        r = self.client.post("/api/v1/query", data={"query": query, "time": "1000"})
        body = r.json()
        if body["status"] == "success":
            return Verdict(True)
        error = str(body["error"])
        if body["errorType"] == "bad_data" and error.startswith(API_PREFIX) and "parse error" in error:
            return Verdict(False, error.removeprefix(API_PREFIX))
        return Verdict(True)  # parsed, failed later (e.g. an evaluation error)

    def selector_verdict(self, selector: str) -> Verdict:
        """How /api/v1/series reads match[] (parser.ParseMetricSelector)."""
        body = self.client.get("/api/v1/series", params={"match[]": selector}).json()
        error = str(body.get("error", ""))
        prefix = 'invalid parameter "match[]": '
        if body["status"] == "success" or "parse error" not in error:
            return Verdict(True)  # includes the API's own "at least one non-empty matcher" check
        return Verdict(False, error.removeprefix(prefix))

    def formatted(self, query: str) -> str:
        body = self.client.post("/api/v1/format_query", data={"query": query}).json()
        assert body["status"] == "success", body
        return str(body["data"])


@pytest.fixture(scope="session")
def prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Reference]:
    binary = need_binary("prometheus")
    root = tmp_path_factory.mktemp("prometheus-parser")
    config = root / "prometheus.yml"
    config.write_text("global:\n  scrape_interval: 1m\n")
    port = free_port()
    log = (root / "prometheus.log").open("wb")
    proc = subprocess.Popen(
        [
            binary,
            f"--config.file={config}",
            f"--storage.tsdb.path={root / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--log.level=warn",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            _wait_ready(proc, client, root / "prometheus.log")
            yield Reference(client)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def _wait_ready(proc: subprocess.Popen[bytes], client: httpx.Client, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if client.get("/-/ready").status_code == 200:
                return
        except httpx.TransportError:
            pass
        try:  # the pause between polls doubles as a check that the server is still running
            proc.wait(timeout=0.1)
        except subprocess.TimeoutExpired:
            continue
        pytest.fail(f"prometheus exited with {proc.returncode}: {log.read_text()[-2000:]}")
    pytest.fail("prometheus did not become ready within 60s")


def ours(query: str, parse: Callable[[str], object] = parse_expr) -> Verdict:
    try:
        parse(query)
    except PromQLSyntaxError as err:
        # Undecodable bytes travel as surrogates; Prometheus's JSON shows them as U+FFFD.
        shown = str(err).encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        return Verdict(False, shown)
    return Verdict(True)


def regex_message(v: Verdict) -> bool:
    """Regex errors are worded by erpmon.model's RE2 wrapper, not by the parser: compare verdicts only."""
    return "error parsing regexp" in v.message and "invalid UTF-8" not in v.message


def assert_same(reference: Reference, query: str) -> None:
    want, got = reference.verdict(query), ours(query)
    if regex_message(want):
        assert got.ok is False and regex_message(got), (query, want, got)
    else:
        assert got == want, query


QUERIES = [
    # Valid.
    "1",
    "-1.5e3",
    "0x1f + 017",
    "Inf - -Inf",
    "nan",
    '"str"',
    "`raw\\n`",
    "foo",
    "foo:bar",
    ":baz",
    'foo{a="b"}',
    'foo{a!="b",c=~"d.*",e!~"f",}',
    '{__name__=~"foo.+"}',
    '{a!=""}',
    "foo offset 5m",
    "foo offset -1h30m",
    "foo @ 100",
    "foo @ -1.5",
    "foo @ start()",
    "foo @ end() offset 1m",
    "foo offset 1m @ end()",
    "foo[5m]",
    "foo[1h30m] offset 1d @ 100",
    "foo[5m] @ start()",
    "foo @ start() [5m]",
    "foo[10m:]",
    "foo[10m:1m]",
    "foo[10m x]",
    "rate(foo[5m])[1h:5m] offset 1w",
    "(foo + bar)[5m:]",
    "sum(foo)[5m:]",
    "1 + 2 * 3 ^ 4 ^ 5 % 6 / 7 - 8",
    "-1 ^ 2",
    "2 ^ -1",
    "-foo + +bar",
    "foo + on(a) group_left(b) bar",
    "foo + ignoring(a) group_right bar",
    "foo * on() bar",
    "foo and on(a) bar or ignoring(b) baz unless qux",
    "foo == bool 1",
    "1 < bool 2",
    "foo > on(a) bool bar",
    "foo atan2 bar",
    "a + on(x) group_left (b) c",
    "1 + on() foo",
    "sum(foo)",
    "sum by (a, b) (foo)",
    "sum(foo) by (a,)",
    "sum without () (foo)",
    "avg without (a) (foo)",
    "topk(3, foo)",
    "bottomk by (a) (1, foo)",
    "quantile(0.5, foo)",
    'count_values("v", foo)',
    "group(foo)",
    "stddev(foo) + stdvar(foo)",
    "MIN(foo)",
    "sum by (on, by, bool, group_left, atan2, start, end) (foo)",
    "sum",
    "sum(sum)",
    "and and and",
    "by offset 5m",
    "offset",
    "start + end",
    "time()",
    "vector(1)",
    "scalar(foo)",
    "round(foo)",
    "round(foo, 0.5)",
    "hour()",
    "hour(foo)",
    'label_replace(foo, "a", "$1", "b", "(.*)")',
    'label_join(foo, "a", ",")',
    'label_join(foo, "a", ",", "b", "c", "d")',
    "histogram_quantile(0.9, rate(foo_bucket[5m]))",
    "quantile_over_time(0.9, foo[5m])",
    "predict_linear(foo[5m], 3600)",
    "holt_winters(foo[5m], 0.5, 0.5)",
    "clamp(foo, 0, 1)",
    "pi()",
    "absent_over_time(foo[5m])",
    "rate((foo[5m]))",
    "foo # comment",
    "# comment\nfoo",
    'foo{a="b" # comment\n}',
    "foo\n+\nbar",
    'foo{a="\\u00e9\\x41\\101"}',
    "9223372036854775808",
    "08",
    "foo @ 1e17",
    # Invalid: the lexer.
    "",
    " ",
    "# only a comment",
    ".",
    "2.5.",
    "0deadbeef",
    "1 $ 2",
    "foo !",
    "1 =~ 1",
    "(1))",
    "((1)",
    "foo}",
    "foo]",
    "foo[5m",
    "foo[[5m]]",
    "foo[5m::]",
    "foo[5mm]",
    "foo[]",
    "foo[1]",
    "foo{",
    "foo{a:b}",
    "foo{a!b}",
    'foo{"a"}',
    "'unterminated",
    "`unterminated",
    '"\\q"',
    '"\\x4"',
    '"\\400"',
    '"\\ud800"',
    '"bad\nnewline"',
    "0x",
    "1e",
    "1e1000",
    # Invalid: the grammar.
    "1 +",
    "*1",
    "foo bar",
    "foo 5m",
    "@ 5",
    "on",
    "atan2",
    "sum(foo bar)",
    "rate(foo bar)",
    "sum by",
    "sum by a (foo)",
    "sum by (a b) (foo)",
    "sum by (a:b) (foo)",
    'sum by ("a") (foo)',
    "sum by (,) (foo)",
    "sum (foo) by (a) by (b)",
    "sum foo",
    "foo{a}",
    "foo{a=}",
    "foo{a=b}",
    'foo{a="b" c="d"}',
    "foo{,}",
    "foo offset",
    "foo offset 5",
    "foo offset +5m",
    "foo @",
    "foo @ 5m",
    "foo @ start",
    "foo @ start(",
    "foo[5m 5m]",
    "foo[5m:5]",
    "foo[5m:5m 1]",
    "foo[:5m]",
    "foo + on , bar",
    "foo + on(a) group_left , bar",
    "foo + on(a) group_left (b)",
    "foo == on(a) bool bar",
    "foo + bool bool bar",
    "rate(foo,)",
    "rate(foo, *)",
    "rate(,)",
    "foo:bar(1)",
    "start()",
    # Invalid: rule actions.
    "nosuch(foo)",
    "sum()",
    "sum(a, b)",
    "topk(foo)",
    "foo offset 0s",
    "foo[0s]",
    "foo[5m:0s]",
    "foo[300y]",
    "foo offset 1m offset 1m",
    "foo @ 1 @ 2",
    "foo @ start() @ end()",
    "foo @ Inf",
    "foo @ NaN",
    "1 offset 5m",
    "sum(foo) @ 5",
    "(foo)[5m]",
    "foo offset 5m [5m]",
    "foo @ 5 [5m]",
    "foo[5m][5m]",
    'foo{a=~"("}',
    'foo{a=~"\\xff"}',
    # Invalid: checkAST.
    "{}",
    '{a=""}',
    '{a=~".*"}',
    'foo{__name__="bar"}',
    "1 == 1",
    "1 and 1",
    "foo and 1",
    "1 + on(a) foo",
    "foo and on(a) group_left bar",
    "foo + on(a) group_left(a) bar",
    "foo + bool bar",
    '"a" + 1',
    "foo[5m] + 1",
    "-foo[5m]",
    '-"a"',
    "sum(foo[5m])",
    'topk("a", foo)',
    "count_values(1, foo)",
    "rate(foo)",
    "abs(foo[5m])",
    "time(foo)",
    "hour(foo, bar)",
    "round(foo, 1, 2)",
    "label_join(foo)",
    'label_join(foo, "a", ",", 1)',
    'vector("a")',
    "1[5m:]",
    "foo[5m:][5m:]",
    "rate(foo[5m:])[5m:1m][1m:]",
]


def test_the_list_is_large_enough() -> None:
    assert len(QUERIES) >= 150
    assert len(set(QUERIES)) == len(QUERIES)


@pytest.mark.parametrize("query", QUERIES)
def test_same_as_prometheus(prometheus: Reference, query: str) -> None:
    assert_same(prometheus, query)


@pytest.mark.parametrize("query", [q for q in QUERIES if len(q) < 80])
def test_printed_as_prometheus_prints(prometheus: Reference, query: str) -> None:
    """format_expr against /api/v1/format_query (Prettify, which is String() for short queries)."""
    try:
        expr = parse_expr(query)
    except PromQLSyntaxError:
        return
    assert format_expr(expr) == prometheus.formatted(query)


FRAGMENTS = [
    "foo", "bar:baz", "sum", "topk", "count_values", "by", "without", "on", "ignoring", "group_left",
    "group_right", "bool", "offset", "@", "start", "end", "start()", "(", ")", "{", "}", "[", "]", ":", ",",
    "=", "!=", "=~", "!~", "==", "+", "-", "*", "/", "^", "and", "or", "unless", "atan2", "<", ">=", "5m",
    "1h30m", "0s", "1", "2.5", "0x1F", "Inf", "NaN", '"a"', "'b'", "`c`", "rate", "rate(", "time()",
    "label_join(", "histogram_quantile(", "a", "__name__", "1e3", "# c\n", "\n", "quantile", "-1",
    "vector(", "round(", 'foo{a="b"}', "[5m:1m]", "[5m]", "offset 5m", "@ 10",
]  # fmt: skip


def random_queries(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        parts = [rng.choice(FRAGMENTS) for _ in range(rng.randint(1, 9))]
        out.append("".join(p + rng.choice(["", " "]) for p in parts))
    return out


@pytest.mark.parametrize("seed", range(4))
def test_random_token_soup(prometheus: Reference, seed: int) -> None:
    differ = []
    for query in random_queries(seed, 250):
        want, got = prometheus.verdict(query), ours(query)
        if want != got and not (regex_message(want) and regex_message(got)):
            differ.append((query, want, got))
    assert differ == []


def test_tables_agree_with_prometheus(prometheus: Reference) -> None:
    """The expected messages of test_parser_errors and the valid queries of test_parser are 2.42's."""
    from tests.promql.test_parser import CASES
    from tests.promql.test_parser_errors import ERRORS

    wrong = []
    for query, where, message in ERRORS:
        want = prometheus.verdict(query)
        expected = f"{where}: parse error: {message}"
        shown = expected.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        if want != Verdict(False, shown):
            wrong.append((query, want))
    for query, _ in CASES:
        if not prometheus.verdict(query).ok:
            wrong.append((query, prometheus.verdict(query)))
    assert wrong == []


SELECTORS = [
    "foo",
    "foo:bar",
    'foo{a="b"}',
    'foo{a="b",}',
    '{a="b"}',
    "{}",
    '{a=""}',
    'foo{__name__="bar"}',
    '{__name__=~"a.*", job!="x"}',
    "sum",
    "by",
    "offset",
    "start",
    "and",
    "foo # comment",
    "",
    " ",
    "on",
    "bool",
    "1",
    '"foo"',
    "foo bar",
    "foo[5m]",
    "foo offset 5m",
    "foo @ 1",
    "sum(foo)",
    "rate(foo)",
    "foo + bar",
    "-foo",
    "(foo)",
    "foo{",
    "foo{a}",
    "foo{a=}",
    'foo{a="b" c="d"}',
    "foo{,}",
    'foo{a=~"("}',
    'foo{a="\\q"}',
    "foo}",
    "foo{}{}",
    "{a='b'}[5m]",
]


@pytest.mark.parametrize("selector", SELECTORS)
def test_metric_selector_same_as_prometheus(prometheus: Reference, selector: str) -> None:
    want, got = prometheus.selector_verdict(selector), ours(selector, parse_metric_selector)
    if regex_message(want):
        assert got.ok is False and regex_message(got), (selector, want, got)
    else:
        assert got == want, selector


@pytest.mark.parametrize("seed", range(2))
def test_metric_selector_token_soup(prometheus: Reference, seed: int) -> None:
    differ = []
    for selector in random_queries(100 + seed, 200):
        want, got = prometheus.selector_verdict(selector), ours(selector, parse_metric_selector)
        if want != got and not (regex_message(want) and regex_message(got)):
            differ.append((selector, want, got))
    assert differ == []
