"""Alertmanager 0.25's time intervals: when mute_time_intervals mute and active_time_intervals allow.

Owns: the YAML syntax (times, weekdays, days_of_month, months, years, location) with its checks,
and `intervals_contain`, whether an instant falls in any interval of a list.
"""

from erpmon.alerting.timeinterval._interval import TimeInterval, decode_time_interval, intervals_contain

__all__ = ["TimeInterval", "decode_time_interval", "intervals_contain"]
