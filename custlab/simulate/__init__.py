"""A simulated company and its customers, with the truth kept beside the data.

:func:`crm_world` builds the tables a CRM would hold (people and their
touchpoints, orders, subscriptions, surveys, complaints) from stated
generating processes, so every later analysis can be checked against the
values that made the data:

* **Repeat purchases** of buyers follow the BG/NBD model (Fader, Hardie & Lee
  2005): while alive, a buyer purchases at a Poisson rate ``lambda`` per week,
  ``lambda ~ Gamma(r, alpha)``; after each repeat purchase the buyer drops out
  with probability ``p ~ Beta(a, b)``.
* **Spend per order** follows the Gamma-Gamma model (Fader & Hardie 2013):
  ``amount ~ Gamma(p, nu)``, ``nu ~ Gamma(q, gamma)``.
* **Subscriptions** churn by the shifted-beta-geometric model (Fader & Hardie
  2007): each subscriber cancels at the end of a month with probability
  ``theta ~ Beta(alpha, beta)``, one pair per plan.
* An **incentive experiment**: buyers acquired before the experiment are split
  at random into treatment and control; alive treated buyers purchase
  ``1 + uplift`` times as fast for a few weeks.
* A second experiment, drawn after the world from its truth with its own random
  stream (:func:`~custlab.simulate.experiment.draw_incentive_experiment`): one-time
  buyers offered a coupon, a referral reward or loyalty enrolment, with a true effect
  that differs by customer type and a known cost (notebook 09).

Customer types, business accounts and income bands are drawn *from* the latent
values (heavy spenders are more often businesses and in higher income bands),
so the pooled population still follows the models above exactly. What is latent
(rates, types, who really dropped out) is kept in ``world.truth`` only, never in
the observable tables.

One module per table, each drawing from the people table, the parameters and one
random generator: :mod:`~custlab.simulate.people` (customers and their latent
values), :mod:`~custlab.simulate.orders`, :mod:`~custlab.simulate.subscriptions`,
:mod:`~custlab.simulate.feedback` (surveys, complaints) and
:mod:`~custlab.simulate.touchpoints` (events); :mod:`~custlab.simulate.world`
composes them.

Written by hand because no maintained library simulates these three models
together with the CRM tables around them.

Examples
--------
>>> from custlab.simulate import crm_world
>>> world = crm_world(300, random_state=0)
>>> sorted(world.tables)
['complaints', 'customers', 'events', 'orders', 'subscriptions', 'surveys']
"""

# Each name is imported from its module the first time it is used (``__getattr__`` below),
# so importing one submodule does not load the others and what they import.

from __future__ import annotations

from typing import TYPE_CHECKING

from custlab._lazy import attach

if TYPE_CHECKING:
    from custlab.simulate._base import (  # noqa: F401 (the constants: importable here, not in __all__)
        AGE_BANDS,
        CHANNELS,
        COMPANY_SIZES,
        COMPLAINT_CATEGORIES,
        EVENT_TYPES,
        INCOME_BANDS,
        PLANS,
        REGIONS,
        SEATS,
        WorldParams,
    )
    from custlab.simulate.experiment import OFFERS, draw_incentive_experiment
    from custlab.simulate.orders import simulate_bgnbd
    from custlab.simulate.world import CRMWorld, WorldTruth, crm_world

__all__ = ["OFFERS", "WorldParams", "CRMWorld", "WorldTruth", "crm_world", "draw_incentive_experiment",
           "simulate_bgnbd"]

_ORIGINS = {
    "custlab.simulate._base": ("AGE_BANDS", "CHANNELS", "COMPANY_SIZES", "COMPLAINT_CATEGORIES",
                               "EVENT_TYPES", "INCOME_BANDS", "PLANS", "REGIONS", "SEATS", "WorldParams"),
    "custlab.simulate.orders": ("simulate_bgnbd",),
    "custlab.simulate.world": ("CRMWorld", "WorldTruth", "crm_world"),
    "custlab.simulate.experiment": ("OFFERS", "draw_incentive_experiment"),
}
_SUBMODULES = frozenset({
    "_base", "experiment", "feedback", "large_log", "orders", "people", "subscriptions", "touchpoints",
    "world",
})

__getattr__, __dir__ = attach(__name__, _ORIGINS, submodules=_SUBMODULES)
