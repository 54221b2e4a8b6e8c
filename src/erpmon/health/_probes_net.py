"""Network probes: http, tcp, dns and metrics-endpoint.

http: method, headers, body, expected status codes (default 2xx), a latency threshold (a slow
answer is a warning), a body regex, a JSON field that must equal a value (`json_field: status`,
`json_equals: healthy`, the seeds' `jq -r '.status'`), and for https the earliest certificate
expiry (an expired or untrusted certificate fails the probe; one that expires within
`cert_expiry_warning`, default 14 days, is a warning).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import json
import os
import re
import ssl
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx

from erpmon.exposition import ParseError, content_type_is_openmetrics, parse
from erpmon.health._result import Probe, ProbeFailed

DEFAULT_CERT_WARNING_MS = 14 * 86_400_000


def _tls_context(o: Mapping[str, Any]) -> ssl.SSLContext:
    ca_file = str(o.get("ca_file") or "")
    try:
        stamp = os.stat(ca_file).st_mtime_ns if ca_file else 0
    except OSError:
        stamp = -1  # the load below reports the problem
    return _cached_context(ca_file, stamp, bool(o.get("insecure_skip_verify")))


@functools.lru_cache(maxsize=64)
def _cached_context(ca_file: str, _stamp: int, insecure: bool) -> ssl.SSLContext:
    """Loading the trust store costs milliseconds of CPU; hundreds of checks share a few contexts
    (a rewritten CA file has a new mtime, so a rotated CA is picked up)."""
    ctx = ssl.create_default_context(cafile=ca_file or None)
    if insecure:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    return ctx


def _tls_reason(err: BaseException) -> str | None:
    """The root cause inside an httpx/ssl error chain: the certificate problem as OpenSSL words
    it, or the socket error ("Connection refused")."""
    seen: BaseException | None = err
    socket_error: str | None = None
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return f"TLS certificate: {seen.verify_message}"
        if isinstance(seen, ssl.SSLError):
            return f"TLS: {seen.reason or seen}"
        if isinstance(seen, OSError) and (seen.errno or seen.strerror) and socket_error is None:
            socket_error = f"connect: {os.strerror(seen.errno) if seen.errno else seen.strerror}"
        seen = seen.__cause__ or seen.__context__
    return socket_error


def _field(data: Any, path: str) -> Any:
    for part in [p for p in path.lstrip(".").split(".") if p]:
        if isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        elif isinstance(data, dict) and part in data:
            data = data[part]
        else:
            raise ProbeFailed(f"JSON field .{path.lstrip('.')} is missing")
    return data


async def probe_http(o: Mapping[str, Any], probe: Probe, timeout_s: float) -> None:
    url = str(o["url"])
    ctx = _tls_context(o)
    async with httpx.AsyncClient(verify=ctx, timeout=timeout_s, follow_redirects=True) as client:
        started = time.monotonic()
        try:
            resp = await client.request(
                str(o.get("method") or "GET"), url, headers=dict(o.get("headers") or {}),
                content=str(o.get("body") or "") or None,
            )  # fmt: skip
        except httpx.TimeoutException as err:
            raise ProbeFailed(f"timed out after {timeout_s:g}s ({type(err).__name__})") from err
        except httpx.HTTPError as err:
            raise ProbeFailed(_tls_reason(err) or f"{type(err).__name__}: {err}") from err
        latency = time.monotonic() - started
    probe.http_status = resp.status_code
    probe.details.update(status_code=resp.status_code, latency_seconds=round(latency, 6))
    expected = tuple(o.get("expect_status") or ())
    good = resp.status_code in expected if expected else 200 <= resp.status_code < 300
    if not good:
        raise ProbeFailed(
            f"HTTP {resp.status_code}, want {', '.join(map(str, expected)) if expected else '2xx'}"
        )
    max_latency = int(o.get("max_latency") or 0)
    if max_latency and latency * 1000 > max_latency:
        probe.warn(f"slow: answered in {latency * 1000:.0f} ms, threshold {max_latency} ms")
    if o.get("body_regex") and not re.search(str(o["body_regex"]), resp.text):
        raise ProbeFailed(f"body does not match {o['body_regex']!r}")
    if o.get("json_field"):
        try:
            data = resp.json()
        except ValueError as err:
            raise ProbeFailed(f"body is not JSON: {err}") from err
        value = _field(data, str(o["json_field"]))
        probe.details["json_value"] = value
        want = o.get("json_equals")
        if want is not None and want != "" and str(value) != str(want):
            raise ProbeFailed(
                f".{str(o['json_field']).lstrip('.')} is {json.dumps(value)}, want {json.dumps(want)}"
            )
    if urlsplit(url).scheme == "https":
        await _cert_expiry(
            url, ctx, probe, int(o.get("cert_expiry_warning") or DEFAULT_CERT_WARNING_MS), timeout_s
        )


async def _cert_expiry(url: str, ctx: ssl.SSLContext, probe: Probe, warn_ms: int, timeout_s: float) -> None:
    if ctx.verify_mode == ssl.CERT_NONE:
        return  # an unverified peer's certificate is not decoded by the ssl module
    parts = urlsplit(url)
    host, port = parts.hostname or "", parts.port or 443
    try:
        _, writer = await asyncio.wait_for(
            asyncio.open_connection(host, port, ssl=ctx, server_hostname=host), timeout_s
        )
    except (OSError, TimeoutError) as err:
        raise ProbeFailed(_tls_reason(err) or f"TLS connect: {err}") from err
    try:
        cert = writer.get_extra_info("peercert") or {}
    finally:
        writer.close()
        with contextlib.suppress(OSError, ssl.SSLError):
            await writer.wait_closed()
    not_after = cert.get("notAfter")
    if not not_after:
        return
    expires = ssl.cert_time_to_seconds(str(not_after))
    probe.cert_expiry_s = expires
    left_s = expires - time.time()
    probe.details["cert_expires"] = dt.datetime.fromtimestamp(expires, tz=dt.UTC).isoformat()
    if left_s * 1000 < warn_ms:
        probe.warn(f"TLS certificate expires in {left_s / 86400:.1f} days")


async def probe_tcp(o: Mapping[str, Any], probe: Probe, timeout_s: float) -> None:
    host, _, port = str(o["address"]).rpartition(":")
    if not host or not port.isdigit():
        raise ProbeFailed(f"address {o['address']!r} is not host:port")
    ctx = _tls_context(o) if o.get("tls") else None
    try:
        _, writer = await asyncio.wait_for(
            asyncio.open_connection(
                host.strip("[]"), int(port), ssl=ctx, server_hostname=host if ctx else None
            ),
            timeout_s,
        )
    except TimeoutError as err:
        raise ProbeFailed(f"connect to {o['address']} timed out after {timeout_s:g}s") from err
    except OSError as err:
        reason = _tls_reason(err) or ""
        if not reason.startswith("TLS"):
            reason = f"connect to {o['address']}: {os.strerror(err.errno) if err.errno else err}"
        raise ProbeFailed(reason) from err
    writer.close()
    with contextlib.suppress(OSError, ssl.SSLError):
        await writer.wait_closed()


async def probe_dns(o: Mapping[str, Any], probe: Probe, timeout_s: float) -> None:
    import dns.asyncresolver
    import dns.exception
    import dns.resolver

    resolver = dns.asyncresolver.Resolver(configure=not o.get("server"))
    if o.get("server"):
        host, _, port = str(o["server"]).partition(":")
        resolver.nameservers = [host]
        resolver.port = int(port or 53)
    resolver.lifetime = timeout_s
    record = str(o.get("record") or "A")
    try:
        answer = await resolver.resolve(str(o["query"]), record)
    except dns.resolver.NXDOMAIN as err:
        raise ProbeFailed(f"{o['query']}: no such domain") from err
    except dns.resolver.NoAnswer as err:
        raise ProbeFailed(f"{o['query']}: no {record} record") from err
    except dns.exception.Timeout as err:
        raise ProbeFailed(f"{o['query']}: timed out after {timeout_s:g}s") from err
    except dns.exception.DNSException as err:
        raise ProbeFailed(f"{o['query']}: {err}") from err
    values = sorted(r.to_text() for r in answer)
    probe.details["answers"] = values
    missing = [v for v in o.get("expect") or () if v not in values]
    if missing:
        raise ProbeFailed(f"{o['query']} {record} is {', '.join(values)}; missing {', '.join(missing)}")


async def probe_metrics(o: Mapping[str, Any], probe: Probe, timeout_s: float) -> None:
    async with httpx.AsyncClient(timeout=timeout_s) as client:
        try:
            resp = await client.get(str(o["url"]), headers={"Accept": "text/plain;version=0.0.4"})
        except httpx.HTTPError as err:
            raise ProbeFailed(_tls_reason(err) or f"{type(err).__name__}: {err}") from err
    probe.http_status = resp.status_code
    if resp.status_code != 200:
        raise ProbeFailed(f"HTTP {resp.status_code}")
    try:
        parsed = await asyncio.to_thread(parse, resp.content, resp.headers.get("content-type"))
    except ParseError as err:
        raise ProbeFailed(f"not a valid exposition: {err}") from err
    fmt = "OpenMetrics" if content_type_is_openmetrics(resp.headers.get("content-type")) else "text 0.0.4"
    probe.details.update(series=len(parsed.keys), format=fmt)
    if len(parsed.keys) < int(o.get("min_series") or 1):
        raise ProbeFailed(f"{len(parsed.keys)} series, want at least {o.get('min_series') or 1}")
