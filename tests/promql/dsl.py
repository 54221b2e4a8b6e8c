"""A runner for Prometheus's PromQL test language (`load`, `eval instant at`, `eval_fail`, `clear`).

Cases live in tests/promql/testdata/*.test; each file runs against a real embedded store.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from erpmon.config import parse_duration
from erpmon.model import STALE_NAN, Labels
from erpmon.promql import Engine, EngineOptions, QueryError, parse_metric_selector
from erpmon.tsdb import TSDB, TSDBOptions

_EVAL = re.compile(r"^eval(_fail|_ordered)?\s+instant\s+at\s+(\S+)\s+(.+)$")
_LOAD = re.compile(r"^load\s+(\S+)$")
_NUM = r"[-+]?(?:\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|Inf|NaN)"
_EXPAND = re.compile(rf"^({_NUM}|_)(?:([+-])(\d+(?:\.\d*)?(?:[eE][-+]?\d+)?))?x(\d+)$")


@dataclass
class Case:
    file: str
    line: int
    at_ms: int
    expr: str
    fail: bool
    ordered: bool
    expected: list[tuple[Labels | None, float]] = field(default_factory=list)


def _number(text: str) -> float:
    return float(text.replace("Inf", "inf").replace("NaN", "nan"))


def expand_values(text: str) -> list[float | None]:
    """`0+10x3` -> 0 10 20 30, `1x2` -> 1 1 1, `_` -> missing, `stale` -> staleness marker."""
    out: list[float | None] = []
    for tok in text.split():
        if tok == "_":
            out.append(None)
        elif tok == "stale":
            out.append(STALE_NAN)
        elif m := _EXPAND.match(tok):
            start, sign, step, times = m.groups()
            if start == "_":
                out.extend([None] * (int(times) + 1))
                continue
            delta = _number(step) * (-1 if sign == "-" else 1) if step else 0.0
            base = _number(start)
            out.extend(base + delta * i for i in range(int(times) + 1))
        else:
            out.append(_number(tok))
    return out


def _series_labels(text: str) -> Labels:
    matchers = parse_metric_selector(text)
    return Labels({m.name: m.value for m in matchers})


def _split_series(line: str) -> tuple[str, str]:
    depth = 0
    for i, ch in enumerate(line):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return line[: i + 1], line[i + 1 :]
        elif ch in " \t" and depth == 0 and "{" not in line[:i]:
            return line[:i], line[i:]
    return line, ""


class Runner:
    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.n = 0
        self.db = self._fresh()

    def _fresh(self) -> TSDB:
        self.n += 1
        return TSDB.open(self.tmp / f"db{self.n}", TSDBOptions(wal_fsync="never"))

    def load(self, interval_ms: int, lines: list[str]) -> None:
        app = self.db.appender()
        for line in lines:
            series, values = _split_series(line.strip())
            lset = _series_labels(series)
            ref = app.ref(lset)
            vals = expand_values(values)
            ts = np.array([i * interval_ms for i, v in enumerate(vals) if v is not None], dtype=np.int64)
            vs = np.array([v for v in vals if v is not None], dtype=np.float64)
            app.append_many(np.full(len(ts), ref, dtype=np.int64), ts, vs)
        app.commit()

    def run_file(self, path: Path) -> list[str]:
        failures: list[str] = []
        lines = path.read_text().splitlines()
        i = 0
        while i < len(lines):
            line = lines[i].strip()
            i += 1
            if not line or line.startswith("#"):
                continue
            if line == "clear":
                self.db.close()
                self.db = self._fresh()
                continue
            if m := _LOAD.match(line):
                block = []
                while i < len(lines) and lines[i].strip() and lines[i].startswith((" ", "\t")):
                    block.append(lines[i])
                    i += 1
                self.load(parse_duration(m.group(1)), block)
                continue
            if m := _EVAL.match(line):
                kind, at, expr = m.groups()
                case = Case(path.name, i, parse_duration(at), expr, kind == "_fail", kind == "_ordered")
                while i < len(lines) and lines[i].strip() and lines[i].startswith((" ", "\t")):
                    series, value = _split_series(lines[i].strip())
                    if value.strip():
                        case.expected.append((_series_labels(series), _number(value.strip())))
                    else:
                        case.expected.append((None, _number(series)))
                    i += 1
                problem = self.check(case)
                if problem:
                    failures.append(f"{case.file}:{case.line}: {case.expr}\n    {problem}")
                continue
            failures.append(f"{path.name}:{i}: cannot read line {line!r}")
        self.db.close()
        return failures

    def check(self, case: Case) -> str | None:
        engine = Engine(self.db, EngineOptions())
        try:
            result = engine.instant_query(case.expr, case.at_ms)
        except QueryError as err:
            return None if case.fail else f"unexpected error: {err}"
        if case.fail:
            return f"expected an error, got {result.to_json()}"
        if result.result_type == "scalar":
            got: list[tuple[Labels | None, float]] = [(None, float(result.result[1]))]
        elif result.result_type == "vector":
            got = [(Labels(s["metric"]), float(s["value"][1])) for s in result.result]
        else:
            return f"unexpected result type {result.result_type}"
        want = case.expected
        if not case.ordered:
            got = sorted(got, key=lambda p: p[0] or Labels())
            want = sorted(want, key=lambda p: p[0] or Labels())
        if [g[0] for g in got] != [w[0] for w in want]:
            got_text, want_text = [str(g[0]) for g in got], [str(w[0]) for w in want]
            return f"labels differ:\n      got  {got_text}\n      want {want_text}"
        for (lset, g), (_, w) in zip(got, want, strict=True):
            if not _close(g, w):
                return f"{lset}: got {g}, want {w}"
        return None


def _close(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= 1e-9 * max(abs(a), abs(b)) + 1e-12
