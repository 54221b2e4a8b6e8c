"""Fetching a target's exposition over HTTP(S) with httpx, as Prometheus's targetScraper does."""

from __future__ import annotations

import base64
import ssl
from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import httpx

from erpmon import __version__
from erpmon.config import Authorization, BasicAuth, HTTPClientConfig
from erpmon.exposition import ACCEPT_HEADER

USER_AGENT = f"erpmon/{__version__} (Prometheus/2.42.0 compatible)"
_CHUNK = 64 * 1024


class ScrapeError(Exception):
    """Why a fetch failed, worded for the target's lastError."""


class Scraper(Protocol):
    async def fetch(self) -> tuple[bytes, str | None]: ...

    async def aclose(self) -> None: ...


@dataclass(frozen=True)
class HTTPClientSettings:
    """What a scrape config says about how to talk to targets."""

    basic_auth: BasicAuth | None = None
    authorization: Authorization | None = None
    ca_file: str | None = None
    cert_file: str | None = None
    key_file: str | None = None
    server_name: str | None = None
    insecure_skip_verify: bool = False
    follow_redirects: bool = True
    proxy_url: str | None = None


class _CredentialsAuth(httpx.Auth):
    """Sets the Authorization header per request; secret files are re-read each time, as Prometheus does."""

    def __init__(self, basic: BasicAuth | None, authz: Authorization | None) -> None:
        self._basic = basic
        self._authz = authz

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self._basic is not None:
            b = self._basic
            password = read_secret_file(b.password_file) if b.password_file else b.password
            token = base64.b64encode(f"{b.username}:{password}".encode()).decode()
            request.headers["Authorization"] = f"Basic {token}"
        elif self._authz is not None:
            a = self._authz
            creds = read_secret_file(a.credentials_file) if a.credentials_file else a.credentials
            request.headers["Authorization"] = f"{a.type or 'Bearer'} {creds}"
        yield request


def build_client(settings: HTTPClientSettings) -> httpx.AsyncClient:
    """One client per scrape pool; connections are reused across its targets."""
    verify: ssl.SSLContext | bool = True
    if settings.ca_file or settings.cert_file or settings.insecure_skip_verify:
        ctx = ssl.create_default_context(cafile=settings.ca_file)
        if settings.cert_file:
            ctx.load_cert_chain(settings.cert_file, settings.key_file)
        if settings.insecure_skip_verify:
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        verify = ctx
    auth: httpx.Auth | None = None
    if settings.basic_auth is not None or settings.authorization is not None:
        auth = _CredentialsAuth(settings.basic_auth, settings.authorization)
    return httpx.AsyncClient(
        verify=verify,
        auth=auth,
        follow_redirects=settings.follow_redirects,
        proxy=settings.proxy_url,
        trust_env=False,
    )


def client_for(hc: HTTPClientConfig) -> httpx.AsyncClient:
    """A client that talks as an `http_config` block says (auth, TLS, redirects, proxy)."""
    tls = hc.tls_config
    return build_client(
        HTTPClientSettings(
            basic_auth=hc.basic_auth,
            authorization=hc.authorization,
            ca_file=tls.ca_file or None,
            cert_file=tls.cert_file or None,
            key_file=tls.key_file or None,
            server_name=tls.server_name or None,
            insecure_skip_verify=tls.insecure_skip_verify,
            follow_redirects=hc.follow_redirects,
            proxy_url=hc.proxy_url or None,
        )
    )


class HTTPScraper:
    """Fetches one target URL; the client belongs to the pool and is not closed here."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        url: str,
        timeout_s: float,
        body_size_limit: int = 0,
        server_name: str | None = None,
    ) -> None:
        self._client = client
        self._url = url
        self._timeout = timeout_s
        self._limit = body_size_limit
        self._headers = {
            "Accept": ACCEPT_HEADER,
            "Accept-Encoding": "gzip",
            "User-Agent": USER_AGENT,
            "X-Prometheus-Scrape-Timeout-Seconds": _go_float(timeout_s),
        }
        self._extensions = {"sni_hostname": server_name} if server_name else {}

    async def fetch(self) -> tuple[bytes, str | None]:
        try:
            req = self._client.build_request(
                "GET", self._url, headers=self._headers, timeout=self._timeout, extensions=self._extensions
            )
            resp = await self._client.send(req, stream=True)
            try:
                if resp.status_code != 200:
                    raise ScrapeError(f"server returned HTTP status {resp.status_code} {resp.reason_phrase}")
                body = await self._read(resp)
            finally:
                await resp.aclose()
        except httpx.TimeoutException as err:
            raise ScrapeError(f'Get "{self._url}": context deadline exceeded') from err
        except httpx.HTTPError as err:
            raise ScrapeError(f'Get "{self._url}": {err or type(err).__name__}') from err
        except (ssl.SSLError, OSError) as err:
            raise ScrapeError(f'Get "{self._url}": {err}') from err
        return body, resp.headers.get("content-type")

    async def _read(self, resp: httpx.Response) -> bytes:
        if self._limit <= 0:
            return await resp.aread()
        parts: list[bytes] = []
        size = 0
        async for chunk in resp.aiter_bytes(_CHUNK):
            size += len(chunk)
            if size >= self._limit:
                raise ScrapeError("body size limit exceeded")
            parts.append(chunk)
        return b"".join(parts)

    async def aclose(self) -> None:
        """The pool owns the client."""


def _go_float(x: float) -> str:
    """strconv.FormatFloat(x, 'f', -1, 64) for the timeouts we send."""
    text = repr(float(x))
    return text[:-2] if text.endswith(".0") else text


def read_secret_file(path: str) -> str:
    """Secret files as Prometheus reads them: the content with surrounding whitespace trimmed."""
    return Path(path).read_text().strip()
