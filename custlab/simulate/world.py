"""The simulated company as a whole: :func:`crm_world` draws its tables in a fixed order
and keeps what generated them in :class:`WorldTruth`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from custlab.simulate._base import Window, WorldParams
from custlab.simulate.feedback import draw_feedback
from custlab.simulate.orders import OrderDraws, draw_orders
from custlab.simulate.people import CUSTOMER_COLUMNS, assign_referrals, draw_people
from custlab.simulate.subscriptions import draw_subscriptions
from custlab.simulate.touchpoints import draw_touchpoints

__all__ = ["CRMWorld", "WorldTruth", "crm_world"]


@dataclass
class WorldTruth:
    """What generated a :class:`CRMWorld`: parameters and every latent per-customer value.

    Attributes
    ----------
    params : dict
        The generating parameters with their units, the incentive experiment's start,
        and the :class:`WorldParams` itself under ``"world"``.
    customers : pandas.DataFrame
        One row per person: ``customer_id, would_buy, first_purchase,
        purchase_rate_per_week, dropout_probability, spend_rate_nu, expected_spend``
        (currency units per order), ``impulsive, discount_driven, satisfaction,
        alive_at_end, dropout_date, latent_type`` (browser, discount-driven, impulsive,
        loyal or occasional).
    subscriptions : pandas.DataFrame
        ``subscription_id, customer_id, plan, monthly_churn_probability`` (per month).
    """

    params: dict
    customers: pd.DataFrame
    subscriptions: pd.DataFrame


@dataclass
class CRMWorld:
    """The tables of a simulated company. See :func:`crm_world`."""

    customers: pd.DataFrame
    events: pd.DataFrame
    orders: pd.DataFrame
    subscriptions: pd.DataFrame
    surveys: pd.DataFrame
    complaints: pd.DataFrame
    truth: WorldTruth
    start: pd.Timestamp
    end: pd.Timestamp

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """The observable tables by name (``truth`` left out)."""
        return {name: getattr(self, name) for name in
                ("customers", "events", "orders", "subscriptions", "surveys", "complaints")}

    def transactions(self, *, returns: str = "keep") -> pd.DataFrame:
        """The orders as a transaction log: ``customer_id, date, amount, order_id, quantity``.

        Parameters
        ----------
        returns : {"keep", "exclude"}
            Keep returned orders as purchases, or leave them out.

        Examples
        --------
        >>> world = crm_world(300, random_state=0)
        >>> kept, excluded = world.transactions(), world.transactions(returns="exclude")
        >>> len(kept) - len(excluded) == int(world.orders["returned"].sum())
        True
        """
        if returns not in ("keep", "exclude"):
            raise ValueError(f"returns={returns!r}; use 'keep' or 'exclude'.")
        o = self.orders
        if returns == "exclude":
            o = o[~o["returned"]]
        return o[["customer_id", "date", "amount", "order_id", "quantity"]].reset_index(drop=True)

    def __repr__(self) -> str:
        sizes = ", ".join(f"{k}: {len(v):,} rows" for k, v in self.tables.items())
        return f"CRMWorld({self.start.date()} to {self.end.date()}; {sizes})"


def crm_world(
    n_customers: int = 5000,
    *,
    start: str | pd.Timestamp = "2023-01-01",
    end: str | pd.Timestamp = "2024-12-31",
    random_state: int | np.random.Generator | None = 0,
    params: WorldParams | None = None,
) -> CRMWorld:
    """Simulate a company's customers over a window; deterministic for a seed.

    Everyone in ``customers`` touched the company at least once (the contacts);
    a share of them buy. See :mod:`custlab.simulate` for the generating models.

    Parameters
    ----------
    n_customers : int
        People who come into contact with the company during the window.
    start, end : date
        First and last day of the window (inclusive).
    random_state : int or numpy Generator
        Seed; the same seed gives the same tables, byte for byte.
    params : WorldParams, optional
        Generating parameters; the defaults are documented on :class:`WorldParams`.

    Returns
    -------
    CRMWorld
        ``customers``: one row per person: ``customer_id, kind`` (individual or
        business), ``relationship`` (external, or internal for staff accounts),
        ``acquisition_date, acquisition_channel, referred_by, age_band, gender,
        income_band, region, company_size, incentive_group``. Nothing latent: the
        customer types are in ``truth.customers["latent_type"]``.
        ``events``: touchpoints ``customer_id, timestamp, event_type, channel``.
        ``orders``: ``order_id, customer_id`` (the buyer), ``consumer_id`` (who
        uses it), ``date, amount`` (currency units, paid), ``quantity, discount``
        (fraction of list price), ``returned, return_date, sales_channel``.
        ``subscriptions``: ``subscription_id, customer_id, plan, monthly_fee``
        (currency units per month), ``start_date, end_date`` (NaT while active), ``status``.
        ``surveys``: ``customer_id, order_id, date, nps`` (0-10), ``csat`` (1-5).
        ``complaints``: ``complaint_id, customer_id, order_id, date, category, resolved,
        days_to_resolve`` (days).
        ``truth``: :class:`WorldTruth`.

    Notes
    -----
    The tables are drawn from one random stream in a fixed order: people, orders,
    subscriptions, complaints and surveys, referrals, touchpoints. Changing that order,
    or the draws inside a table, changes every table drawn after it for the same seed.

    Examples
    --------
    >>> world = crm_world(500, random_state=1)
    >>> int(world.customers.shape[0]), bool(world.orders["customer_id"].isin(world.customers["customer_id"]).all())
    (500, True)
    >>> "latent_type" in world.customers, "latent_type" in world.truth.customers
    (False, True)
    """
    if not isinstance(n_customers, (int, np.integer)) or n_customers < 1:
        raise ValueError(f"n_customers must be a positive whole number, got {n_customers!r}.")
    start, end = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
    if end <= start:
        raise ValueError(f"end ({end.date()}) must be after start ({start.date()}).")
    prm = params or WorldParams()
    rng = random_state if isinstance(random_state, np.random.Generator) else np.random.default_rng(random_state)
    window = Window(start, end)

    people = draw_people(int(n_customers), window, prm, rng)
    orders = draw_orders(people, window, prm, rng)
    subscriptions, truth_subs = draw_subscriptions(people, window, prm, rng)
    surveys, complaints = draw_feedback(people, orders, window, prm, rng)
    people = assign_referrals(people, rng)
    events = draw_touchpoints(people, orders, complaints, window, rng)

    truth = WorldTruth(params=_truth_params(window, prm), customers=_truth_customers(people, orders, prm),
                       subscriptions=truth_subs)
    return CRMWorld(customers=people[list(CUSTOMER_COLUMNS)].copy(), events=events, orders=orders.table,
                    subscriptions=subscriptions, surveys=surveys, complaints=complaints,
                    truth=truth, start=start, end=end)


def _truth_customers(people: pd.DataFrame, orders: OrderDraws, params: WorldParams) -> pd.DataFrame:
    """The latent values of every person, with who was still alive at the end."""
    return pd.DataFrame({
        "customer_id": people["customer_id"].to_numpy(),
        "would_buy": people["would_buy"].to_numpy(),
        "first_purchase": people["first_purchase"].to_numpy(),
        "purchase_rate_per_week": people["purchase_rate_per_week"].to_numpy(),
        "dropout_probability": people["dropout_probability"].to_numpy(),
        "spend_rate_nu": people["spend_rate_nu"].to_numpy(),
        "expected_spend": params.gamma_gamma["p"] / people["spend_rate_nu"].to_numpy(),
        "impulsive": people["impulsive"].to_numpy(),
        "discount_driven": people["discount_driven"].to_numpy(),
        "satisfaction": people["satisfaction"].to_numpy(),
        "alive_at_end": orders.alive_at_end,
        "dropout_date": orders.dropout_date,
        "latent_type": people["latent_type"].to_numpy(),
    })


def _truth_params(window: Window, params: WorldParams) -> dict:
    """The generating parameters, each with its unit."""
    return {
        "bgnbd": {**params.bgnbd, "unit": "per week"},
        "gamma_gamma": {**params.gamma_gamma, "unit": "currency units"},
        "sbg": {k: {"alpha": v[0], "beta": v[1], "unit": "per month"} for k, v in params.sbg.items()},
        "monthly_fee": dict(params.monthly_fee),
        "surveys": {"internal_mood": params.internal_mood, "unit": "satisfaction standard deviations"},
        "incentive": {"start": window.incentive_start(params), "weeks": params.incentive_weeks,
                      "uplift": params.incentive_uplift},
        "world": params,
    }
