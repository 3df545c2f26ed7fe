"""From a transaction log to one row per customer: frequency, recency, T, spend.

The summary is the input of the customer-base models (BG/NBD, Pareto/NBD,
Gamma-Gamma). Its definitions follow Fader, Hardie & Lee (2005),
"Counting your customers the easy way", Marketing Science 24(2), 275-284:

* a customer's *first purchase* starts their clock (time 0);
* ``frequency`` (the papers' x) is the number of repeat purchases: distinct
  purchase days after the first (purchases on one day count as one);
* ``recency`` (t_x) is the time from the first to the last purchase;
* ``T`` is the time from the first purchase to the end of observation;
* ``monetary_value`` is the mean amount of the repeat purchases (0 when there
  are none: the first purchase is left out, as in Fader & Hardie's Gamma-Gamma note).

Times are in days, weeks or calendar months (``time_unit``). The summary is one
lazy query (:mod:`custlab._query`): a pandas frame in gives a pandas frame out, a
Polars frame gives Polars, and a Polars LazyFrame, a DuckDB relation or a Spark
DataFrame gives back a query of the same kind, not yet run, with the same numbers.
"""

from __future__ import annotations

from datetime import datetime

import narwhals as nw
import pandas as pd

from custlab._query import open_log
from custlab.units import _MS_PER_DAY, CLOCK_TICKS, as_date, clock, clock_scalar, day_number, normalize_unit

__all__ = ["rfm_summary"]

_RESERVED = frozenset({"_day", "_clock", "_time", "_cal", "_hold", "_cal_clock", "_cal_amount", "_hold_amount",
                       "_first_amount", "_n", "_n_hold", "_first_clock", "_last_clock", "_total", "_hold_total",
                       "_first_total", "_ticks"})

def _require_purchases_by(log, cal_end: pd.Timestamp) -> None:
    """Refuse a calibration period that ends before the first purchase: it would hold no customer."""
    first = log.first_date
    if cal_end.normalize() + pd.Timedelta(days=1) <= first:
        raise ValueError(
            f"rfm_summary: calibration_end {cal_end.date()} is before the first purchase in the data "
            f"({first.date()}), so no customer would be in the calibration period. Pass a calibration_end "
            "on or after the first purchase."
        )


def rfm_summary(
    transactions,
    *,
    customer_col: str = "customer_id",
    date_col: str = "date",
    amount_col: str | None = "amount",
    observation_end: str | datetime | pd.Timestamp,
    time_unit: str = "W",
    calibration_end: str | datetime | pd.Timestamp | None = None,
    merge_same_day: bool = True,
):
    """One row per customer: frequency, recency, T and mean repeat spend.

    Parameters
    ----------
    transactions : pandas or Polars DataFrame, Polars LazyFrame, DuckDB relation or Spark DataFrame
        A validated transaction log (see :func:`custlab.validate_transactions`);
        the date column must hold datetimes or dates.
    customer_col, date_col, amount_col : str
        Column names. ``amount_col=None`` leaves out the money columns.
    observation_end : date
        Last day observed (inclusive). A purchase after it is an error.
    time_unit : {"D", "W", "M"}
        Days, weeks (7 days) or calendar months, for recency, T and durations.
    calibration_end : date, optional
        Last day of the calibration period. Customers are those with a first
        purchase on or before it; purchases after it go to the holdout columns.
    merge_same_day : bool
        Count purchases of one customer on one day as one purchase, with their
        amounts added (the convention of the published CDNOW studies). With
        ``False`` every row is a purchase, and the first purchase (whose amount
        is left out) is the earliest; of several at that same moment, the smallest.

    Returns
    -------
    DataFrame (same kind as the input; lazy where the input was lazy)
        Sorted by customer. Columns: ``customer_col``; ``frequency`` (repeat
        purchases, a count); ``recency`` and ``T`` (in ``time_unit``);
        ``monetary_value`` (currency units per repeat purchase). With
        ``calibration_end`` also ``frequency_holdout`` (purchases in the
        holdout), ``monetary_value_holdout`` (mean amount per holdout purchase)
        and ``duration_holdout`` (length of the holdout in ``time_unit``).

    Raises
    ------
    TypeError
        ``transactions`` is not one of the frames above.
    custlab.SchemaError
        A named column is missing.
    ValueError
        Unknown time unit, a date column that holds neither datetimes nor dates, missing ids,
        dates or amounts, ids mixing numbers and text, amounts that are
        infinite or so large their sum could overflow, purchases after
        ``observation_end``, or ``calibration_end`` after ``observation_end``
        or before the first purchase.

    Examples
    --------
    >>> import pandas as pd
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 1, 2],
    ...                    "date": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-15", "2024-01-08"]),
    ...                    "amount": [5.0, 5.0, 20.0, 8.0]})
    >>> rfm_summary(tx, observation_end="2024-01-29", time_unit="W")
       customer_id  frequency  recency    T  monetary_value
    0            1          1      2.0  4.0            20.0
    1            2          0      0.0  3.0             0.0
    """
    unit = normalize_unit(time_unit)
    obs_end = as_date(observation_end, "observation_end")
    cal_end = None if calibration_end is None else as_date(calibration_end, "calibration_end")
    if cal_end is not None and cal_end > obs_end:
        raise ValueError(f"calibration_end {cal_end.date()} is after observation_end {obs_end.date()}.")
    log = open_log(transactions, {"customer_col": customer_col, "date_col": date_col, "amount_col": amount_col},
                   caller="rfm_summary", dates=date_col, amount=amount_col, late_after=obs_end, reserved=_RESERVED)
    if cal_end is not None:
        _require_purchases_by(log, cal_end)
    query = _summary_query(log.frame, customer_col, date_col, amount_col, unit, obs_end, cal_end, merge_same_day)
    return log.finish(query)


