"""`erpmon tsdb`: promtool tsdb's analyze, dump and create-blocks-from openmetrics."""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable

from erpmon.model import format_g, format_go_duration
from erpmon.promql import PromQLSyntaxError, parse_metric_selector
from erpmon.storage import Series

MIN_INT64 = -(2**63)
MAX_INT64 = 2**63 - 1
DEFAULT_DB_PATH = "data/"


def add_tsdb_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    tsdb = sub.add_parser("tsdb", help="Inspect and backfill the storage (promtool tsdb's counterpart).")
    tsdb_sub = tsdb.add_subparsers(dest="tsdb_command", required=True)

    analyze = tsdb_sub.add_parser(
        "analyze", help="Series, churn and label cardinality of a block or the whole store."
    )
    analyze.add_argument("db_path", nargs="?", default=DEFAULT_DB_PATH)
    analyze.add_argument(
        "block_id", nargs="?", default="", help="Block to analyze (default: the whole store)."
    )
    analyze.add_argument("--limit", type=int, default=20, help="How many items to show in each list.")

    dump = tsdb_sub.add_parser("dump", help="Dump samples as text: `{labels} value timestamp`.")
    dump.add_argument("db_path", nargs="?", default=DEFAULT_DB_PATH)
    dump.add_argument("--min-time", type=int, default=MIN_INT64)
    dump.add_argument("--max-time", type=int, default=MAX_INT64)
    dump.add_argument("--match", default="{__name__=~'(?s:.*)'}", help="Series selector.")

    create = tsdb_sub.add_parser("create-blocks-from", help="Import samples and write blocks (backfill).")
    # promtool takes these flags before or after the format; argparse needs them on both levels,
    # under distinct names because a sub-parser's defaults overwrite its parent's values.
    create.add_argument(
        "-q", "--quiet", dest="quiet_outer", action="store_true", help="Do not print created blocks."
    )
    create.add_argument("-r", "--human-readable", dest="human_outer", action="store_true")
    create_sub = create.add_subparsers(dest="import_format", required=True)
    om = create_sub.add_parser("openmetrics", help="Import OpenMetrics text with timestamps.")
    om.add_argument("-q", "--quiet", action="store_true", help="Do not print created blocks.")
    om.add_argument("-r", "--human-readable", action="store_true", help="Print human readable values.")
    om.add_argument("input")
    om.add_argument("output_dir", nargs="?", default=DEFAULT_DB_PATH)


def run_tsdb(args: argparse.Namespace) -> int:
    try:
        if args.tsdb_command == "dump":
            return dump(args.db_path, args.min_time, args.max_time, args.match)
        if args.tsdb_command == "analyze":
            return analyze(args.db_path, args.block_id, args.limit)
        from erpmon.cli._backfill import backfill_openmetrics

        return backfill_openmetrics(
            args.input,
            args.output_dir,
            quiet=args.quiet or args.quiet_outer,
            human=args.human_readable or args.human_outer,
        )
    except (OSError, PromQLSyntaxError, ValueError) as err:
        print(err, file=sys.stderr)
        return 1


def dump(db_path: str, mint: int, maxt: int, match: str) -> int:
    from erpmon.tsdb import TSDB, TSDBOptions

    matchers = parse_metric_selector(match)
    db = TSDB.open(db_path, TSDBOptions(), read_only=True)
    try:
        q = db.querier(mint, maxt)
        out = sys.stdout
        for series in q.select(matchers):
            label_text = str(series.labels)
            values = series.values.tolist()
            lines = [
                f"{label_text} {format_g(v)} {t}\n"
                for v, t in zip(values, series.timestamps.tolist(), strict=True)
            ]
            out.writelines(lines)
        q.close()
    finally:
        db.close()
    return 0


def analyze(db_path: str, block_id: str, limit: int) -> int:
    from erpmon.tsdb import TSDB, TSDBOptions

    db = TSDB.open(db_path, TSDBOptions(), read_only=True)
    try:
        mint, maxt, title = db.time_range(block_id or None)
        q = db.querier(mint, maxt)
        series = q.select(parse_metric_selector("{__name__=~'(?s:.*)'}"))
        q.close()
    finally:
        db.close()
    print(f"Block ID: {title}")
    print(f"Duration: {format_go_duration(maxt - mint)}")
    for line in analyze_series(series, mint, maxt, limit):
        print(line)
    return 0


def analyze_series(series: list[Series], mint: int, maxt: int, limit: int) -> Iterable[str]:
    """promtool tsdb analyze's report over any set of series."""
    span = max(maxt - mint, 1)
    names_uncovered: Counter[str] = Counter()
    pairs_uncovered: Counter[str] = Counter()
    pairs_count: Counter[str] = Counter()
    values_by_name: defaultdict[str, set[str]] = defaultdict(set)
    entries = 0
    for s in series:
        uncovered = span - int(s.timestamps[-1] - s.timestamps[0]) if len(s) else span
        for name, value in s.labels.pairs:
            key = f"{name}={value}"
            names_uncovered[name] += uncovered
            pairs_uncovered[key] += uncovered
            pairs_count[key] += 1
            values_by_name[name].add(value)
            entries += 1
    yield f"Series: {len(series)}"
    yield f"Label names: {len(values_by_name)}"
    yield f"Postings (unique label pairs): {len(pairs_count)}"
    yield f"Postings entries (total label pairs): {entries}"

    def top(title: str, items: dict[str, int]) -> Iterable[str]:
        yield ""
        yield f"{title}:"
        for key, n in sorted(items.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]:
            yield f"{n} {key}"

    yield from top(
        "Label pairs most involved in churning", {k: v // span for k, v in pairs_uncovered.items()}
    )
    yield from top(
        "Label names most involved in churning", {k: v // span for k, v in names_uncovered.items()}
    )
    yield from top("Most common label pairs", dict(pairs_count))
    yield from top(
        "Label names with highest cumulative label value length",
        {k: sum(len(v) for v in vs) for k, vs in values_by_name.items()},
    )
    yield from top("Highest cardinality labels", {k: len(vs) for k, vs in values_by_name.items()})
    metric_counts = Counter(s.labels.name for s in series)
    yield from top("Highest cardinality metric names", dict(metric_counts))
