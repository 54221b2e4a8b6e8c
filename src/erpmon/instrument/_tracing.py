"""OpenTelemetry tracing, off by default (the guide's pkg/tracing used opentracing and
jaeger-client, both deprecated and archived; OpenTelemetry replaces them and Jaeger ingests OTLP).

Without `setup_tracing()` the middleware's and the database's spans are OpenTelemetry's no-op
spans. `setup_tracing(endpoint=...)` installs a tracer provider that exports to an OTLP/HTTP
collector (Jaeger, Tempo, the OpenTelemetry Collector); tests pass their own exporter.
"""

from __future__ import annotations

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor, SpanExporter


def setup_tracing(
    service: str = "erpgo-api",
    *,
    endpoint: str = "",
    exporter: SpanExporter | None = None,
    sample_ratio: float = 1.0,
) -> TracerProvider:
    """Install a tracer provider. `endpoint`: an OTLP/HTTP traces URL
    (http://collector:4318/v1/traces); `exporter`: any exporter, exported synchronously (tests)."""
    from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased

    provider = TracerProvider(
        resource=Resource.create({"service.name": service}),
        sampler=ParentBased(TraceIdRatioBased(sample_ratio)),
    )
    if exporter is not None:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    if endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    trace.set_tracer_provider(provider)
    return provider
