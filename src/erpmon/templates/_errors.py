"""The one error type of the package: its message is Go's error text, unchanged."""

from __future__ import annotations


class TemplateError(Exception):
    """A parse or execution error; `str(err)` is what Go's text/template (or Prometheus) says."""
