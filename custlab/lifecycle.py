"""The customer lifecycle, measured two ways: a state per customer and period, and a funnel.

**Lifecycle states.** Each customer, in each period from the period of their first
purchase to the period of the end of observation, is in one state, decided by
``gap`` = whole periods since their last purchase (0 in a period they bought in):

* ``new``: the period of the first purchase;
* ``reactivated``: they buy in the period and were ``churned`` in the period before;
* ``active``: ``gap < at_risk_after``;
* ``at_risk``: ``at_risk_after <= gap < churned_after``;
* ``churned``: ``gap >= churned_after``.

The thresholds are counted in periods (days, Monday-to-Sunday weeks or calendar
months). Moving people between states period by period gives a transition matrix;
read as a first-order Markov chain it projects the population forward
(:func:`project_states`), which :func:`holdout_projection` checks against what
really happened. The states themselves are not a Markov chain (how long a customer
has been quiet matters), which is why the check is worth making.

**The funnel** (awareness, consideration, purchase, retention, advocacy) is
computed from a touchpoint log: the share of people who reached each stage, with
95 % Wilson intervals (scipy), the conversion from one stage to the next, and the
median time between stages. See :func:`funnel`.

The per-period activity (the heavy step: a log of any length reduced to one row per
customer and active period) and the funnel's per-person times are written with
narwhals, so pandas and Polars frames give the same tables. The expansion of the
activity into one row per customer and period is a few vectorised numpy operations:
no library has a lifecycle-state machine, and a grid of every customer and period
followed by group-wise scans (the plain pandas way) needs several times the memory.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import narwhals as nw
import numpy as np
import pandas as pd
from scipy import stats

from custlab.schema import require_columns, require_complete
from custlab.units import _MS_PER_DAY, normalize_unit, unit_label, wall_clock

__all__ = [
    "STATES",
    "Stage",
    "DEFAULT_STAGES",
    "lifecycle_states",
    "state_counts",
    "transition_matrix",
    "project_states",
    "holdout_projection",
    "churn_label_tradeoff",
    "periods_for_days",
    "funnel_times",
    "funnel",
    "survey_events",
    "purchase_events",
]

#: The lifecycle states, in the order tables and pictures show them.
STATES: tuple[str, ...] = ("new", "active", "at_risk", "churned", "reactivated")


# --------------------------------------------------------------------------- periods

def _period_number(expr: nw.Expr, freq: str) -> nw.Expr:
    """Whole period number of a datetime: days since 1970-01-01, Monday weeks, or 12 * year + month - 1."""
    if freq == "M":
        return expr.dt.year() * 12 + expr.dt.month() - 1
    day = expr.dt.timestamp("ms") // _MS_PER_DAY
    return day if freq == "D" else (day + 3) // 7      # 1970-01-01 was a Thursday: weeks start on Monday


def _period_start(number: np.ndarray, freq: str) -> np.ndarray:
    """First day of each period number, as datetime64[ns]."""
    number = np.asarray(number, dtype=np.int64)
    if freq == "M":
        return (number - 1970 * 12).astype("datetime64[M]").astype("datetime64[ns]")
    days = number if freq == "D" else number * 7 - 3
    return days.astype("datetime64[D]").astype("datetime64[ns]")


def _scalar_period(ts: pd.Timestamp, freq: str) -> int:
    frame = nw.from_native(pd.DataFrame({"t": [ts]}), eager_only=True)
    return int(frame.select(_period_number(nw.col("t"), freq)).item())


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


def _timestamp(value, name: str) -> pd.Timestamp:
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name}={value!r} is not a date; use e.g. '2024-12-31'.") from None
    if ts is pd.NaT:
        raise ValueError(f"{name} is missing; give a date, e.g. '2024-12-31'.")
    return ts.tz_localize(None) if ts.tzinfo is not None else ts


def _eager(frame, caller: str, what: str):
    try:
        return nw.from_native(frame, eager_only=True)
    except TypeError:
        raise TypeError(f"{caller} takes a pandas or Polars DataFrame as {what}, "
                        f"got {type(frame).__name__}.") from None


def _require_datetime(df, col: str, caller: str) -> None:
    dtype = df.schema[col]
    if not isinstance(dtype, (nw.Datetime, nw.Date)) and dtype not in (nw.Datetime, nw.Date):
        raise ValueError(f"{caller}: column {col!r} holds {dtype}, not dates. "
                         "Run custlab.validate_transactions first: it parses dates and reports bad rows.")


def _wall_clock(df, col: str):
    dtype = df.schema[col]
    if isinstance(dtype, nw.Datetime) and dtype.time_zone is not None:
        return df.with_columns(nw.col(col).dt.replace_time_zone(None))
    return df


# --------------------------------------------------------------------------- states

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
    transactions : pandas or Polars DataFrame
        A validated transaction log; ``date_col`` holds datetimes.
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
    DataFrame (same library as the input)
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
    dates = _period_start(np.arange(low, int(period.max()) + 1), code)   # a few distinct periods, looked up
    return _frame_like(transactions, {customer_col: ids, "period": dates[period - low], "state": state})


def _check_thresholds(at_risk_after, churned_after) -> None:
    for name, value in (("at_risk_after", at_risk_after), ("churned_after", churned_after)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name}={value!r}: give a whole number of periods, at least 1.")
    if churned_after < at_risk_after:
        raise ValueError(f"churned_after={churned_after} is less than at_risk_after={at_risk_after}: "
                         "a customer is at risk before they are churned, so churned_after >= at_risk_after.")


def _activity(transactions, code, observation_end, customer_col, date_col, caller):
    """The periods each customer bought in: (sorted ids, start of each id's rows, period numbers), plus the end.

    Returns ``(ids per row, period per row, end period)`` where rows are the distinct
    (customer, period) pairs sorted by customer and period.
    """
    transactions = wall_clock(transactions, [date_col])
    df = _eager(transactions, caller, "the transaction log")
    require_columns(df.to_native(), {"customer_col": customer_col, "date_col": date_col}, what="transaction log")
    if df.shape[0] == 0:
        raise ValueError(f"{caller}: the transaction log has no rows.")
    _require_datetime(df, date_col, caller)
    require_complete(transactions, {"customer_col": customer_col, "date_col": date_col}, caller=caller)
    end = _timestamp(observation_end, "observation_end")
    df = _wall_clock(df.select(customer_col, date_col), date_col)
    late = df.filter(nw.col(date_col) >= nw.lit(end.normalize() + pd.Timedelta(days=1)))
    if late.shape[0]:
        raise ValueError(f"{caller}: {late.shape[0]:,} purchase(s) are dated after observation_end {end.date()}, "
                         f"e.g. {late.head(3).rows(named=True)}. Move observation_end, or validate with "
                         "validate_transactions(..., observation_end=...) to reject them.")
    # One query: Polars plans the period numbers, the de-duplication and the sort together.
    act = (df.lazy().select(nw.col(customer_col), _period_number(nw.col(date_col), code).cast(nw.Int32).alias("_p"))
           .unique([customer_col, "_p"]).sort(customer_col, "_p").collect())
    ids = act.get_column(customer_col).to_numpy()
    period = act.get_column("_p").to_numpy().astype(np.int64)
    return ids, period, _scalar_period(end, code)


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
    """A frame of the same library as ``like``; ``period`` numbers become dates, ``state`` codes categories."""
    data = dict(columns)
    codes = data.pop("state")
    native = nw.get_native_namespace(nw.from_native(like, eager_only=True))
    if native is pd:
        data["state"] = pd.Categorical.from_codes(codes, categories=list(STATES), ordered=True)
        return pd.DataFrame(data, copy=False)
    if native.__name__ == "polars":
        data["state"] = native.Series(values=list(STATES), dtype=native.Enum(list(STATES))).gather(codes)
        return native.DataFrame(data)
    labels = np.asarray(STATES, dtype=object)[codes]
    out = nw.from_dict(data, backend=native)
    return out.with_columns(nw.new_series("state", labels, nw.String, backend=native).cast(nw.Enum(STATES))
                            ).to_native()


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


# --------------------------------------------------------------------------- transitions

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
    same = (df[customer_col].to_numpy()[1:] == df[customer_col].to_numpy()[:-1])
    codes = pd.Categorical(df["state"])
    frm, to = codes[:-1][same], codes[1:][same]
    if until is not None:
        keep = df["period"].to_numpy()[1:][same] <= np.datetime64(_timestamp(until, "until"))
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
    when = _timestamp(cutoff, "cutoff")
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


# --------------------------------------------------------------------------- churn label vs truth

def churn_label_tradeoff(
    transactions,
    dropouts: pd.DataFrame | None = None,
    *,
    thresholds: Sequence[int],
    observation_end,
    as_of=None,
    freq: str = "M",
    customer_col: str = "customer_id",
    date_col: str = "date",
    dropout_col: str = "dropout_date",
) -> pd.DataFrame:
    """How good the ``churned`` label is, threshold by threshold: against later purchases, and against the truth.

    For each ``churned_after`` in ``thresholds``, the state of every customer of
    :func:`lifecycle_states` is read in the period holding ``as_of`` (which sees that
    whole period's purchases); customers whose first purchase is later are left out.

    * ``labelled_churned``: customers labelled churned in that period;
    * ``bought_again_share``: the share of them who bought in a later period up to
      ``observation_end`` (a false alarm anyone can see in the data; missing when
      ``as_of`` is in the last period);

    and, with ``dropouts`` (the truth, e.g. ``world.truth.customers``):

    * ``false_alarm_share``: the share of the labelled who had not dropped out by the
      end of the ``as_of`` period;
    * ``dropped_out``: customers who had really stopped by then;
    * ``detected_share``: the share of those labelled churned;
    * ``median_delay_<unit>``: among the detected, the median number of periods from
      the period of the dropout to the first period of the churned spell (0 when the
      label came first).

    Parameters
    ----------
    dropouts : pandas.DataFrame, optional
        ``customer_col`` and ``dropout_col`` (the date a customer stopped for good;
        missing while alive). Customers of the log missing here are an error.
    thresholds : sequence of int
        Values of ``churned_after`` (periods) to compare.
    as_of : date, optional
        When the labels are read; default ``observation_end``.

    Examples
    --------
    >>> import pandas as pd
    >>> tx = pd.DataFrame({"customer_id": [1, 2, 2], "date": pd.to_datetime(["2024-01-05", "2024-01-09", "2024-06-01"])})
    >>> truth = pd.DataFrame({"customer_id": [1, 2], "dropout_date": pd.to_datetime(["2024-01-05", None])})
    >>> churn_label_tradeoff(tx, truth, thresholds=[2, 6], observation_end="2024-06-30", as_of="2024-04-30")[
    ...     ["labelled_churned", "bought_again_share", "false_alarm_share", "detected_share"]]
       labelled_churned  bought_again_share  false_alarm_share  detected_share
    0                 2                 0.5                0.5             1.0
    1                 0                 NaN                NaN             0.0
    """
    code = normalize_unit(freq)
    thresholds = [int(t) for t in thresholds]
    if not thresholds:
        raise ValueError("thresholds is empty: give the values of churned_after to compare, e.g. [2, 3, 6].")
    for c in thresholds:
        _check_thresholds(c, c)
    end = _timestamp(observation_end, "observation_end")
    when = end if as_of is None else _timestamp(as_of, "as_of")
    if when > end:
        raise ValueError(f"as_of {when.date()} is after observation_end {end.date()}.")
    ids, period, end_period = _activity(transactions, code, end, customer_col, date_col, "churn_label_tradeoff")
    at = _scalar_period(when, code)
    upto = period <= at
    new_id = np.r_[True, ids[1:] != ids[:-1]]
    customers_all = ids[new_id]
    group = np.cumsum(new_id) - 1
    known = np.zeros(customers_all.size, dtype=bool)
    known[group[upto]] = True
    if not known.any():
        raise ValueError(f"as_of {when.date()} is before the first purchase in the log.")
    last_buy = np.full(customers_all.size, np.iinfo(np.int64).min, dtype=np.int64)
    np.maximum.at(last_buy, group[upto], period[upto])
    later = np.zeros(customers_all.size, dtype=bool)
    later[group[period > at]] = True
    customers, last_buy, later = customers_all[known], last_buy[known], later[known]
    dropped = drop_period = None
    if dropouts is not None:
        require_columns(dropouts, {"customer_col": customer_col, "dropout_col": dropout_col},
                        what="table of dropouts")
        truth = pd.Series(pd.to_datetime(dropouts[dropout_col]).to_numpy(), index=dropouts[customer_col].to_numpy())
        missing = pd.Index(customers).difference(truth.index)
        if len(missing):
            raise ValueError(f"{len(missing):,} customer(s) of the log are not in dropouts, e.g. {list(missing[:3])}.")
        drop = truth.reindex(customers)
        drop_period = np.full(customers.size, np.iinfo(np.int64).max, dtype=np.int64)
        has = drop.notna().to_numpy()
        if has.any():
            frame = nw.from_native(pd.DataFrame({"t": drop[has].to_numpy()}), eager_only=True)
            drop_period[has] = frame.select(_period_number(nw.col("t"), code)).get_column("t").to_numpy()
        dropped = (drop_period <= at) & (drop <= end).to_numpy()
    unit = unit_label(code)
    rows = []
    for c in thresholds:
        # The state machine's rule, read in the as_of period: churned when gap >= c, the spell starting at last + c.
        labelled = (at - last_buy) >= c
        n_lab = int(labelled.sum())
        row = {"churned_after": c, "labelled_churned": n_lab,
               "bought_again_share": (int((labelled & later).sum()) / n_lab if n_lab and at < end_period
                                      else np.nan)}
        if dropped is not None:
            caught = labelled & dropped
            n_drop = int(dropped.sum())
            delay = np.maximum(last_buy[caught] + c - drop_period[caught], 0)
            row.update({
                "false_alarm_share": int((labelled & ~dropped).sum()) / n_lab if n_lab else np.nan,
                "dropped_out": n_drop,
                "detected_share": int(caught.sum()) / n_drop if n_drop else np.nan,
                f"median_delay_{unit}": float(np.median(delay)) if delay.size else np.nan,
            })
        rows.append(row)
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- funnel

@dataclass(frozen=True)
class Stage:
    """A funnel stage: reached at the ``occurrence``-th event of one of ``events``.

    In an ordered funnel the events are counted from the moment the previous stage
    was reached (that moment included), so the default retention stage,
    ``Stage(("purchase",), occurrence=2)``, is the first purchase after the one that
    reached the purchase stage.
    """

    events: tuple[str, ...]
    occurrence: int = 1

    def __post_init__(self):
        events = (self.events,) if isinstance(self.events, str) else tuple(self.events)
        if not events or not all(isinstance(e, str) for e in events):
            raise ValueError(f"Stage events must be event type names, got {self.events!r}.")
        if isinstance(self.occurrence, bool) or not isinstance(self.occurrence, (int, np.integer)) \
                or self.occurrence < 1:
            raise ValueError(f"Stage occurrence must be a whole number, at least 1, got {self.occurrence!r}.")
        object.__setattr__(self, "events", events)


#: The five stages of the lifecycle funnel, as the simulated company's touchpoints name them.
DEFAULT_STAGES: dict[str, Stage] = {
    "awareness": Stage(("ad_impression", "visit")),
    "consideration": Stage(("product_view", "add_to_cart")),
    "purchase": Stage(("purchase",)),
    "retention": Stage(("purchase",), occurrence=2),
    "advocacy": Stage(("review", "referral", "nps_promoter")),
}


def _stages(stages) -> dict[str, Stage]:
    if stages is None:
        return dict(DEFAULT_STAGES)
    if not isinstance(stages, Mapping) or not stages:
        raise ValueError("stages must be a non-empty mapping of stage name to event types, "
                         "e.g. {'visit': ['visit'], 'purchase': ['purchase']}.")
    return {str(k): v if isinstance(v, Stage) else Stage(v) for k, v in stages.items()}


def _window_ms(window) -> int | None:
    if window is None:
        return None
    try:
        td = pd.Timedelta(window)
    except (TypeError, ValueError):
        raise ValueError(f"window={window!r} is not a length of time; use e.g. '90D' or pd.Timedelta(days=90).") \
            from None
    if td <= pd.Timedelta(0):
        raise ValueError(f"window={window!r} must be positive.")
    return int(td / pd.Timedelta(milliseconds=1))


def survey_events(surveys: pd.DataFrame, *, score_col: str = "nps", date_col: str = "date",
                  customer_col: str = "customer_id") -> pd.DataFrame:
    """Survey answers as touchpoints: ``nps_promoter`` (9-10), ``nps_passive`` (7-8), ``nps_detractor`` (0-6).

    Returns ``customer_id, timestamp, event_type, channel`` ("survey"), ready to be
    added to a touchpoint log so that a promoter's answer can count as advocacy.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"customer_id": [1, 2], "date": pd.to_datetime(["2024-01-05"] * 2), "nps": [10, 6]})
    >>> survey_events(s)["event_type"].tolist()
    ['nps_promoter', 'nps_detractor']
    """
    require_columns(surveys, {"customer_col": customer_col, "date_col": date_col, "score_col": score_col},
                    what="survey table")
    score = pd.to_numeric(surveys[score_col], errors="coerce")
    bad = score.isna() | (score < 0) | (score > 10) | (score != score.round())
    if bad.any():
        raise ValueError(f"{int(bad.sum())} survey row(s) hold a score that is not a whole number from 0 to 10, "
                         f"e.g.\n{surveys.loc[bad].head(3).to_string()}")
    kind = np.where(score >= 9, "nps_promoter", np.where(score >= 7, "nps_passive", "nps_detractor"))
    return pd.DataFrame({customer_col: surveys[customer_col].to_numpy(),
                         "timestamp": pd.to_datetime(surveys[date_col]).to_numpy(),
                         "event_type": kind, "channel": "survey"})


def purchase_events(transactions, *, customer_col: str = "customer_id", date_col: str = "date",
                    merge_same_day: bool = True) -> pd.DataFrame:
    """A transaction log as touchpoints (``event_type`` "purchase"), for a funnel of purchases only.

    With ``merge_same_day`` the purchases of one customer on one day are one event (the
    convention of the published CDNOW studies).

    Examples
    --------
    >>> import pandas as pd
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 1], "date": pd.to_datetime(["2024-01-05", "2024-01-05", "2024-02-01"])})
    >>> len(purchase_events(tx)), len(purchase_events(tx, merge_same_day=False))
    (2, 3)
    """
    require_columns(transactions, {"customer_col": customer_col, "date_col": date_col}, what="transaction log")
    frame = nw.from_native(transactions, eager_only=True).select(customer_col, date_col).to_pandas()
    when = pd.to_datetime(frame[date_col])
    if merge_same_day:
        frame = frame.assign(**{date_col: when.dt.normalize()}).drop_duplicates([customer_col, date_col])
        when = frame[date_col]
    return pd.DataFrame({customer_col: frame[customer_col].to_numpy(), "timestamp": when.to_numpy(),
                         "event_type": "purchase", "channel": "purchase"}).reset_index(drop=True)


def funnel_times(events, *, stages=None, window=None, ordered: bool = True, by: str | None = None,
                 customer_col: str = "customer_id", time_col: str = "timestamp",
                 event_col: str = "event_type"):
    """When each person reached each funnel stage: one row per person in ``events``.

    Columns: ``customer_col``; ``by`` (the value on the person's first event) when given;
    ``entry`` (their first event of any kind); one column per stage (the time it was
    reached, missing when it was not). See :func:`funnel` for the parameters.

    Examples
    --------
    >>> import pandas as pd
    >>> ev = pd.DataFrame({"customer_id": [1, 1, 1], "event_type": ["add_to_cart", "visit", "purchase"],
    ...                    "timestamp": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03"])})
    >>> t = funnel_times(ev, stages={"awareness": ["visit"], "consideration": ["add_to_cart"], "purchase": ["purchase"]})
    >>> t[["awareness", "consideration", "purchase"]].notna().to_numpy().tolist()
    [[True, False, False]]
    """
    stage_map = _stages(stages)
    events = wall_clock(events, [time_col])
    df = _eager(events, "funnel", "events")
    require_columns(df.to_native(), {"customer_col": customer_col, "time_col": time_col, "event_col": event_col,
                                     **({"by": by} if by is not None else {})}, what="event log")
    if df.shape[0] == 0:
        raise ValueError("funnel: the event log has no rows.")
    _require_datetime(df, time_col, "funnel")
    require_complete(events, {"customer_col": customer_col, "time_col": time_col, "event_col": event_col},
                     caller="funnel")
    known = set(df.get_column(event_col).unique().to_list())
    wanted = {e for s in stage_map.values() for e in s.events}
    if not wanted & known:
        raise ValueError(f"funnel: none of the stages' event types {sorted(wanted)} occur in column {event_col!r}, "
                         f"which holds {sorted(map(str, known))[:12]}. Pass stages= with your event names.")
    cols = [customer_col, time_col, event_col] + ([by] if by is not None and by not in (customer_col,) else [])
    df = _wall_clock(df.select(cols), time_col).with_columns(_t=nw.col(time_col).dt.timestamp("ms"))
    entry_aggs = [nw.col("_t").min().alias("_entry")]
    people = df.group_by(customer_col).agg(*entry_aggs)
    if by is not None:
        first = (df.join(people, on=customer_col).filter(nw.col("_t") == nw.col("_entry"))
                 .sort(customer_col, "_t", by).unique([customer_col], keep="first", order_by=["_t", by])
                 .select(customer_col, by))
        people = people.join(first, on=customer_col)
    limit = _window_ms(window)
    if limit is not None:
        df = df.join(people.select(customer_col, "_entry"), on=customer_col).filter(
            nw.col("_t") <= nw.col("_entry") + limit).drop("_entry")
    reached = people
    previous = None
    for name, stage in stage_map.items():
        cand = df.filter(nw.col(event_col).is_in(list(stage.events))).select(customer_col, "_t")
        if ordered and previous is not None:
            cand = cand.join(reached.select(customer_col, previous).filter(~nw.col(previous).is_null()),
                             on=customer_col).filter(nw.col("_t") >= nw.col(previous)).select(customer_col, "_t")
        if stage.occurrence > 1:
            cand = cand.with_columns(_k=nw.col("_t").rank("ordinal").over(customer_col)).filter(
                nw.col("_k") == stage.occurrence)
        got = cand.group_by(customer_col).agg(nw.col("_t").min().alias(name))
        reached = reached.join(got, on=customer_col, how="left")
        previous = name
    ms = nw.Datetime("ms")
    reached = reached.rename({"_entry": "entry"}).with_columns(
        *[nw.col(c).cast(ms) for c in ["entry", *stage_map]]).sort(customer_col)
    order = [customer_col] + ([by] if by is not None else []) + ["entry", *stage_map]
    out = reached.select(order).to_native()
    return out.reset_index(drop=True) if isinstance(out, pd.DataFrame) else out


def _wilson(k: np.ndarray, n: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    lo, hi = np.full(k.size, np.nan), np.full(k.size, np.nan)
    for i, (ki, ni) in enumerate(zip(k, n)):
        if ni > 0:
            ci = stats.binomtest(int(ki), int(ni)).proportion_ci(confidence, method="wilson")
            lo[i], hi[i] = ci.low, ci.high
    return lo, hi


def funnel(events, *, stages=None, window=None, by: str | None = None, ordered: bool = True,
           confidence: float = 0.95, customer_col: str = "customer_id", time_col: str = "timestamp",
           event_col: str = "event_type") -> pd.DataFrame:
    """The share of people who reached each lifecycle stage, with intervals, step conversion and time between stages.

    Parameters
    ----------
    events : pandas or Polars DataFrame
        A touchpoint log: ``customer_col``, ``time_col`` (datetimes), ``event_col``.
        Everyone in it is counted among the people (the funnel's base).
    stages : mapping, optional
        Stage name to a :class:`Stage` or to the event types that reach it, in funnel
        order. Default :data:`DEFAULT_STAGES` (awareness, consideration, purchase,
        retention, advocacy).
    window : timedelta or str, optional
        Count only events within this time of each person's first event ("90D").
    by : str, optional
        A column of ``events``; each person is grouped by its value on their first event
        (with the simulated company's log, ``"channel"`` is the acquisition channel).
    ordered : bool
        True: a stage counts only when reached at or after the previous stage. False:
        any qualifying event counts, in any order.
    confidence : float
        Level of the Wilson intervals.

    Returns
    -------
    pandas.DataFrame
        One row per (group and) stage: ``stage``, ``people`` (the base), ``reached``,
        ``share`` with ``share_low`` and ``share_high``; ``step_conversion`` (the share
        of those who reached the previous stage who also reached this one) with
        ``step_low`` and ``step_high``; ``median_days_from_previous`` (days between
        reaching the previous stage and this one, for those who reached both; it can be
        negative in an unordered funnel).

    Examples
    --------
    >>> import pandas as pd
    >>> ev = pd.DataFrame({"customer_id": [1, 1, 2], "event_type": ["visit", "purchase", "visit"],
    ...                    "timestamp": pd.to_datetime(["2024-01-01", "2024-01-03", "2024-01-02"])})
    >>> f = funnel(ev, stages={"awareness": ["visit"], "purchase": ["purchase"]})
    >>> f[["stage", "people", "reached", "share", "median_days_from_previous"]]
           stage  people  reached  share  median_days_from_previous
    0  awareness       2        2    1.0                        NaN
    1   purchase       2        1    0.5                        2.0
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence={confidence!r} must be between 0 and 1, e.g. 0.95.")
    times = nw.from_native(funnel_times(events, stages=stages, window=window, ordered=ordered, by=by,
                                        customer_col=customer_col, time_col=time_col, event_col=event_col),
                           eager_only=True).to_pandas()
    names = list(_stages(stages))
    groups = [(None, times)] if by is None else list(times.groupby(by, sort=True, observed=True))
    rows = []
    for key, part in groups:
        n = len(part)
        for i, name in enumerate(names):
            got = part[name].notna()
            row = {"stage": name, "people": n, "reached": int(got.sum())}
            if i:
                prev = part[names[i - 1]].notna()
                both = got & prev
                row["_prev"], row["_both"] = int(prev.sum()), int(both.sum())
                days = (part.loc[both, name] - part.loc[both, names[i - 1]]) / pd.Timedelta(days=1)
                row["median_days_from_previous"] = float(days.median()) if both.any() else np.nan
            else:
                row["_prev"], row["_both"], row["median_days_from_previous"] = 0, 0, np.nan
            if by is not None:
                row = {by: key, **row}
            rows.append(row)
    out = pd.DataFrame(rows)
    out["share"] = out["reached"] / out["people"]
    out["share_low"], out["share_high"] = _wilson(out["reached"].to_numpy(), out["people"].to_numpy(), confidence)
    prev, both = out.pop("_prev").to_numpy(), out.pop("_both").to_numpy()
    out["step_conversion"] = np.where(prev > 0, both / np.where(prev > 0, prev, 1), np.nan)
    out["step_low"], out["step_high"] = _wilson(both, prev, confidence)
    lead = ([by] if by is not None else []) + ["stage", "people", "reached", "share", "share_low", "share_high",
                                              "step_conversion", "step_low", "step_high", "median_days_from_previous"]
    return out[lead]
