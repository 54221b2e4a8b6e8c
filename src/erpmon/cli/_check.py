"""`erpmon check config`: promtool check config's output and exit codes."""

from __future__ import annotations

import sys

from erpmon.config import ConfigError, check_referenced_files, load_prometheus_config

SUCCESS, FAILURE = 0, 1


def check_config(paths: list[str], *, syntax_only: bool = False) -> int:
    status = SUCCESS
    for path in paths:
        print(f"Checking {path}")
        try:
            cfg = load_prometheus_config(path)
        except OSError as err:
            print(f"  FAILED: {err}", file=sys.stderr)
            status = FAILURE
            continue
        except ConfigError as err:
            print(f"  FAILED: {err}", file=sys.stderr)
            status = FAILURE
            continue
        for warning in cfg.warnings:
            print(f"  WARNING: {warning}", file=sys.stderr)
        problems, warnings = ([], []) if syntax_only else check_referenced_files(cfg)
        for warning in warnings:
            print(f"  WARNING: {warning}", file=sys.stderr)
        if problems:
            for problem in problems:
                print(f"  FAILED: {problem.reason}", file=sys.stderr)
            status = FAILURE
            continue
        print(f" SUCCESS: {path} is valid prometheus config file syntax")
        print()
    return status
