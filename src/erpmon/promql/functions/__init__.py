"""PromQL's functions (Prometheus 2.42), each computed for all series and all steps at once.

Owns: every function of the 2.42 function table with Prometheus's exact arithmetic (its order of
operations, Kahan sums, extrapolation, NaN rules, Go's date and sort behaviour), and the label
rules of each (which drop `__name__`: all but label_replace, label_join, sort, sort_desc,
last_over_time, vector, scalar and absent*).
Reads from: erpmon.model (Labels), erpmon.promql._values (StepVector, RangeWindows...).
Hands on: `call(name, args, ctx)` results to the evaluator, which checks duplicate label sets.

Conventions the evaluator relies on:
- Range functions return one row per input series (present where the function has a value).
- absent()/absent_over_time() take their result labels from `CallContext.absent_labels`.
- timestamp() takes the selected samples' times (seconds) from `CallContext.sample_times` when
  its argument is a vector selector; otherwise it returns the step times.
- sort()/sort_desc() reorder rows for single-step evaluations only (instant queries), in
  exactly Prometheus's order; with several steps rows are returned unchanged.
- Native histograms are out of scope: histogram_count/sum/fraction return empty vectors.
"""

from erpmon.promql.functions._context import CallContext, FunctionError
from erpmon.promql.functions._dispatch import HANDLERS, call

FUNCTION_NAMES = frozenset(HANDLERS)

__all__ = ["FUNCTION_NAMES", "CallContext", "FunctionError", "call"]
