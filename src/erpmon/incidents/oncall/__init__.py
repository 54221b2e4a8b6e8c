"""On-call schedules: who is on call at an instant.

Owns: `Schedule` (layers of rotations in a time zone, with restrictions, plus overrides), `Shift`
answers, and decoding a schedule from incidents.yml.
Reads from: `erpmon.alerting.timeinterval` (restrictions use Alertmanager's time_interval syntax).
Hands on: the person to notify to the incident engine and `erpmon oncall who`.
"""

from erpmon.incidents.oncall._decode import decode_schedule
from erpmon.incidents.oncall._schedule import Layer, Override, Schedule, Shift

__all__ = ["Layer", "Override", "Schedule", "Shift", "decode_schedule"]
