"""Subscriptions of the simulated company: monthly plans that churn by the sBG model.

Each subscriber cancels at the end of a month with probability
``theta ~ Beta(alpha, beta)``, one pair per plan (Fader & Hardie 2007).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from custlab.simulate._base import PLANS, Window, WorldParams, add_months, make_ids

__all__ = ["draw_subscriptions"]


def draw_subscriptions(people: pd.DataFrame, window: Window, params: WorldParams,
                       rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Draw who subscribes, to which plan, when, and for how many months.

    A share ``params.subscription_share`` of the buyers subscribes, on average 30 days
    after their first purchase; businesses choose the larger plans more often.

    Parameters
    ----------
    people : pandas.DataFrame
        The table from :func:`~custlab.simulate.people.draw_people`.
    window : Window
        The observed period; subscriptions starting after it are left out.
    params : WorldParams
        Generating parameters (``sbg``, ``monthly_fee``, ``subscription_share``).
    rng : numpy.random.Generator
        Source of every random draw, used in a fixed order.

    Returns
    -------
    subscriptions : pandas.DataFrame
        ``subscription_id, customer_id, plan, monthly_fee`` (currency units per month),
        ``start_date, end_date`` (NaT while active), ``status``; sorted by start date.
    truth : pandas.DataFrame
        ``subscription_id, customer_id, plan, monthly_churn_probability`` (per month).

    Examples
    --------
    >>> from custlab.simulate._base import Window, WorldParams
    >>> from custlab.simulate.people import draw_people
    >>> w = Window(pd.Timestamp("2024-01-01"), pd.Timestamp("2024-12-31"))
    >>> prm, rng = WorldParams(), np.random.default_rng(0)
    >>> subs, truth = draw_subscriptions(draw_people(500, w, prm, rng), w, prm, rng)
    >>> list(subs["subscription_id"]) == list(truth["subscription_id"])
    True
    """
    first_time = pd.DatetimeIndex(people["first_purchase"])
    b_idx = np.flatnonzero(first_time.notna())
    is_business = people["kind"].to_numpy() == "business"
    subs_who = b_idx[rng.random(b_idx.size) < params.subscription_share]
    sub_start = (first_time[subs_who] + pd.to_timedelta(rng.exponential(30, subs_who.size), unit="D")).normalize()
    keep = np.asarray(sub_start < window.end_excl)
    subs_who, sub_start = subs_who[keep], sub_start[keep]
    plan_p = np.where(is_business[subs_who][:, None], [0.2, 0.3, 0.5], [0.55, 0.35, 0.10])
    plan = np.array([PLANS[rng.choice(3, p=pp)] for pp in plan_p], dtype=object)
    a_plan = np.array([params.sbg[x][0] for x in plan])
    b_plan = np.array([params.sbg[x][1] for x in plan])
    theta = rng.beta(a_plan, b_plan)
    months = rng.geometric(theta)        # months paid before cancelling (1, 2, ...)
    longest = 12 * (window.end.year - window.start.year + 2)
    sub_end = add_months(sub_start, np.minimum(months, longest))
    active = (sub_end >= window.end_excl)
    subscriptions = pd.DataFrame({
        "subscription_id": make_ids("S", np.arange(1, subs_who.size + 1)),
        "customer_id": people["customer_id"].to_numpy()[subs_who],
        "plan": plan,
        "monthly_fee": np.array([params.monthly_fee[x] for x in plan]),
        "start_date": sub_start.to_numpy(),
        "end_date": sub_end.where(~active).to_numpy(),
        "status": np.where(active, "active", "cancelled").astype(object),
        "_theta": theta,
    }).sort_values(["start_date", "subscription_id"], kind="stable").reset_index(drop=True)
    truth = subscriptions[["subscription_id", "customer_id", "plan", "_theta"]].rename(
        columns={"_theta": "monthly_churn_probability"})
    return subscriptions.drop(columns="_theta"), truth
