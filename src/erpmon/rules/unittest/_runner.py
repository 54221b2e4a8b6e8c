"""Running promtool's rule unit tests: one test group against a fresh store, as 2.42's unittest.go.

A test group loads its input series lazily: before the evaluation at `ts` every sample up to `ts`
is appended, then every rule group is evaluated at `ts` (in `group_eval_order`), for `ts` from 0
to the largest eval_time in steps of evaluation_interval. Alert tests at `eval_time` look at the
evaluation at or just before it and compare the *firing* alerts (pending ones are not collected)
by labels and annotations. PromQL tests run after the last evaluation, so they see only the data
loaded up to it. A rule's evaluation error stops the group.
"""

from __future__ import annotations

import itertools
import logging
import sys
import tempfile
from collections.abc import Callable

import numpy as np
import re2

from erpmon.model import Labels, go_quote
from erpmon.promql import Engine, EngineOptions, PromQLSyntaxError, QueryError, parse_expr
from erpmon.rules import AlertingRule, AlertState, Group, GroupOptions, RuleFileError, load_rule_file
from erpmon.rules._manager import build_rule
from erpmon.rules.unittest import _fastpath as fastpath
from erpmon.rules.unittest import _format as fmt
from erpmon.rules.unittest._series import (
    LabelPairs,
    SequenceValue,
    SeriesParseError,
    parse_metric,
    parse_series_desc,
)
from erpmon.rules.unittest._testfile import (
    AlertTestCase,
    ExpSample,
    TestFile,
    TestFileError,
    TestGroup,
    load_test_file,
)
from erpmon.tsdb import TSDB, TSDBOptions

SUCCESS, FAILURE = 0, 1
# promql.LazyLoader's engine: promtool's unit tests run with these, not the server's flags.
_LOOKBACK_MS = 300_000
_TIMEOUT_S = 100.0
_MAX_SAMPLES = 10_000
_HOUR_MS = 3_600_000


def run_unit_tests(test_files: list[str], run: list[str] | None = None) -> int:
    """`promtool test rules`: prints per file, returns 0 when every test passed, 1 otherwise.

    `run` (promtool 2.43's --run; 2.42 has no such flag) keeps only test groups whose name
    matches one of the regular expressions (unanchored).
    """
    matcher: Callable[[str], bool] | None = None
    if run:
        try:
            pattern = re2.compile("|".join(run))
        except re2.error as err:
            print(f"invalid --run regular expression: {err}", file=sys.stderr)
            return FAILURE
        matcher = lambda name: pattern.search(name) is not None  # noqa: E731
    # promtool's rule manager logs to a no-op logger; rule failures show up in the report instead.
    rules_log = logging.getLogger("erpmon.rules")
    level = rules_log.level
    rules_log.setLevel(logging.CRITICAL + 1)
    try:
        return _run_files(test_files, matcher)
    finally:
        rules_log.setLevel(level)


def _run_files(test_files: list[str], matcher: Callable[[str], bool] | None) -> int:
    failed = False
    for path in test_files:
        errors = _test_file(path, matcher)
        if errors:
            print("  FAILED:", file=sys.stderr)
            for message in errors:
                sys.stdout.flush()
                print(message, file=sys.stderr)
                sys.stderr.flush()
                print()
            failed = True
        else:
            print("  SUCCESS")
        print()
    return FAILURE if failed else SUCCESS


def _test_file(path: str, matcher: Callable[[str], bool] | None) -> list[str]:
    print("Unit Testing: ", path)
    sys.stdout.flush()
    try:
        spec = load_test_file(path)
    except TestFileError as err:
        return [str(err)]
    order: dict[str, int] = {}
    for i, name in enumerate(spec.group_eval_order):
        if name in order:
            return [f"group name repeated in evaluation order: {name}"]
        order[name] = i
    errors: list[str] = []
    for group in spec.tests:
        if matcher is not None and not matcher(group.name):
            continue
        errors.extend(_GroupRun(spec, group, order).run())
    return errors


def _load_lines(group: TestGroup) -> list[str]:
    """The series lines of the `load` command promtool builds, as its test-script reader splits them."""
    text = "".join(f"  {s.series} {s.values}\n" for s in group.input_series)
    lines = []
    for line in text.split("\n"):
        line = line.strip()
        if not line or line.startswith("#"):
            break  # an empty line (or a comment, which reads as one) ends the load block
        lines.append(line)
    return lines


