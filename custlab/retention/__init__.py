"""Retention, three ways: cohort tables, churn, and survival.

* :mod:`~custlab.retention.cohorts`: acquisition cohorts followed period by period
  (:func:`cohort_table`, :func:`retention_matrix`, :func:`retention_curve`);
* :mod:`~custlab.retention.contracts`: the contractual world, where a cancellation is
  observed (:func:`subscription_lifetimes`, :func:`life_table`, :func:`churn_table`,
  :func:`fit_sbg_by_group`);
* :mod:`~custlab.retention.survival`: durations and censoring from either world, and
  the lifelines estimators read for customers (:func:`survival_data`,
  :func:`survival_table`, :func:`logrank_table`, :func:`fit_cox`).

In the non-contractual world (a purchase log) churn is inferred from inactivity with the
lifecycle states of :mod:`custlab.lifecycle`; there is no second definition here.
"""

# Each name is imported from its module the first time it is used (``__getattr__`` below),
# so importing one submodule does not load the others and what they import.

from __future__ import annotations

from typing import TYPE_CHECKING

from custlab._lazy import attach

if TYPE_CHECKING:
    from custlab.retention.cohorts import cohort_table, retention_curve, retention_matrix
    from custlab.retention.contracts import (
        churn_table,
        fit_sbg_by_group,
        life_table,
        subscription_lifetimes,
    )
    from custlab.retention.survival import (
        cox_design,
        customer_drivers,
        duration_column,
        fit_cox,
        hazard_ratios,
        logrank_test,
        median_lifetimes,
        proportional_hazards_check,
        survival_data,
        survival_table,
    )

__all__ = [
    "churn_table",
    "cohort_table",
    "cox_design",
    "customer_drivers",
    "duration_column",
    "fit_cox",
    "fit_sbg_by_group",
    "hazard_ratios",
    "life_table",
    "logrank_test",
    "median_lifetimes",
    "proportional_hazards_check",
    "retention_curve",
    "retention_matrix",
    "subscription_lifetimes",
    "survival_data",
    "survival_table",
]

_ORIGINS = {
    "custlab.retention.cohorts": ("cohort_table", "retention_curve", "retention_matrix"),
    "custlab.retention.contracts": ("churn_table", "fit_sbg_by_group", "life_table",
                                    "subscription_lifetimes"),
    "custlab.retention.survival": ("cox_design", "customer_drivers", "duration_column", "fit_cox",
                                   "hazard_ratios", "logrank_test", "median_lifetimes",
                                   "proportional_hazards_check", "survival_data", "survival_table"),
}
_SUBMODULES = frozenset({"cohorts", "contracts", "survival"})

__getattr__, __dir__ = attach(__name__, _ORIGINS, submodules=_SUBMODULES)
