"""Types of customers, read from what a company can observe.

The usual typology (individual and business customers, new, regular or loyal,
impulsive and discount-driven buyers) names motives and relationships; none of
them is a column in a database. :func:`classify_customer_types` turns each type
into a rule on orders, customer records and touchpoints as of a date, with every
threshold a parameter, and keeps the numbers each rule used beside the labels.
The table functions around it show how many customers carry each type
(:func:`type_shares`, :func:`type_overlap`), how the shares move when a threshold
moves (:func:`type_share_sensitivity`), how well the rules find a known truth
(:func:`rule_quality`, :func:`rule_confusion`) and what each type brings in
(:func:`type_summary`).

A customer can carry several types at once (a business can be loyal and
discount-driven); the columns are separate yes/no answers, not one category.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from custlab.schema import SchemaError, require_columns

__all__ = [
    "BEHAVIOUR_TYPES", "CUSTOMER_TYPES", "PERIODS", "TYPE_DEFINITIONS", "classify_customer_types",
    "hidden_types", "rule_confusion", "rule_quality", "type_overlap", "type_share_sensitivity", "type_shares",
    "type_summary",
]

CUSTOMER_TYPES = ("individual", "business", "new", "loyal", "impulsive", "discount_driven")
BEHAVIOUR_TYPES = ("new", "loyal", "impulsive", "discount_driven")
PERIODS = {"D": "days", "W": "weeks", "M": "calendar months"}
TYPE_DEFINITIONS = {
    "individual": "a private person buying for their own use (the customer record's kind)",
    "business": "a company or organisation buying for its work (the customer record's kind)",
    "new": "first purchase within the last new_days days",
    "loyal": "purchases in at least loyal_min_periods of the last loyal_periods periods",
    "impulsive": "most purchases made within impulsive_minutes of the visit that led to them",
    "discount_driven": "at least discount_share of the orders carry a discount above discount_min",
}
_PERIOD_OFFSET = {"D": pd.DateOffset(days=1), "W": pd.DateOffset(weeks=1), "M": pd.DateOffset(months=1)}


def _require_columns(frame: pd.DataFrame, columns: dict[str, str | None], what: str, hint: str = "") -> None:
    """:func:`custlab.schema.require_columns` for ``{keyword: column}`` (None: not used), plus ``hint``."""
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{what} must be a pandas DataFrame, got {type(frame).__name__}.")
    try:
        require_columns(frame, {kw: col for kw, col in columns.items() if col is not None}, what=what)
    except SchemaError as err:
        raise SchemaError(f"{err}{hint}") from None


def _as_times(values: pd.Series, column: str, what: str) -> pd.Series:
    """Timestamps of ``values``, or an error that shows the first rows that are not dates."""
    times = pd.to_datetime(values, errors="coerce")
    bad = times.isna() & values.notna()
    if bad.any() or times.isna().any():
        rows = values[times.isna()].head(3).to_dict()
        raise ValueError(f"{what}[{column!r}] holds values that are not dates (first rows: {rows}).")
    return times


def _check_settings(period: str, loyal_min_periods: int, loyal_periods: int, new_days: int,
                    impulsive_minutes: float, impulsive_share: float, discount_share: float,
                    discount_min: float, impulsive_min_return_rate: float) -> None:
    if period not in PERIODS:
        raise ValueError(f"period={period!r}; pass one of {', '.join(map(repr, PERIODS))} ({', '.join(PERIODS.values())}).")
    if not 1 <= loyal_min_periods <= loyal_periods:
        raise ValueError(f"loyal_min_periods={loyal_min_periods} and loyal_periods={loyal_periods}: "
                         "need 1 <= loyal_min_periods <= loyal_periods.")
    if new_days < 1 or impulsive_minutes < 0:
        raise ValueError(f"new_days={new_days} must be at least 1 and impulsive_minutes={impulsive_minutes} "
                         "not negative.")
    for name, value in (("impulsive_share", impulsive_share), ("discount_share", discount_share),
                        ("discount_min", discount_min), ("impulsive_min_return_rate", impulsive_min_return_rate)):
        if not 0 <= value <= 1:
            raise ValueError(f"{name}={value} is a fraction; pass a value from 0 to 1.")


def _active_periods(orders: pd.DataFrame, ids: pd.Index, as_of: pd.Timestamp, period: str,
                    n_periods: int, customer_col: str, date_col: str) -> pd.Series:
    """Per customer, in how many of the last ``n_periods`` periods (counted back from the
    end of the day ``as_of``) they bought."""
    end_excl = as_of + pd.Timedelta(days=1)
    edges = pd.DatetimeIndex([end_excl - i * _PERIOD_OFFSET[period] for i in range(n_periods, -1, -1)])
    which = np.searchsorted(edges.to_numpy(), orders[date_col].to_numpy(), side="right") - 1
    inside = (which >= 0) & (which < n_periods)
    hits = pd.DataFrame({"customer": orders[customer_col].to_numpy()[inside], "period": which[inside]})
    return hits.drop_duplicates().groupby("customer").size().reindex(ids, fill_value=0).astype(int)


def _consideration_minutes(orders: pd.DataFrame, events: pd.DataFrame, *, customer_col: str, date_col: str,
                           event_time_col: str, event_type_col: str, visit_event: str) -> pd.Series:
    """Per order (index of ``orders``), minutes from the customer's last visit at or before the
    purchase to the purchase; NaN when no visit comes before it."""
    visits = events.loc[events[event_type_col] == visit_event, [customer_col, event_time_col]]
    visits = visits.assign(_visit=_as_times(visits[event_time_col], event_time_col, "events"))
    left = pd.DataFrame({"_row": np.arange(len(orders)), "_key": orders[customer_col].astype(str).to_numpy(),
                         "_t": orders[date_col].to_numpy()}).sort_values("_t", kind="stable")
    right = pd.DataFrame({"_key": visits[customer_col].astype(str).to_numpy(),
                          "_t": visits["_visit"].to_numpy()}).sort_values("_t", kind="stable")
    right["_visit"] = right["_t"]
    joined = pd.merge_asof(left, right, on="_t", by="_key", direction="backward", allow_exact_matches=True)
    minutes = (joined["_t"] - joined["_visit"]).dt.total_seconds() / 60
    return pd.Series(minutes.to_numpy(), index=joined["_row"].to_numpy()).sort_index().set_axis(orders.index)


def _kinds(customers: pd.DataFrame | None, ids: pd.Index, customer_col: str, kind_col: str) -> pd.DataFrame:
    """``individual`` and ``business`` as nullable booleans: missing where the kind is unknown."""
    if customers is None:
        unknown = pd.array([pd.NA] * len(ids), dtype="boolean")
        return pd.DataFrame({"individual": unknown, "business": unknown.copy()}, index=ids)
    kind = customers.drop_duplicates(customer_col).set_index(customer_col)[kind_col].reindex(ids)
    kind = kind.astype("string").str.strip().str.lower()
    known = kind.isin(["individual", "business"])
    out = pd.DataFrame({t: pd.array((kind == t).to_numpy(), dtype="boolean") for t in ("individual", "business")},
                       index=ids)
    out.loc[~known.to_numpy(), :] = pd.NA
    return out


def classify_customer_types(
    orders: pd.DataFrame,
    *,
    as_of,
    customers: pd.DataFrame | None = None,
    events: pd.DataFrame | None = None,
    new_days: int = 90,
    period: str = "M",
    loyal_periods: int = 12,
    loyal_min_periods: int = 3,
    impulsive_minutes: float = 30.0,
    impulsive_share: float = 0.5,
    impulsive_min_return_rate: float = 0.0,
    discount_min: float = 0.0,
    discount_share: float = 0.5,
    customer_col: str = "customer_id",
    date_col: str = "date",
    amount_col: str = "amount",
    discount_col: str | None = "discount",
    returned_col: str | None = "returned",
    return_date_col: str | None = None,
    kind_col: str = "kind",
    event_time_col: str = "timestamp",
    event_type_col: str = "event_type",
    visit_event: str = "visit",
) -> pd.DataFrame:
    """Label each customer with the types their data show as of a date.

    Only what happened up to the end of the day ``as_of`` is used. Each type is its own
    yes/no column, so a customer can carry several; the numbers each rule used are kept
    beside the labels. Nothing latent is read: the function needs only the columns named
    below.

    * ``individual`` / ``business``: the ``kind`` of the customer record; missing (``<NA>``)
      without ``customers`` or where the kind is neither.
    * ``new``: the first purchase lies within the last ``new_days`` days (``as_of`` is the
      last of them).
    * ``loyal``: purchases in at least ``loyal_min_periods`` of the last ``loyal_periods``
      periods, counted back from ``as_of`` (each period a day, 7 days or a calendar month).
    * ``impulsive``: at least ``impulsive_share`` of the orders that follow a recorded
      visit were bought within ``impulsive_minutes`` of it (little time to consider), and
      the return rate is at least ``impulsive_min_return_rate``; missing without ``events``.
    * ``discount_driven``: at least ``discount_share`` of the orders carry a discount above
      ``discount_min``; missing when ``discount_col`` is None.

    Ties count for the type (a share equal to its threshold, a purchase exactly
    ``impulsive_minutes`` after the visit).

    Parameters
    ----------
    orders : pandas.DataFrame
        One row per order: ``customer_col``, ``date_col`` (timestamp), ``amount_col``
        (currency units) and, when named, ``discount_col`` (fraction of the list price),
        ``returned_col`` (bool) and ``return_date_col``.
    as_of : date
        The day the labels describe; later orders, returns and events are ignored.
    customers : pandas.DataFrame, optional
        Customer records with ``customer_col`` and ``kind_col``. When given, every customer
        in it gets a row, including those with no orders yet.
    events : pandas.DataFrame, optional
        Touchpoints: ``customer_col``, ``event_time_col`` (timestamp), ``event_type_col``.
    new_days : int
        Days that count as recent for ``new``.
    period : {"D", "W", "M"}
        Length of one period for ``loyal``.
    loyal_periods, loyal_min_periods : int
        n and k of "purchases in at least k of the last n periods".
    impulsive_minutes : float
        Minutes from the visit to the purchase that count as an impulse buy.
    impulsive_share : float
        Share (0 to 1) of a customer's orders that must be impulse buys.
    impulsive_min_return_rate : float
        Return rate (0 to 1) an impulsive customer must also have; 0 leaves returns out.
    discount_min : float
        A discount counts when it is above this fraction of the list price.
    discount_share : float
        Share (0 to 1) of a customer's orders that must carry such a discount.
    customer_col, date_col, amount_col, discount_col, returned_col, return_date_col, kind_col : str
        Column names; pass None for ``discount_col`` or ``returned_col`` the data lack.
    event_time_col, event_type_col, visit_event : str
        The events' time and type columns, and the type that marks a visit.

    Returns
    -------
    pandas.DataFrame
        One row per customer, sorted by ``customer_col``: the six type columns
        (:data:`CUSTOMER_TYPES`), then ``orders`` (count), ``revenue`` (currency units),
        ``first_purchase`` (timestamp), ``days_since_first_purchase`` (days),
        ``active_periods`` (of the last ``loyal_periods``), ``impulse_share``,
        ``median_minutes_to_purchase`` (minutes from the visit), ``return_rate`` and
        ``discounted_share`` (fractions of the customer's orders). ``attrs`` hold the
        settings.

    Raises
    ------
    ValueError
        A column is missing (named), ``orders`` is empty, a date cannot be read, a
        threshold is out of range, or ``as_of`` comes before every order.

    Examples
    --------
    >>> orders = pd.DataFrame({
    ...     "customer_id": ["A", "A", "A", "B"],
    ...     "date": pd.to_datetime(["2024-01-05", "2024-02-03", "2024-03-09", "2024-03-20"]),
    ...     "amount": [20.0, 25.0, 22.0, 40.0], "discount": [0.0, 0.0, 0.1, 0.2]})
    >>> types = classify_customer_types(orders, as_of="2024-04-30", returned_col=None)
    >>> types[["customer_id", "new", "loyal", "discount_driven", "orders"]]
      customer_id    new  loyal  discount_driven  orders
    0           A  False   True            False       3
    1           B   True  False             True       1
    """
    _check_settings(period, loyal_min_periods, loyal_periods, new_days, impulsive_minutes, impulsive_share,
                    discount_share, discount_min, impulsive_min_return_rate)
    hint = " Pass discount_col=None or returned_col=None to leave a rule out." if (
        discount_col or returned_col) else ""
    _require_columns(orders, {"customer_col": customer_col, "date_col": date_col, "amount_col": amount_col,
                              "discount_col": discount_col, "returned_col": returned_col,
                              "return_date_col": return_date_col}, "orders table", hint)
    if customers is not None:
        _require_columns(customers, {"customer_col": customer_col, "kind_col": kind_col}, "customers table")
    if events is not None:
        _require_columns(events, {"customer_col": customer_col, "event_time_col": event_time_col,
                                  "event_type_col": event_type_col}, "events table")
    if orders.empty:
        raise ValueError("orders is empty: there is no purchase to type customers by.")
    as_of = pd.Timestamp(as_of).normalize()
    o = orders.assign(**{date_col: _as_times(orders[date_col], date_col, "orders")})
    if as_of < o[date_col].min().normalize():
        raise ValueError(f"as_of={as_of.date()} comes before every order (the first is on "
                         f"{o[date_col].min().date()}); pass a later date.")
    o = o[o[date_col] < as_of + pd.Timedelta(days=1)]
    ids = pd.Index(sorted(set(o[customer_col]) | (set(customers[customer_col]) if customers is not None else set())),
                   name=customer_col)
    out = _kinds(customers, ids, customer_col, kind_col)
    grouped = o.groupby(customer_col)
    n_orders = grouped.size().reindex(ids, fill_value=0).astype(int)
    first = grouped[date_col].min().reindex(ids)
    out["orders"] = n_orders
    out["revenue"] = grouped[amount_col].sum().reindex(ids, fill_value=0.0).astype(float)
    out["first_purchase"] = first
    out["days_since_first_purchase"] = (as_of - first.dt.normalize()).dt.days.astype("Int64")
    out["new"] = (out["days_since_first_purchase"] < new_days).fillna(False).astype(bool)
    out["active_periods"] = _active_periods(o, ids, as_of, period, loyal_periods, customer_col, date_col)
    out["loyal"] = out["active_periods"] >= loyal_min_periods
    out = _add_returns(out, o, as_of, grouped, customer_col, returned_col, return_date_col)
    out = _add_impulse(out, o, events, as_of, impulsive_minutes, impulsive_share, impulsive_min_return_rate,
                       customer_col=customer_col, date_col=date_col, event_time_col=event_time_col,
                       event_type_col=event_type_col, visit_event=visit_event)
    if discount_col is None:
        out["discounted_share"] = np.nan
        out["discount_driven"] = pd.array([pd.NA] * len(ids), dtype="boolean")
    else:
        discounted = (o[discount_col].astype(float) > discount_min).groupby(o[customer_col]).mean()
        out["discounted_share"] = discounted.reindex(ids)
        out["discount_driven"] = (out["discounted_share"] >= discount_share).fillna(False).astype(bool)
    numbers = ["orders", "revenue", "first_purchase", "days_since_first_purchase", "active_periods",
               "impulse_share", "median_minutes_to_purchase", "return_rate", "discounted_share"]
    out = out[list(CUSTOMER_TYPES) + numbers].reset_index()
    out.attrs.update(as_of=as_of, period=period, new_days=new_days, loyal_periods=loyal_periods,
                     loyal_min_periods=loyal_min_periods, impulsive_minutes=impulsive_minutes,
                     impulsive_share=impulsive_share, impulsive_min_return_rate=impulsive_min_return_rate,
                     discount_min=discount_min, discount_share=discount_share)
    return out


def _add_returns(out: pd.DataFrame, o: pd.DataFrame, as_of: pd.Timestamp, grouped, customer_col: str,
                 returned_col: str | None, return_date_col: str | None) -> pd.DataFrame:
    """``return_rate``: returned orders over orders; a return dated after ``as_of`` is not yet one."""
    if returned_col is None:
        out["return_rate"] = np.nan
        return out
    returned = o[returned_col].fillna(False).astype(bool)
    if return_date_col is not None:
        when = pd.to_datetime(o[return_date_col], errors="coerce")
        returned = returned & (when.isna() | (when < as_of + pd.Timedelta(days=1)))
    out["return_rate"] = returned.groupby(o[customer_col]).mean().reindex(out.index)
    return out


def _add_impulse(out: pd.DataFrame, o: pd.DataFrame, events: pd.DataFrame | None, as_of: pd.Timestamp,
                 minutes: float, share: float, min_return_rate: float, **cols: str) -> pd.DataFrame:
    """``impulse_share``, ``median_minutes_to_purchase`` and the ``impulsive`` label."""
    customer_col = cols["customer_col"]
    if events is None:
        out["impulse_share"] = np.nan
        out["median_minutes_to_purchase"] = np.nan
        out["impulsive"] = pd.array([pd.NA] * len(out), dtype="boolean")
        return out
    ev_time = _as_times(events[cols["event_time_col"]], cols["event_time_col"], "events")
    ev = events[ev_time < as_of + pd.Timedelta(days=1)]
    waited = _consideration_minutes(o, ev, **cols)
    quick = (waited <= minutes).where(waited.notna())
    by = o[customer_col]
    out["impulse_share"] = quick.astype(float).groupby(by).mean().reindex(out.index)
    out["median_minutes_to_purchase"] = waited.groupby(by).median().reindex(out.index)
    returns_ok = out["return_rate"].fillna(0.0) >= min_return_rate if min_return_rate > 0 else True
    out["impulsive"] = ((out["impulse_share"] >= share).fillna(False) & returns_ok).astype(bool)
    return out


def _buyers(labels: pd.DataFrame) -> pd.DataFrame:
    return labels[labels["orders"] > 0] if "orders" in labels.columns else labels


def type_shares(labels: pd.DataFrame, *, types: Sequence[str] = CUSTOMER_TYPES, buyers_only: bool = True
                ) -> pd.DataFrame:
    """Customers and percentage of customers per type (a customer can count under several).

    Parameters
    ----------
    labels : pandas.DataFrame
        Output of :func:`classify_customer_types`.
    types : sequence of str
        The type columns to count, in this order.
    buyers_only : bool
        Count among customers with at least one order (True) or among everyone.

    Returns
    -------
    pandas.DataFrame
        Index ``type``; ``customers`` (count, missing where the data cannot tell) and
        ``percent`` (of the customers counted).

    Examples
    --------
    >>> labels = pd.DataFrame({"new": [True, False], "loyal": [True, True], "orders": [1, 4]})
    >>> type_shares(labels, types=["new", "loyal"])["percent"].tolist()
    [50.0, 100.0]
    """
    base = _buyers(labels) if buyers_only else labels
    rows = {}
    for t in types:
        col = base[t]
        known = bool(len(col)) and not col.isna().all()
        count = int(col.fillna(False).astype(bool).sum()) if known else pd.NA
        rows[t] = {"customers": count,
                   "percent": 100 * count / len(base) if known and len(base) else np.nan}
    table = pd.DataFrame.from_dict(rows, orient="index").rename_axis("type")
    table["customers"] = table["customers"].astype("Int64")
    table["percent"] = table["percent"].astype(float)
    return table


def type_overlap(labels: pd.DataFrame, *, types: Sequence[str] = BEHAVIOUR_TYPES) -> pd.DataFrame:
    """Customers carrying both types of each pair (the diagonal: the type alone counted once).

    Examples
    --------
    >>> labels = pd.DataFrame({"new": [True, True, False], "loyal": [True, False, True]})
    >>> type_overlap(labels, types=["new", "loyal"]).to_numpy().tolist()
    [[2, 1], [1, 2]]
    """
    flags = labels[list(types)].fillna(False).astype(int)
    table = flags.T @ flags
    table.index.name, table.columns.name = "type", "type"
    return table.astype(int)


def type_share_sensitivity(
    orders: pd.DataFrame,
    *,
    vary: str,
    values: Sequence,
    types: Sequence[str] = BEHAVIOUR_TYPES,
    **kwargs,
) -> pd.DataFrame:
    """Percentage of buyers carrying each type as one threshold of
    :func:`classify_customer_types` takes each of ``values`` (the others as in ``kwargs``).

    Returns
    -------
    pandas.DataFrame
        One row per value: ``threshold`` (the name), ``value``, then one column per type
        (percent of buyers).

    Examples
    --------
    >>> orders = pd.DataFrame({"customer_id": ["A", "B"], "date": pd.to_datetime(["2024-01-01", "2024-03-01"]),
    ...                        "amount": [5.0, 7.0], "discount": [0.0, 0.1]})
    >>> type_share_sensitivity(orders, vary="new_days", values=[60, 120], types=["new"], as_of="2024-03-31",
    ...                        returned_col=None)["new"].tolist()
    [50.0, 100.0]
    """
    if vary in ("orders", "customers", "events", "as_of") or vary.endswith("_col"):
        raise ValueError(f"vary={vary!r} is not a threshold of classify_customer_types.")
    rows = []
    for value in values:
        labels = classify_customer_types(orders, **{**kwargs, vary: value})
        shares = type_shares(labels, types=types)["percent"]
        rows.append({"threshold": vary, "value": value, **shares.to_dict()})
    return pd.DataFrame(rows)


def _aligned(labels: pd.DataFrame, truth: pd.DataFrame, type_name: str, customer_col: str
             ) -> tuple[np.ndarray, np.ndarray]:
    for frame, what in ((labels, "labels table"), (truth, "truth table")):
        _require_columns(frame, {"customer_col": customer_col, "types": type_name}, what)
    both = labels[[customer_col, type_name]].merge(truth[[customer_col, type_name]], on=customer_col,
                                                   suffixes=("_rule", "_truth"))
    if both.empty:
        raise ValueError("labels and truth share no customer; compare tables of the same customers.")
    rule = both[f"{type_name}_rule"]
    if rule.isna().all():
        raise ValueError(f"the rule for {type_name!r} could not be applied (no data for it).")
    return (both[f"{type_name}_truth"].fillna(False).astype(bool).to_numpy(),
            rule.fillna(False).astype(bool).to_numpy())


def rule_confusion(labels: pd.DataFrame, truth: pd.DataFrame, type_name: str, *,
                   customer_col: str = "customer_id") -> pd.DataFrame:
    """2 x 2 confusion matrix of one type's rule against the truth (counts of customers).

    Rows are the truth, columns the rule, both ordered no, yes.

    Examples
    --------
    >>> labels = pd.DataFrame({"customer_id": [1, 2, 3], "loyal": [True, True, False]})
    >>> truth = pd.DataFrame({"customer_id": [1, 2, 3], "loyal": [True, False, False]})
    >>> rule_confusion(labels, truth, "loyal").to_numpy().tolist()
    [[1, 1], [0, 1]]
    """
    from sklearn.metrics import confusion_matrix

    actual, predicted = _aligned(labels, truth, type_name, customer_col)
    matrix = confusion_matrix(actual, predicted, labels=[False, True])
    return pd.DataFrame(matrix, index=pd.Index(["no", "yes"], name=f"truly {type_name}"),
                        columns=pd.Index(["no", "yes"], name="rule says"))


def rule_quality(labels: pd.DataFrame, truth: pd.DataFrame, *, types: Sequence[str] | None = None,
                 customer_col: str = "customer_id") -> pd.DataFrame:
    """Precision and recall of each type's rule against a known truth.

    Parameters
    ----------
    labels : pandas.DataFrame
        Output of :func:`classify_customer_types`.
    truth : pandas.DataFrame
        ``customer_col`` and one boolean column per type to check.
    types : sequence of str, optional
        Types to check; by default every type column both tables share.

    Returns
    -------
    pandas.DataFrame
        Index ``type``; ``truly`` (customers of the type), ``labelled`` (customers the rule
        labels), ``true_positives``, ``precision`` (share of the labelled who truly are) and
        ``recall`` (share of those who truly are that the rule finds), from
        :mod:`sklearn.metrics`; precision is missing when nobody is labelled.

    Examples
    --------
    >>> labels = pd.DataFrame({"customer_id": [1, 2, 3], "loyal": [True, True, False]})
    >>> truth = pd.DataFrame({"customer_id": [1, 2, 3], "loyal": [True, False, False]})
    >>> rule_quality(labels, truth)[["precision", "recall"]].to_numpy().tolist()
    [[0.5, 1.0]]
    """
    from sklearn.metrics import precision_score, recall_score

    if types is None:
        types = [t for t in CUSTOMER_TYPES if t in labels.columns and t in truth.columns]
    rows = {}
    for t in types:
        actual, predicted = _aligned(labels, truth, t, customer_col)
        rows[t] = {"truly": int(actual.sum()), "labelled": int(predicted.sum()),
                   "true_positives": int((actual & predicted).sum()),
                   "precision": precision_score(actual, predicted, zero_division=np.nan),
                   "recall": recall_score(actual, predicted, zero_division=np.nan)}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("type")


def type_summary(labels: pd.DataFrame, *, types: Sequence[str] = CUSTOMER_TYPES,
                 value: pd.Series | Mapping | None = None, customer_col: str = "customer_id") -> pd.DataFrame:
    """What the buyers of each type bring in.

    Parameters
    ----------
    labels : pandas.DataFrame
        Output of :func:`classify_customer_types` (its ``orders``, ``revenue`` and
        ``return_rate`` columns are used).
    types : sequence of str
        Types to describe; types the data cannot tell are left out.
    value : Series or mapping, optional
        A value per customer id (for instance the next year's discounted value, currency
        units); adds ``mean_value``.

    Returns
    -------
    pandas.DataFrame
        Index ``type``, plus a last row ``all buyers``: ``customers`` (count),
        ``revenue_share`` (% of all buyers' revenue; types overlap, so the shares add up to
        more than 100), ``revenue_per_customer`` (currency units), ``repeat_rate`` (% with two
        or more orders), ``return_rate`` (% of orders returned), and ``mean_value``.

    Examples
    --------
    >>> labels = pd.DataFrame({"customer_id": [1, 2], "loyal": [True, False], "orders": [3, 1],
    ...                        "revenue": [30.0, 10.0], "return_rate": [0.0, 1.0]})
    >>> type_summary(labels, types=["loyal"])["revenue_share"].tolist()
    [75.0, 100.0]
    """
    buyers = _buyers(labels)
    total = buyers["revenue"].sum()
    values = None if value is None else buyers[customer_col].map(pd.Series(value) if isinstance(value, Mapping)
                                                                  else value)
    groups = {t: buyers[t].fillna(False).astype(bool).to_numpy() for t in types
              if t in buyers.columns and not buyers[t].isna().all()}
    groups["all buyers"] = np.ones(len(buyers), dtype=bool)
    rows = {}
    for name, mask in groups.items():
        part = buyers[mask]
        orders = part["orders"].sum()
        row = {"customers": int(mask.sum()),
               "revenue_share": 100 * part["revenue"].sum() / total if total else np.nan,
               "revenue_per_customer": part["revenue"].mean() if len(part) else np.nan,
               "repeat_rate": 100 * (part["orders"] >= 2).mean() if len(part) else np.nan,
               "return_rate": (100 * (part["return_rate"] * part["orders"]).sum() / orders
                               if "return_rate" in part and orders else np.nan)}
        if values is not None:
            row["mean_value"] = values[mask].mean() if mask.any() else np.nan
        rows[name] = row
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("type")


def hidden_types(truth_customers: pd.DataFrame, buyer_ids) -> pd.DataFrame:
    """The types a simulated company's buyers truly have, to check the rules against.

    Only :func:`custlab.crm_world`'s ``truth.customers`` holds what this reads: who buys on
    impulse, who is moved by discounts, and who would buy often and rarely leave (loyal:
    a weekly purchase rate at or above the buyers' median and a dropout probability below
    0.2 per purchase). People who are not buyers are of no type.

    Parameters
    ----------
    truth_customers : pandas.DataFrame
        ``world.truth.customers``.
    buyer_ids : array-like
        The ids of the buyers the rules labelled.

    Returns
    -------
    pandas.DataFrame
        ``customer_id`` and the boolean columns ``impulsive``, ``discount_driven``, ``loyal``.

    Examples
    --------
    >>> import custlab as cl
    >>> world = cl.crm_world(500, random_state=1)
    >>> truth = hidden_types(world.truth.customers, world.orders["customer_id"].unique())
    >>> list(truth.columns)
    ['customer_id', 'impulsive', 'discount_driven', 'loyal']
    """
    hidden = truth_customers
    is_buyer = hidden["customer_id"].isin(pd.Series(buyer_ids))
    fast = hidden["purchase_rate_per_week"] >= hidden.loc[is_buyer, "purchase_rate_per_week"].median()
    return pd.DataFrame({"customer_id": hidden["customer_id"], "impulsive": hidden["impulsive"] & is_buyer,
                         "discount_driven": hidden["discount_driven"] & is_buyer,
                         "loyal": is_buyer & fast & (hidden["dropout_probability"] < 0.2)})
