"""What the HTTP integrations share: posting JSON, Alertmanager's retry rule, secrets from files."""

from __future__ import annotations

from typing import Any

import httpx

from erpmon import __version__

USER_AGENT = f"erpmon/{__version__}"
TRUNCATION_MARKER = "…"


class NotifyError(Exception):
    """A failed notification with the reason label Alertmanager 0.26+ counts it under."""

    def __init__(self, message: str, reason: str = "other") -> None:
        super().__init__(message)
        self.reason = reason


def check_status(
    response: httpx.Response, retry_codes: tuple[int, ...] = ()
) -> tuple[bool, Exception | None]:
    """`Retrier.Check`: 2xx succeeds; 5xx (and `retry_codes`) retry; anything else fails for good."""
    code = response.status_code
    if code // 100 == 2:
        return False, None
    retry = code // 100 == 5 or code in retry_codes
    body = response.text.strip()
    message = f"unexpected status code {code}" + (f": {body}" if body else "")
    return retry, NotifyError(message, "serverError" if code // 100 == 5 else "clientError")


async def post_json(
    client: httpx.AsyncClient, url: str, payload: Any, headers: dict[str, str] | None = None, **kw: Any
) -> tuple[bool, Exception | None]:
    try:
        response = await client.post(
            url, json=payload, headers={"User-Agent": USER_AGENT, **(headers or {})}, **kw
        )
    except httpx.HTTPError as err:
        return True, NotifyError(redact(str(err) or type(err).__name__, url), "other")
    return check_status(response)


def redact(message: str, url: str) -> str:
    """Keep a URL that may carry a token (Slack, webhooks) out of logs."""
    return message.replace(url, "<redacted>") if url else message


def read_secret_file(path: str) -> str:
    """A secret kept in a file, read at send time so a rotated secret applies without a reload."""
    try:
        with open(path, encoding="utf-8") as f:
            return f.read().strip()
    except OSError as err:
        raise NotifyError(f"reading secret file: {err}", "other") from err


def truncate_runes(text: str, n: int) -> tuple[str, bool]:
    """`notify.TruncateInRunes`."""
    if len(text) <= n:
        return text, False
    if n <= 3:
        return text[:n], True
    return text[: n - 1] + TRUNCATION_MARKER, True
