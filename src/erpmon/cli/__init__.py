"""Command line: argument parsing and wiring, the only place that builds the object graph.

Owns: the `erpmon` console script and its sub-commands.
Reads from: every other package.
Hands on: exit codes in Prometheus's convention (0 ok, 1 failure, 3 lint/check problems).
"""

from erpmon.cli._main import main

__all__ = ["main"]
