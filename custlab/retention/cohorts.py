"""Cohort tables: customers grouped by the period of their first purchase, followed period by period.

A cohort is everyone whose first purchase fell in one period (a week, a calendar
month or a calendar quarter). :func:`cohort_table` counts, for each cohort and each
whole period since acquisition (0, 1, 2, ...), how many of its customers bought, how
much they spent, or how many purchases they made; :func:`retention_matrix` divides by
period 0; :func:`retention_curve` pools the cohorts, weighting each by its size, which
for revenue is the net revenue retention.

Only whole periods are shown: a period that ends after ``observation_end`` is only
partly observed, and a partial month would look like a fall in retention. Its cells
are left out (missing), as are the cells no cohort has reached yet (the ragged right
edge), and a cohort acquired in a partly observed period is left out entirely. A
period in which a cohort bought nothing is 0, never missing.

The reduction of the log (one row per cohort and age) is one lazy query
(:mod:`custlab._query`) that runs in the engine of the input: pandas and Polars frames,
a Polars LazyFrame, a DuckDB relation or a Spark DataFrame. The result is a small wide
table (a row per cohort, a column per period), returned as pandas whatever the input: it
is indexed by cohort with whole-number columns, which a Polars frame (no index, text
column names) cannot hold, and it is small enough that a lazy answer would gain nothing.
"""

from __future__ import annotations

from datetime import datetime

import narwhals as nw
import numpy as np
import pandas as pd

from custlab._query import open_log
from custlab.schema import require_columns
from custlab.units import as_date, normalize_period, period_number, period_numbers, period_start

__all__ = ["cohort_table", "retention_curve", "retention_matrix"]

_LABELS = {"W": "weeks", "M": "months", "Q": "quarters"}
_METRICS = {"customers": "customers who bought", "revenue": "currency units spent", "orders": "purchases"}
_RESERVED = frozenset({"_p", "_cohort", "_age", "_value", "_size"})


