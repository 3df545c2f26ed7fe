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

Customer types, business accounts and income bands are drawn *from* the latent
values (heavy spenders are more often businesses and in higher income bands),
so the pooled population still follows the models above exactly.

Written by hand because no maintained library simulates these three models
together with the CRM tables around them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["WorldParams", "CRMWorld", "crm_world", "simulate_bgnbd"]

EVENT_TYPES = (
    "ad_impression", "visit", "product_view", "add_to_cart", "purchase",
    "support_contact", "review", "referral", "newsletter_signup",
)
CHANNELS = ("search", "social", "display_ad", "email", "referral", "store")
REGIONS = ("Capital", "North", "South", "East", "West")
AGE_BANDS = ("18-24", "25-34", "35-44", "45-54", "55-64", "65+")
INCOME_BANDS = ("low", "lower-middle", "upper-middle", "high")
COMPANY_SIZES = ("1-9", "10-49", "50-249", "250+")
SEATS = {"1-9": 3, "10-49": 10, "50-249": 30, "250+": 80}
PLANS = ("basic", "plus", "pro")
COMPLAINT_CATEGORIES = ("delivery", "product_quality", "billing", "service")


@dataclass(frozen=True)
class WorldParams:
    """Every generating parameter of :func:`crm_world`, with its unit.

    Attributes
    ----------
    bgnbd : dict
        r, alpha (weeks), a, b of the BG/NBD repeat-purchase process; rates are per week.
    gamma_gamma : dict
        p, q, gamma (currency units) of the Gamma-Gamma spend model.
    sbg : dict
        Per plan, (alpha, beta) of the monthly churn probability.
    monthly_fee : dict
        Per plan, the subscription fee in currency units per month.
    """

    bgnbd: dict = field(default_factory=lambda: {"r": 0.25, "alpha": 4.0, "a": 0.8, "b": 2.5})
    gamma_gamma: dict = field(default_factory=lambda: {"p": 6.0, "q": 4.0, "gamma": 15.0})
    sbg: dict = field(default_factory=lambda: {
        "basic": (0.7, 1.2), "plus": (0.8, 2.5), "pro": (0.7, 4.0)})
    monthly_fee: dict = field(default_factory=lambda: {"basic": 5.0, "plus": 12.0, "pro": 30.0})
    buyer_share: float = 0.45           # share of contacts who would ever buy
    business_share: float = 0.12        # share of accounts that are businesses
    internal_share: float = 0.02        # staff accounts (internal customers)
    first_purchase_delay_days: float = 21.0   # mean days from first contact to first purchase
    impulsive_share: float = 0.15       # of buyers
    discount_driven_share: float = 0.18  # of buyers
    gift_share: float = 0.10            # orders of individuals used by someone else
    return_rate: float = 0.06           # orders returned (three times as often if impulsive)
    subscription_share: float = 0.30    # buyers who take a subscription
    complaint_rate: float = 0.04        # orders followed by a complaint
    survey_rate: float = 0.20           # orders followed by a survey answer
    referral_share: float = 0.08        # contacts who arrive through a referral
    incentive_uplift: float = 0.5       # purchase-rate increase of treated buyers
    incentive_weeks: float = 8.0        # how long the incentive works, weeks
    incentive_at: float = 0.6           # experiment start, as a fraction of the window


@dataclass
class WorldTruth:
    """What generated a :class:`CRMWorld`: parameters and every latent per-customer value."""

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


