"""Who answers surveys, and complaints: volume, categories, time to resolve, and what customers did next.
See :mod:`custlab.feedback`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from custlab._frames import refuse_missing
from custlab.feedback._common import (
    _customer_ids,
    _dates,
    _ids,
    _pandas,
    _split,
    _table,
    _wilson,
    _z,
)
from custlab.schema import require_columns, require_complete
from custlab.units import as_date, wall_clock

#: The groups of :func:`complaint_outcomes`, in the order they are shown.
COMPLAINT_GROUPS = ("no complaint", "resolved complaint", "unresolved complaint")

__all__ = ["COMPLAINT_GROUPS", "complaint_outcomes", "complaint_summary", "response_rates"]


def response_rates(orders, surveys, *, by: str | None = None, order_col: str = "order_id",
                   customer_col: str = "customer_id", confidence: float = 0.95) -> pd.DataFrame:
    """Who answers the survey: the share of orders answered, and the share of buyers who answered at least once.

    Parameters
    ----------
    orders : pandas or Polars DataFrame
        One row per order: ``order_col`` (unique), ``customer_col`` (the buyer), and ``by``.
    surveys : pandas or Polars DataFrame
        One row per answer, with the ``order_col`` of the order it answers about.
    by : str, optional
        A column of ``orders`` (for a customer attribute, merge it into the orders first);
        a buyer counts in every group they ordered in.
    confidence : float
        Level of the Wilson intervals.

    Returns
    -------
    pandas.DataFrame
        One row per group: ``orders``, ``answers`` (survey rows), ``answered_orders``,
        ``answered_pct`` with ``answered_low`` and ``answered_high`` (% of the orders);
        ``buyers``, ``responders`` (buyers with an answered order), ``responders_pct``
        with ``responders_low`` and ``responders_high`` (% of the buyers).

    An order id missing or repeated in ``orders``, or an answer about an order not in
    ``orders``, is refused with the first such rows shown.

    Examples
    --------
    >>> o = pd.DataFrame({"order_id": [1, 2, 3, 4], "customer_id": ["a", "a", "b", "c"]})
    >>> s = pd.DataFrame({"order_id": [2, 3]})
    >>> response_rates(o, s)[["orders", "answered_orders", "answered_pct", "buyers", "responders", "responders_pct"]]
       orders  answered_orders  answered_pct  buyers  responders  responders_pct
    0       4                2          50.0       3           2       66.666667
    """
    _z(confidence)
    orders = _pandas(orders, "response_rates", "orders")
    surveys = _pandas(surveys, "response_rates", "surveys")
    require_columns(orders, {"order_col": order_col, "customer_col": customer_col,
                             **({"by": by} if by is not None else {})}, what="orders table")
    require_columns(surveys, {"order_col": order_col}, what="survey table")
    for frame, col, what in ((orders, order_col, "orders"), (orders, customer_col, "orders"),
                             (surveys, order_col, "surveys")):
        _ids(frame, col, "response_rates", what)
    if orders.empty:
        raise ValueError("response_rates: the orders table has no rows; a response rate needs orders.")
    twice = orders[order_col].duplicated(keep=False)
    if twice.any():
        raise ValueError(f"response_rates: {int(twice.sum()):,} order row(s) repeat an {order_col!r} "
                         f"(one row per order expected), e.g.\n{orders.loc[twice.to_numpy()].head(3).to_string()}")
    unknown = ~surveys[order_col].isin(orders[order_col])
    if unknown.any():
        raise ValueError(f"response_rates: {int(unknown.sum()):,} answer(s) name an order that is not in the orders "
                         f"table, e.g.\n{surveys.loc[unknown.to_numpy()].head(3).to_string()}")
    answers = surveys[order_col].value_counts()
    table = orders[[order_col, customer_col] + ([by] if by is not None else [])].copy()
    table["_answers"] = table[order_col].map(answers).fillna(0).astype(int).to_numpy()
    name, groups = _split(table, by, "response_rates")
    rows = []
    for _, at in groups:
        part = table.iloc[at]
        answered = part["_answers"] > 0
        buyers = part[customer_col].nunique()
        responders = part.loc[answered, customer_col].nunique()
        a_lo, a_hi = _wilson(int(answered.sum()), len(part), confidence)
        r_lo, r_hi = _wilson(responders, buyers, confidence)
        rows.append({"orders": len(part), "answers": int(part["_answers"].sum()),
                     "answered_orders": int(answered.sum()),
                     "answered_pct": 100 * answered.mean(), "answered_low": 100 * a_lo, "answered_high": 100 * a_hi,
                     "buyers": buyers, "responders": responders, "responders_pct": 100 * responders / buyers,
                     "responders_low": 100 * r_lo, "responders_high": 100 * r_hi})
    return _table(rows, name, groups)


def _complaint_checks(complaints: pd.DataFrame, resolved_col: str, days_col: str, caller: str) -> pd.Series:
    """The resolved flags as booleans, after refusing rows whose status and days disagree."""
    refuse_missing(complaints, resolved_col, caller)
    bad = ~complaints[resolved_col].isin([True, False])
    if bad.any():
        raise ValueError(f"{caller}: column {resolved_col!r} must hold True/False, e.g. these rows do not:\n"
                         f"{complaints.loc[bad.to_numpy()].head(3).to_string()}")
    resolved = complaints[resolved_col].astype(bool)
    days = pd.to_numeric(complaints[days_col], errors="coerce")
    problems = {"resolved without days to resolve": resolved & days.isna(),
                "unresolved with days to resolve": ~resolved & days.notna(),
                "negative days to resolve": days < 0}
    for what, bad in problems.items():
        if bad.any():
            raise ValueError(f"{caller}: {int(bad.sum()):,} complaint(s) {what} ({resolved_col!r}, {days_col!r}), "
                             f"e.g.\n{complaints.loc[bad.to_numpy()].head(3).to_string()}")
    return resolved


def _base_size(customers, complaints: pd.DataFrame, customer_col: str) -> int:
    """The number of customers the rates are per; with a table or ids, every complainant must be among them."""
    if isinstance(customers, (int, np.integer)) and not isinstance(customers, bool):
        if customers < 1:
            raise ValueError(f"complaint_summary: customers={customers!r} must be a positive number of customers.")
        return int(customers)
    ids = _customer_ids(customers, customer_col, "complaint_summary")
    outside = ~complaints[customer_col].isin(ids)
    if outside.any():
        raise ValueError(f"complaint_summary: {int(outside.sum()):,} complaint(s) come from customers who are not in "
                         "customers, the base of the rates, e.g.\n"
                         f"{complaints.loc[outside.to_numpy()].head(3).to_string()}")
    if ids.size == 0:
        raise ValueError("complaint_summary: customers holds no customer ids.")
    return int(ids.size)


def complaint_summary(complaints, customers, *, by: str | None = "category", customer_col: str = "customer_id",
                      resolved_col: str = "resolved", days_col: str = "days_to_resolve",
                      confidence: float = 0.95) -> pd.DataFrame:
    """Complaints per 1,000 customers, how many were resolved and how fast, per category.

    Parameters
    ----------
    complaints : pandas or Polars DataFrame
        One row per complaint: ``customer_col``, ``resolved_col`` (True/False),
        ``days_col`` (days from complaint to resolution; missing while unresolved), ``by``.
    customers : int, ids, or pandas or Polars DataFrame
        The base of the rates: their number, their ids, or a table with ``customer_col``.
        With ids or a table, every complainant must be among them. Pass the buyers to
        count complaints per 1,000 buyers (only a buyer can complain about an order).
    by : str or None
        Group by this column (default ``"category"``); ``None`` for one row.
    confidence : float
        Level of the Wilson interval of the resolution rate.

    Returns
    -------
    pandas.DataFrame
        One row per group, the most frequent first: ``complaints``, ``complainants``
        (distinct customers), ``per_1000_customers`` (complaints per 1,000 customers of the
        base), ``share_pct`` (% of all complaints), ``resolved``, ``resolution_pct`` with
        ``resolution_low`` and ``resolution_high`` (% of the group's complaints),
        ``median_days_to_resolve`` and ``p90_days_to_resolve`` (days, among the resolved;
        missing when none was). ``attrs["customers"]``: the size of the base.

    Examples
    --------
    >>> k = pd.DataFrame({"customer_id": ["a", "a", "b"], "category": ["billing", "delivery", "billing"],
    ...                   "resolved": [True, False, True], "days_to_resolve": [2.0, None, 4.0]})
    >>> complaint_summary(k, 1000)[["category", "per_1000_customers", "resolution_pct", "median_days_to_resolve"]]
       category  per_1000_customers  resolution_pct  median_days_to_resolve
    0   billing                 2.0           100.0                     3.0
    1  delivery                 1.0             0.0                     NaN
    """
    _z(confidence)
    complaints = _pandas(complaints, "complaint_summary", "complaints")
    require_columns(complaints, {"customer_col": customer_col, "resolved_col": resolved_col, "days_col": days_col,
                                 **({"by": by} if by is not None else {})}, what="complaints table")
    _ids(complaints, customer_col, "complaint_summary", "complaints")
    resolved = _complaint_checks(complaints, resolved_col, days_col, "complaint_summary").to_numpy()
    base = _base_size(customers, complaints, customer_col)
    days = pd.to_numeric(complaints[days_col], errors="coerce").to_numpy(dtype=float)
    total = len(complaints)
    name, groups = _split(complaints, by, "complaint_summary")
    rows = []
    for _, at in groups:
        n, k = at.size, int(resolved[at].sum())
        took = days[at][resolved[at]]
        lo, hi = _wilson(k, n, confidence)
        rows.append({"complaints": n, "complainants": complaints[customer_col].iloc[at].nunique(),
                     "per_1000_customers": 1000 * n / base, "share_pct": 100 * n / total if total else np.nan,
                     "resolved": k, "resolution_pct": 100 * k / n if n else np.nan,
                     "resolution_low": 100 * lo, "resolution_high": 100 * hi,
                     "median_days_to_resolve": float(np.median(took)) if took.size else np.nan,
                     "p90_days_to_resolve": float(np.quantile(took, 0.9)) if took.size else np.nan})
    out = pd.DataFrame(rows)
    if name is not None:
        out.insert(0, name, [g for g, _ in groups])
        out = out.sort_values(["complaints", name], ascending=[False, True], kind="stable").reset_index(drop=True)
    out.attrs["customers"] = base
    return out


def complaint_outcomes(complaints, transactions, *, as_of, observation_end, customer_col: str = "customer_id",
                       date_col: str = "date", amount_col: str = "amount", resolved_col: str = "resolved",
                       confidence: float = 0.95) -> pd.DataFrame:
    """What buyers did after ``as_of``, by what happened to their complaints up to it: resolved, unresolved, none.

    Every customer with a purchase on or before ``as_of`` gets one group from the complaints
    dated on or before it: ``unresolved complaint`` (at least one never resolved), ``resolved
    complaint``, ``no complaint``. A complaint's status is its final one in the table.

    This is an observational comparison, not the effect of a complaint or of resolving it:
    customers who complain are buyers who were active enough to have something to complain
    about, so they differ from the others before any complaint (the ``before`` columns
    show how), and whoever resolves complaints may treat customers differently.

    Parameters
    ----------
    complaints : pandas or Polars DataFrame
        ``customer_col``, ``date_col`` (day of the complaint), ``resolved_col`` (True/False).
    transactions : pandas or Polars DataFrame
        A validated transaction log: ``customer_col``, ``date_col``, ``amount_col``
        (currency units).
    as_of, observation_end : date
        The day the groups are formed (included in the past) and the last day observed.
    confidence : float
        Level of the Wilson interval of the share who bought again.

    Returns
    -------
    pandas.DataFrame
        One row per group with customers (no, resolved, unresolved): ``complaint``,
        ``customers``, ``purchases_before`` and ``spend_before`` (means per customer up to
        ``as_of``; currency units), ``bought_again_pct`` with ``bought_again_low`` and
        ``bought_again_high`` (% who bought in the follow-up: after ``as_of`` up to
        ``observation_end``), ``purchases_after`` and ``spend_after`` (means per customer,
        zeros included). ``attrs``: ``follow_up_days``, ``complaints_used``,
        ``complaints_left_out`` (dated after ``as_of``, or by customers not in the table).

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": ["a", "a", "b", "c", "c"], "amount": [10.0, 20.0, 5.0, 8.0, 8.0],
    ...                    "date": pd.to_datetime(["2024-01-02", "2024-03-01", "2024-01-05", "2024-01-09",
    ...                                            "2024-02-20"])})
    >>> k = pd.DataFrame({"customer_id": ["a"], "date": pd.to_datetime(["2024-01-06"]), "resolved": [True]})
    >>> out = complaint_outcomes(k, tx, as_of="2024-01-31", observation_end="2024-03-31")
    >>> out[["complaint", "customers", "bought_again_pct", "spend_after"]]
                complaint  customers  bought_again_pct  spend_after
    0        no complaint          2              50.0          4.0
    1  resolved complaint          1             100.0         20.0
    """
    caller = "complaint_outcomes"
    _z(confidence)
    start, end = as_date(as_of, "as_of").normalize(), as_date(observation_end, "observation_end").normalize()
    if end <= start:
        raise ValueError(f"{caller}: observation_end ({end.date()}) must come after as_of ({start.date()}): the "
                         "follow-up is the days between them.")
    tx = wall_clock(_pandas(transactions, caller, "the transaction log"), [date_col])
    require_columns(tx, {"customer_col": customer_col, "date_col": date_col, "amount_col": amount_col},
                    what="transaction log")
    require_complete(tx, {"customer_col": customer_col, "date_col": date_col}, caller=caller, amount_col=amount_col)
    complaints = wall_clock(_pandas(complaints, caller, "complaints"), [date_col])
    require_columns(complaints, {"customer_col": customer_col, "date_col": date_col, "resolved_col": resolved_col},
                    what="complaints table")
    _ids(complaints, customer_col, caller, "complaints")
    refuse_missing(complaints, resolved_col, caller)
    day = _dates(tx, date_col, caller, "transaction log")

    def totals(rows, when: str) -> pd.DataFrame:
        return (tx.loc[rows.to_numpy()].groupby(customer_col)[amount_col].agg(["size", "sum"])
                .set_axis([f"purchases_{when}", f"spend_{when}"], axis=1))

    base = totals(day <= start, "before").join(totals((day > start) & (day <= end), "after")).fillna(0)
    past = complaints.loc[(_dates(complaints, date_col, caller, "complaints table") <= start).to_numpy()]
    used = past[customer_col].isin(base.index)
    status = pd.Series("no complaint", index=base.index, dtype=object)
    status[base.index.isin(past.loc[used, customer_col])] = "resolved complaint"
    status[base.index.isin(past.loc[used & ~past[resolved_col].astype(bool), customer_col])] = "unresolved complaint"
    rows = []
    for group in COMPLAINT_GROUPS:
        part = base.loc[(status == group).to_numpy()]
        if part.empty:
            continue
        again = int((part["purchases_after"] > 0).sum())
        lo, hi = _wilson(again, len(part), confidence)
        rows.append({"complaint": group, "customers": len(part), "purchases_before": part["purchases_before"].mean(),
                     "spend_before": part["spend_before"].mean(), "bought_again_pct": 100 * again / len(part),
                     "bought_again_low": 100 * lo, "bought_again_high": 100 * hi,
                     "purchases_after": part["purchases_after"].mean(), "spend_after": part["spend_after"].mean()})
    if not rows:
        raise ValueError(f"{caller}: nobody bought on or before as_of ({start.date()}); pick a later day.")
    out = pd.DataFrame(rows)
    out.attrs.update(follow_up_days=int((end - start).days), as_of=start, complaints_used=int(used.sum()),
                     complaints_left_out=int(len(complaints) - used.sum()))
    return out