def cohort_table(
    transactions,
    *,
    freq: str = "M",
    metric: str = "customers",
    observation_end: str | datetime | pd.Timestamp,
    customer_col: str = "customer_id",
    date_col: str = "date",
    amount_col: str = "amount",
) -> pd.DataFrame:
    """Acquisition cohorts (rows) by whole periods since acquisition (columns 0, 1, 2, ...).

    Parameters
    ----------
    transactions : pandas or Polars DataFrame, Polars LazyFrame, DuckDB relation or Spark DataFrame
        A validated transaction log; ``date_col`` holds datetimes.
    freq : {"W", "M", "Q"}
        Weeks (Monday to Sunday), calendar months or calendar quarters.
    metric : {"customers", "revenue", "orders"}
        Per cell: the cohort's customers who bought in that period, their spend
        (currency units, ``amount_col``), or their purchases (rows of the log).
    observation_end : date
        Last day observed. Only periods that end on or before it are shown (see the
        module notes); a purchase after it is an error.

    Returns
    -------
    pandas.DataFrame
        Index ``cohort`` (first day of the acquisition period), columns ``0 .. K``
        (whole periods since acquisition), one extra column ``cohort_size`` (customers
        acquired); missing where the period is not fully observed, 0 where the cohort
        bought nothing. ``attrs`` holds ``freq``, ``metric``, ``unit`` and the number of
        customers left out with a partly observed acquisition period
        (``customers_left_out``).

    Raises
    ------
    ValueError
        Unknown freq or metric, missing columns or values, dates that are not
        datetimes, no rows, purchases after ``observation_end``, or no fully observed period.

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 2, 3],
    ...                    "date": pd.to_datetime(["2024-01-05", "2024-03-02", "2024-01-20", "2024-02-11"]),
    ...                    "amount": [10.0, 5.0, 8.0, 4.0]})
    >>> cohort_table(tx, observation_end="2024-03-31")
    months since acquisition  cohort_size  0  1     2
    cohort
    2024-01-01                          2  2  0     1
    2024-02-01                          1  1  0  <NA>
    """
    code = normalize_period(freq, allowed="WMQ")
    if metric not in _METRICS:
        raise ValueError(f"metric={metric!r}: use 'customers', 'revenue' or 'orders'.")
    amount = amount_col if metric == "revenue" else None
    end = as_date(observation_end, "observation_end").normalize()
    log = open_log(transactions, {"customer_col": customer_col, "date_col": date_col, "amount_col": amount},
                   caller="cohort_table", dates=date_col, amount=amount, late_after=end, reserved=_RESERVED)
    last_full = int(period_numbers(end + pd.Timedelta(days=1), code)[0]) - 1   # the last period observed in full

    # One query: each row's cohort as a window over its customer (no join of the log against a table of
    # customers), then one group-by per cohort and age; period 0's customers are the cohort's size.
    tx = log.frame.with_columns(_p=period_number(nw.col(date_col), code))
    tx = tx.with_columns(_cohort=nw.col("_p").min().over(customer_col))
    tx = tx.with_columns(_age=nw.col("_p") - nw.col("_cohort"))
    customers = nw.col(customer_col).n_unique()
    aggs = [customers.alias("_size")] + ([] if metric == "customers" else
                                         [{"orders": nw.len(), "revenue": nw.col(amount).sum()}[metric].alias("_value")])
    cells = log.to_pandas(tx.group_by("_cohort", "_age").agg(*aggs))
    if metric == "customers":
        cells["_value"] = cells["_size"]
    sizes = cells.loc[cells["_age"] == 0].set_index("_cohort")["_size"].astype(np.int64)
    if sizes.empty or sizes.index.min() > last_full:
        raise ValueError(f"cohort_table: no {_LABELS[code][:-1]} is fully observed by observation_end {end.date()}.")
    cohorts = np.sort(sizes.index[sizes.index <= last_full].to_numpy())
    left_out = int(sizes[sizes.index > last_full].sum())
    ages = np.arange(0, last_full - cohorts[0] + 1)
    wide = cells.pivot(index="_cohort", columns="_age", values="_value").reindex(index=cohorts, columns=ages)
    reached = (cohorts[:, None] + ages[None, :]) <= last_full
    numeric = wide.to_numpy(dtype=float)
    numeric = np.where(reached, np.nan_to_num(numeric, nan=0.0), np.nan)
    out = pd.DataFrame(numeric, index=pd.DatetimeIndex(period_start(cohorts, code), name="cohort"),
                       columns=pd.Index(ages, name=f"{_LABELS[code]} since acquisition"))
    if metric != "revenue":
        out = out.astype("Int64")                      # whole counts; <NA> where not observed
    out.insert(0, "cohort_size", sizes.reindex(cohorts).to_numpy().astype(np.int64))
    out.attrs.update(freq=code, metric=metric, unit=_METRICS[metric], customers_left_out=left_out)
    return out


def _periods(table: pd.DataFrame) -> pd.DataFrame:
    require_columns(table, {"period 0": 0}, what="cohort table")
    return table.drop(columns=["cohort_size"], errors="ignore")


def retention_matrix(table: pd.DataFrame) -> pd.DataFrame:
    """Each cohort's row divided by its period 0: the share retained (customers), or revenue relative to the first period.

    Examples
    --------
    >>> t = pd.DataFrame({"cohort_size": [4], 0: [4], 1: [2], 2: [np.nan]})
    >>> retention_matrix(t).to_numpy().tolist()
    [[1.0, 0.5, nan]]
    """
    cells = _periods(table).astype(float)
    base = cells[0].where(cells[0] > 0)
    out = cells.div(base, axis=0)
    out.attrs.update(table.attrs)
    return out


def retention_curve(table: pd.DataFrame) -> pd.Series:
    """The cohorts pooled: for each period since acquisition, the sum of the cells over the sum of
    period 0 of the cohorts observed that far (each cohort weighted by its size; for revenue, the
    net revenue retention).

    Examples
    --------
    >>> t = pd.DataFrame({0: [4, 2], 1: [2, np.nan]})
    >>> retention_curve(t).tolist()
    [1.0, 0.5]
    """
    cells = _periods(table).astype(float)
    out = {}
    for age in cells.columns:
        seen = cells[age].notna() & (cells[0] > 0)
        out[age] = cells.loc[seen, age].sum() / cells.loc[seen, 0].sum() if seen.any() else np.nan
    return pd.Series(out, name="retention", dtype=float).rename_axis(cells.columns.name)
