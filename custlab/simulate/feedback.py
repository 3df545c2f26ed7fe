"""What customers say after an order: complaints, and survey answers (NPS and CSAT).

Complaints follow a share of the orders (returned orders far more often); survey
answers follow another share, and their scores rise with the customer's latent
satisfaction and fall after a complaint or a return.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from custlab.simulate._base import COMPLAINT_CATEGORIES, Window, WorldParams, make_ids, pick
from custlab.simulate.orders import OrderDraws

__all__ = ["draw_feedback", "nps_group_probabilities"]


def draw_feedback(people: pd.DataFrame, orders: OrderDraws, window: Window, params: WorldParams,
                  rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Draw the complaints, then the survey answers, that follow the orders.

    Parameters
    ----------
    people : pandas.DataFrame
        The table from :func:`~custlab.simulate.people.draw_people`.
    orders : OrderDraws
        The orders from :func:`~custlab.simulate.orders.draw_orders`.
    window : Window
        The observed period; complaints and answers dated after it are left out.
    params : WorldParams
        Generating parameters (``complaint_rate``, ``survey_rate``).
    rng : numpy.random.Generator
        Source of every random draw, used in a fixed order.

    Returns
    -------
    surveys : pandas.DataFrame
        ``customer_id, order_id, date, nps`` (0-10), ``csat`` (1-5).
    complaints : pandas.DataFrame
        ``complaint_id, customer_id, order_id, date, category, resolved, days_to_resolve``
        (days, NaN when unresolved).

    Examples
    --------
    >>> from custlab.simulate._base import Window, WorldParams
    >>> from custlab.simulate.people import draw_people
    >>> from custlab.simulate.orders import draw_orders
    >>> w = Window(pd.Timestamp("2024-01-01"), pd.Timestamp("2024-12-31"))
    >>> prm, rng = WorldParams(), np.random.default_rng(0)
    >>> people = draw_people(500, w, prm, rng)
    >>> surveys, complaints = draw_feedback(people, draw_orders(people, w, prm, rng), w, prm, rng)
    >>> bool(surveys["nps"].between(0, 10).all()), bool(complaints["order_id"].is_unique)
    (True, True)
    """
    complaints, complain = _complaints(orders, window, params, rng)
    surveys = _surveys(people, orders, complain, window, params, rng)
    return surveys, complaints


def _complaints(orders: OrderDraws, window: Window, params: WorldParams,
                rng: np.random.Generator) -> tuple[pd.DataFrame, np.ndarray]:
    """The complaints table, and per order whether a complaint was drawn (even one dated
    after the window, which still sours the survey answer)."""
    returned = orders.table["returned"].to_numpy()
    m = returned.size
    complain = rng.random(m) < np.where(returned, 0.3, params.complaint_rate)
    c_idx = np.flatnonzero(complain)
    c_date = (pd.DatetimeIndex(orders.time[c_idx])
              + pd.to_timedelta(rng.uniform(1, 10, c_idx.size), unit="D")).normalize()
    c_ok = c_date < window.end_excl
    c_idx, c_date = c_idx[c_ok], c_date[c_ok]
    resolved = rng.random(c_idx.size) < 0.85
    complaints = pd.DataFrame({
        "complaint_id": make_ids("K", np.arange(1, c_idx.size + 1)),
        "customer_id": orders.table["customer_id"].to_numpy()[c_idx],
        "order_id": orders.table["order_id"].to_numpy()[c_idx],
        "date": c_date,
        "category": np.where(returned[c_idx], "returns",
                             pick(rng, COMPLAINT_CATEGORIES, [0.35, 0.3, 0.15, 0.2], c_idx.size)).astype(object),
        "resolved": resolved,
        "days_to_resolve": np.where(resolved, np.round(1 + rng.gamma(2.0, 2.0, c_idx.size), 1), np.nan),
    })
    return complaints, complain


