"""Entry point of the `erpmon` console script."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    print("erpmon: sub-commands are being wired; got", args)
    return 0
