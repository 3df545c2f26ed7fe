"""Who was a one-time buyer on a given day, and did they buy again: a cohort read from a
transaction log. It gives the eligible of an experiment on one-time buyers, and the earlier
cohort a naive comparison would use instead of a control group. See :mod:`custlab.experiments`.
"""

from __future__ import annotations

import narwhals as nw
import pandas as pd

from custlab._frames import eager, naive_dates, require_dates

__all__ = ["one_time_buyers"]


def one_time_buyers(transactions, *, start, weeks: int, customer_col: str = "customer_id",
                    date_col: str = "date", merge_same_day: bool = True):
    """The customers with exactly one purchase before ``start``, and whether they bought again
    within ``weeks`` weeks of it.

    Parameters
    ----------
    transactions : pandas or Polars DataFrame
        A validated transaction log (see :func:`custlab.validate_transactions`): one row
        per purchase, the date column holding datetimes.
    start : date
        The day the cohort is taken (purchases before it are the history; from it on, the
        window).
    weeks : int
        Length of the window, weeks: purchases from ``start`` to the day before
        ``start + weeks`` count.
    customer_col, date_col : str
        Column names.
    merge_same_day : bool
        Count purchases of one customer on one day as one purchase (the convention of the
        published CDNOW studies); False counts rows.

    Returns
    -------
    DataFrame (same library as the input)
        One row per one-time buyer at ``start``, sorted by customer: ``customer_col``,
        ``purchases`` (in the window; same-day purchases merged when ``merge_same_day``) and
        ``repeat`` (bool: at least one).

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": ["a", "b", "b", "c", "c"],
    ...                    "date": pd.to_datetime(["2024-01-02", "2024-01-03", "2024-01-20", "2024-01-01",
    ...                                            "2024-01-05"])})
    >>> one_time_buyers(tx, start="2024-01-10", weeks=2)
      customer_id  purchases  repeat
    0           a          0   False
    1           b          1    True
    """
    caller = "one_time_buyers"
    df = eager(transactions, caller, "the transaction log")
    for kw, col in (("customer_col", customer_col), ("date_col", date_col)):
        if col not in df.columns:
            raise ValueError(f"{caller}: no column {col!r} ({kw}); columns found: {list(df.columns)}.")
    require_dates(df.schema, date_col, caller)
    if isinstance(weeks, bool) or not isinstance(weeks, int) or weeks < 1:
        raise ValueError(f"{caller}: weeks={weeks!r} must be a whole number of weeks, at least 1.")
    start = pd.Timestamp(start).normalize()
    end = start + pd.Timedelta(weeks=weeks)
    df = naive_dates(df.select(customer_col, date_col), date_col)
    if df.schema[date_col] == nw.Date:
        df = df.with_columns(nw.col(date_col).cast(nw.Datetime()))
    if merge_same_day:
        df = df.with_columns(nw.col(date_col).dt.truncate("1d")).unique([customer_col, date_col])
    history = df.filter(nw.col(date_col) < start.to_pydatetime()).group_by(customer_col).agg(nw.len().alias("_n"))
    cohort = history.filter(nw.col("_n") == 1).select(customer_col)
    window = df.filter((nw.col(date_col) >= start.to_pydatetime()) & (nw.col(date_col) < end.to_pydatetime()))
    counts = window.group_by(customer_col).agg(nw.len().alias("purchases"))
    out = (cohort.join(counts, on=customer_col, how="left")
           .with_columns(nw.col("purchases").fill_null(0).cast(nw.Int64))
           .with_columns(repeat=nw.col("purchases") > 0)
           .sort(customer_col))
    return out.to_native().reset_index(drop=True) if out.implementation.is_pandas() else out.to_native()