def _surveys(people: pd.DataFrame, orders: OrderDraws, complain: np.ndarray, window: Window,
             params: WorldParams, rng: np.random.Generator) -> pd.DataFrame:
    """Survey answers a few days after a share of the orders; scores follow satisfaction."""
    returned = orders.table["returned"].to_numpy()
    m = returned.size
    s_idx = np.flatnonzero(rng.random(m) < params.survey_rate)
    s_date = (pd.DatetimeIndex(orders.time[s_idx])
              + pd.to_timedelta(rng.uniform(1, 7, s_idx.size), unit="D")).normalize()
    s_ok = s_date < window.end_excl
    s_idx, s_date = s_idx[s_ok], s_date[s_ok]
    s_cust = orders.person[s_idx]
    staff = people["relationship"].to_numpy()[s_cust] == "internal"
    mood = (people["satisfaction"].to_numpy()[s_cust] - 2.0 * complain[s_idx] - 1.0 * returned[s_idx]
            + params.internal_mood * staff)
    return pd.DataFrame({
        "customer_id": people["customer_id"].to_numpy()[s_cust],
        "order_id": orders.table["order_id"].to_numpy()[s_idx],
        "date": s_date,
        "nps": np.clip(np.round(7.6 + 1.6 * mood + rng.normal(0, 1.2, s_idx.size)), 0, 10).astype(int),
        "csat": np.clip(np.round(3.9 + 0.7 * mood + rng.normal(0, 0.6, s_idx.size)), 1, 5).astype(int),
    })


def nps_group_probabilities(satisfaction, complained=False, returned=False, internal=False,
                            params: WorldParams | None = None) -> pd.DataFrame:
    """The survey model's chances of a promoter (9-10), passive (7-8) or detractor (0-6) answer.

    The simulated answer (drawn in ``_surveys``, whose numbers these are) is
    ``clip(round(7.6 + 1.6 * mood + e), 0, 10)`` with ``e ~ N(0, 1.2)`` and
    ``mood = satisfaction - 2 * complained - 1 * returned + internal_mood * internal`` (staff
    accounts answer ``params.internal_mood`` lower). Rounding and clipping keep the
    group boundaries where they are: the answer is a promoter's when ``7.6 + 1.6 * mood + e``
    is at least 8.5, a detractor's when it is below 6.5 (ties have probability zero). No
    random draw: the same inputs give the same probabilities.

    Parameters
    ----------
    satisfaction : float or array-like
        Latent satisfaction (standardised), as in ``world.truth.customers["satisfaction"]``.
    complained, returned, internal : bool or array-like
        Whether the order answered about drew a complaint, was returned, was bought by a
        staff account; broadcast against ``satisfaction``.
    params : WorldParams, optional
        The world's parameters (``internal_mood``); the defaults when not given.

    Returns
    -------
    pandas.DataFrame
        ``promoter``, ``passive``, ``detractor`` (probabilities, each row sums to 1) and
        ``expected_nps`` (``100 * (promoter - detractor)``, on -100..100), one row per value.

    Examples
    --------
    >>> nps_group_probabilities([0.0, 1.0]).round(3)
       promoter  passive  detractor  expected_nps
    0     0.227    0.594      0.180         4.697
    1     0.720    0.268      0.012        70.794
    """
    from scipy import stats

    shift = (params or WorldParams()).internal_mood
    sat, comp, ret, staff = np.broadcast_arrays(
        np.asarray(satisfaction, dtype=float), np.asarray(complained, dtype=float),
        np.asarray(returned, dtype=float), np.asarray(internal, dtype=float))
    centre = 7.6 + 1.6 * (sat - 2.0 * comp - 1.0 * ret + shift * staff)
    promoter = stats.norm.sf((8.5 - centre) / 1.2)
    detractor = stats.norm.cdf((6.5 - centre) / 1.2)
    out = pd.DataFrame({"promoter": promoter.ravel(), "passive": (1.0 - promoter - detractor).ravel(),
                        "detractor": detractor.ravel()})
    out["expected_nps"] = 100 * (out["promoter"] - out["detractor"])
    return out
