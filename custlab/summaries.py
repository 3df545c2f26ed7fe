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

Times are in days, weeks or calendar months (``time_unit``). Written with
narwhals: a pandas frame in gives a pandas frame out, a Polars frame gives
Polars, with the same numbers.
"""

from __future__ import annotations

from datetime import datetime

import narwhals as nw
import pandas as pd

from custlab.schema import require_complete
from custlab.units import _MS_PER_DAY, CLOCK_TICKS, as_date, clock, clock_values, normalize_unit, wall_clock

__all__ = ["rfm_summary"]

def _clock_scalar(ts: pd.Timestamp, unit: str) -> float:
    return float(clock_values(ts, unit)[0])


def _require_purchases_by(df, date_col: str, cal_end: pd.Timestamp) -> None:
    """Refuse a calibration period that ends before the first purchase: it would hold no customer."""
    first = df.select(nw.col(date_col).min()).item()
    first = pd.Timestamp(first)
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
    transactions : pandas or Polars DataFrame
        A validated transaction log (see :func:`custlab.validate_transactions`);
        the date column must hold datetimes.
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
        amounts added (the convention of the published CDNOW studies).

    Returns
    -------
    DataFrame (same library as the input)
        Sorted by customer. Columns: ``customer_col``; ``frequency`` (repeat
        purchases, a count); ``recency`` and ``T`` (in ``time_unit``);
        ``monetary_value`` (currency units per repeat purchase). With
        ``calibration_end`` also ``frequency_holdout`` (purchases in the
        holdout), ``monetary_value_holdout`` (mean amount per holdout purchase)
        and ``duration_holdout`` (length of the holdout in ``time_unit``).

    Raises
    ------
    ValueError
        Unknown time unit, a date column that is not datetime, missing ids,
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
    transactions = wall_clock(transactions, [date_col])
    try:
        df = nw.from_native(transactions, eager_only=True)
    except TypeError:
        raise TypeError(
            f"rfm_summary takes a pandas or Polars DataFrame, got {type(transactions).__name__}."
        ) from None
    for kw, col in (("customer_col", customer_col), ("date_col", date_col), ("amount_col", amount_col)):
        if col is not None and col not in df.columns:
            raise ValueError(f"rfm_summary: no column {col!r} ({kw}); columns found: {list(df.columns)}.")
    if df.shape[0] == 0:
        raise ValueError("rfm_summary: the transaction log has no rows.")
    if df.schema[date_col] not in (nw.Datetime, nw.Date) and not isinstance(
        df.schema[date_col], (nw.Datetime, nw.Date)
    ):
        raise ValueError(
            f"rfm_summary: column {date_col!r} holds {df.schema[date_col]}, not dates. "
            "Run custlab.validate_transactions first: it parses dates and reports bad rows."
        )
    require_complete(transactions,
                     {"customer_col": customer_col, "date_col": date_col, "amount_col": amount_col},
                     caller="rfm_summary", amount_col=amount_col)
    obs_end = as_date(observation_end, "observation_end")
    end_excl = obs_end.normalize() + pd.Timedelta(days=1)
    cal_end = None if calibration_end is None else as_date(calibration_end, "calibration_end")
    if cal_end is not None and cal_end > obs_end:
        raise ValueError(f"calibration_end {cal_end.date()} is after observation_end {obs_end.date()}.")

    amount = amount_col is not None
    cols = [customer_col, date_col] + ([amount_col] if amount else [])
    df = df.select(cols)
    dtype = df.schema[date_col]
    if isinstance(dtype, nw.Datetime) and dtype.time_zone is not None:
        # Dates with a time zone keep their local wall-clock time (as validate_transactions does): a purchase at
        # 00:30 in Berlin belongs to that day in Berlin, not to the day before in UTC.
        df = df.with_columns(nw.col(date_col).dt.replace_time_zone(None))
    df = df.with_columns(_day=nw.col(date_col).dt.timestamp("ms") // _MS_PER_DAY)
    last_day = int(pd.Timestamp(end_excl).value // 1_000_000 // _MS_PER_DAY)
    late = df.filter(nw.col("_day") >= last_day)
    if late.shape[0]:
        raise ValueError(
            f"rfm_summary: {late.shape[0]:,} purchase(s) are dated after observation_end "
            f"{obs_end.date()}, e.g. {late.drop('_day').head(3).rows(named=True)}. Move observation_end, "
            "or validate with validate_transactions(..., observation_end=...) to reject them."
        )
    if cal_end is not None:
        _require_purchases_by(df, date_col, cal_end)

    # One purchase occasion per customer-day (or per row).
    if merge_same_day:
        aggs = [nw.col(date_col).min()]
        if amount:
            aggs.append(nw.col(amount_col).sum())
        occ = df.group_by(customer_col, "_day").agg(*aggs)
    else:
        occ = df
    occ = occ.with_row_index("_row", order_by=[customer_col, "_day"]) if not merge_same_day else occ

    if cal_end is not None:
        cal_last_day = int((cal_end.normalize() + pd.Timedelta(days=1)).value // 1_000_000 // _MS_PER_DAY)
        cal = occ.filter(nw.col("_day") < cal_last_day)
        hold = occ.filter(nw.col("_day") >= cal_last_day)
        t_end = cal_end
    else:
        cal, hold, t_end = occ, None, obs_end

    out = cal.group_by(customer_col).agg(
        nw.col("_day").min().alias("_first_day"),
        nw.col(date_col).min().alias("_first_date"),
        nw.col(date_col).max().alias("_last_date"),
        nw.len().alias("_n"),
        *([nw.col(amount_col).sum().alias("_total")] if amount else []),
    ).with_columns(frequency=nw.col("_n") - 1)
    if amount:
        # The first purchase's amount is left out of monetary_value.
        first_rows = cal.join(out.select(customer_col, "_first_day"), on=customer_col).filter(
            nw.col("_day") == nw.col("_first_day"))
        if not merge_same_day:
            first_rows = first_rows.sort("_row").unique([customer_col], keep="first")
        first_amount = first_rows.group_by(customer_col).agg(nw.col(amount_col).sum().alias("_first_amount"))
        out = out.join(first_amount, on=customer_col)

    ticks = CLOCK_TICKS[unit]
    t_end_clock = _clock_scalar(t_end, unit)
    out = out.with_columns(
        recency=(clock(nw.col("_last_date"), unit) - clock(nw.col("_first_date"), unit)) / ticks,
        T=(t_end_clock - clock(nw.col("_first_date"), unit)) / ticks,
    )
    result = [customer_col, "frequency", "recency", "T"]
    if amount:
        out = out.with_columns(
            monetary_value=nw.when(nw.col("frequency") > 0)
            .then((nw.col("_total") - nw.col("_first_amount")) / nw.col("frequency"))
            .otherwise(0.0)
        )
        result.append("monetary_value")

    if hold is not None:
        hold_aggs = [nw.len().alias("frequency_holdout")]
        if amount:
            hold_aggs.append(nw.col(amount_col).mean().alias("monetary_value_holdout"))
        h = hold.group_by(customer_col).agg(*hold_aggs)
        out = out.join(h, on=customer_col, how="left").with_columns(
            nw.col("frequency_holdout").fill_null(0).cast(nw.Int64),
            duration_holdout=nw.lit((_clock_scalar(obs_end, unit) - t_end_clock) / ticks),
        )
        result += ["frequency_holdout"]
        if amount:
            out = out.with_columns(nw.col("monetary_value_holdout").fill_null(0.0))
            result.append("monetary_value_holdout")
        result.append("duration_holdout")

    out = (
        out.select(result)
        .with_columns(nw.col("frequency").cast(nw.Int64), nw.col("recency").cast(nw.Float64),
                      nw.col("T").cast(nw.Float64))
        .sort(customer_col)
    )
    native = out.to_native()
    if isinstance(native, pd.DataFrame):
        native = native.reset_index(drop=True)
    return native
