"""Structured JSON logs for ERPGo services (the guide's pkg/logger), through structlog.

`configure_logging()` renders every record (structlog's and the stdlib's) as one JSON object with
a timestamp, level, logger, message and whatever the request bound: request_id, method, endpoint,
user_id. The middleware binds the request's fields in context variables, so every log line of a
request carries its id, in asyncio tasks and threads started for it alike; `bind_user()` adds the
signed-in user.
"""

from __future__ import annotations

import logging
import sys
from typing import IO, Any

import structlog
from structlog.contextvars import bind_contextvars, bound_contextvars, clear_contextvars

__all__ = ["bind_request", "bind_user", "bound_contextvars", "clear_request", "configure_logging"]


def configure_logging(
    level: str = "info", *, service: str = "erpgo-api", stream: IO[str] | None = None
) -> None:
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.TimeStamper(fmt="iso", utc=True, key="ts"),
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
    ]
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            lambda _l, _n, event: {**event, "service": service},
            structlog.processors.EventRenamer("msg"),
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(),
        ],
    )
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    handler = logging.StreamHandler(stream or sys.stdout)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(getattr(logging, level.upper(), logging.INFO))


def bind_request(**fields: Any) -> None:
    clear_contextvars()
    bind_contextvars(**fields)


def bind_user(user_id: str | int) -> None:
    bind_contextvars(user_id=str(user_id))


def clear_request() -> None:
    clear_contextvars()
