"""`python -m erpmon.incidents._entrypoint package.module:function`: run a Python remediation.

The function is called with one dict, the incident context (`ERPMON_INCIDENT_CONTEXT`, JSON). It
runs in this child interpreter so that the action's timeout can kill it. Exit status: 0 when it
returns anything but False, 1 when it returns False, 2 when it raises (the traceback is printed).
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import traceback


def main(argv: list[str]) -> int:
    if len(argv) != 1 or ":" not in argv[0]:
        print("usage: python -m erpmon.incidents._entrypoint package.module:function", file=sys.stderr)
        return 2
    module_name, _, func_name = argv[0].partition(":")
    context = json.loads(os.environ.get("ERPMON_INCIDENT_CONTEXT") or "{}")
    try:
        func = getattr(importlib.import_module(module_name), func_name)
        result = func(context)
    except Exception:
        traceback.print_exc()
        return 2
    if result is not None and result is not False:
        print(result if isinstance(result, str) else json.dumps(result, default=str))
    return 1 if result is False else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
