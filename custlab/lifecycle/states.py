"""Lifecycle states: one row per customer and period, the moves between states, and a projection.

Each customer, in each period from the period of their first purchase to the period of
the end of observation, is in one state, decided by ``gap`` = whole periods since their
last purchase (0 in a period they bought in):

* ``new``: the period of the first purchase;
* ``reactivated``: they buy in the period and were ``churned`` in the period before;
* ``active``: ``gap < at_risk_after``;
* ``at_risk``: ``at_risk_after <= gap < churned_after``;
* ``churned``: ``gap >= churned_after``.

The thresholds are counted in periods (days, Monday-to-Sunday weeks or calendar months).
Moving people between states period by period gives a transition matrix; read as a
first-order Markov chain it projects the population forward (:func:`project_states`),
which :func:`holdout_projection` checks against what really happened. The states
themselves are not a Markov chain (how long a customer has been quiet matters), which is
why the check is worth making.

The per-period activity (the heavy step: a log of any length reduced to one row per
customer and active period) is one lazy query (:mod:`custlab._query`) that runs in the
engine of the input: pandas, Polars, DuckDB or Spark give the same tables. The expansion into one row per customer and period is a few vectorised numpy
operations: no library has a lifecycle-state machine, and a grid of every customer and
period followed by group-wise scans (the plain pandas way) needs several times the memory
(``benchmarks/bench_lifecycle.py``).
"""

from __future__ import annotations

from datetime import datetime

import narwhals as nw
import numpy as np
import pandas as pd

from custlab._query import open_log
from custlab.schema import require_columns
from custlab.units import as_date, normalize_unit, period_number, period_numbers, period_start

__all__ = [
    "STATES",
    "holdout_projection",
    "lifecycle_states",
    "periods_for_days",
    "project_states",
    "state_counts",
    "transition_matrix",
]

#: The lifecycle states, in the order tables and pictures show them.
STATES: tuple[str, ...] = ("new", "active", "at_risk", "churned", "reactivated")


def periods_for_days(days: float, freq: str) -> int:
    """The whole number of periods closest to ``days`` days (at least 1).

    Lets a notebook state its thresholds in days and keep them the same whatever the period.

    Examples
    --------
    >>> periods_for_days(90, "D"), periods_for_days(90, "W"), periods_for_days(90, "M")
    (90, 13, 3)
    """
    length = {"D": 1.0, "W": 7.0, "M": 365.25 / 12}[normalize_unit(freq)]
    return max(1, int(round(days / length)))

def lifecycle_states(
    transactions,
    *,
    freq: str = "M",
    at_risk_after: int = 3,
    churned_after: int = 6,
    observation_end: str | datetime | pd.Timestamp,
    customer_col: str = "customer_id",
    date_col: str = "date",
):
    """One row per customer and period, from their first purchase to the end of observation, with their state.

    Parameters
    ----------
    transactions : pandas or Polars DataFrame, Polars LazyFrame, DuckDB relation or Spark DataFrame
        A validated transaction log; ``date_col`` holds datetimes. The distinct
        (customer, period) pairs are one query in the engine that holds the log.
    freq : {"D", "W", "M"}
        Periods: days, weeks (Monday to Sunday) or calendar months.
    at_risk_after, churned_after : int
        Whole periods without a purchase after which a customer is ``at_risk``, and
        ``churned``; ``1 <= at_risk_after <= churned_after`` (equal: no ``at_risk`` state).
    observation_end : date
        Last day observed. Its period is the last row of every customer, even when
        the period is only partly observed (a month that ends after ``observation_end``
        counts as a period whose purchases so far are known). A purchase after it is an error.
    customer_col, date_col : str
        Column names.

    Returns
    -------
    DataFrame
        pandas for pandas, DuckDB and Spark input; Polars for Polars input (eager or lazy).
        ``customer_col``; ``period`` (the period's first day); ``state`` (categorical,
        in the order of :data:`STATES`). Sorted by customer and period.

    Raises
    ------
    ValueError
        Unknown period, thresholds out of order, missing ids or dates, a date column
        that is not datetime, no rows, or purchases after ``observation_end``.

    Examples
    --------
    >>> import pandas as pd
    >>> tx = pd.DataFrame({"customer_id": [1, 1], "date": pd.to_datetime(["2024-01-10", "2024-05-02"])})
    >>> s = lifecycle_states(tx, at_risk_after=1, churned_after=3, observation_end="2024-06-30")
    >>> s["state"].tolist()
    ['new', 'at_risk', 'at_risk', 'churned', 'reactivated', 'at_risk']
    """
    code = normalize_unit(freq)
    _check_thresholds(at_risk_after, churned_after)
    bought, bought_period, end_period = _activity(transactions, code, observation_end, customer_col, date_col,
                                                  "lifecycle_states")
    ids, period, state = _expand_states(bought, bought_period, end_period, at_risk_after, churned_after)
    low = int(period.min())
    dates = period_start(np.arange(low, int(period.max()) + 1), code)   # a few distinct periods, looked up
    return _frame_like(transactions, {customer_col: ids, "period": dates[period - low], "state": state})


