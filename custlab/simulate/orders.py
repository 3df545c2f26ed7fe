"""Orders of the simulated company: BG/NBD repeat purchases, Gamma-Gamma spend.

:func:`simulate_bgnbd` draws repeat-purchase times for many customers at once;
:func:`draw_orders` turns them, with each buyer's first purchase, into the ``orders``
table (amounts, discounts, returns, and who uses what was bought).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from custlab.simulate._base import SEATS, Window, WorldParams, make_ids, pick

__all__ = ["OrderDraws", "draw_orders", "simulate_bgnbd"]

_WEEK = 7 * 86400  # seconds


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


@dataclass(frozen=True)
class OrderDraws:
    """The ``orders`` table and what the later tables need to know about the orders.

    Attributes
    ----------
    table : pandas.DataFrame
        The observable orders, one row per order, by time.
    person : numpy.ndarray
        Per order, the buyer's row in the people table.
    time : numpy.ndarray
        Per order, the exact purchase time (``datetime64[ns]``; ``table["date"]`` is
        floored to the minute).
    alive_at_end : numpy.ndarray
        Per person, whether they are a buyer who has not dropped out by the end.
    dropout_date : numpy.ndarray
        Per person, the day of the purchase after which they dropped out; NaT otherwise.
    """

    table: pd.DataFrame
    person: np.ndarray
    time: np.ndarray
    alive_at_end: np.ndarray
    dropout_date: np.ndarray


def draw_orders(people: pd.DataFrame, window: Window, params: WorldParams,
                rng: np.random.Generator) -> OrderDraws:
    """Draw every order of the buyers: first purchases, BG/NBD repeats, and their details.

    Alive buyers in the treatment group of the incentive experiment purchase
    ``1 + params.incentive_uplift`` times as fast for ``params.incentive_weeks`` weeks.

    Parameters
    ----------
    people : pandas.DataFrame
        The table from :func:`~custlab.simulate.people.draw_people`.
    window : Window
        The observed period.
    params : WorldParams
        Generating parameters.
    rng : numpy.random.Generator
        Source of every random draw, used in a fixed order.

    Returns
    -------
    OrderDraws
        ``table`` has the columns ``order_id, customer_id`` (the buyer), ``consumer_id``
        (who uses it), ``date, amount`` (currency units, paid), ``quantity, discount``
        (fraction of list price), ``returned, return_date, sales_channel``.

    Examples
    --------
    >>> from custlab.simulate._base import Window, WorldParams
    >>> from custlab.simulate.people import draw_people
    >>> w = Window(pd.Timestamp("2024-01-01"), pd.Timestamp("2024-12-31"))
    >>> prm, rng = WorldParams(), np.random.default_rng(0)
    >>> people = draw_people(300, w, prm, rng)
    >>> orders = draw_orders(people, w, prm, rng)
    >>> bool(orders.table["customer_id"].isin(people["customer_id"]).all())
    True
    >>> len(orders.time) == len(orders.table)
    True
    """
    b_idx = np.flatnonzero(people["first_purchase"].notna())
    person, order_time, t_first, which, dropout_w = _purchase_times(people, b_idx, window, params, rng)
    n, m = len(people), person.size
    alive_at_end = people["first_purchase"].notna().to_numpy().copy()
    dropout_date = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    dead = ~np.isnan(dropout_w)
    alive_at_end[b_idx[dead]] = False
    dropout_date[b_idx[dead]] = (pd.DatetimeIndex(t_first[dead])
                                 + pd.to_timedelta(dropout_w[dead] * _WEEK, unit="s")).normalize()

    nu = people["spend_rate_nu"].to_numpy()
    amount = np.round(rng.gamma(params.gamma_gamma["p"], 1.0 / nu[person]), 2)
    dd = people["discount_driven"].to_numpy()[person]
    uses_discount = rng.random(m) < np.where(dd, 0.8, 0.1)
    discount = np.where(uses_discount, rng.choice([0.10, 0.15, 0.20, 0.25], m), 0.0)
    quantity = 1 + rng.poisson(amount / 25.0)
    ret_p = np.where(people["impulsive"].to_numpy()[person], 3 * params.return_rate, params.return_rate)
    return_time = pd.DatetimeIndex(order_time) + pd.to_timedelta(rng.uniform(2, 30, m), unit="D")
    returned = (rng.random(m) < ret_p) & (return_time < window.end_excl)
    consumer = _consumers(people, person, params, rng)
    table = pd.DataFrame({
        "order_id": make_ids("O", np.arange(1, m + 1), 6),
        "customer_id": people["customer_id"].to_numpy()[person],
        "consumer_id": consumer,
        "date": pd.DatetimeIndex(order_time).floor("min"),
        "amount": amount,
        "quantity": quantity,
        "discount": discount,
        "returned": returned,
        "return_date": pd.DatetimeIndex(return_time).normalize().where(returned),
        "sales_channel": pick(rng, ("web", "app", "store"), [0.55, 0.30, 0.15], m),
    })
    return OrderDraws(table=table, person=person, time=order_time,
                      alive_at_end=alive_at_end, dropout_date=dropout_date)


def _purchase_times(people: pd.DataFrame, b_idx: np.ndarray, window: Window, params: WorldParams,
                    rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """Every purchase of the buyers ``b_idx`` (rows of ``people``), sorted by time.

    Returns the buyer's row and exact time of each purchase, the buyers' first purchase
    times, and from :func:`simulate_bgnbd` whose each repeat purchase is and when each
    buyer dropped out (weeks after the first purchase, NaN if alive at the end).
    """
    first_time = pd.DatetimeIndex(people["first_purchase"])
    horizon_weeks = ((window.end_excl - first_time[b_idx]).total_seconds() / _WEEK).to_numpy()
    exp_start = window.incentive_start(params)
    group = people["incentive_group"].to_numpy()
    uplift = np.where(group[b_idx] == "treatment", params.incentive_uplift, 0.0)
    exp_rel = ((exp_start - first_time[b_idx]).total_seconds() / _WEEK).to_numpy()
    which, weeks, dropout_w = simulate_bgnbd(
        people["purchase_rate_per_week"].to_numpy()[b_idx], people["dropout_probability"].to_numpy()[b_idx],
        horizon_weeks, rng, speedup=uplift, speedup_start=exp_rel, speedup_length=params.incentive_weeks)
    person = np.concatenate([b_idx, b_idx[which]])
    t_first = first_time[b_idx].to_numpy()
    repeat_time = pd.DatetimeIndex(t_first[which]) + pd.to_timedelta(weeks * _WEEK, unit="s")
    # A repeat purchase keeps its day; the time of day is drawn like any other.
    repeat_time = repeat_time.normalize() + pd.to_timedelta(rng.uniform(8, 22, which.size) * 3600, unit="s")
    order_time = np.concatenate([t_first, repeat_time.to_numpy()])
    sort = np.lexsort((person, order_time))
    return person[sort], order_time[sort], t_first, which, dropout_w


def _consumers(people: pd.DataFrame, person: np.ndarray, params: WorldParams,
               rng: np.random.Generator) -> np.ndarray:
    """Who uses each order: the buyer, a gift recipient, or a seat of a business buyer.

    A gift goes to another contact (40 %) or to someone outside the contact base
    (``G...``); a business order goes to one of its seats (``C...-U3``), the number of
    seats set by the company size.
    """
    ids = people["customer_id"].to_numpy()
    kind = people["kind"].to_numpy()
    is_internal = people["relationship"].to_numpy() == "internal"
    size = people["company_size"].to_numpy()
    n, m = ids.size, person.size
    consumer = ids[person].copy()
    gift = (kind[person] == "individual") & ~is_internal[person] & (rng.random(m) < params.gift_share)
    n_gift = int(gift.sum())
    to_contact = rng.random(n_gift) < 0.4
    consumer[np.flatnonzero(gift)[to_contact]] = ids[rng.integers(0, n, to_contact.sum())]
    consumer[np.flatnonzero(gift)[~to_contact]] = make_ids("G", rng.integers(1, 10 * n, (~to_contact).sum()), 6)
    biz = kind[person] == "business"
    seats = np.array([SEATS[s] if s else 1 for s in size[person[biz]]])
    seat_no = 1 + np.floor(rng.random(biz.sum()) * seats).astype(int)
    consumer[biz] = np.char.add(np.char.add(ids[person[biz]].astype(str), "-U"),
                                seat_no.astype(str)).astype(object)
    return consumer
