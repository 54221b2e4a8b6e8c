"""The embedded Alertmanager's v2 API routes, bound to the running `AlertingService`."""

from __future__ import annotations

from prometheus_client import CollectorRegistry
from starlette.routing import BaseRoute

from erpmon.alerting._service import AlertingService
from erpmon.web._alertmanager_api import AlertmanagerWebContext, alertmanager_routes


def alertmanager_api_routes(
    service: AlertingService, registry: CollectorRegistry | None = None
) -> list[BaseRoute]:
    return alertmanager_routes(
        AlertmanagerWebContext(
            silences=service.silences,
            now_ns=service.now_ns,
            put_alerts=service.put_alerts,
            resolve_timeout_ns=service.resolve_timeout_ns,
            list_alerts=service.alert_views,
            list_groups=service.group_views,
            receivers=service.receiver_names,
            config_yaml=service.config_yaml,
            started_ns=service.started_ns,
            registry=registry,
        )
    )