def _check_thresholds(at_risk_after, churned_after) -> None:
    for name, value in (("at_risk_after", at_risk_after), ("churned_after", churned_after)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name}={value!r}: give a whole number of periods, at least 1.")
    if churned_after < at_risk_after:
        raise ValueError(f"churned_after={churned_after} is less than at_risk_after={at_risk_after}: "
                         "a customer is at risk before they are churned, so churned_after >= at_risk_after.")


def _activity(transactions, code, observation_end, customer_col, date_col, caller):
    """The periods each customer bought in.

    Returns ``(ids per row, period per row, end period)`` where rows are the distinct
    (customer, period) pairs sorted by customer and period.
    """
    end = as_date(observation_end, "observation_end")
    log = open_log(transactions, {"customer_col": customer_col, "date_col": date_col}, caller=caller,
                   dates=date_col, late_after=end, reserved=frozenset({"_p"}))
    # One query in the engine that holds the log: period numbers, the distinct pairs, sorted.
    query = (log.frame.select(nw.col(customer_col), period_number(nw.col(date_col), code).cast(nw.Int32).alias("_p"))
             .unique([customer_col, "_p"]).sort(customer_col, "_p"))
    act = query.collect("polars") if log.kind in ("pandas", "polars", "polars-lazy") else query.collect()
    ids = act.get_column(customer_col).to_numpy()
    period = act.get_column("_p").to_numpy().astype(np.int64)
    return ids, period, int(period_numbers(end, code)[0])


def _expand_states(ids, period, end_period, at_risk_after, churned_after):
    """From the distinct (customer, period) purchases to one row per customer and period with its state.

    Each purchase period starts a run of rows up to the next purchase period (or the end);
    ``gap`` counts the rows of the run. Returns ids, period numbers and state codes
    (positions in :data:`STATES`).
    """
    n = ids.size
    first = np.ones(n, dtype=bool)
    first[1:] = ids[1:] != ids[:-1]
    nxt = np.empty(n, dtype=np.int64)
    nxt[:-1] = period[1:]
    nxt[np.r_[first[1:], True]] = end_period + 1
    length = nxt - period                                   # rows from this purchase period to the next
    prev_gap = np.zeros(n, dtype=np.int64)                  # the gap in the period before this purchase
    prev_gap[1:] = period[1:] - period[:-1] - 1
    buy_state = np.where(first, 0, np.where(prev_gap >= churned_after, 4, 1)).astype(np.int8)
    total = int(length.sum())
    starts = np.cumsum(length) - length
    row = np.repeat(np.arange(n, dtype=np.int32 if n < 2**31 else np.int64), length)
    gap = np.arange(total, dtype=np.int64)
    gap -= starts[row]
    # The state of a quiet period depends on the gap only: a lookup table indexed by min(gap, churned_after).
    lookup = np.array([1] * at_risk_after + [2] * (churned_after - at_risk_after) + [3], dtype=np.int8)
    state = lookup[np.minimum(gap, churned_after)]
    state[starts] = buy_state                               # the purchase periods
    gap += period[row]
    return ids[row], gap, state


def _frame_like(like, columns: dict):
    """A frame of the library of ``like``; ``period`` numbers become dates, ``state`` codes categories.

    pandas gives pandas and Polars (eager or lazy) gives an eager Polars frame; a DuckDB relation or
    a Spark DataFrame gives pandas, since the rows are made here, not in the engine.
    """
    data = dict(columns)
    codes = data.pop("state")
    import polars as pl

    if isinstance(like, (pl.DataFrame, pl.LazyFrame)):
        data["state"] = pl.Series(values=list(STATES), dtype=pl.Enum(list(STATES))).gather(codes)
        return pl.DataFrame(data)
    data["state"] = pd.Categorical.from_codes(codes, categories=list(STATES), ordered=True)
    return pd.DataFrame(data, copy=False)