def simulate_bgnbd(
    purchase_rate: np.ndarray,
    dropout_prob: np.ndarray,
    horizon: np.ndarray,
    rng: np.random.Generator,
    *,
    speedup: np.ndarray | None = None,
    speedup_start: np.ndarray | None = None,
    speedup_length: float = 0.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Repeat-purchase times of BG/NBD customers, all at once.

    Parameters
    ----------
    purchase_rate : array
        Each customer's purchase rate while alive (purchases per time unit).
    dropout_prob : array
        Probability of dropping out right after each repeat purchase.
    horizon : array
        Time observed after each customer's first purchase (same unit).
    rng : numpy.random.Generator
    speedup, speedup_start, speedup_length : optional
        Rate multiplied by ``1 + speedup`` from ``speedup_start`` (time since the
        first purchase, may be negative) for ``speedup_length``.

    Returns
    -------
    customer_index, times : arrays
        One entry per repeat purchase: whose, and when (time since first purchase).
    dropout_time : array
        Per customer, the time of the purchase after which they dropped out; NaN
        if still alive at the horizon.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> idx, t, dead = simulate_bgnbd(np.array([0.5, 0.1]), np.array([0.2, 0.3]), np.array([52.0, 52.0]), rng)
    >>> len(idx) == len(t), bool((t < 52).all())
    (True, True)
    """
    n = len(purchase_rate)
    lam = np.asarray(purchase_rate, float)
    p = np.asarray(dropout_prob, float)
    horizon = np.asarray(horizon, float)
    u = np.zeros(n) if speedup is None else np.asarray(speedup, float)
    s0 = np.zeros(n) if speedup_start is None else np.clip(np.asarray(speedup_start, float), 0, None)
    e0 = (np.zeros(n) if speedup_start is None
          else np.clip(np.asarray(speedup_start, float) + speedup_length, 0, None))
    # Simulate in "operational time" where the rate is constant, then map back.
    def to_op(t):
        return t + u * np.clip(np.minimum(t, e0) - s0, 0, None)

    def from_op(tau, i):
        ss, ee, uu = s0[i], e0[i], u[i]
        tau_e = ss + (ee - ss) * (1 + uu)
        return np.where(tau < ss, tau, np.where(tau < tau_e, ss + (tau - ss) / (1 + uu), tau - uu * (ee - ss)))

    h_op = to_op(horizon)
    t_op = np.zeros(n)
    alive = lam > 0
    dropout = np.full(n, np.nan)
    out_i, out_t = [], []
    active = np.flatnonzero(alive)
    while active.size:
        t_next = t_op[active] + rng.exponential(1.0 / lam[active])
        inside = t_next < h_op[active]
        t_op[active] = t_next
        hit = active[inside]
        times = from_op(t_next[inside], hit)
        out_i.append(hit)
        out_t.append(times)
        dies = rng.random(hit.size) < p[hit]
        dropout[hit[dies]] = times[dies]
        keep = inside.copy()
        keep[inside] = ~dies
        active = active[keep]
    idx = np.concatenate(out_i) if out_i else np.zeros(0, int)
    t = np.concatenate(out_t) if out_t else np.zeros(0)
    order = np.lexsort((t, idx))
    return idx[order], t[order], dropout


def _add_months(dates: pd.DatetimeIndex, months: np.ndarray) -> pd.DatetimeIndex:
    """Add whole calendar months, keeping the day (clipped to the month's last day)."""
    total = dates.year.to_numpy() * 12 + dates.month.to_numpy() - 1 + months
    first = pd.to_datetime(pd.DataFrame({"year": total // 12, "month": total % 12 + 1, "day": 1}))
    day = np.minimum(dates.day.to_numpy(), first.dt.days_in_month.to_numpy())
    return pd.DatetimeIndex(first + pd.to_timedelta(day - 1, unit="D"))


def _ids(prefix: str, numbers: np.ndarray, width: int = 5) -> np.ndarray:
    return np.char.add(prefix, np.char.zfill(np.asarray(numbers).astype(str), width)).astype(object)


def _pick(rng, options, probs, size):
    return np.asarray(options, dtype=object)[rng.choice(len(options), size=size, p=probs)]


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
    a share of them buy. See the module docstring for the generating models.

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
        income_band, region, company_size, incentive_group, latent_type``.
        ``events``: touchpoints ``customer_id, timestamp, event_type, channel``.
        ``orders``: ``order_id, customer_id`` (the buyer), ``consumer_id`` (who
        uses it), ``date, amount`` (currency units, paid), ``quantity, discount``
        (fraction of list price), ``returned, return_date, sales_channel``.
        ``subscriptions``: ``subscription_id, customer_id, plan, monthly_fee,
        start_date, end_date`` (NaT while active), ``status``.
        ``surveys``: ``customer_id, date, nps`` (0-10), ``csat`` (1-5).
        ``complaints``: ``customer_id, order_id, date, category, resolved, days_to_resolve``.
        ``truth``: :class:`WorldTruth`.

    Examples
    --------
    >>> world = crm_world(500, random_state=1)
    >>> int(world.customers.shape[0]), bool(world.orders["customer_id"].isin(world.customers["customer_id"]).all())
    (500, True)
    """
    if not isinstance(n_customers, (int, np.integer)) or n_customers < 1:
        raise ValueError(f"n_customers must be a positive whole number, got {n_customers!r}.")
    start, end = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
    if end <= start:
        raise ValueError(f"end ({end.date()}) must be after start ({start.date()}).")
    prm = params or WorldParams()
    rng = random_state if isinstance(random_state, np.random.Generator) else np.random.default_rng(random_state)
    n = int(n_customers)
    window_days = (end - start).days + 1
    end_excl = end + pd.Timedelta(days=1)
    ids = _ids("C", np.arange(1, n + 1))

    # --- latent values -------------------------------------------------------------
    bg, gg = prm.bgnbd, prm.gamma_gamma
    lam = rng.gamma(bg["r"], 1.0 / bg["alpha"], n)          # purchases per week
    p_drop = rng.beta(bg["a"], bg["b"], n)
    nu = rng.gamma(gg["q"], 1.0 / gg["gamma"], n)          # spend scale (rate)
    spend_rank = (np.argsort(np.argsort(-nu)) + 0.5) / n    # 1 = heaviest spender
    satisfaction = -0.8 * np.log(p_drop / (1 - p_drop)) + rng.normal(0, 1, n)
    satisfaction = (satisfaction - satisfaction.mean()) / satisfaction.std()

    # --- who they are ---------------------------------------------------------------
    is_business = rng.random(n) < np.clip(2 * prm.business_share * spend_rank, 0, 1)
    is_internal = ~is_business & (rng.random(n) < prm.internal_share)
    kind = np.where(is_business, "business", "individual").astype(object)
    acq_offset = rng.uniform(0, window_days - 30, n)
    acq_date = start + pd.to_timedelta(np.floor(acq_offset), unit="D")
    channel = _pick(rng, CHANNELS, [0.30, 0.22, 0.18, 0.12, 0.08, 0.10], n)
    age = _pick(rng, AGE_BANDS, [0.12, 0.24, 0.22, 0.18, 0.14, 0.10], n)
    gender = _pick(rng, ("female", "male", "other"), [0.49, 0.49, 0.02], n)
    income_score = 0.7 * spend_rank + 0.3 * rng.random(n)
    income = np.asarray(INCOME_BANDS, dtype=object)[np.digitize(income_score, [0.3, 0.55, 0.8])]
    region = _pick(rng, REGIONS, [0.30, 0.20, 0.20, 0.15, 0.15], n)
    size = _pick(rng, COMPANY_SIZES, [0.45, 0.30, 0.17, 0.08], n)
    for col in (age, gender, income):
        col[is_business] = None
    size[~is_business] = None

    # --- who buys, and when first ---------------------------------------------------
    will_buy = rng.random(n) < np.where(is_internal, 0.8, prm.buyer_share)
    impulsive = will_buy & (rng.random(n) < prm.impulsive_share)
    discount_driven = will_buy & (rng.random(n) < prm.discount_driven_share)
    delay_days = rng.exponential(np.where(impulsive, 0.3, prm.first_purchase_delay_days))
    first_time = acq_date + pd.to_timedelta(delay_days * 86400 + rng.uniform(8, 22, n) * 3600, unit="s")
    first_time = first_time.where(will_buy & np.asarray(first_time < end_excl))
    buyer = np.asarray(first_time.notna())
    b_idx = np.flatnonzero(buyer)
    horizon_weeks = ((end_excl - first_time[b_idx]).total_seconds() / (7 * 86400)).to_numpy()

    # --- the incentive experiment ---------------------------------------------------
    exp_start = start + pd.Timedelta(days=int(prm.incentive_at * window_days))
    eligible = buyer & np.asarray(first_time < exp_start)
    group = np.full(n, None, dtype=object)
    group[eligible] = np.where(rng.random(eligible.sum()) < 0.5, "treatment", "control")
    uplift = np.where(group[b_idx] == "treatment", prm.incentive_uplift, 0.0)
    exp_rel = ((exp_start - first_time[b_idx]).total_seconds() / (7 * 86400)).to_numpy()

    # --- repeat purchases (BG/NBD) and spend (Gamma-Gamma) --------------------------
    which, weeks, dropout_w = simulate_bgnbd(
        lam[b_idx], p_drop[b_idx], horizon_weeks, rng,
        speedup=uplift, speedup_start=exp_rel, speedup_length=prm.incentive_weeks)
    cust_of_order = np.concatenate([b_idx, b_idx[which]])
    t_first = first_time[b_idx].to_numpy()
    repeat_time = pd.DatetimeIndex(t_first[which]) + pd.to_timedelta(weeks * 7 * 86400, unit="s")
    # A repeat purchase keeps its day; the time of day is drawn like any other.
    repeat_time = repeat_time.normalize() + pd.to_timedelta(rng.uniform(8, 22, which.size) * 3600, unit="s")
    order_time = np.concatenate([t_first, repeat_time.to_numpy()])
    sort = np.lexsort((cust_of_order, order_time))
    cust_of_order, order_time = cust_of_order[sort], order_time[sort]
    m = cust_of_order.size
    amount = np.round(rng.gamma(gg["p"], 1.0 / nu[cust_of_order]), 2)
    order_ids = _ids("O", np.arange(1, m + 1), 6)

    dd = discount_driven[cust_of_order]
    uses_discount = rng.random(m) < np.where(dd, 0.8, 0.1)
    discount = np.where(uses_discount, rng.choice([0.10, 0.15, 0.20, 0.25], m), 0.0)
    quantity = 1 + rng.poisson(amount / 25.0)
    ret_p = np.where(impulsive[cust_of_order], 3 * prm.return_rate, prm.return_rate)
    return_time = pd.DatetimeIndex(order_time) + pd.to_timedelta(rng.uniform(2, 30, m), unit="D")
    returned = (rng.random(m) < ret_p) & (return_time < end_excl)
    consumer = ids[cust_of_order].copy()
    gift = (kind[cust_of_order] == "individual") & ~is_internal[cust_of_order] & (rng.random(m) < prm.gift_share)
    n_gift = int(gift.sum())
    to_contact = rng.random(n_gift) < 0.4
    consumer[np.flatnonzero(gift)[to_contact]] = ids[rng.integers(0, n, to_contact.sum())]
    consumer[np.flatnonzero(gift)[~to_contact]] = _ids("G", rng.integers(1, 10 * n, (~to_contact).sum()), 6)
    biz = kind[cust_of_order] == "business"
    seats = np.array([SEATS[s] if s else 1 for s in size[cust_of_order[biz]]])
    seat_no = 1 + np.floor(rng.random(biz.sum()) * seats).astype(int)
    consumer[biz] = np.char.add(np.char.add(ids[cust_of_order[biz]].astype(str), "-U"),
                                seat_no.astype(str)).astype(object)
    orders = pd.DataFrame({
        "order_id": order_ids,
        "customer_id": ids[cust_of_order],
        "consumer_id": consumer,
        "date": pd.DatetimeIndex(order_time).floor("min"),
        "amount": amount,
        "quantity": quantity,
        "discount": discount,
        "returned": returned,
        "return_date": pd.DatetimeIndex(return_time).normalize().where(returned),
        "sales_channel": _pick(rng, ("web", "app", "store"), [0.55, 0.30, 0.15], m),
    })

    # --- subscriptions (sBG) --------------------------------------------------------
    subs_who = b_idx[rng.random(b_idx.size) < prm.subscription_share]
    sub_start = (first_time[subs_who] + pd.to_timedelta(rng.exponential(30, subs_who.size), unit="D")).normalize()
    keep = np.asarray(sub_start < end_excl)
    subs_who, sub_start = subs_who[keep], sub_start[keep]
    plan_p = np.where(is_business[subs_who][:, None], [0.2, 0.3, 0.5], [0.55, 0.35, 0.10])
    plan = np.array([PLANS[rng.choice(3, p=pp)] for pp in plan_p], dtype=object)
    a_plan = np.array([prm.sbg[x][0] for x in plan])
    b_plan = np.array([prm.sbg[x][1] for x in plan])
    theta = rng.beta(a_plan, b_plan)
    months = rng.geometric(theta)        # months paid before cancelling (1, 2, ...)
    sub_end = _add_months(sub_start, np.minimum(months, 12 * (end.year - start.year + 2)))
    active = (sub_end >= end_excl)
    subscriptions = pd.DataFrame({
        "subscription_id": _ids("S", np.arange(1, subs_who.size + 1)),
        "customer_id": ids[subs_who],
        "plan": plan,
        "monthly_fee": np.array([prm.monthly_fee[x] for x in plan]),
        "start_date": sub_start.to_numpy(),
        "end_date": sub_end.where(~active).to_numpy(),
        "status": np.where(active, "active", "cancelled").astype(object),
        "_theta": theta,
    }).sort_values(["start_date", "subscription_id"], kind="stable").reset_index(drop=True)
    truth_subs = subscriptions[["subscription_id", "customer_id", "plan", "_theta"]].rename(
        columns={"_theta": "monthly_churn_probability"})
    subscriptions = subscriptions.drop(columns="_theta")

    # --- complaints and surveys -----------------------------------------------------
    complain = rng.random(m) < np.where(returned, 0.3, prm.complaint_rate)
    c_idx = np.flatnonzero(complain)
    c_date = (pd.DatetimeIndex(order_time[c_idx]) + pd.to_timedelta(rng.uniform(1, 10, c_idx.size), unit="D")).normalize()
    c_ok = c_date < end_excl
    c_idx, c_date = c_idx[c_ok], c_date[c_ok]
    resolved = rng.random(c_idx.size) < 0.85
    complaints = pd.DataFrame({
        "complaint_id": _ids("K", np.arange(1, c_idx.size + 1)),
        "customer_id": ids[cust_of_order[c_idx]],
        "order_id": order_ids[c_idx],
        "date": c_date,
        "category": np.where(returned[c_idx], "returns",
                             _pick(rng, COMPLAINT_CATEGORIES, [0.35, 0.3, 0.15, 0.2], c_idx.size)).astype(object),
        "resolved": resolved,
        "days_to_resolve": np.where(resolved, np.round(1 + rng.gamma(2.0, 2.0, c_idx.size), 1), np.nan),
    })
    s_idx = np.flatnonzero(rng.random(m) < prm.survey_rate)
    s_date = (pd.DatetimeIndex(order_time[s_idx]) + pd.to_timedelta(rng.uniform(1, 7, s_idx.size), unit="D")).normalize()
    s_ok = s_date < end_excl
    s_idx, s_date = s_idx[s_ok], s_date[s_ok]
    s_cust = cust_of_order[s_idx]
    mood = satisfaction[s_cust] - 2.0 * complain[s_idx] - 1.0 * returned[s_idx]
    surveys = pd.DataFrame({
        "customer_id": ids[s_cust],
        "order_id": order_ids[s_idx],
        "date": s_date,
        "nps": np.clip(np.round(7.6 + 1.6 * mood + rng.normal(0, 1.2, s_idx.size)), 0, 10).astype(int),
        "csat": np.clip(np.round(3.9 + 0.7 * mood + rng.normal(0, 0.6, s_idx.size)), 1, 5).astype(int),
    })

    # --- referrals: advocates bring new contacts -----------------------------------
    referred_by = np.full(n, None, dtype=object)
    is_ref = channel == "referral"
    advocates = b_idx[satisfaction[b_idx] > 0.5]
    adv_first = first_time[advocates].to_numpy()
    for i in np.flatnonzero(is_ref):
        ok = advocates[adv_first < acq_date[i].to_datetime64()]
        if ok.size:
            referred_by[i] = ids[ok[rng.integers(0, ok.size)]]
        else:
            channel[i] = "search"

    # --- touchpoints ----------------------------------------------------------------
    ev = _events(rng, n, ids, acq_date, channel, referred_by, cust_of_order, order_time,
                 impulsive, c_idx, c_date, end_excl)
    customers = pd.DataFrame({
        "customer_id": ids,
        "kind": kind,
        "relationship": np.where(is_internal, "internal", "external").astype(object),
        "acquisition_date": acq_date,
        "acquisition_channel": channel,
        "referred_by": referred_by,
        "age_band": age,
        "gender": gender,
        "income_band": income,
        "region": region,
        "company_size": size,
        "incentive_group": group,
    })
    median_lam = np.median(lam[b_idx]) if b_idx.size else 0.0
    latent_type = np.select(
        [~buyer, discount_driven, impulsive, (p_drop < 0.2) & (lam >= median_lam)],
        ["browser", "discount-driven", "impulsive", "loyal"], default="occasional").astype(object)
    customers["latent_type"] = latent_type
    alive_at_end = buyer.copy()
    dropout_date = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    dead = ~np.isnan(dropout_w)
    alive_at_end[b_idx[dead]] = False
    dropout_date[b_idx[dead]] = (pd.DatetimeIndex(t_first[dead])
                                 + pd.to_timedelta(dropout_w[dead] * 7 * 86400, unit="s")).normalize()
    truth_customers = pd.DataFrame({
        "customer_id": ids,
        "would_buy": will_buy,
        "first_purchase": first_time.to_numpy(),
        "purchase_rate_per_week": lam,
        "dropout_probability": p_drop,
        "spend_rate_nu": nu,
        "expected_spend": gg["p"] / nu,
        "impulsive": impulsive,
        "discount_driven": discount_driven,
        "satisfaction": satisfaction,
        "alive_at_end": alive_at_end,
        "dropout_date": dropout_date,
        "latent_type": latent_type,
    })
    params_dict = {
        "bgnbd": {**bg, "unit": "per week"},
        "gamma_gamma": {**gg, "unit": "currency units"},
        "sbg": {k: {"alpha": v[0], "beta": v[1], "unit": "per month"} for k, v in prm.sbg.items()},
        "monthly_fee": dict(prm.monthly_fee),
        "incentive": {"start": exp_start, "weeks": prm.incentive_weeks, "uplift": prm.incentive_uplift},
        "world": prm,
    }
    return CRMWorld(customers=customers, events=ev, orders=orders, subscriptions=subscriptions,
                    surveys=surveys, complaints=complaints,
                    truth=WorldTruth(params=params_dict, customers=truth_customers,
                                     subscriptions=truth_subs),
                    start=start, end=end)


def _events(rng, n, ids, acq_date, channel, referred_by, cust_of_order, order_time,
            impulsive, c_idx, c_date, end_excl) -> pd.DataFrame:
    """Touchpoints: acquisition, browsing, the path to each purchase, service and advocacy."""
    day = np.timedelta64(86400, "s")
    acq = acq_date.to_numpy() + (rng.uniform(8, 22, n) * 3600).astype("timedelta64[s]")
    span = (end_excl.to_datetime64() - acq) / day            # days left after acquisition
    parts = []

    def add(who, when, etype, chan):
        parts.append(pd.DataFrame({"customer_id": ids[who], "timestamp": when,
                                   "event_type": etype, "channel": chan}))

    first_type = np.where(np.isin(channel, ["display_ad", "social"]), "ad_impression",
                          np.where(channel == "email", "newsletter_signup", "visit"))
    add(np.arange(n), acq, first_type, channel)
    # Further ad impressions and browsing visits, spread over the time after acquisition.
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
    # The path to each purchase: visit, view, cart, then the purchase itself.
    lead = np.where(impulsive[cust_of_order], rng.uniform(0.1, 0.5, cust_of_order.size),
                    rng.uniform(0.5, 72, cust_of_order.size)) * 3600
    visit_t = np.maximum(order_time - lead.astype("timedelta64[s]"), acq[cust_of_order])
    add(cust_of_order, visit_t, "visit", "web")
    gap = (order_time - visit_t) / 10
    add(cust_of_order, visit_t + 3 * gap, "product_view", "web")
    add(cust_of_order, visit_t + 9 * gap, "add_to_cart", "web")
    add(cust_of_order, order_time, "purchase", "web")
    review = rng.random(cust_of_order.size) < 0.1
    add(cust_of_order[review], order_time[review] + (rng.uniform(1, 14, review.sum()) * 86400).astype("timedelta64[s]"),
        "review", "web")
    add(cust_of_order[c_idx], c_date.to_numpy() + np.timedelta64(10, "h"), "support_contact", "phone")
    signup = rng.random(n) < 0.25
    add(np.flatnonzero(signup), acq[signup] + (rng.random(signup.sum()) * span[signup] * 86400).astype("timedelta64[s]"),
        "newsletter_signup", "email")
    ref = np.flatnonzero(referred_by != None)  # noqa: E711
    if ref.size:
        pos = {cid: i for i, cid in enumerate(ids)}
        referrer = np.array([pos[r] for r in referred_by[ref]])
        add(referrer, acq[ref] - np.timedelta64(1, "h"), "referral", "word_of_mouth")
    ev = pd.concat(parts, ignore_index=True)
    ev["timestamp"] = pd.to_datetime(ev["timestamp"]).dt.floor("min")
    ev = ev[(ev["timestamp"] < end_excl)]
    ev = ev.sort_values(["timestamp", "customer_id", "event_type"], kind="stable").reset_index(drop=True)
    return ev
