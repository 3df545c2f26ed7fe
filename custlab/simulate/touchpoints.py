"""Touchpoints of the simulated company: the ``events`` table.

Every person's first contact, later ad impressions and browsing (product views, carts),
the path to each purchase, reviews, support contacts after complaints, newsletter
sign-ups, and the referrals that brought people in.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from custlab.simulate._base import Window
from custlab.simulate.orders import OrderDraws

__all__ = ["draw_touchpoints"]

_SECOND = np.timedelta64(1, "s")
_DAY = np.timedelta64(86400, "s")


def draw_touchpoints(people: pd.DataFrame, orders: OrderDraws, complaints: pd.DataFrame,
                     window: Window, rng: np.random.Generator) -> pd.DataFrame:
    """Draw every touchpoint between the people and the company within the window.

    Parameters
    ----------
    people : pandas.DataFrame
        The table from :func:`~custlab.simulate.people.draw_people`, after
        :func:`~custlab.simulate.people.assign_referrals`.
    orders : OrderDraws
        The orders from :func:`~custlab.simulate.orders.draw_orders`.
    complaints : pandas.DataFrame
        The complaints from :func:`~custlab.simulate.feedback.draw_feedback`; each is
        preceded by a support contact at 10:00 on its day.
    window : Window
        The observed period; later touchpoints are left out.
    rng : numpy.random.Generator
        Source of every random draw, used in a fixed order.

    Returns
    -------
    pandas.DataFrame
        ``customer_id, timestamp`` (to the minute), ``event_type`` (one of
        :data:`~custlab.simulate.EVENT_TYPES`), ``channel``; sorted by time.

    Examples
    --------
    >>> from custlab.simulate._base import Window, WorldParams
    >>> from custlab.simulate.people import draw_people
    >>> from custlab.simulate.orders import draw_orders
    >>> w = Window(pd.Timestamp("2024-01-01"), pd.Timestamp("2024-12-31"))
    >>> prm, rng = WorldParams(), np.random.default_rng(0)
    >>> people = draw_people(300, w, prm, rng)
    >>> orders = draw_orders(people, w, prm, rng)
    >>> ev = draw_touchpoints(people, orders, orders.table.iloc[:0], w, rng)
    >>> int((ev["event_type"] == "purchase").sum()) == len(orders.table)
    True
    """
    ids = people["customer_id"].to_numpy()
    channel = people["acquisition_channel"].to_numpy()
    n = ids.size
    end_excl = window.end_excl
    acq = people["acquisition_date"].to_numpy() + (rng.uniform(8, 22, n) * 3600).astype("timedelta64[s]")
    span = (end_excl.to_datetime64() - acq) / _DAY            # days left after acquisition
    parts = []

    def add(who, when, etype, chan):
        parts.append(pd.DataFrame({"customer_id": ids[who], "timestamp": when,
                                   "event_type": etype, "channel": chan}))

    first_type = np.where(np.isin(channel, ["display_ad", "social"]), "ad_impression",
                          np.where(channel == "email", "newsletter_signup", "visit"))
    add(np.arange(n), acq, first_type, channel)
    _browsing(add, acq, span, rng)
    _purchase_paths(add, acq, people["impulsive"].to_numpy(), orders, rng)
    order_pos = pd.Index(orders.table["order_id"]).get_indexer(complaints["order_id"])
    add(orders.person[order_pos], complaints["date"].to_numpy() + np.timedelta64(10, "h"),
        "support_contact", "phone")
    signup = rng.random(n) < 0.25
    signup_after = (rng.random(signup.sum()) * span[signup] * 86400).astype("timedelta64[s]")
    add(np.flatnonzero(signup), acq[signup] + signup_after, "newsletter_signup", "email")
    referred_by = people["referred_by"].to_numpy()
    ref = np.flatnonzero(referred_by != None)  # noqa: E711
    if ref.size:
        pos = {cid: i for i, cid in enumerate(ids)}
        referrer = np.array([pos[r] for r in referred_by[ref]])
        add(referrer, acq[ref] - np.timedelta64(1, "h"), "referral", "word_of_mouth")
    ev = pd.concat(parts, ignore_index=True)
    ev["timestamp"] = pd.to_datetime(ev["timestamp"]).dt.floor("min")
    ev = ev[(ev["timestamp"] < end_excl)]
    return ev.sort_values(["timestamp", "customer_id", "event_type"], kind="stable").reset_index(drop=True)


def _browsing(add, acq: np.ndarray, span: np.ndarray, rng: np.random.Generator) -> None:
    """Further ad impressions and browsing visits (with product views and carts), spread
    uniformly over the days after each person's acquisition (``span``, days)."""
    n = acq.size
    for etype, mean, chan in (("ad_impression", 2.0, "display_ad"), ("visit", 3.0, "web")):
        k = rng.poisson(mean, n)
        who = np.repeat(np.arange(n), k)
        when = acq[who] + (rng.random(who.size) * span[who] * 86400).astype("timedelta64[s]")
        add(who, when, etype, chan)
        if etype == "visit":
            views = rng.poisson(1.5, who.size)
            vw = np.repeat(np.arange(who.size), views)
            add(who[vw], when[vw] + (rng.uniform(1, 20, vw.size) * 60).astype("timedelta64[s]"),
                "product_view", "web")
            cart = rng.random(who.size) < 0.15
            add(who[cart], when[cart] + (rng.uniform(20, 40, cart.sum()) * 60).astype("timedelta64[s]"),
                "add_to_cart", "web")


def _purchase_paths(add, acq: np.ndarray, impulsive: np.ndarray, orders: OrderDraws,
                    rng: np.random.Generator) -> None:
    """The path to each purchase (visit, view, cart, purchase) and the reviews after it.

    The visit comes 0.5 to 72 hours before the purchase (6 to 30 minutes for impulsive
    buyers), never before the buyer's first contact; a review follows one order in ten
    within two weeks.
    """
    who, order_time = orders.person, orders.time
    lead = np.where(impulsive[who], rng.uniform(0.1, 0.5, who.size),
                    rng.uniform(0.5, 72, who.size)) * 3600
    visit_t = np.maximum(order_time - lead.astype("timedelta64[s]"), acq[who])
    add(who, visit_t, "visit", "web")
    gap = (order_time - visit_t) / 10
    add(who, visit_t + 3 * gap, "product_view", "web")
    add(who, visit_t + 9 * gap, "add_to_cart", "web")
    add(who, order_time, "purchase", "web")
    review = rng.random(who.size) < 0.1
    add(who[review], order_time[review] + (rng.uniform(1, 14, review.sum()) * 86400).astype("timedelta64[s]"),
        "review", "web")
