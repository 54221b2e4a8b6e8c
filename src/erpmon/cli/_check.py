"""`erpmon check config`: promtool check config's output and exit codes, rule files included."""

from __future__ import annotations

import sys

from erpmon.config import ConfigError, check_referenced_files, load_prometheus_config

SUCCESS, FAILURE, LINT_FAILURE = 0, 1, 3


def check_config(paths: list[str], *, syntax_only: bool = False, lint: str = "duplicate-rules") -> int:
    from erpmon.cli._rules import check_rule_file

    failed = has_errors = False
    for path in paths:
        print(f"Checking {path}")
        rule_files: list[str] = []
        try:
            cfg = load_prometheus_config(path)
        except (OSError, ConfigError) as err:
            print(f"  FAILED: {err}", file=sys.stderr)
            failed = has_errors = True
            print()
            continue
        for warning in cfg.warnings:
            print(f"  WARNING: {warning}", file=sys.stderr)
        problems, warnings = ([], []) if syntax_only else check_referenced_files(cfg)
        for warning in warnings:
            print(f"  WARNING: {warning}", file=sys.stderr)
        if problems:
            for problem in problems:
                print(f"  FAILED: {problem.reason}", file=sys.stderr)
            failed = has_errors = True
        else:
            rule_files = [] if syntax_only else cfg.rule_file_paths()
            if rule_files:
                print(f"  SUCCESS: {len(rule_files)} rule files found")
            print(f" SUCCESS: {path} is valid prometheus config file syntax")
        print()
        for rule_file in rule_files:
            errors, lint_only = check_rule_file(rule_file, lint=lint, indent="     ")
            failed = failed or errors
            has_errors = has_errors or (errors and not lint_only)
            print()
    if failed and has_errors:
        return FAILURE
    return SUCCESS
