"""`erpmon alerts check-config` and `erpmon alerts routes [test]`: amtool's commands, output and exits."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from erpmon.alerting._matcher_parse import MatcherParseError, parse_matcher
from erpmon.alerting._matchers import format_matchers, matches_all
from erpmon.alerting.config import load_alertmanager_config
from erpmon.alerting.routing import Route
from erpmon.config import ConfigError
from erpmon.model import Labels, MatchType

SEPARATOR = "  "


def add_alerts_commands(sub: Any) -> None:
    alerts = sub.add_parser(
        "alerts", help="Check alertmanager.yml and test its routing (amtool's counterpart)."
    )
    alerts_sub = alerts.add_subparsers(dest="alerts_command", required=True)
    check = alerts_sub.add_parser(
        "check-config", help="Validate alertmanager config files, as amtool check-config."
    )
    check.add_argument(
        "config_files", nargs="*", metavar="CONFIG-FILES", help="Files to be validated (default: stdin)."
    )
    routes = alerts_sub.add_parser("routes", help="Show the routing tree, or test it with `routes test`.")
    routes.add_argument("--config.file", dest="config_file", help="alertmanager.yml to read.")
    routes_sub = routes.add_subparsers(dest="routes_command")
    test = routes_sub.add_parser(
        "test", help="Which receivers a label set reaches, as amtool config routes test."
    )
    test.add_argument("--config.file", dest="test_config_file", help="alertmanager.yml to read.")
    test.add_argument(
        "--verify.receivers",
        dest="verify_receivers",
        default="",
        help="Fail unless the labels reach exactly these receivers (comma separated).",
    )
    test.add_argument("--tree", action="store_true", help="Print the matching routes tree.")
    test.add_argument("labels", nargs="*", help="label=value pairs")


def run_alerts(args: argparse.Namespace) -> int:
    if args.alerts_command == "check-config":
        return check_config(args.config_files)
    path = getattr(args, "test_config_file", None) or args.config_file
    if not path:
        print(
            "erpmon: error: --config.file is required (erpmon reads the routing from a file)", file=sys.stderr
        )
        return 1
    try:
        cfg = load_alertmanager_config(path)
    except ConfigError as err:
        print(f"erpmon: error: {err}", file=sys.stderr)
        return 1
    if args.routes_command != "test":
        print("Routing tree:")
        print(render_tree(_show_tree(cfg.route)))
        return 0
    try:
        labels = parse_label_args(args.labels)
    except ValueError as err:
        print(f"erpmon: error: Failed to parse labels: {err}", file=sys.stderr)
        return 1
    if args.tree:
        print("Matching routes:")
        print(render_tree(_matching_tree(cfg.route, labels)))
        print()
    slug = ",".join(receivers_for(cfg.route, labels))
    print(slug)
    if args.verify_receivers and args.verify_receivers != slug:
        print("WARNING: Expected receivers did not match resolved receivers.")
        return 1
    return 0


def check_config(paths: list[str]) -> int:
    from erpmon.alerting.templates import TemplateLoadError, TemplateSet

    if not paths:
        # As amtool: read a piped stdin, refuse a terminal.
        if sys.stdin.isatty():
            print("erpmon: error: Failed to read from standard input", file=sys.stderr)
            return 1
        paths = ["/dev/stdin"]
    for path in paths:
        # kingpin's ExistingFiles check happens before anything is printed.
        if not os.path.exists(path):
            print(f"erpmon: error: path '{path}' does not exist", file=sys.stderr)
            return 1
        if os.path.isdir(path):
            print(f"erpmon: error: '{os.path.basename(path.rstrip('/'))}' is a directory", file=sys.stderr)
            return 1
    failed = 0
    for path in paths:
        print(f"Checking '{path}'", end="")
        try:
            cfg = load_alertmanager_config(path)
        except ConfigError as err:
            print(f"  FAILED: {err}")
            failed += 1
            print()
            continue
        print("  SUCCESS")
        print("Found:")
        print(" - global config")
        print(" - route")
        print(f" - {len(cfg.inhibit_rules)} inhibit rules")
        print(f" - {len(cfg.receivers)} receivers")
        print(f" - {len(cfg.templates)} templates")
        if cfg.templates:
            try:
                TemplateSet.load(cfg.templates, external_url="")
                print("  SUCCESS")
            except TemplateLoadError as err:
                print(f"  FAILED: {err}")
                failed += 1
        print()
    if failed:
        print(f"erpmon: error: failed to validate {failed} file(s)", file=sys.stderr)
        return 1
    return 0


def parse_label_args(items: list[str]) -> Labels:
    """amtool's parseLabels: each argument is an `=` matcher."""
    out: dict[str, str] = {}
    for item in items:
        try:
            m = parse_matcher(item)
        except MatcherParseError as err:
            raise ValueError(str(err)) from err
        if m.type is not MatchType.EQUAL:
            raise ValueError("labels must be specified as key=value pairs")
        out[m.name] = m.value
    return Labels((k, v) for k, v in out.items() if v)


def receivers_for(route: Route, labels: Labels) -> list[str]:
    return [r.options.receiver for r in route.match(labels)]


Tree = tuple[str, list["Tree"]]


def _slug(route: Route, *, show_continue: bool, show_receiver: bool) -> str:
    text = format_matchers(route.matchers) if route.matchers else "default-route"
    if route.continue_ and show_continue:
        text += SEPARATOR + "continue: true"
    if show_receiver:
        text += SEPARATOR + "receiver: " + route.options.receiver
    return text


def _show_tree(route: Route) -> Tree:
    return (_slug(route, show_continue=True, show_receiver=True), [_show_tree(r) for r in route.routes])


def _matching_tree(route: Route, labels: Labels) -> Tree:
    children: list[Tree] = []
    for r in route.routes:
        if matches_all(r.matchers, labels):
            children.append(_matching_tree(r, labels))
            if not r.continue_:
                break
    return (_slug(route, show_continue=False, show_receiver=not children), children)


def render_tree(root: Tree) -> str:
    """treeprint's layout: a "." root, then branches drawn with box characters."""
    lines = ["."]

    def walk(node: Tree, prefix: str, last: bool) -> None:
        lines.append(prefix + ("└── " if last else "├── ") + node[0])
        # treeprint draws the bar with two no-break spaces after it.
        child_prefix = prefix + ("    " if last else "│\u00a0\u00a0 ")
        for i, child in enumerate(node[1]):
            walk(child, child_prefix, i == len(node[1]) - 1)

    walk(root, "", True)
    return "\n".join(lines) + "\n"