def _summary_query(tx, customer_col, date_col, amount_col, unit, obs_end, cal_end, merge_same_day):
    """The summary as one lazy query: occasions, then one group-by per customer.

    Calibration and holdout are columns of the same group-by (sums of values kept only on
    one side of ``calibration_end``), so the log is read once.
    """
    amount = amount_col is not None
    c = nw.col
    tx = tx.with_columns(_day=day_number(c(date_col)), _clock=clock(c(date_col), unit))
    if merge_same_day:      # one purchase occasion per customer-day, its amounts added
        occ = tx.group_by(customer_col, "_day").agg(c("_clock").min(), *([c(amount_col).sum()] if amount else []))
        order = ["_day"]
    else:                   # every row an occasion; the first is the earliest (the smallest amount on a tie)
        occ = tx.with_columns(_time=c(date_col))
        order = ["_time", amount_col] if amount else ["_time"]
    t_end = obs_end if cal_end is None else cal_end
    cal = c("_day") < _day_after(t_end)
    cols = {"_cal": cal.cast(nw.Int64), "_hold": (~cal).cast(nw.Int64),
            "_cal_clock": nw.when(cal).then(c("_clock"))}
    if amount:
        cols.update(_cal_amount=nw.when(cal).then(c(amount_col)).otherwise(0.0),
                    _hold_amount=nw.when(cal).then(0.0).otherwise(c(amount_col)))
    occ = occ.with_columns(**cols)
    aggs = [c("_cal").sum().alias("_n"), c("_hold").sum().alias("_n_hold"),
            c("_cal_clock").min().alias("_first_clock"), c("_cal_clock").max().alias("_last_clock")]
    if amount:
        aggs += [c("_cal_amount").sum().alias("_total"), c("_hold_amount").sum().alias("_hold_total")]
    ticks = CLOCK_TICKS[unit]
    t_end_clock = clock_scalar(t_end, unit)
    # Durations are divided by a column of ticks, not by a literal: Polars divides by a literal through
    # its reciprocal, one unit in the last place away from the true quotient for a third of the values.
    out = _per_customer(occ, customer_col, aggs, amount_col, order).filter(c("_n") > 0).with_columns(
        _ticks=c("_n") * 0 + ticks).with_columns(
        frequency=(c("_n") - 1).cast(nw.Int64),
        recency=((c("_last_clock") - c("_first_clock")) / c("_ticks")).cast(nw.Float64),
        T=((t_end_clock - c("_first_clock")) / c("_ticks")).cast(nw.Float64),
    )
    result = [customer_col, "frequency", "recency", "T"]
    if amount:
        out = out.with_columns(monetary_value=nw.when(c("frequency") > 0)
                               .then((c("_total") - c("_first_total")) / c("frequency")).otherwise(0.0)
                               .cast(nw.Float64))
        result.append("monetary_value")
    if cal_end is not None:
        out = out.with_columns(frequency_holdout=c("_n_hold").cast(nw.Int64),
                               duration_holdout=(clock_scalar(obs_end, unit) - t_end_clock) / c("_ticks"))
        result.append("frequency_holdout")
        if amount:
            out = out.with_columns(monetary_value_holdout=nw.when(c("_n_hold") > 0)
                                   .then(c("_hold_total") / c("_n_hold")).otherwise(0.0).cast(nw.Float64))
            result.append("monetary_value_holdout")
        result.append("duration_holdout")
    return out.select(result).sort(customer_col)


def _per_customer(occ, customer_col, aggs, amount_col, order):
    """One group-by per customer, with the first occasion's amount (``_first_total``) when there are amounts.

    The amount is taken in order (``first(order_by=...)``: no second pass over the occasions);
    an engine without an ordered first in a group-by (Spark) marks the first occasion with a
    window over the customer instead, which gives the same number with a second pass.
    """
    if amount_col is None:
        return occ.group_by(customer_col).agg(*aggs)
    try:
        return occ.group_by(customer_col).agg(*aggs, nw.col(amount_col).first(order_by=order).alias("_first_total"))
    except NotImplementedError:
        # The occasions at the earliest moment; of several (rows at one time), the smallest amount, as above.
        first = nw.col(order[0]) == nw.col(order[0]).min().over(customer_col)
        marked = occ.with_columns(_first_amount=nw.when(first).then(nw.col(amount_col)))
        return marked.group_by(customer_col).agg(*aggs, nw.col("_first_amount").min().alias("_first_total"))


def _day_after(day: pd.Timestamp) -> int:
    """The day number of the day after ``day`` (rows before it are on or before ``day``)."""
    return int((day.normalize() + pd.Timedelta(days=1)).value // 1_000_000 // _MS_PER_DAY)
