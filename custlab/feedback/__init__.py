"""What customers tell us: NPS and CSAT with honest intervals, who answers, complaints, and
how feedback lines up with what customers do next.

* **NPS** (Reichheld 2003): % promoters (9-10 of 0-10) minus % detractors (0-6), in points,
  with the adjusted Wald interval of Rocks (2016); **CSAT**: % satisfied (4-5 of 1-5) with a
  Wilson (1927) interval.
* **Who answers**: answers per order and per buyer; those who answer are not everyone.
* **Complaints**: per 1,000 customers, by category, days to resolve, resolution rate; and
  what customers with a resolved, an unresolved or no complaint did next.
* **Feedback and behaviour**: each customer's NPS group, to join to
  :func:`custlab.retention.survival_data`.

Tables in are pandas or Polars DataFrames (Polars is read through narwhals); tables out are
pandas. Inputs are never changed.
"""

# Each name is imported from its module the first time it is used (``__getattr__`` below),
# so importing one submodule does not load the others and what they import.

from __future__ import annotations

from typing import TYPE_CHECKING

from custlab._lazy import attach

if TYPE_CHECKING:
    from custlab.feedback._common import NPS_GROUPS
    from custlab.feedback.complaints import (
        COMPLAINT_GROUPS,
        complaint_outcomes,
        complaint_summary,
        response_rates,
    )
    from custlab.feedback.scores import (
        csat,
        nps,
        nps_difference,
        nps_group_of,
        nps_groups,
        nps_over_time,
        score_distribution,
    )

__all__ = ["COMPLAINT_GROUPS", "NPS_GROUPS", "complaint_outcomes", "complaint_summary", "csat", "nps", "nps_difference",
           "nps_group_of", "nps_groups", "nps_over_time", "response_rates", "score_distribution"]

_ORIGINS = {
    "custlab.feedback._common": ("NPS_GROUPS",),
    "custlab.feedback.complaints": ("COMPLAINT_GROUPS", "complaint_outcomes", "complaint_summary",
                                    "response_rates"),
    "custlab.feedback.scores": ("csat", "nps", "nps_difference", "nps_group_of", "nps_groups",
                                "nps_over_time", "score_distribution"),
}
_SUBMODULES = frozenset({"_common", "complaints", "scores"})

__getattr__, __dir__ = attach(__name__, _ORIGINS, submodules=_SUBMODULES)
