"""The ERPGo rule pack: the ERPGo operators' recording and alerting rules, corrected.

Owns: `rules/*.yml` (19 rule files, plain Prometheus 2.42), `prometheus.yml` (scrape jobs for
ERPGo, the host, erpmon, cAdvisor and the exporters; `rule_files: [rules/*.yml]`), `tests/*.yml`
(promtool unit tests), `alertmanager.yml` and `templates/` (routing, inhibition and
receivers for the embedded or an external Alertmanager), `README.md` (contents and the
corrections to the seeds) and `METRICS.md` (the metrics the rules read: the instrumentation's
contract).
Reads from: nothing; the files are data, located by the helpers below.
Hands on: paths: `erpgo_pack_dir()`, `rule_files()`, `test_files()`, `alertmanager_config()`,
`incidents_config()`, `checks_config()`.
"""

from erpmon.packs.erpgo._files import (
    alertmanager_config,
    checks_config,
    erpgo_pack_dir,
    incidents_config,
    prometheus_config,
    rule_files,
    test_files,
)

__all__ = [
    "alertmanager_config",
    "checks_config",
    "erpgo_pack_dir",
    "incidents_config",
    "prometheus_config",
    "rule_files",
    "test_files",
]
