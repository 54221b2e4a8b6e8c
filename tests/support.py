"""Helpers shared by test folders (fixtures live in the conftest.py files)."""

from __future__ import annotations

import shutil
import socket
import sys

import pytest

ERPMON = [sys.executable, "-m", "erpmon"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def need_binary(name: str) -> str:
    """The path of a reference binary (promtool, prometheus...), or skip saying how to get it."""
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} not on PATH (apt-get install prometheus; .ci/run does)")
    return path
