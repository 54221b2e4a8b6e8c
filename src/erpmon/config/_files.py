"""The checks `promtool check config` adds on the files a config names (skipped with --syntax-only).

Prometheus itself loads a config whose referenced files are missing (they are read later, per
scrape or rule evaluation); promtool refuses it. `check_referenced_files` gives `erpmon check config`
promtool's verdict: explicit rule files must exist, credential and client TLS files must exist, and
file_sd files that exist must parse and yield buildable targets (a missing one is only a warning).
"""

from __future__ import annotations

import glob
import os

from erpmon.config._errors import ConfigError, Problem
from erpmon.config._populate import scrape_target_problem
from erpmon.config._prometheus import PrometheusConfig
from erpmon.config._targets import load_file_sd
from erpmon.model import go_quote


def _missing(path: str) -> str | None:
    if path == "":
        return None
    try:
        os.stat(path)
    except OSError as err:
        return f"stat {path}: {err.strerror.lower() if err.strerror else err}"
    return None


def check_referenced_files(cfg: PrometheusConfig) -> tuple[list[Problem], list[str]]:
    """(problems, warnings) of promtool's file checks for a loaded config, in promtool's order."""
    problems: list[Problem] = []
    warnings: list[str] = []

    def fail(reason: str) -> None:
        problems.append(Problem(cfg.filename, 0, 0, reason))

    for pattern in cfg.rule_files:
        if "*" in pattern:
            continue
        if not glob.glob(pattern):
            fail(f"{go_quote(pattern)} does not point to an existing file")
    for job in cfg.scrape_configs:
        auth = job.http.authorization
        if auth is not None and (err := _missing(auth.credentials_file)):
            what = "authorization credentials or bearer token file"
            fail(f"error checking {what} {go_quote(auth.credentials_file)}: {err}")
        for path, what in (
            (job.http.tls_config.cert_file, "client cert"),
            (job.http.tls_config.key_file, "client key"),
        ):
            if err := _missing(path):
                fail(f"error checking {what} file {go_quote(path)}: {err}")
        for sd in job.file_sd_configs:
            for pattern in sd.files:
                matches = sorted(glob.glob(pattern))
                if not matches:
                    job_name = go_quote(job.job_name)
                    warnings.append(
                        f"file {go_quote(pattern)} for file_sd in scrape job {job_name} does not exist"
                    )
                for path in matches:
                    try:
                        groups = load_file_sd(path)
                    except ConfigError as err:
                        fail(f"checking SD file {go_quote(pattern)}: {err}")
                        continue
                    if (problem := scrape_target_problem(job, groups)) is not None:
                        fail(problem)
    return problems, warnings
