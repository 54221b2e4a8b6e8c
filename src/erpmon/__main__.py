"""`python -m erpmon` runs the command line."""

import sys

from erpmon.cli import main

sys.exit(main())
