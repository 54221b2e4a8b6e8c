"""A realistic ERPGo deployment's series for the rule pack, derived from the pack's rule files.

`pack_selectors(files)` parses each rule's `expr` with erpmon's PromQL parser and collects its
vector selectors (metric name, matchers, the labels enclosing aggregations group by) and the
names the pack itself records. `build_deployment(files, scale, end_s, seed)` then generates every
metric family the rules read and no rule records, from the table of realistic label sets in
`erpgo_families` (the HTTP series 5 instances x 40 endpoints x 5 methods x 6 status codes, the
12-bucket latency histograms, node_exporter hosts, cAdvisor containers, PostgreSQL, business,
security and RUM metrics). A name the table does not know gets a fallback family built from the
selector itself (equality matchers, grouping labels), so a rule added later still finds data.
Counters grow by Poisson increments, gauges wander; a few incidents in the last minutes push
series over the pack's thresholds so alerts are pending or firing. Deterministic for a seed.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from erpgo_families import FAMILIES, Gen, Scale
from erpmon.model import Matcher, MatchType
from erpmon.promql import parse_expr
from erpmon.promql.testing import GenSeries

__all__ = [
    "Deployment",
    "Scale",
    "Selector",
    "build_deployment",
    "pack_selectors",
    "rule_files",
]


@dataclass(frozen=True)
class Selector:
    """One vector selector of a rule: what the rule reads."""

    file: str
    rule: str
    name: str | None
    matchers: tuple[Matcher, ...]
    grouping: frozenset[str]  # labels named by enclosing by()/without() clauses

    def matches(self, name: str, labels: Iterable[tuple[str, str]]) -> bool:
        values = dict(labels)
        values["__name__"] = name
        return all(m.matches(values.get(m.name, "")) for m in self.matchers)

    def __str__(self) -> str:
        inner = ",".join(str(m) for m in self.matchers if m.name != "__name__")
        return f"{self.name or ''}{{{inner}}}"


@dataclass
class Deployment:
    series: list[GenSeries]
    selectors: list[Selector]
    recorded: set[str]
    families: list[str]  # table families generated
    fallback: list[str]  # names generated from the selector alone
    unmatched: list[Selector] = field(default_factory=list)  # selectors no generated series matches

    @property
    def num_samples(self) -> int:
        return sum(len(s.ts_ms) for s in self.series)


def rule_files(pack_dir: Path) -> list[Path]:
    return sorted((pack_dir / "rules").glob("*.yml"))


def _walk(node: Any, grouping: frozenset[str]) -> Iterator[tuple[Any, frozenset[str]]]:
    """Every vector selector under `node` with the grouping labels of the aggregations above it."""
    if isinstance(node, tuple):
        for item in node:
            yield from _walk(item, grouping)
        return
    if not dataclasses.is_dataclass(node):
        return
    if hasattr(node, "matchers") and hasattr(node, "offset_ms"):
        yield node, grouping
        return
    if hasattr(node, "grouping") and hasattr(node, "op"):
        grouping = grouping | frozenset(node.grouping)
    for f in dataclasses.fields(node):
        value = getattr(node, f.name)
        if dataclasses.is_dataclass(value) or isinstance(value, tuple):
            yield from _walk(value, grouping)


def pack_selectors(files: Iterable[Path]) -> tuple[list[Selector], set[str]]:
    """The selectors of every rule in `files`, and the metric names the rules record."""
    selectors: list[Selector] = []
    recorded = {"ALERTS", "ALERTS_FOR_STATE"}
    for path in files:
        doc = yaml.safe_load(path.read_text()) or {}
        for group in doc.get("groups") or ():
            for rule in group.get("rules") or ():
                if rule.get("record"):
                    recorded.add(rule["record"])
                name = rule.get("record") or rule.get("alert") or "?"
                for sel, grouping in _walk(parse_expr(str(rule["expr"])), frozenset()):
                    selectors.append(Selector(path.name, name, sel.name, tuple(sel.matchers), grouping))
    return selectors, recorded


def _fallback_value(matcher: Matcher) -> str | None:
    """A label value a matcher accepts, for names the table does not know."""
    if matcher.type is MatchType.EQUAL:
        return matcher.value
    if matcher.type is MatchType.REGEX:
        literal = re.sub(r"[.][*+]|[()^$]", "", matcher.value.split("|")[0])
        literal = literal.replace("\\.", ".").replace("..", "00").replace(".", "0")
        return literal if matcher.matches(literal) else None
    return None


def _fallback(gen: Gen, name: str, selectors: list[Selector]) -> None:
    """Series for a name the table does not know: job/instance of the API, labels the rules need."""
    fixed: dict[str, str] = {}
    varying: set[str] = set()
    for sel in selectors:
        for m in sel.matchers:
            if m.name in ("__name__", "job", "instance"):
                continue
            value = _fallback_value(m)
            if value is not None:
                fixed.setdefault(m.name, value)
        varying |= sel.grouping
    varying -= {"job", "instance", "le", *fixed}
    combos: list[dict[str, str]] = [dict(fixed)]
    for label in sorted(varying):
        combos = [c | {label: f"{label}-{k}"} for c in combos for k in range(3)]
    sets = [{"job": "erpgo-api", "instance": inst} | c for inst in gen.api_instances for c in combos]
    if name.endswith(("_total", "_count", "_sum")):
        gen.counter(name, sets, gen.rng.uniform(0.5, 5.0, len(sets)))
    else:
        gen.gauge(name, sets, gen.wander(len(sets), 50.0, 0.1))


def build_deployment(files: list[Path], scale: Scale, end_s: int, seed: int = 42) -> Deployment:
    """Every series the pack reads, `scale.history_s` of it at `scale.interval_s`, ending at `end_s`."""
    selectors, recorded = pack_selectors(files)
    needed = sorted({s.name for s in selectors if s.name and s.name not in recorded})
    gen = Gen(scale, end_s, seed)
    done: set[Callable[[Gen], None]] = set()
    families: list[str] = []
    fallback: list[str] = []
    for name in needed:
        family = FAMILIES.get(name)
        if family is None:
            _fallback(gen, name, [s for s in selectors if s.name == name])
            fallback.append(name)
        elif family not in done:
            family(gen)
            done.add(family)
            families.append(family.__name__.lstrip("_"))
    dep = Deployment(gen.series, selectors, recorded, families, fallback)
    by_name: dict[str, list[GenSeries]] = {}
    for s in gen.series:
        by_name.setdefault(s.name, []).append(s)
    for sel in selectors:
        if sel.name in recorded:
            continue
        if not any(sel.matches(s.name, s.labels) for s in by_name.get(sel.name or "", ())):
            dep.unmatched.append(sel)
    return dep


def _summary(dep: Deployment) -> str:  # pragma: no cover - a debugging aid
    counts: dict[str, int] = {}
    for s in dep.series:
        counts[s.name] = counts.get(s.name, 0) + 1
    return "\n".join(f"{n:<55} {c:>6}" for n, c in sorted(counts.items()))


if __name__ == "__main__":  # pragma: no cover
    import sys
    import time

    pack = Path(__file__).resolve().parents[1] / "src/erpmon/packs/erpgo"
    t0 = time.perf_counter()
    d = build_deployment(rule_files(pack), Scale.quick() if "--quick" in sys.argv else Scale(), 1_700_000_000)
    print(_summary(d))
    print(f"{len(d.series):,} series, {d.num_samples:,} samples in {time.perf_counter() - t0:.1f} s")
    print("fallback:", d.fallback, "unmatched:", [str(s) for s in d.unmatched])
