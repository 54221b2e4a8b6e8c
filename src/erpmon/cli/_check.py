"""`erpmon check config`: promtool check config's output and exit codes."""

from __future__ import annotations

import glob
import sys

from erpmon.config import ConfigError, load_prometheus_config

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
        missing = [f for f in cfg.rule_files if not syntax_only and not _glob_matches(f)]
        if missing:
            print(f'  FAILED: "{missing[0]}" does not point to an existing file', file=sys.stderr)
            status = FAILURE
            continue
        print(f" SUCCESS: {path} is valid prometheus config file syntax")
        print()
    return status


def _glob_matches(pattern: str) -> bool:
    return bool(glob.glob(pattern))
