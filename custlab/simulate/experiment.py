"""An incentive experiment on the simulated company's one-time buyers, with its truth.

Can an incentive turn one-time buyers into clients? :func:`draw_incentive_experiment`
runs a randomized experiment on a :class:`~custlab.simulate.CRMWorld` *after* the world
was drawn, from its truth and with its own random generator, so it changes nothing the
world's tables hold:

* **Eligible**: every customer with exactly one order before ``start`` (a one-time buyer).
  Under the BG/NBD model a buyer drops out only right after a *repeat* purchase, so every
  one-time buyer is still alive at ``start``, buying at their latent rate ``lambda`` per week.
* **Randomization**: complete, 50/50: half of the eligible (the smaller half when their
  number is odd) get the offer (``treatment``), the others nothing (``control``).
* **Offer**: multiplies the purchase rate of a treated customer for the whole window by a
  factor that depends on the customer's latent type (table below).
* **Outcome**: a repeat purchase within ``weeks`` weeks of ``start``. With the rate
  ``lambda * m`` (``m`` = 1 in control) the chance is ``1 - exp(-lambda * m * weeks)``.
  The purchases in the window follow the BG/NBD process from ``start`` (rate ``lambda * m``,
  dropout with probability ``p`` after each purchase); each order's amount is
  Gamma-Gamma, ``Gamma(p_spend, nu)``, with the person's latent ``nu`` (mean ``p_spend / nu``).

The offers (:data:`OFFERS`), their true rate multipliers by latent type, and their costs:

============  ===============  =========  =====  ==========  =====================================
offer         discount-driven  impulsive  loyal  occasional  cost (currency units)
============  ===============  =========  =====  ==========  =====================================
coupon        2.5              1.4        1.1    1.3         5 per redeemed coupon (the next order)
referral      1.2              1.5        1.4    1.15        10 per purchase of a referred friend
loyalty       1.15             1.1        1.8    1.3         4 per treated customer (enrolment)
============  ===============  =========  =====  ==========  =====================================

A coupon is worth most to discount-driven buyers; a referral reward to impulsive ones (quick
to share what they just bought); a loyalty programme to those who would buy often anyway.
In the referral programme each purchase of a treated customer brings a referred friend's
purchase with probability :data:`REFERRAL_PROBABILITY`; the reward is paid for each, but
the friends' own revenue is not counted (they are new customers, not the experiment's).

What the analyst sees (the ``table``) holds no latent value. Its ``customer_type`` is read
from the data with :func:`custlab.typology.classify_customer_types` as of the day before
``start`` (default rules), so it is what an analyst could use to target: ``discount-driven``
(the one order carried a discount), else ``impulsive`` (it was bought within 30 minutes of a
visit), else ``other``. For a one-time buyer the discount rule also catches buyers who are
not truly discount-driven, and nobody can yet look ``loyal``; the true types are in ``truth``.

The world's own ``incentive_group`` (a different, built-in experiment) is not used: the
outcomes here are drawn from the latent rates, not read from ``world.orders``.

Examples
--------
>>> from custlab.simulate import crm_world
>>> world = crm_world(1000, random_state=3)
>>> table, truth = draw_incentive_experiment(world, offer="coupon", random_state=1)
>>> sorted(table["group"].unique()), truth.offer, truth.weeks
(['control', 'treatment'], 'coupon', 8)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from custlab.simulate.orders import simulate_bgnbd

__all__ = ["CUSTOMER_TYPE_RULE", "OFFERS", "REFERRAL_PROBABILITY", "ExperimentTruth", "Offer",
           "draw_incentive_experiment", "draw_outcomes", "eligible_customers", "experiment_truth", "uplift_table"]

_LATENT_TYPES = ("discount-driven", "impulsive", "loyal", "occasional")


@dataclass(frozen=True)
class Offer:
    """One incentive: what it is, how much it multiplies the purchase rate, what it costs.

    Attributes
    ----------
    description : str
        The offer in plain words.
    rate_multiplier : mapping
        Latent customer type to the factor on the weekly purchase rate while the offer runs.
    cost : float
        Currency units paid per ``cost_per``.
    cost_per : str
        What the cost is paid for: ``"redeemed coupon"``, ``"referred purchase"`` or
        ``"treated customer"``.
    """

    description: str
    rate_multiplier: Mapping[str, float] = field(default_factory=dict)
    cost: float = 0.0
    cost_per: str = "treated customer"


#: The offers an experiment can test; see the module docstring for the table.
OFFERS: dict[str, Offer] = {
    "coupon": Offer("a discount voucher worth 5 currency units on the next order",
                    {"discount-driven": 2.5, "impulsive": 1.4, "loyal": 1.1, "occasional": 1.3},
                    cost=5.0, cost_per="redeemed coupon"),
    "referral": Offer("a reward of 10 currency units for every purchase of a friend they bring",
                      {"discount-driven": 1.2, "impulsive": 1.5, "loyal": 1.4, "occasional": 1.15},
                      cost=10.0, cost_per="referred purchase"),
    "loyalty": Offer("enrolment in the loyalty programme (points on every order)",
                     {"discount-driven": 1.15, "impulsive": 1.1, "loyal": 1.8, "occasional": 1.3},
                     cost=4.0, cost_per="treated customer"),
}

#: Chance that a purchase of a customer in the referral programme brings a friend's purchase.
REFERRAL_PROBABILITY = 0.3

#: How ``customer_type`` is read from the data (first rule that holds).
CUSTOMER_TYPE_RULE = {
    "discount-driven": "the first order carried a discount (classify_customer_types' discount_driven)",
    "impulsive": "the first order was bought within 30 minutes of a visit (its impulsive)",
    "other": "neither",
}


def uplift_table() -> pd.DataFrame:
    """The true rate multipliers of every offer by latent customer type (offers as rows).

    Examples
    --------
    >>> uplift_table().loc["coupon", "discount-driven"]
    np.float64(2.5)
    """
    return pd.DataFrame({name: dict(o.rate_multiplier) for name, o in OFFERS.items()}).T.reindex(
        columns=list(_LATENT_TYPES)).rename_axis(index="offer", columns="latent_type").astype(float)


@dataclass
class ExperimentTruth:
    """What generated an incentive experiment; computed from the probabilities, not the draws.

    Attributes
    ----------
    offer : str
        The offer tested (a key of :data:`OFFERS`).
    start : pandas.Timestamp
        First day of the experiment.
    weeks : int
        Length of the outcome window, weeks.
    uplift : pandas.Series
        The offer's rate multiplier by latent type.
    cost : dict
        ``amount`` (currency units), ``per`` (what it is paid for), ``unit``.
    effects : pandas.DataFrame
        Index ``all`` then each analyst-visible ``customer_type``: ``customers`` (eligible),
        ``repeat_control_pct`` and ``repeat_treatment_pct`` (the average chance of a repeat
        purchase in the window without and with the offer, %), ``effect_pp`` (their
        difference, percentage points: the true average effect), ``revenue_effect``
        (expected extra revenue per treated customer, currency units), ``cost_per_treated``
        (expected cost per treated customer, currency units), ``net_effect`` (the two's
        difference). Averages over every eligible customer, treated or not.
    effects_by_latent_type : pandas.DataFrame
        The same, by the true (latent) type.
    customers : pandas.DataFrame
        Per eligible customer: ``customer_id, latent_type, purchase_rate_per_week,
        dropout_probability, expected_spend`` (currency units per order), ``rate_multiplier``
        (under the offer), ``p_repeat_control, p_repeat_treatment``.
    """

    offer: str
    start: pd.Timestamp
    weeks: int
    uplift: pd.Series
    cost: dict
    effects: pd.DataFrame
    effects_by_latent_type: pd.DataFrame
    customers: pd.DataFrame

    @property
    def effect_pp(self) -> float:
        """The true average effect on the repeat-purchase rate, percentage points."""
        return float(self.effects.loc["all", "effect_pp"])


def _default_start(world) -> pd.Timestamp:
    incentive = getattr(world.truth, "params", {}).get("incentive", {})
    if "start" in incentive:
        return pd.Timestamp(incentive["start"]).normalize()
    return world.start + pd.Timedelta(days=int(0.6 * ((world.end - world.start).days + 1)))


def _check_weeks(weeks) -> int:
    if isinstance(weeks, bool) or not isinstance(weeks, (int, np.integer)) or weeks < 1:
        raise ValueError(f"weeks={weeks!r} must be a whole number of weeks, at least 1.")
    return int(weeks)


def eligible_customers(world, *, start=None, weeks: int = 8) -> pd.DataFrame:
    """The one-time buyers of a simulated world at ``start``: who an experiment can enrol.

    The expensive, assignment-free part of :func:`draw_incentive_experiment`: prepare it once
    and pass it to :func:`draw_outcomes` as often as needed (to repeat an experiment with
    new assignments and outcomes). Holds latent columns: a simulator table, not an analyst's.

    Parameters
    ----------
    world : CRMWorld
        From :func:`custlab.crm_world`.
    start : date, optional
        First day of the experiment; default ``world.truth.params["incentive"]["start"]``
        (60 % of the way into the window). Everything before it is the pre-period.
    weeks : int
        Length of the outcome window, weeks; ``start`` plus ``weeks`` must fit in the world.

    Returns
    -------
    pandas.DataFrame
        One row per eligible customer, sorted by ``customer_id``: ``customer_type`` (see
        :data:`CUSTOMER_TYPE_RULE`), ``kind``, ``channel`` (acquisition channel),
        ``days_since_first_purchase`` (days, at ``start``), ``first_order_amount``
        (currency units), ``repeat_before`` (a repeat purchase in the ``weeks`` weeks before
        ``start``: False for all, by selection), then the latent ``latent_type,
        purchase_rate_per_week, dropout_probability, spend_rate_nu, expected_spend``.
        ``attrs`` hold ``start``, ``weeks`` and ``spend_shape`` (Gamma-Gamma ``p``).

    Examples
    --------
    >>> from custlab.simulate import crm_world
    >>> world = crm_world(1000, random_state=2)
    >>> eligible = eligible_customers(world)
    >>> bool((eligible["days_since_first_purchase"] > 0).all()), eligible.attrs["weeks"]
    (True, 8)
    """
    from custlab.typology import classify_customer_types

    weeks = _check_weeks(weeks)
    start = _default_start(world) if start is None else pd.Timestamp(start).normalize()
    end_excl = world.end + pd.Timedelta(days=1)
    latest = end_excl - pd.Timedelta(weeks=weeks)
    if start + pd.Timedelta(weeks=weeks) > end_excl:
        raise ValueError(f"start={start.date()} with weeks={weeks} runs past the world's last day "
                         f"({world.end.date()}); pass a start on or before {latest.date()} or fewer weeks.")
    if start <= world.start:
        raise ValueError(f"start={start.date()} leaves no pre-period: the world begins on {world.start.date()}; "
                         "pass a later start.")
    orders = world.orders
    before = orders[orders["date"] < start]
    n_orders = before.groupby("customer_id").size()
    ids = n_orders.index[n_orders.to_numpy() == 1]
    if ids.empty:
        raise ValueError(f"Nobody has exactly one purchase before {start.date()}: no one-time buyer to enrol; "
                         "pass a later start or a larger world.")
    first = before[before["customer_id"].isin(ids)].set_index("customer_id").loc[ids]
    types = classify_customer_types(before[before["customer_id"].isin(ids)], as_of=start - pd.Timedelta(days=1),
                                    customers=world.customers, events=world.events).set_index("customer_id").loc[ids]
    customer_type = np.select([types["discount_driven"].to_numpy(bool), types["impulsive"].to_numpy(bool)],
                              ["discount-driven", "impulsive"], default="other").astype(object)
    people = world.customers.set_index("customer_id").loc[ids]
    latent = world.truth.customers.set_index("customer_id").loc[ids]
    out = pd.DataFrame({
        "customer_id": ids.to_numpy(),
        "customer_type": customer_type,
        "kind": people["kind"].to_numpy(),
        "channel": people["acquisition_channel"].to_numpy(),
        "days_since_first_purchase": (start - first["date"].dt.normalize()).dt.days.to_numpy(),
        "first_order_amount": first["amount"].to_numpy(float),
        "repeat_before": np.zeros(ids.size, bool),
        "latent_type": latent["latent_type"].to_numpy(),
        "purchase_rate_per_week": latent["purchase_rate_per_week"].to_numpy(float),
        "dropout_probability": latent["dropout_probability"].to_numpy(float),
        "spend_rate_nu": latent["spend_rate_nu"].to_numpy(float),
        "expected_spend": latent["expected_spend"].to_numpy(float),
    }).sort_values("customer_id", ignore_index=True)
    spend_shape = world.truth.params.get("gamma_gamma", {}).get("p", 6.0)
    out.attrs.update(start=start, weeks=weeks, spend_shape=float(spend_shape))
    return out


def _expected_purchases(rate: np.ndarray, dropout: np.ndarray, weeks: float) -> np.ndarray:
    """BG/NBD expected purchases in ``weeks`` for a customer alive at the start: (1 - e^(-rate p t)) / p."""
    p = np.asarray(dropout, float)
    x = rate * weeks
    safe = np.where(p > 1e-12, p, 1.0)
    return np.where(p > 1e-12, -np.expm1(-x * safe) / safe, x)


def _expected_cost(offer: Offer, p_repeat: np.ndarray, purchases: np.ndarray) -> np.ndarray:
    if offer.cost_per == "redeemed coupon":
        return offer.cost * p_repeat
    if offer.cost_per == "referred purchase":
        return offer.cost * REFERRAL_PROBABILITY * purchases
    return np.full(p_repeat.size, offer.cost)


def _truth_effects(people: pd.DataFrame, by: str) -> pd.DataFrame:
    cols = ["p_repeat_control", "p_repeat_treatment", "revenue_effect", "cost_per_treated"]
    grouped = people.groupby(by, sort=True)[cols]
    means = pd.concat([people[cols].mean().to_frame("all").T, grouped.mean()])
    counts = np.concatenate([[len(people)], grouped.size().to_numpy()])
    out = pd.DataFrame({
        "customers": counts,
        "repeat_control_pct": 100 * means["p_repeat_control"].to_numpy(),
        "repeat_treatment_pct": 100 * means["p_repeat_treatment"].to_numpy(),
        "effect_pp": 100 * (means["p_repeat_treatment"] - means["p_repeat_control"]).to_numpy(),
        "revenue_effect": means["revenue_effect"].to_numpy(),
        "cost_per_treated": means["cost_per_treated"].to_numpy(),
        "net_effect": (means["revenue_effect"] - means["cost_per_treated"]).to_numpy(),
    }, index=pd.Index(means.index, name=by))
    return out


def _check_offer(offer: str) -> Offer:
    if offer not in OFFERS:
        raise ValueError(f"offer={offer!r} is not one of the offers; pass one of "
                         + ", ".join(f"{k!r} ({o.description})" for k, o in OFFERS.items()) + ".")
    return OFFERS[offer]


def _check_eligible(eligible: pd.DataFrame) -> None:
    missing = {"start", "weeks"} - set(eligible.attrs)
    if missing:
        raise ValueError("eligible must come from eligible_customers(world, ...): its attrs lack "
                         f"{sorted(missing)}.")


def experiment_truth(eligible: pd.DataFrame, *, offer: str = "coupon") -> ExperimentTruth:
    """The true effects of ``offer`` on the eligible customers, from the probabilities.

    Nothing is drawn: every number is an average, over all eligible customers (treated or
    not), of each person's chance of a repeat purchase, expected revenue and expected cost
    with and without the offer (BG/NBD expected purchases ``(1 - exp(-rate p t)) / p`` for
    a customer alive at the start, times the expected spend per order).

    Parameters
    ----------
    eligible : pandas.DataFrame
        From :func:`eligible_customers`.
    offer : {"coupon", "referral", "loyalty"}
        The incentive; see :data:`OFFERS`.

    Examples
    --------
    >>> from custlab.simulate import crm_world
    >>> eligible = eligible_customers(crm_world(1000, random_state=2))
    >>> truth = experiment_truth(eligible, offer="coupon")
    >>> bool(truth.effect_pp > 0), list(truth.effects.index[:1])
    (True, ['all'])
    """
    o = _check_offer(offer)
    _check_eligible(eligible)
    start, weeks = eligible.attrs["start"], eligible.attrs["weeks"]
    rate = eligible["purchase_rate_per_week"].to_numpy(float)
    drop = eligible["dropout_probability"].to_numpy(float)
    spend = eligible["expected_spend"].to_numpy(float)
    mult = eligible["latent_type"].map(o.rate_multiplier).fillna(1.0).to_numpy(float)
    p0, p1 = -np.expm1(-rate * weeks), -np.expm1(-rate * mult * weeks)
    x0, x1 = _expected_purchases(rate, drop, weeks), _expected_purchases(rate * mult, drop, weeks)
    people = pd.DataFrame({
        "customer_id": eligible["customer_id"].to_numpy(), "customer_type": eligible["customer_type"].to_numpy(),
        "latent_type": eligible["latent_type"].to_numpy(), "purchase_rate_per_week": rate,
        "dropout_probability": drop, "expected_spend": spend, "rate_multiplier": mult,
        "p_repeat_control": p0, "p_repeat_treatment": p1,
        "revenue_effect": (x1 - x0) * spend, "cost_per_treated": _expected_cost(o, p1, x1)})
    return ExperimentTruth(
        offer=offer, start=start, weeks=weeks,
        uplift=pd.Series(dict(o.rate_multiplier), name="rate_multiplier").rename_axis("latent_type"),
        cost={"amount": o.cost, "per": o.cost_per, "unit": "currency units"},
        effects=_truth_effects(people, "customer_type"),
        effects_by_latent_type=_truth_effects(people, "latent_type"),
        customers=people.drop(columns=["customer_type", "revenue_effect", "cost_per_treated"]))


def draw_outcomes(eligible: pd.DataFrame, *, offer: str = "coupon",
                  random_state: int | np.random.Generator | None = 0) -> pd.DataFrame:
    """Assign the eligible at random and draw their outcomes: one run of the experiment.

    The cheap part of :func:`draw_incentive_experiment`: with one ``eligible`` table, call it
    once per seed to repeat the experiment (its truth, :func:`experiment_truth`, stays the
    same). The random generator draws, in this order: the assignment (a permutation), the
    purchases in the window, their amounts, and the referred purchases.

    Parameters
    ----------
    eligible : pandas.DataFrame
        From :func:`eligible_customers` (its ``attrs`` give ``start`` and ``weeks``).
    offer : {"coupon", "referral", "loyalty"}
        The incentive tested; see :data:`OFFERS`.
    random_state : int or numpy Generator
        Seed of the experiment's own generator; the same seed gives the same table.

    Returns
    -------
    pandas.DataFrame
        What an analyst sees, one row per eligible customer: ``customer_id, group``
        (treatment or control), ``customer_type, kind, channel, days_since_first_purchase``
        (days), ``first_order_amount`` (currency units), ``repeat_before`` (bool),
        ``repeat`` (bool: a repeat purchase within ``weeks`` weeks of ``start``),
        ``purchases`` (in the window), ``referred_purchases`` (friends' purchases rewarded),
        ``revenue`` (the customer's orders in the window, currency units, before the
        incentive's cost), ``cost`` (what the incentive cost for this customer, currency units).

    Examples
    --------
    >>> from custlab.simulate import crm_world
    >>> eligible = eligible_customers(crm_world(1000, random_state=2))
    >>> a, b = draw_outcomes(eligible, random_state=5), draw_outcomes(eligible, random_state=5)
    >>> a.equals(b), int((a["group"] == "treatment").sum()) == len(a) // 2
    (True, True)
    """
    o = _check_offer(offer)
    _check_eligible(eligible)
    rng = random_state if isinstance(random_state, np.random.Generator) else np.random.default_rng(random_state)
    n, weeks = len(eligible), eligible.attrs["weeks"]
    labels = np.array(["treatment"] * (n // 2) + ["control"] * (n - n // 2), dtype=object)
    group = labels[rng.permutation(n)]
    treated = group == "treatment"
    mult = eligible["latent_type"].map(o.rate_multiplier).fillna(1.0).to_numpy(float)
    rate = eligible["purchase_rate_per_week"].to_numpy(float) * np.where(treated, mult, 1.0)
    who, _, _ = simulate_bgnbd(rate, eligible["dropout_probability"].to_numpy(float), np.full(n, float(weeks)), rng)
    purchases = np.bincount(who, minlength=n)
    revenue = np.zeros(n)
    bought = purchases > 0
    shape = eligible.attrs.get("spend_shape", 6.0)
    revenue[bought] = rng.gamma(shape * purchases[bought], 1.0 / eligible["spend_rate_nu"].to_numpy(float)[bought])
    referred = rng.binomial(purchases, REFERRAL_PROBABILITY) * (treated & (offer == "referral"))
    if o.cost_per == "redeemed coupon":
        cost = o.cost * (treated & bought)
    elif o.cost_per == "referred purchase":
        cost = o.cost * referred
    else:
        cost = o.cost * treated
    visible = ["customer_id", "customer_type", "kind", "channel", "days_since_first_purchase",
               "first_order_amount", "repeat_before"]
    table = eligible[visible].copy()
    table.insert(1, "group", group)
    table = table.assign(repeat=bought, purchases=purchases, referred_purchases=referred,
                         revenue=np.round(revenue, 2), cost=cost.astype(float))
    table.attrs.update(start=eligible.attrs["start"], weeks=weeks, offer=offer)
    return table


def draw_incentive_experiment(world, *, start=None, weeks: int = 8, offer: str = "coupon",
                              random_state: int | np.random.Generator | None = 0
                              ) -> tuple[pd.DataFrame, ExperimentTruth]:
    """Run a randomized incentive experiment on a simulated world's one-time buyers.

    :func:`eligible_customers`, then :func:`draw_outcomes` and :func:`experiment_truth`; the
    module docstring gives the design, the offers and what is true.

    Parameters
    ----------
    world : CRMWorld
        From :func:`custlab.crm_world`; not modified, and its random stream not used.
    start : date, optional
        First day of the experiment; default the world's incentive start (60 % into its window).
    weeks : int
        Outcome window, weeks after ``start``.
    offer : {"coupon", "referral", "loyalty"}
        The incentive tested.
    random_state : int or numpy Generator
        Seed of the experiment's own generator.

    Returns
    -------
    table : pandas.DataFrame
        What an analyst sees; columns in :func:`draw_outcomes`.
    truth : ExperimentTruth
        The true effects (from the probabilities), the offer's multipliers and cost.

    Examples
    --------
    >>> from custlab.simulate import crm_world
    >>> world = crm_world(1000, random_state=3)
    >>> table, truth = draw_incentive_experiment(world, offer="loyalty", random_state=0)
    >>> bool((table.loc[table["group"] == "treatment", "cost"] == 4.0).all())
    True
    >>> int(truth.effects.loc["all", "customers"]) == len(table)
    True
    """
    _check_offer(offer)
    eligible = eligible_customers(world, start=start, weeks=weeks)
    return draw_outcomes(eligible, offer=offer, random_state=random_state), experiment_truth(eligible, offer=offer)