class _GroupRun:
    def __init__(self, spec: TestFile, group: TestGroup, order: dict[str, int]) -> None:
        self.spec = spec
        self.group = group
        self.order = order
        self.errors: list[str] = []

    def run(self) -> list[str]:
        series: dict[LabelPairs, list[tuple[int, float]]] = {}
        for line in _load_lines(self.group):
            try:
                labels, values = parse_series_desc(line)
            except SeriesParseError as err:
                return [str(err)]
            series[labels] = _samples(values, self.group.interval_ms)
        # The fast path appends rule output behind inputs already loaded up to the last step: a
        # head as wide as the whole test must accept it (a normal head takes 1h behind its newest).
        wide = 2 * (self.group.max_eval_time_ms() + _HOUR_MS)
        fast = self._with_db(lambda db: self._run_fast(db, series), block_range_ms=wide)
        if fast is not None:
            return fast
        slow = self._with_db(lambda db: self._run_with(db, series))
        assert slow is not None
        return slow

    def _with_db(
        self, body: Callable[[TSDB], list[str] | None], block_range_ms: int = 2 * _HOUR_MS
    ) -> list[str] | None:
        with tempfile.TemporaryDirectory(prefix="erpmon-rules-test-") as tmp:
            db = TSDB.open(tmp, TSDBOptions(wal_fsync="never", block_range_ms=block_range_ms))
            try:
                return body(db)
            finally:
                db.close()

    def _engine(self, db: TSDB, max_samples: int = _MAX_SAMPLES) -> Engine:
        return Engine(
            db,
            EngineOptions(
                lookback_ms=_LOOKBACK_MS,
                timeout_s=_TIMEOUT_S,
                max_samples=max_samples,
                default_eval_interval_ms=self.spec.evaluation_interval_ms,
            ),
        )

    def _run_fast(self, db: TSDB, series: dict[LabelPairs, list[tuple[int, float]]]) -> list[str] | None:
        """The same verdict as `_run_with`, rule by rule over all steps (see `_fastpath`); None when
        that cannot be shown to give the same answer."""
        group, interval = self.group, self.spec.evaluation_interval_ms
        engine = self._engine(db)
        try:
            rule_groups = self._rule_groups(db, engine)
        except RuleFileError:
            return None
        if any(not t.alertname for t in group.alert_rule_tests):
            return None
        if not fastpath.eligible(rule_groups, [c.expr for c in group.promql_expr_tests]):
            return None
        maxt = group.max_eval_time_ms()
        if _Loader(db, series).append_till(maxt) is not None:
            return None
        alert_times = sorted({t.eval_time_ms for t in group.alert_rule_tests})
        checked = [0]

        def after_step(ts: int) -> list[str]:
            out: list[str] = []
            while checked[0] < len(alert_times) and ts <= alert_times[checked[0]] < ts + interval:
                out.extend(self._check_alerts(alert_times[checked[0]], rule_groups))
                checked[0] += 1
            return out

        steps = np.arange(0, maxt + 1, interval, dtype=np.int64)
        errors = fastpath.run(rule_groups, self._engine(db, max_samples=2**62), db, steps, after_step)
        if errors is None:
            return None
        # No instant query of the step-by-step path may have hit the sample limit.
        if fastpath.most_samples(rule_groups, db, maxt, _LOOKBACK_MS) > _MAX_SAMPLES:
            return None
        for case in group.promql_expr_tests:
            errors.extend(self._check_expr(engine, case.expr, case.eval_time_ms, case.exp_samples))
        return errors

    def _run_with(self, db: TSDB, series: dict[LabelPairs, list[tuple[int, float]]]) -> list[str]:
        group, interval = self.group, self.spec.evaluation_interval_ms
        engine = self._engine(db)
        try:
            rule_groups = self._rule_groups(db, engine)
        except RuleFileError as err:
            return list(err.messages)
        for test in group.alert_rule_tests:
            if not test.alertname:
                where = f" (in TestGroup {group.name})" if group.name else ""
                return [
                    "an item under alert_rule_test misses required attribute alertname at eval_time "
                    f"{fmt.model_duration(test.eval_time_ms)}{where}"
                ]
        alert_times = sorted({t.eval_time_ms for t in group.alert_rule_tests})
        loader = _Loader(db, series)
        errors: list[str] = []
        current = 0
        ts, maxt = 0, group.max_eval_time_ms()
        while ts <= maxt:
            load_error = loader.append_till(ts)
            eval_errors: list[str] = []
            if load_error is not None:
                errors.append(load_error)
            else:
                for rule_group in rule_groups:
                    rule_group.eval(ts)
                    eval_errors.extend(
                        f"    rule: {rule.name}, time: {fmt.go_duration(ts)}, err: {rule.last_error}"
                        for rule in rule_group.rules
                        if rule.last_error
                    )
            errors.extend(eval_errors)
            if eval_errors:
                return errors
            while current < len(alert_times) and ts <= alert_times[current] < ts + interval:
                errors.extend(self._check_alerts(alert_times[current], rule_groups))
                current += 1
            ts += interval
        for case in group.promql_expr_tests:
            errors.extend(self._check_expr(engine, case.expr, case.eval_time_ms, case.exp_samples))
        return errors

    def _rule_groups(self, db: TSDB, engine: Engine) -> list[Group]:
        """LoadGroups: every group of every rule file, alerting rules marked restored."""
        external = Labels(self.group.external_labels)
        url = self.group.external_url
        by_key: dict[tuple[str, str], Group] = {}
        for path in self.spec.rule_files:
            for spec in load_rule_file(path).groups:
                rules = [build_rule(rule, external, url) for rule in spec.rules]
                for rule in rules:
                    if isinstance(rule, AlertingRule):
                        rule.restored = True  # so the ALERTS series are written, as promtool does
                        rule.template_url = None  # promtool hands the template functions a nil URL
                opts = GroupOptions(
                    query=engine.instant_vector, appendable=db, external_labels=external, external_url=url
                )
                interval = spec.interval_ms or self.group.interval_ms
                by_key[(path, spec.name)] = Group(spec, interval, list(rules), opts)
        # Go sorts the groups of a map by their place in group_eval_order (unlisted count as 0);
        # among ties Go's order is random. Ours is one of Go's possible orders, chosen so that
        # a group recording a series runs before the groups that read it (then file order).
        ranked = sorted(by_key.values(), key=lambda g: self.order.get(g.name, 0))
        out: list[Group] = []
        for _, tied in itertools.groupby(ranked, key=lambda g: self.order.get(g.name, 0)):
            out.extend(fastpath.producers_first(list(tied)))
        return out

    def _check_alerts(self, eval_time: int, rule_groups: list[Group]) -> list[str]:
        tests = [t for t in self.group.alert_rule_tests if t.eval_time_ms == eval_time]
        names = {t.alertname for t in tests}
        got: dict[str, list[fmt.AlertView]] = {}
        for rule_group in rule_groups:
            for rule in rule_group.rules:
                if not isinstance(rule, AlertingRule) or rule.name not in names:
                    continue
                firing = [a for a in rule.active_alerts() if a.state == AlertState.FIRING]
                got.setdefault(rule.name, []).extend(
                    (a.labels.pairs, tuple(sorted(a.annotations))) for a in firing
                )
        return [msg for test in tests if (msg := self._compare_alerts(test, got.get(test.alertname, [])))]

    def _compare_alerts(self, test: AlertTestCase, got: list[fmt.AlertView]) -> str:
        exp: list[fmt.AlertView] = []
        for alert in test.exp_alerts:
            labels = dict(alert.labels)
            labels["alertname"] = test.alertname  # Prometheus adds it; users need not write it
            exp.append((tuple(sorted(labels.items())), tuple(sorted(alert.annotations.items()))))
        exp.sort()
        got = sorted(got)
        if exp == got:
            return ""
        return fmt.alert_failure(
            self.group.name, test.alertname, test.eval_time_ms, fmt.alerts_string(exp), fmt.alerts_string(got)
        )

    def _check_expr(
        self, engine: Engine, expr: str, eval_time: int, expected: tuple[ExpSample, ...]
    ) -> list[str]:
        try:
            parse_expr(expr)
            vector = engine.instant_vector(expr, eval_time)
        except PromQLSyntaxError as err:
            return [fmt.expr_error(expr, eval_time, str(err))]
        except QueryError as err:
            return [fmt.expr_error(expr, eval_time, str(err))]
        got = [(lset.pairs, float(v)) for lset, v in zip(vector.labels, vector.values.tolist(), strict=True)]
        exp: list[fmt.Sample] = []
        for sample in expected:
            try:
                exp.append((parse_metric(sample.labels), sample.value))
            except SeriesParseError as err:
                return [fmt.expr_error(expr, eval_time, f"labels {go_quote(sample.labels)}: {err}")]
        exp.sort(key=lambda s: s[0])
        got.sort(key=lambda s: s[0])
        # Plain == on values: NaN never matches, -0 matches 0 (Go's reflect.DeepEqual).
        if exp == got:
            return []
        return [fmt.expr_failure(expr, eval_time, fmt.samples_string(exp), fmt.samples_string(got))]


