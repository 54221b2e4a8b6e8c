"""Traffic and faults for the reference ERPGo: customers on a daily curve, named fault scenarios.

Owns: `Simulator` (visits that sign in, browse, order and report page timings; a back office that
pays or cancels orders; attackers) and `SCENARIOS` (one or more per alert family of the ERPGo
pack, with the alerts each should fire), plus `NOT_SIMULATED` (the pack alerts a single machine
cannot cause, and why).
Reads from: the reference ERPGo's HTTP API, including its fault switch.
Hands on: load and faults to ERPGo, and so metrics and alerts to erpmon.
"""

from erpmon.simulate._scenarios import NOT_SIMULATED, SCENARIOS, Scenario
from erpmon.simulate._traffic import Knobs, Simulator

__all__ = ["NOT_SIMULATED", "SCENARIOS", "Knobs", "Scenario", "Simulator"]