def _states_pandas(states, customer_col: str) -> pd.DataFrame:
    df = nw.from_native(states, eager_only=True)
    require_columns(df.to_native(), {"customer_col": customer_col, "period": "period", "state": "state"},
                    what="table of states")
    out = df.select(customer_col, "period", "state").to_pandas().copy()
    state = out["state"]
    found = state.cat.categories if isinstance(state.dtype, pd.CategoricalDtype) else state.unique()
    unknown = set(map(str, found)) - set(STATES)
    if unknown:
        raise ValueError(f"states holds {sorted(unknown)}, which are not lifecycle states {list(STATES)}.")
    if isinstance(state.dtype, pd.CategoricalDtype):
        out["state"] = state.cat.set_categories(list(STATES), ordered=True)
    else:
        out["state"] = pd.Categorical(state, categories=STATES, ordered=True)
    return out


def state_counts(states, *, customer_col: str = "customer_id") -> pd.DataFrame:
    """Customers in each state, per period: one row per period, one column per state (customers).

    Examples
    --------
    >>> import pandas as pd
    >>> tx = pd.DataFrame({"customer_id": [1, 2], "date": pd.to_datetime(["2024-01-10", "2024-02-02"])})
    >>> state_counts(lifecycle_states(tx, observation_end="2024-02-29")).to_dict("list")
    {'new': [1, 1], 'active': [0, 1], 'at_risk': [0, 0], 'churned': [0, 0], 'reactivated': [0, 0]}
    """
    df = _states_pandas(states, customer_col)
    table = pd.crosstab(df["period"], df["state"], dropna=False).reindex(columns=list(STATES), fill_value=0)
    table.columns = pd.Index(list(STATES), name="state")
    return table.astype(np.int64)


def transition_matrix(states, *, normalize: bool = True, until=None,
                      customer_col: str = "customer_id") -> pd.DataFrame:
    """Moves between states from one period to the next: counts, or the share of each row.

    Parameters
    ----------
    states : DataFrame
        From :func:`lifecycle_states`.
    normalize : bool
        True: each row holds the probabilities of moving from that state to each
        state in the next period (rows sum to 1; a state never left is a row of NaN).
        False: the number of moves (customer-periods).
    until : date, optional
        Count only moves into periods that start on or before this date (to estimate
        the matrix on a calibration period).

    Returns
    -------
    pandas.DataFrame
        Rows ``from`` state, columns ``to`` state, in the order of :data:`STATES`.

    Examples
    --------
    >>> import pandas as pd
    >>> tx = pd.DataFrame({"customer_id": [1, 1], "date": pd.to_datetime(["2024-01-10", "2024-03-02"])})
    >>> s = lifecycle_states(tx, at_risk_after=1, churned_after=2, observation_end="2024-03-31")
    >>> transition_matrix(s, normalize=False).loc[["new", "at_risk"], ["at_risk", "active"]]
    to       at_risk  active
    from                    
    new            1       0
    at_risk        0       1
    """
    df = _states_pandas(states, customer_col).sort_values([customer_col, "period"], kind="stable")
    twice = df.duplicated([customer_col, "period"])
    if twice.any():
        raise ValueError(f"transition_matrix: {int(twice.sum()):,} (customer, period) row(s) appear twice, e.g.\n"
                         f"{df.loc[twice].head(3).to_string()}\nPass the table of lifecycle_states once.")
    same = (df[customer_col].to_numpy()[1:] == df[customer_col].to_numpy()[:-1])
    codes = pd.Categorical(df["state"])
    frm, to = codes[:-1][same], codes[1:][same]
    if until is not None:
        keep = df["period"].to_numpy()[1:][same] <= np.datetime64(as_date(until, "until"))
        frm, to = frm[keep], to[keep]
    k = len(STATES)
    flat = np.bincount(frm.codes.astype(np.int64) * k + to.codes, minlength=k * k)
    counts = pd.DataFrame(flat.reshape(k, k), index=pd.Index(STATES, name="from"),
                          columns=pd.Index(STATES, name="to")).astype(np.int64)
    if not normalize:
        return counts
    total = counts.sum(axis=1)
    return counts.div(total.where(total > 0), axis=0)


