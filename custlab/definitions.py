"""Who counts as a contact, a buyer, a client or a consumer: definitions made operational.

The words overlap in everyday use (and in Polish "klient" covers both customer
and client), so custlab fixes each one as a rule on data, with its choices as
parameters:

* **contact**: any touchpoint with the company in the window (an ad seen, a
  visit, a purchase, a support call...): the broad sense of "customer";
* **buyer**: at least one purchase in the window (a subscription fee counts);
* **client**: a repeat relationship: purchases in at least ``min_periods``
  distinct periods of the window, or a subscription active during it;
* **consumer**: uses something bought in the window, whoever paid for it.

A role that the data cannot show (contacts without a touchpoint table,
consumers without a "used by" column) comes out as missing (``<NA>``), never as
``False``: a purchase-only log cannot say who else the company reached.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import pandas as pd

from custlab.schema import require_columns, require_complete
from custlab.units import normalize_unit, period_index

__all__ = ["ROLES", "ROLE_DEFINITIONS", "customer_roles", "role_counts", "role_overlap",
           "role_sensitivity"]

ROLES = ("contact", "buyer", "client", "consumer")
ROLE_DEFINITIONS = {
    "contact": "any touchpoint in the window",
    "buyer": "at least one purchase (or subscription fee) in the window",
    "client": "purchases in at least k distinct periods, or an active subscription",
    "consumer": "uses something bought in the window",
}


def _window(window) -> tuple[pd.Timestamp, pd.Timestamp]:
    try:
        start, end = (pd.Timestamp(w).normalize() for w in window)
    except (TypeError, ValueError):
        raise ValueError(f"window={window!r}: give (first_day, last_day), e.g. ('2024-01-01', '2024-12-31').") from None
    if end < start:
        raise ValueError(f"window ends ({end.date()}) before it starts ({start.date()}).")
    return start, end


def _in_window(dates: pd.Series, start: pd.Timestamp, end: pd.Timestamp) -> np.ndarray:
    d = pd.to_datetime(dates)
    return ((d >= start) & (d < end + pd.Timedelta(days=1))).to_numpy()


def customer_roles(
    transactions: pd.DataFrame,
    *,
    window: tuple,
    min_periods: int = 2,
    period: str = "M",
    events: pd.DataFrame | None = None,
    subscriptions: pd.DataFrame | None = None,
    returns: str = "keep",
    customer_col: str = "customer_id",
    date_col: str = "date",
    consumer_col: str | None = None,
    returned_col: str | None = None,
    event_time_col: str = "timestamp",
) -> pd.DataFrame:
    """One row per person with any role in the window; one column per role.

    Parameters
    ----------
    transactions : pandas.DataFrame
        Purchases: ``customer_col`` (who paid) and ``date_col``; optionally
        ``consumer_col`` (who uses it) and ``returned_col`` (bool).
    window : (date, date)
        First and last day counted (inclusive).
    min_periods : int
        k: distinct purchase periods that make a buyer a client (k >= 1).
    period : {"D", "W", "M"}
        Length of a period for ``min_periods``: days, weeks or calendar months.
    events : pandas.DataFrame, optional
        Touchpoints with ``customer_col`` and ``event_time_col``. Without it,
        ``contact`` is unknown (``<NA>``).
    subscriptions : pandas.DataFrame, optional
        ``customer_col, start_date, end_date`` (``NaT`` while active); a
        subscription active at any time in the window makes a buyer and a client.
    returns : {"keep", "exclude"}
        Count returned purchases as purchases, or leave them out (needs ``returned_col``).

    Returns
    -------
    pandas.DataFrame
        Index: person id (named ``customer_col``), sorted. Columns ``contact,
        buyer, client, consumer`` of pandas' nullable boolean type; ``<NA>`` in
        a whole column when the data cannot show that role.

    Examples
    --------
    >>> import pandas as pd
    >>> tx = pd.DataFrame({"customer_id": ["a", "a", "b"],
    ...                    "date": pd.to_datetime(["2024-01-05", "2024-03-01", "2024-02-01"])})
    >>> customer_roles(tx, window=("2024-01-01", "2024-12-31"), min_periods=2)
                 contact  buyer  client  consumer
    customer_id
    a               <NA>   True    True      <NA>
    b               <NA>   True   False      <NA>
    """
    if not isinstance(min_periods, (int, np.integer)) or min_periods < 1:
        raise ValueError(f"min_periods must be a whole number >= 1, got {min_periods!r}.")
    if returns not in ("keep", "exclude"):
        raise ValueError(f"returns={returns!r}; use 'keep' or 'exclude'.")
    if returns == "exclude" and returned_col is None:
        raise ValueError("returns='exclude' needs returned_col=, the column that marks returned purchases.")
    unit = normalize_unit(period)
    start, end = _window(window)
    need = {"customer_col": customer_col, "date_col": date_col}
    if consumer_col:
        need["consumer_col"] = consumer_col
    if returned_col:
        need["returned_col"] = returned_col
    require_columns(transactions, need, what="transaction log")
    require_complete(transactions, {"customer_col": customer_col, "date_col": date_col},
                     caller="customer_roles")

    tx = transactions.loc[_in_window(transactions[date_col], start, end)]
    if returns == "exclude":
        tx = tx.loc[~tx[returned_col].astype(bool).to_numpy()]
    periods = pd.Series(period_index(tx[date_col], start, unit), index=tx.index)
    n_periods = periods.groupby(tx[customer_col]).nunique()
    buyers = set(n_periods.index)
    clients = set(n_periods.index[n_periods >= min_periods])

    if subscriptions is not None:
        require_columns(subscriptions, {"customer_col": customer_col, "start_date": "start_date",
                                        "end_date": "end_date"}, what="subscriptions table")
        s_end = pd.to_datetime(subscriptions["end_date"])
        active = (pd.to_datetime(subscriptions["start_date"]) <= end) & (s_end.isna() | (s_end >= start))
        subscribers = set(subscriptions.loc[active.to_numpy(), customer_col])
        clients |= subscribers
        buyers |= subscribers  # a subscription fee paid in the window is a purchase

    people = buyers | clients
    contacts = None
    if events is not None:
        require_columns(events, {"customer_col": customer_col, "event_time_col": event_time_col},
                        what="events table")
        contacts = set(events.loc[_in_window(events[event_time_col], start, end), customer_col]) | buyers
        people |= contacts
    consumers = None
    if consumer_col is not None:
        consumers = set(tx[consumer_col].dropna())
        people |= consumers

    index = pd.Index(sorted(people), name=customer_col)

    def flag(members):
        if members is None:
            return pd.array([pd.NA] * len(index), dtype="boolean")
        return pd.array(index.isin(list(members)), dtype="boolean")

    return pd.DataFrame({"contact": flag(contacts), "buyer": flag(buyers),
                         "client": flag(clients), "consumer": flag(consumers)}, index=index)


def role_counts(roles: pd.DataFrame) -> pd.DataFrame:
    """How many people hold each role, and their share of the contacts.

    Returns
    -------
    pandas.DataFrame
        Index ``role``; ``people`` (count; ``<NA>`` when the data cannot show
        the role), ``pct_of_contacts`` (percent, 1 decimal), ``definition``.
    """
    _check_roles(roles)
    counts = {}
    for role in ROLES:
        col = roles[role]
        counts[role] = pd.NA if col.isna().all() else int(col.fillna(False).sum())
    base = counts["contact"]
    out = pd.DataFrame({
        "people": pd.array([counts[r] for r in ROLES], dtype="Int64"),
        "pct_of_contacts": [
            pd.NA if base is pd.NA or counts[r] is pd.NA else round(100 * counts[r] / base, 1)
            for r in ROLES
        ],
        "definition": [ROLE_DEFINITIONS[r] for r in ROLES],
    }, index=pd.Index(ROLES, name="role"))
    out["pct_of_contacts"] = out["pct_of_contacts"].astype("Float64")
    return out


def role_overlap(roles: pd.DataFrame) -> pd.DataFrame:
    """Count the people in each combination of roles (the table behind an UpSet plot).

    Only roles the data can show are used. Returns one row per combination that
    occurs: a boolean column per role and ``people``, largest first (ties in a
    fixed role order, so the table is the same on every run).
    """
    _check_roles(roles)
    known = [r for r in ROLES if not roles[r].isna().all()]
    if not known:
        raise ValueError("No role can be measured from these data.")
    combos = roles[known].astype(bool).value_counts().rename("people").reset_index()
    key = combos[known].astype(int).astype(str).agg("".join, axis=1)
    combos = combos.assign(_key=key).sort_values(["people", "_key"], ascending=[False, False])
    return combos.drop(columns="_key").reset_index(drop=True)


def role_sensitivity(
    transactions: pd.DataFrame,
    *,
    grid: dict[str, Sequence],
    **fixed,
) -> pd.DataFrame:
    """Role counts for every combination of the settings in ``grid``.

    Parameters
    ----------
    transactions : pandas.DataFrame
    grid : dict
        Settings of :func:`customer_roles` to vary, e.g.
        ``{"min_periods": [1, 2, 3], "returns": ["keep", "exclude"]}``. A
        ``window`` entry is a list of (first_day, last_day) pairs.
    **fixed
        Every other argument of :func:`customer_roles`.

    Returns
    -------
    pandas.DataFrame
        One row per combination: the settings (windows as ``window_start``,
        ``window_end``), then the number of people per role.
    """
    if not grid:
        raise ValueError("grid is empty: name at least one setting to vary.")
    rows = []
    names = list(grid)
    for values in itertools.product(*(list(grid[k]) for k in names)):
        settings = dict(zip(names, values))
        roles = customer_roles(transactions, **fixed, **settings)
        counts = role_counts(roles)["people"]
        row = {}
        for k, v in settings.items():
            if k == "window":
                row["window_start"], row["window_end"] = (pd.Timestamp(x).date() for x in v)
            else:
                row[k] = v
        row.update({r: counts[r] for r in ROLES})
        rows.append(row)
    out = pd.DataFrame(rows)
    for r in ROLES:
        out[r] = out[r].astype("Int64")
    return out


def _check_roles(roles: pd.DataFrame) -> None:
    missing = [r for r in ROLES if r not in roles.columns]
    if missing:
        raise ValueError(f"Not a roles table (from customer_roles): columns {missing} are missing.")

