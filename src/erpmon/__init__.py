"""erpmon: monitoring and alerting for ERPGo, Prometheus-compatible, in one Python process.

Owns: nothing but the package version.
Reads from: -
Hands on: the sub-packages, one per stage of a sample's path (see docs/ARCHITECTURE.md).
"""

__all__ = ["__version__"]

__version__ = "0.1.0"
