"""alertmanager.yml (Alertmanager 0.25's schema), loaded and checked as `amtool check-config` does.

Owns: `AlertmanagerConfig` and its parts — `GlobalConfig`, the route tree (built by
`erpmon.alerting.routing`), `InhibitRule`, `ReceiverConfig` with each integration's settings and
global defaults, time intervals and template globs — `ConfigError` problems with file, line and
column, `${VAR}` expansion (`expand_env`), and the secret-masked YAML the API shows.
Reads from: `erpmon.config`'s YAML layer (yaml.v2 semantics), `erpmon.alerting.routing`,
`erpmon.alerting.timeinterval`.
Hands on: frozen configs to the alerting service, the CLI and the API.
"""

from erpmon.alerting.config._global import GlobalConfig
from erpmon.alerting.config._load import (
    AlertmanagerConfig,
    InhibitRule,
    expand_environment,
    load_alertmanager_config,
    parse_alertmanager_config,
)
from erpmon.alerting.config._receivers import IntegrationConfig, ReceiverConfig

__all__ = [
    "AlertmanagerConfig",
    "GlobalConfig",
    "InhibitRule",
    "IntegrationConfig",
    "ReceiverConfig",
    "expand_environment",
    "load_alertmanager_config",
    "parse_alertmanager_config",
]
