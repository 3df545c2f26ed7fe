"""Contract retention: how long subscriptions last, counted in whole billing periods, and churn per period.

A subscription that started on day s and was cancelled on day e paid for the
calendar periods between them; one still active at the end of observation has
survived the whole periods observed so far (it is censored). These are the
data of the sBG model (:class:`custlab.ShiftedBetaGeo.fit_individual`).

The life table is written here rather than taken from a survival library: renewals
happen at whole periods, and the discrete table (at risk, lost, survival) is the
form the sBG papers compare against.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from custlab._frames import refuse_missing
from custlab.schema import require_columns
from custlab.units import as_date, normalize_unit, whole_periods

__all__ = ["churn_table", "fit_sbg_by_group", "life_table", "subscription_lifetimes"]


def subscription_lifetimes(
    subscriptions: pd.DataFrame,
    *,
    observation_end,
    period: str = "M",
    customer_col: str = "customer_id",
    start_col: str = "start_date",
    end_col: str = "end_date",
) -> pd.DataFrame:
    """Periods each subscription lasted, and whether it has been cancelled.

    Parameters
    ----------
    subscriptions : pandas.DataFrame
        One row per subscription: ``customer_col``, ``start_col``, ``end_col``
        (the cancellation date; missing while active). Other columns are kept.
    observation_end : date
        Last day observed; subscriptions starting later are an error.
    period : {"D", "W", "M"}
        Billing period: days, weeks or calendar months.

    Returns
    -------
    pandas.DataFrame
        The input columns plus ``periods`` (whole periods paid: for a cancelled
        subscription the period in which it ended, at least 1; for an active one
        the whole periods observed) and ``churned`` (bool).

    Examples
    --------
    >>> import pandas as pd
    >>> subs = pd.DataFrame({"customer_id": [1, 2],
    ...                      "start_date": pd.to_datetime(["2024-01-15", "2024-03-01"]),
    ...                      "end_date": pd.to_datetime(["2024-04-15", None])})
    >>> subscription_lifetimes(subs, observation_end="2024-06-30")[["periods", "churned"]]
       periods  churned
    0        3     True
    1        4    False
    """
    normalize_unit(period)
    require_columns(subscriptions, {"customer_col": customer_col, "start_col": start_col, "end_col": end_col},
                    what="subscriptions table")
    end = as_date(observation_end, "observation_end").normalize()
    start = pd.to_datetime(subscriptions[start_col])
    stop = pd.to_datetime(subscriptions[end_col])
    late = start > end
    if late.any():
        raise ValueError(f"{int(late.sum())} subscription(s) start after observation_end {end.date()}, e.g.\n"
                         f"{subscriptions.loc[late].head(3).to_string()}")
    backwards = stop.notna() & (stop < start)
    if backwards.any():
        raise ValueError(f"{int(backwards.sum())} subscription(s) end before they start, e.g.\n"
                         f"{subscriptions.loc[backwards].head(3).to_string()}")
    churned = (stop.notna() & (stop <= end)).to_numpy()
    until = np.where(churned, stop.to_numpy(), np.datetime64(end + pd.Timedelta(days=1)))
    whole, partial = whole_periods(start.to_numpy(), until, period)
    # A cancelled subscription paid for the period it ended in; an active one has survived the whole periods.
    periods = np.where(churned, np.maximum(whole + partial, 1), whole).astype(int)
    out = subscriptions.copy()
    out["periods"] = periods
    out["churned"] = churned
    return out


def life_table(periods, churned, *, max_period: int | None = None) -> pd.DataFrame:
    """Discrete life table of renewals: at risk, lost and surviving share per period.

    Parameters
    ----------
    periods, churned : arrays
        From :func:`subscription_lifetimes`.
    max_period : int, optional
        Last period shown (default: the longest observed).

    Returns
    -------
    pandas.DataFrame
        ``period`` (1, 2, ...), ``at_risk`` (active at the start of the period and
        observed through it), ``lost`` (cancelled in it), ``retention_rate``
        (share of those at risk who renewed) and ``survival`` (share of a new
        cohort still active after the period; the Kaplan-Meier estimate).
    """
    t = np.asarray(periods, int)
    c = np.asarray(churned, bool)
    last = int(max_period or t.max())
    rows = []
    surv = 1.0
    for k in range(1, last + 1):
        at_risk = int(((t >= k) & c).sum() + ((t >= k) & ~c).sum())
        lost = int(((t == k) & c).sum())
        rate = 1 - lost / at_risk if at_risk else np.nan
        surv = surv * rate if at_risk else np.nan
        rows.append({"period": k, "at_risk": at_risk, "lost": lost, "retention_rate": rate, "survival": surv})
    return pd.DataFrame(rows)


def fit_sbg_by_group(lifetimes: pd.DataFrame, by: str) -> dict:
    """One :class:`custlab.ShiftedBetaGeo` per group (e.g. per plan), fitted on
    :func:`subscription_lifetimes` output; returned as ``{group: model}``, groups sorted."""
    from custlab.models import ShiftedBetaGeo

    require_columns(lifetimes, {"by": by, "periods": "periods", "churned": "churned"}, what="lifetimes table")
    return {group: ShiftedBetaGeo().fit_individual(g["periods"], g["churned"])
            for group, g in sorted(lifetimes.groupby(by), key=lambda kv: str(kv[0]))}


def churn_table(
    subscriptions: pd.DataFrame,
    *,
    observation_end,
    by: str | None = None,
    start_col: str = "start_date",
    end_col: str = "end_date",
) -> pd.DataFrame:
    """Contractual churn per calendar month: subscribers at the start, new, cancelled, and the churn rate.

    A cancellation is observed (``end_col``), so churn is counted, not inferred. Only
    months fully observed by ``observation_end`` are shown.

    Parameters
    ----------
    subscriptions : pandas.DataFrame
        One row per subscription: ``start_col``, ``end_col`` (missing while active).
    observation_end : date
        Last day observed.
    by : str, optional
        A column to split by (e.g. ``"plan"``).

    Returns
    -------
    pandas.DataFrame
        One row per (group and) month: ``month`` (first day), ``active_at_start``
        (subscriptions), ``new``, ``cancelled`` (all cancellations in the month),
        ``cancelled_of_active`` (those of subscriptions active at the start) and
        ``churn_rate`` = ``cancelled_of_active / active_at_start`` (per month; a
        subscription started and cancelled within the month is new and cancelled but
        not in the rate). To pool months, divide the sums of the last two counts.

    Examples
    --------
    >>> subs = pd.DataFrame({"start_date": pd.to_datetime(["2024-01-10", "2024-01-20", "2024-02-05"]),
    ...                      "end_date": pd.to_datetime(["2024-02-15", None, None])})
    >>> churn_table(subs, observation_end="2024-02-29")[["month", "active_at_start", "new", "cancelled", "churn_rate"]]
           month  active_at_start  new  cancelled  churn_rate
    0 2024-01-01                0    2          0         NaN
    1 2024-02-01                2    1          1         0.5
    """
    require_columns(subscriptions, {"start_col": start_col, "end_col": end_col, **({"by": by} if by else {})},
                    what="subscriptions table")
    end = as_date(observation_end, "observation_end").normalize()
    start, stop = _subscription_dates(subscriptions, start_col, end_col, end, "churn_table")
    if by is not None:
        refuse_missing(subscriptions, by, "churn_table")
    last = (end + pd.Timedelta(days=1)).to_period("M") - 1           # the last month observed in full
    months = pd.period_range(start.min().to_period("M"), last, freq="M")
    if len(months) == 0:
        raise ValueError(f"no calendar month is fully observed by observation_end {end.date()}.")
    s_m, e_m = start.dt.to_period("M"), stop.dt.to_period("M")
    groups = [(None, slice(None))] if by is None else [
        (g, (subscriptions[by] == g).to_numpy()) for g in sorted(subscriptions[by].dropna().unique(), key=str)]
    rows = []
    for g, mask in groups:
        sm, em = s_m[mask], e_m[mask]
        for m in months:
            at_start = int(((sm < m) & (em.isna() | (em >= m))).sum())
            cancelled_old = int(((sm < m) & (em == m)).sum())
            row = {"month": m.to_timestamp(), "active_at_start": at_start, "new": int((sm == m).sum()),
                   "cancelled": int((em == m).sum()), "cancelled_of_active": cancelled_old,
                   "churn_rate": cancelled_old / at_start if at_start else np.nan}
            rows.append(row if by is None else {by: g, **row})
    return pd.DataFrame(rows)


def _subscription_dates(subscriptions: pd.DataFrame, start_col: str, end_col: str, end: pd.Timestamp,
                        caller: str) -> tuple[pd.Series, pd.Series]:
    """Start and end dates as local calendar days; refuse a missing start, a start after the end of
    observation, or an end before the start, naming the rows."""
    start = pd.to_datetime(subscriptions[start_col])
    stop = pd.to_datetime(subscriptions[end_col])
    start = start.dt.tz_localize(None) if isinstance(start.dtype, pd.DatetimeTZDtype) else start
    stop = stop.dt.tz_localize(None) if isinstance(stop.dtype, pd.DatetimeTZDtype) else stop
    start, stop = start.dt.normalize(), stop.dt.normalize()
    for bad, what in ((start.isna(), f"have no {start_col!r}"),
                      (start > end, f"start after observation_end {end.date()}"),
                      (stop < start, "end before they start")):
        if bad.any():
            raise ValueError(f"{caller}: {int(bad.sum()):,} subscription(s) {what}, e.g.\n"
                             f"{subscriptions.loc[bad.to_numpy()].head(3).to_string()}")
    return start, stop

