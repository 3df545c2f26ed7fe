"""The customer lifecycle, measured two ways: a state per customer and period, and a funnel.

* :mod:`~custlab.lifecycle.states`: new, active, at risk, churned and reactivated, per
  customer and period; the transition matrix and a Markov projection checked on a holdout;
* :mod:`~custlab.lifecycle.churn`: how good the ``churned`` label is, against later
  purchases and the truth;
* :mod:`~custlab.lifecycle.funnel`: awareness, consideration, purchase, retention and
  advocacy from a touchpoint log, with intervals.

Examples
--------
>>> import pandas as pd
>>> from custlab import lifecycle
>>> tx = pd.DataFrame({"customer_id": [1, 1], "date": pd.to_datetime(["2024-01-10", "2024-03-02"])})
>>> lifecycle.lifecycle_states(tx, at_risk_after=1, churned_after=2, observation_end="2024-03-31")["state"].tolist()
['new', 'at_risk', 'active']
"""

# Each name is imported from its module the first time it is used (``__getattr__`` below),
# so importing one submodule does not load the others and what they import.

from __future__ import annotations

from typing import TYPE_CHECKING

from custlab._lazy import attach

if TYPE_CHECKING:
    from custlab.lifecycle.churn import churn_label_tradeoff
    from custlab.lifecycle.funnel import (
        DEFAULT_STAGES,
        Stage,
        funnel,
        funnel_times,
        purchase_events,
        survey_events,
    )
    from custlab.lifecycle.states import (
        STATES,
        holdout_projection,
        lifecycle_states,
        periods_for_days,
        project_states,
        state_counts,
        transition_matrix,
    )

__all__ = [
    "DEFAULT_STAGES",
    "STATES",
    "Stage",
    "churn_label_tradeoff",
    "funnel",
    "funnel_times",
    "holdout_projection",
    "lifecycle_states",
    "periods_for_days",
    "project_states",
    "purchase_events",
    "state_counts",
    "survey_events",
    "transition_matrix",
]

_ORIGINS = {
    "custlab.lifecycle.churn": ("churn_label_tradeoff",),
    "custlab.lifecycle.funnel": ("DEFAULT_STAGES", "Stage", "funnel", "funnel_times", "purchase_events",
                                 "survey_events"),
    "custlab.lifecycle.states": ("STATES", "holdout_projection", "lifecycle_states", "periods_for_days",
                                 "project_states", "state_counts", "transition_matrix"),
}
_SUBMODULES = frozenset({"churn", "states"})

__getattr__, __dir__ = attach(__name__, _ORIGINS, submodules=_SUBMODULES, functions_over_modules={"funnel"})