def _samples(values: list[SequenceValue], interval_ms: int) -> list[tuple[int, float]]:
    """loadCmd.set: the k-th value at k*interval; with a zero interval only the first survives."""
    out: list[tuple[int, float]] = []
    for k, value in enumerate(values):
        if value is None:
            continue
        t = k * interval_ms
        if out and out[-1][0] == t:
            continue  # the head drops a second sample at the same timestamp
        out.append((t, value))
    return out


class _Loader:
    """LazyLoader.appendTill: appends each series' samples up to a timestamp, once."""

    def __init__(self, db: TSDB, series: dict[LabelPairs, list[tuple[int, float]]]) -> None:
        self.db = db
        self.pending = {labels: samples for labels, samples in series.items() if samples}

    def append_till(self, ts: int) -> str | None:
        if any(not labels for labels, s in self.pending.items() if s[0][0] <= ts):
            return "empty labelset: invalid sample"
        app = self.db.appender()
        for labels, samples in list(self.pending.items()):
            n = 0
            while n < len(samples) and samples[n][0] <= ts:
                n += 1
            if n == 0:
                continue
            lset = Labels(labels)
            ref = app.ref(lset)
            for t, v in samples[:n]:
                app.append(ref, lset, t, v)
            if n == len(samples):
                del self.pending[labels]
            else:
                self.pending[labels] = samples[n:]
        app.commit()
        return None