def project_states(matrix: pd.DataFrame, start, periods: int) -> pd.DataFrame:
    """Project a population forward as a Markov chain: expected customers in each state, period by period.

    Parameters
    ----------
    matrix : pandas.DataFrame
        Row probabilities from :func:`transition_matrix` (counts are normalised).
        A state whose row is empty (no moves out of it were observed) keeps its
        customers: it is treated as absorbing.
    start : mapping or pandas.Series
        Customers in each state at step 0 (states left out count 0).
    periods : int
        Steps to project.

    Returns
    -------
    pandas.DataFrame
        Index ``step`` (0 to ``periods``, in periods), one column per state (expected customers).

    Examples
    --------
    >>> import pandas as pd
    >>> m = pd.DataFrame([[0.5, 0.5], [0.0, 1.0]], index=["active", "churned"], columns=["active", "churned"])
    >>> project_states(m, {"active": 100}, 2)["churned"].tolist()
    [0.0, 50.0, 75.0]
    """
    if isinstance(periods, bool) or not isinstance(periods, (int, np.integer)) or periods < 0:
        raise ValueError(f"periods={periods!r}: give a whole number of periods, 0 or more.")
    labels = list(matrix.index)
    if list(matrix.columns) != labels:
        raise ValueError("matrix: rows and columns must name the same states in the same order.")
    p = matrix.to_numpy(dtype=float)
    sums = np.nansum(p, axis=1)
    empty = np.isnan(p).all(axis=1) | (sums == 0)
    if (p[~empty] < 0).any():
        raise ValueError("matrix holds negative values.")
    p = np.where(empty[:, None], 0.0, np.nan_to_num(p) / np.where(sums > 0, sums, 1)[:, None])
    start = pd.Series(start, dtype=float)
    extra = set(start.index) - set(labels)
    if extra:
        raise ValueError(f"start names states not in the matrix: {sorted(extra)}.")
    x = start.reindex(labels, fill_value=0.0).to_numpy()
    if (x < 0).any():
        raise ValueError("start holds a negative number of customers.")
    p[empty, np.flatnonzero(empty)] = 1.0
    rows = [x]
    for _ in range(periods):
        rows.append(rows[-1] @ p)
    return pd.DataFrame(rows, columns=pd.Index(labels, name="state"),
                        index=pd.RangeIndex(periods + 1, name="step"))


def holdout_projection(states, *, cutoff, periods: int | None = None,
                       customer_col: str = "customer_id") -> pd.DataFrame:
    """Project the customers known at ``cutoff`` forward and set the projection beside what happened.

    The matrix is estimated on moves into periods up to the one holding ``cutoff``;
    the start is the state of every customer in that period; customers acquired
    later are left out of both sides. ``periods``: steps to project (default: every
    period after the cutoff's).

    Returns
    -------
    pandas.DataFrame
        One row per step (1 to ``periods``) and state: ``step``, ``period`` (first
        day), ``state``, ``projected`` and ``actual`` (customers), ``error`` (projected
        minus actual, customers).

    Examples
    --------
    >>> import pandas as pd
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 2, 3],
    ...                    "date": pd.to_datetime(["2024-01-05", "2024-02-05", "2024-01-09", "2024-02-20"])})
    >>> s = lifecycle_states(tx, at_risk_after=1, churned_after=2, observation_end="2024-03-31")
    >>> holdout_projection(s, cutoff="2024-02-15", periods=1)[["state", "projected", "actual"]].iloc[1:4]
         state  projected  actual
    1   active        1.5       0
    2  at_risk        1.5       2
    3  churned        0.0       1
    """
    df = _states_pandas(states, customer_col)
    when = as_date(cutoff, "cutoff")
    at = df.loc[df["period"] <= when, "period"].max()
    if pd.isna(at):
        raise ValueError(f"cutoff {when.date()} is before the first period in states ({df['period'].min().date()}).")
    later = np.sort(df.loc[df["period"] > at, "period"].unique())
    if periods is None:
        periods = len(later)
    if len(later) < periods or periods < 1:
        raise ValueError(f"only {len(later)} period(s) follow the cutoff's period ({at.date()}); "
                         f"periods={periods} asks for more. Move the cutoff earlier or ask for fewer.")
    known = df.loc[df["period"] == at]
    matrix = transition_matrix(df[df[customer_col].isin(known[customer_col])], until=at, customer_col=customer_col)
    start = known["state"].value_counts().reindex(list(STATES), fill_value=0)
    projected = project_states(matrix, start, periods).iloc[1:]
    followed = df[df[customer_col].isin(known[customer_col]) & df["period"].isin(later[:periods])]
    actual = pd.crosstab(followed["period"], followed["state"], dropna=False).reindex(
        index=later[:periods], columns=list(STATES), fill_value=0)
    rows = []
    for step, period in enumerate(later[:periods], start=1):
        for s in STATES:
            rows.append((step, pd.Timestamp(period), s, float(projected.loc[step, s]), int(actual.loc[period, s])))
    out = pd.DataFrame(rows, columns=["step", "period", "state", "projected", "actual"])
    out["error"] = out["projected"] - out["actual"]
    return out
