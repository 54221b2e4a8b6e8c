"""`erpmon rules check` and `erpmon rules test`: promtool check rules / test rules, same output and exits."""

from __future__ import annotations

import argparse
import sys
from typing import Any

SUCCESS, FAILURE, LINT_FAILURE = 0, 1, 3


def add_rules_commands(sub: Any) -> None:
    rules = sub.add_parser(
        "rules", help="Check and unit-test Prometheus rule files (promtool's counterpart)."
    )
    rules_sub = rules.add_subparsers(dest="rules_command", required=True)
    check = rules_sub.add_parser("check", help="Check rule files for problems, as promtool check rules.")
    check.add_argument("rule_files", nargs="+", metavar="RULE-FILES")
    check.add_argument(
        "--lint",
        default="duplicate-rules",
        choices=["all", "duplicate-rules", "none"],
        help="Linting checks to apply.",
    )
    check.add_argument("--lint-fatal", action="store_true", help="Make lint errors exit with exit code 3.")
    test = rules_sub.add_parser("test", help="Unit-test rule files, as promtool test rules.")
    test.add_argument("test_files", nargs="+", metavar="TEST-FILE")
    test.add_argument("--run", action="append", default=[], help="Only run test groups matching this regex.")


def run_rules(args: argparse.Namespace) -> int:
    if args.rules_command == "check":
        return check_rules(args.rule_files, lint=args.lint, lint_fatal=args.lint_fatal)
    from erpmon.rules.unittest import run_unit_tests

    return run_unit_tests(args.test_files, run=args.run)


def check_rules(paths: list[str], *, lint: str = "duplicate-rules", lint_fatal: bool = False) -> int:
    failed = has_errors = False
    for path in paths:
        errors, lint_only = check_rule_file(path, lint=lint)
        failed = failed or errors
        has_errors = has_errors or (errors and not lint_only)
        print()
    if failed and has_errors:
        return FAILURE
    if failed and lint_fatal:
        return LINT_FAILURE
    return SUCCESS


def check_rule_file(path: str, *, lint: str, indent: str = "") -> tuple[bool, bool]:
    """promtool's checkRules for one file: prints its report; (failed, only lint problems)."""
    from erpmon.rules import RuleFileError, duplicate_rules, load_rule_file

    print(f"Checking {path}")
    try:
        rule_file = load_rule_file(path)
    except RuleFileError as err:
        print("  FAILED:", file=sys.stderr)
        for message in err.messages:
            print(indent + message, file=sys.stderr)
        return True, False
    duplicates = duplicate_rules(rule_file.groups) if lint in ("all", "duplicate-rules") else []
    if not duplicates:
        print(f"  SUCCESS: {rule_file.rule_count} rules found")
        return False, False
    lines = [f"lint error {len(duplicates)} duplicate rule(s) found."]
    for name, labels in duplicates:
        lines.append(f"Metric: {name}")
        lines.append("Label(s):")
        lines.extend(f"\t{label}: {value}" for label, value in labels)
    lines.append("Might cause inconsistency while recording expressions")
    print("  FAILED:", file=sys.stderr)
    print(indent + "\n".join(lines), file=sys.stderr)
    return True, True
