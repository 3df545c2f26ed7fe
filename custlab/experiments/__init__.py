"""Randomized experiments on customers: did the incentive work, for whom, and at what cost?

Tables from an experiment's table (one row per customer, a ``group`` column saying
treatment or control, a 0/1 outcome, revenue and cost in currency units):

* :func:`balance_table`: the randomization check, covariate means per group and their
  standardized mean differences, and :func:`rerandomization_check`: is the largest one unusual?
* :func:`ab_test`: the repeat rate per group, the lift with its interval, revenue, cost
  and the return on the incentive;
* :func:`effects_by`: the lift per customer type, with a multiplicity adjustment, and
  :func:`equal_lifts_test`: do the types' lifts differ?
* :func:`before_after`: the naive comparisons without a control group (before/after, an
  earlier cohort from :func:`one_time_buyers`), beside the randomized one;
* :func:`break_even_lift`, :func:`sample_size`, :func:`power`, :func:`power_curve`: the
  smallest lift worth finding, and how many customers an experiment needs for it.

**The interval of a difference of two proportions** is Newcombe's hybrid score interval
(Newcombe 1998, method 10): the Wilson interval of each rate, combined. It is chosen over
the textbook Wald interval ``d +- z * se`` because repeat-purchase rates of one-time buyers
are small (a few %) and groups by customer type are small; there the Wald interval is
too narrow (it covers less often than it says), and it collapses to a point when a group
has no repeat purchase at all. Newcombe's interval keeps close to its stated level in
both cases and needs no iteration. The p-value is that of the pooled two-proportion
z-test (the chi-square test of the 2x2 table without continuity correction).

Rates are percentages (``_pct``), differences of rates percentage points (``_pp``),
money currency units. :func:`format_p_value` writes a p-value for a sentence or a table.

Examples
--------
>>> import pandas as pd
>>> from custlab.experiments import lift
>>> t = pd.DataFrame({"group": ["treatment"] * 4 + ["control"] * 4,
...                   "repeat": [1, 1, 0, 0, 1, 0, 0, 0]})
>>> float(lift(t)["lift_pp"].iloc[0])
25.0
"""

# Each name is imported from its module the first time it is used (``__getattr__`` below),
# so importing one submodule does not load the others and what they import.

from __future__ import annotations

from typing import TYPE_CHECKING

from custlab._lazy import attach

if TYPE_CHECKING:
    from custlab.experiments.analysis import (
        ab_test,
        before_after,
        effects_by,
        equal_lifts_test,
        group_rates,
        lift,
    )
    from custlab.experiments.balance import balance_table, rerandomization_check
    from custlab.experiments.cohorts import one_time_buyers
    from custlab.experiments.intervals import format_p_value, newcombe_interval, wilson_interval
    from custlab.experiments.power import break_even_lift, power, power_curve, sample_size

__all__ = ["ab_test", "balance_table", "before_after", "break_even_lift", "effects_by", "equal_lifts_test",
           "format_p_value", "group_rates", "lift", "newcombe_interval", "one_time_buyers", "power", "power_curve",
           "rerandomization_check", "sample_size", "wilson_interval"]

_ORIGINS = {
    "custlab.experiments.analysis": ("ab_test", "before_after", "effects_by", "equal_lifts_test",
                                     "group_rates", "lift"),
    "custlab.experiments.balance": ("balance_table", "rerandomization_check"),
    "custlab.experiments.cohorts": ("one_time_buyers",),
    "custlab.experiments.intervals": ("format_p_value", "newcombe_interval", "wilson_interval"),
    "custlab.experiments.power": ("break_even_lift", "power", "power_curve", "sample_size"),
}
_SUBMODULES = frozenset({"analysis", "balance", "cohorts", "intervals"})

__getattr__, __dir__ = attach(__name__, _ORIGINS, submodules=_SUBMODULES, functions_over_modules={"power"})
