"""Survival of customers: durations and censoring from either world, read with lifelines.

Two worlds, made explicit by :func:`survival_data`:

* **contractual**: a cancellation is observed. A subscription's duration runs from its
  start to its cancellation (an event) or to the end of observation (censored);
* **non-contractual**: nobody says they have left, so churn is inferred with the
  lifecycle states of :func:`custlab.lifecycle.lifecycle_states`: a customer whose
  state in the last observed period is ``churned`` is an event, dated at their last
  purchase; everyone else is censored at the end of observation. Durations run from
  the first purchase.

The estimators are lifelines' (Davidson-Pilon 2019): Kaplan-Meier with Greenwood's
95 % bands, the log-rank test and the Cox proportional-hazards model with the
Grambsch-Therneau test of its assumption. custlab prepares the data, sets up the
categorical drivers with a stated reference level, and reads the results in a table.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import narwhals as nw
import numpy as np
import pandas as pd

from custlab._frames import naive_dates, refuse_missing
from custlab.models._base import ConvergenceWarning, one_blas_thread, warn_caller
from custlab.retention.contracts import _subscription_dates
from custlab.schema import require_columns
from custlab.units import as_date, elapsed, normalize_unit, period_start, unit_label, wall_clock

__all__ = [
    "cox_design",
    "customer_drivers",
    "duration_column",
    "fit_cox",
    "hazard_ratios",
    "logrank_test",
    "median_lifetimes",
    "proportional_hazards_check",
    "survival_data",
    "survival_table",
]


def duration_column(data: pd.DataFrame) -> str:
    """The name of the duration column of :func:`survival_data` output (``duration_<unit>``)."""
    cols = [c for c in data.columns if str(c).startswith("duration_")]
    if len(cols) != 1:
        raise ValueError("expected one duration column named duration_<unit> (from survival_data), "
                         f"found {cols or 'none'} among {list(data.columns)}.")
    return cols[0]


def survival_data(
    data,
    *,
    kind: str,
    observation_end,
    unit: str = "M",
    churned_after: int | None = None,
    customer_col: str = "customer_id",
    date_col: str = "date",
    start_col: str = "start_date",
    end_col: str = "end_date",
) -> pd.DataFrame:
    """Durations and censoring, one row per subscription (contractual) or per customer (purchases).

    **Contracts.** A subscription runs from its start to its cancellation (an event), or is
    censored at the end of ``observation_end``.

    **Purchases.** A customer is churned when a whole ``churned_after`` periods have passed
    without a purchase (the rule of :func:`custlab.lifecycle.lifecycle_states`); the event is
    dated at their last purchase. Such a silence can only be seen for last purchases before
    the ``cutoff``: the first day of the period ``churned_after`` periods before the period of
    ``observation_end``. Everyone else is censored at the cutoff (they were still buying at or
    after it); after it, a churn could not be seen yet, so counting that time at risk would
    make customers look more loyal than they are. Customers whose first purchase is on or
    after the cutoff are left out (``attrs["left_out"]``).

    Parameters
    ----------
    data : pandas DataFrame (contracts); pandas or Polars DataFrame (purchases)
        ``kind="contract"``: subscriptions with ``start_col`` and ``end_col`` (the
        cancellation date, missing while active); other columns are kept.
        ``kind="purchases"``: a validated transaction log (``customer_col``, ``date_col``).
    kind : {"contract", "purchases"}
    observation_end : date
        Last day observed.
    unit : {"D", "W", "M"}
        Unit of the durations, and for purchases the period of the churn rule.
    churned_after : int
        Purchases only: whole periods (``unit``) without a purchase after which a
        customer is churned.

    Returns
    -------
    pandas.DataFrame
        For contracts, the input columns; for purchases, ``customer_col``,
        ``first_purchase`` and ``last_purchase``. Then ``duration_<unit>`` (e.g.
        ``duration_months``; calendar months for ``"M"``, rounded to 0.01) and ``churned``
        (True: an observed churn; False: censored). ``attrs``: ``unit``, and for purchases
        ``cutoff`` and ``left_out``.

    Examples
    --------
    >>> subs = pd.DataFrame({"start_date": pd.to_datetime(["2024-01-01", "2024-02-01"]),
    ...                      "end_date": pd.to_datetime(["2024-03-16", None])})
    >>> survival_data(subs, kind="contract", observation_end="2024-06-30")[["duration_months", "churned"]]
       duration_months  churned
    0             2.48     True
    1             5.00    False
    """
    code = normalize_unit(unit)
    column = f"duration_{unit_label(code)}"
    end = as_date(observation_end, "observation_end").normalize()
    if kind == "contract":
        require_columns(data, {"start_col": start_col, "end_col": end_col}, what="subscriptions table")
        start, stop = _subscription_dates(data, start_col, end_col, end, "survival_data")
        churned = (stop.notna() & (stop <= end)).to_numpy()
        until = stop.where(churned, end + pd.Timedelta(days=1))
        out = data.copy()
        out[column] = np.round(elapsed(start, until, code), 2)
        out["churned"] = churned
        out.attrs["unit"] = unit_label(code)
        return out.reset_index(drop=True)
    if kind != "purchases":
        raise ValueError(f"kind={kind!r}: use 'contract' (cancellations observed) or 'purchases' (churn inferred "
                         "from inactivity).")
    if churned_after is None:
        raise ValueError("survival_data(kind='purchases') needs churned_after: the whole periods without a purchase "
                         "after which a customer counts as churned (as in custlab.lifecycle.lifecycle_states).")
    return _purchase_survival(data, code, end, churned_after, customer_col, date_col, column)


def _purchase_survival(data, code, end, churned_after, customer_col, date_col, column) -> pd.DataFrame:
    """The purchase world of :func:`survival_data`."""
    from custlab.lifecycle.states import _activity, _check_thresholds

    _check_thresholds(churned_after, churned_after)
    ids, period, end_period = _activity(data, code, end, customer_col, date_col, "survival_data")
    last = np.r_[ids[1:] != ids[:-1], True]
    churned = pd.Series((end_period - period[last]) >= churned_after, index=ids[last], name="churned")
    frame = naive_dates(nw.from_native(wall_clock(data, [date_col]), eager_only=True).select(customer_col, date_col),
                        date_col)
    span = (frame.group_by(customer_col).agg(nw.col(date_col).min().alias("first_purchase"),
                                             nw.col(date_col).max().alias("last_purchase"))
            .to_pandas().set_index(customer_col))
    span = span.apply(lambda c: pd.to_datetime(c).dt.normalize()).join(churned).sort_index()
    cutoff = pd.Timestamp(period_start([end_period - churned_after + 1], code)[0])
    late = span["first_purchase"] >= cutoff
    span = span.loc[~late]
    until = span["last_purchase"].where(span["churned"], cutoff)
    span[column] = np.round(elapsed(span["first_purchase"], until, code), 2)
    out = span.rename_axis(customer_col).reset_index()[[customer_col, "first_purchase", "last_purchase", column,
                                                        "churned"]]
    out.attrs.update(unit=unit_label(code), cutoff=cutoff, left_out=int(late.sum()))
    return out


def _fitter(durations, events, label):
    from lifelines import KaplanMeierFitter

    return KaplanMeierFitter(label=str(label)).fit(durations, event_observed=events)


def _groups(data: pd.DataFrame, by: str | None):
    if by is None:
        return [("all", data)]
    require_columns(data, {"by": by}, what="survival data")
    refuse_missing(data, by, "survival")
    return [(g, part) for g, part in sorted(data.groupby(by, observed=True), key=lambda kv: str(kv[0]))]


def survival_table(data: pd.DataFrame, *, times: Sequence[float], by: str | None = None,
                   event_col: str = "churned") -> pd.DataFrame:
    """Kaplan-Meier survival at chosen times, with its 95 % band and the numbers still at risk.

    Parameters
    ----------
    data : pandas.DataFrame
        From :func:`survival_data`.
    times : sequence of float
        Durations (in the data's unit) at which to read the curve.
    by : str, optional
        A column to split by; one curve per group.

    Returns
    -------
    pandas.DataFrame
        One row per (group and) time: ``time``, ``at_risk`` (durations at least that
        long), ``churned_by`` (events up to it), ``survival`` (share still a customer),
        ``low`` and ``high`` (95 % band, Greenwood's variance on the log-log scale).

    Examples
    --------
    >>> d = pd.DataFrame({"duration_months": [1.0, 2.0, 2.0, 4.0], "churned": [True, True, False, False]})
    >>> survival_table(d, times=[0, 1, 3])[["time", "at_risk", "survival"]]
       time  at_risk  survival
    0     0        4      1.00
    1     1        4      0.75
    2     3        1      0.50
    """
    duration = duration_column(data)
    rows = []
    for g, part in _groups(data, by):
        kmf = _fitter(part[duration], part[event_col], g)
        band = kmf.confidence_interval_
        for t in times:
            s = float(kmf.survival_function_at_times([t]).iloc[0])
            at = band.loc[band.index <= t]
            low, high = (at.iloc[-1].to_numpy() if len(at) else (1.0, 1.0))
            row = {"time": t, "at_risk": int((part[duration] >= t).sum()),
                   "churned_by": int(((part[duration] <= t) & part[event_col]).sum()),
                   "survival": s, "low": float(low), "high": float(high)}
            rows.append(row if by is None else {by: g, **row})
    return pd.DataFrame(rows)


def median_lifetimes(data: pd.DataFrame, *, by: str | None = None, event_col: str = "churned") -> pd.DataFrame:
    """Median lifetime (the duration by which half have churned), with its 95 % interval, per group.

    Returns ``customers``, ``churned``, ``median``, ``median_low``, ``median_high`` in the data's
    unit; ``inf`` when fewer than half have churned by the end of observation.

    Examples
    --------
    >>> d = pd.DataFrame({"duration_months": [1.0, 2.0, 3.0, 4.0], "churned": [True, True, True, False]})
    >>> float(median_lifetimes(d)["median"].iloc[0])
    2.0
    """
    from lifelines.utils import median_survival_times

    duration = duration_column(data)
    rows = []
    for g, part in _groups(data, by):
        kmf = _fitter(part[duration], part[event_col], g)
        ci = median_survival_times(kmf.confidence_interval_)
        rows.append({"group": g, "customers": len(part), "churned": int(part[event_col].sum()),
                     "median": float(kmf.median_survival_time_),
                     "median_low": float(ci.iloc[0, 0]), "median_high": float(ci.iloc[0, 1])})
    out = pd.DataFrame(rows).set_index("group")
    out.index.name = by or "group"
    out.attrs["unit"] = duration.removeprefix("duration_")
    return out


def logrank_test(data: pd.DataFrame, *, by: str, event_col: str = "churned") -> pd.DataFrame:
    """Log-rank test that all groups share one survival curve (lifelines ``multivariate_logrank_test``).

    Returns one row: ``groups``, ``test_statistic`` (chi-square), ``degrees_of_freedom``, ``p_value``.

    Examples
    --------
    >>> d = pd.DataFrame({"duration_months": [1, 2, 3, 8, 9, 10.0], "churned": [True] * 6,
    ...                   "plan": ["a", "a", "a", "b", "b", "b"]})
    >>> bool(logrank_test(d, by="plan")["p_value"].iloc[0] < 0.05)
    True
    """
    from lifelines.statistics import multivariate_logrank_test

    duration = duration_column(data)
    require_columns(data, {"by": by}, what="survival data")
    refuse_missing(data, by, "logrank_test")
    result = multivariate_logrank_test(data[duration], data[by].astype(str), data[event_col])
    return pd.DataFrame([{"groups": int(data[by].nunique()), "test_statistic": float(result.test_statistic),
                          "degrees_of_freedom": int(result.degrees_of_freedom), "p_value": float(result.p_value)}])


def cox_design(data: pd.DataFrame, covariates: Sequence[str], *, event_col: str = "churned",
               reference: dict | None = None) -> pd.DataFrame:
    """The numeric table a Cox model is fitted on: one 0/1 column per level of each categorical
    covariate except its reference (the largest group unless ``reference`` names one), numbers and
    booleans as they are, plus the duration and event columns.

    Column names read ``covariate[level]``; ``attrs["reference"]`` names each reference level.

    Examples
    --------
    >>> d = pd.DataFrame({"duration_months": [1.0, 2.0, 3.0], "churned": [True, False, True],
    ...                   "plan": ["basic", "basic", "plus"], "discount": [True, False, True]})
    >>> list(cox_design(d, ["plan", "discount"]).columns)
    ['plan[plus]', 'discount', 'duration_months', 'churned']
    """
    duration = duration_column(data)
    require_columns(data, {c: c for c in covariates}, what="survival data")
    reference = dict(reference or {})
    parts, refs = [], {}
    for c in covariates:
        col = data[c]
        if pd.api.types.is_bool_dtype(col) or pd.api.types.is_numeric_dtype(col):
            if col.isna().any():
                raise ValueError(f"covariate {c!r} has {int(col.isna().sum())} missing value(s).")
            parts.append(col.astype(float).rename(c))
            continue
        levels = col.astype("string").fillna("missing")
        ref = reference.get(c, levels.value_counts().sort_index().idxmax())
        if ref not in set(levels):
            raise ValueError(f"reference {ref!r} is not a level of {c!r}: {sorted(set(levels))}.")
        refs[c] = ref
        for level in sorted(set(levels) - {ref}):
            parts.append((levels == level).astype(float).rename(f"{c}[{level}]"))
    for col in (duration, event_col):
        refuse_missing(data, col, "cox_design")
    out = pd.concat(parts + [data[duration].astype(float), data[event_col].astype(bool)], axis=1)
    out.attrs["reference"] = refs
    return out


@one_blas_thread
def fit_cox(design: pd.DataFrame, *, penalizer: float = 0.0, event_col: str = "churned"):
    """Fit lifelines' ``CoxPHFitter`` on :func:`cox_design` output.

    Returns
    -------
    lifelines.CoxPHFitter
        Fitted, with two attributes added: ``reference_`` (the reference level of each
        categorical covariate) and ``converged_`` (False when lifelines reported that the
        fit did not settle, e.g. a covariate that separates churners completely; a
        :class:`custlab.models.ConvergenceWarning` says so in plain words).

    Examples
    --------
    >>> d = pd.DataFrame({"duration_months": [1, 2, 3, 4, 5, 6, 7, 8.0], "churned": [True] * 8,
    ...                   "plus": [1, 0, 1, 0, 0, 1, 0, 0.0]})
    >>> model = fit_cox(d)
    >>> bool(model.params_["plus"] > 0), model.converged_     # "plus" churns earlier: a hazard ratio above 1
    (True, True)
    """
    from lifelines import CoxPHFitter
    from lifelines.exceptions import ConvergenceWarning as LifelinesConvergence

    duration = duration_column(design)
    model = CoxPHFitter(penalizer=penalizer)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(design, duration_col=duration, event_col=event_col)
    unsettled = [w for w in caught if issubclass(w.category, LifelinesConvergence)]
    for w in caught:
        if w not in unsettled:
            warn_caller(str(w.message), w.category)
    model.converged_ = not unsettled
    model.reference_ = dict(design.attrs.get("reference", {}))
    if unsettled:
        first = str(unsettled[0].message).strip().splitlines()[0]
        warn_caller(f"fit_cox: the Cox model did not settle ({first}). Its hazard ratios are unreliable; drop a "
                    "covariate that almost separates churners from the others, or pass penalizer=0.1.",
                    ConvergenceWarning)
    return model


def hazard_ratios(model) -> pd.DataFrame:
    """The Cox model read as hazard ratios: ``hazard_ratio`` (the churn rate at any moment relative
    to the reference, all else equal), its 95 % interval and ``p_value``, one row per covariate.

    Examples
    --------
    >>> d = pd.DataFrame({"duration_months": [1, 2, 3, 4, 5, 6, 7, 8.0], "churned": [True] * 8,
    ...                   "plus": [1, 0, 1, 0, 0, 1, 0, 0.0]})
    >>> list(hazard_ratios(fit_cox(d)).columns)
    ['hazard_ratio', 'low', 'high', 'p_value']
    """
    s = model.summary
    out = pd.DataFrame({"hazard_ratio": s["exp(coef)"], "low": s["exp(coef) lower 95%"],
                        "high": s["exp(coef) upper 95%"], "p_value": s["p"]})
    out.index.name = "covariate"
    return out


def proportional_hazards_check(model, design: pd.DataFrame) -> pd.DataFrame:
    """Grambsch-Therneau test of the proportional-hazards assumption, per covariate (rank time transform).

    A small ``p_value`` says the covariate's effect changes over time, so one hazard ratio
    summarises it poorly. Returns ``test_statistic``, ``p_value`` and ``holds`` (p >= 0.05).
    """
    from lifelines.statistics import proportional_hazard_test

    result = proportional_hazard_test(model, design, time_transform="rank")
    out = result.summary[["test_statistic", "p"]].rename(columns={"p": "p_value"})
    out.index = [i[0] if isinstance(i, tuple) else i for i in out.index]
    out.index.name = "covariate"
    out["holds"] = out["p_value"] >= 0.05
    return out


def customer_drivers(customers: pd.DataFrame, orders: pd.DataFrame, surveys: pd.DataFrame,
                     complaints: pd.DataFrame, *, customer_col: str = "customer_id",
                     discount_share: float = 0.5) -> pd.DataFrame:
    """Possible drivers of churn per customer, from the tables of a CRM (the simulated company's names).

    Returns one row per customer of ``customers``: ``channel`` (acquisition channel),
    ``kind`` (individual or business), ``discount_user`` (at least ``discount_share`` of
    their orders discounted), ``nps_group`` (promoter 9-10, passive 7-8, detractor 0-6 on
    their last survey answer, or "no answer"), ``unresolved_complaint`` (a complaint never
    resolved).

    Examples
    --------
    >>> import custlab as cl
    >>> w = cl.crm_world(300, random_state=0)
    >>> d = customer_drivers(w.customers, w.orders, w.surveys, w.complaints)
    >>> sorted(d["nps_group"].unique())[:2]
    ['detractor', 'no answer']
    """
    require_columns(customers, {"customer_col": customer_col, "acquisition_channel": "acquisition_channel",
                                "kind": "kind"}, what="customers table")
    require_columns(orders, {"customer_col": customer_col, "discount": "discount"}, what="orders table")
    require_columns(surveys, {"customer_col": customer_col, "date": "date", "nps": "nps"}, what="surveys table")
    require_columns(complaints, {"customer_col": customer_col, "resolved": "resolved"}, what="complaints table")
    out = customers[[customer_col, "acquisition_channel", "kind"]].rename(
        columns={"acquisition_channel": "channel"}).set_index(customer_col)
    share = (orders["discount"] > 0).groupby(orders[customer_col]).mean()
    out["discount_user"] = share.reindex(out.index).fillna(0.0) >= discount_share
    score = pd.to_numeric(surveys["nps"], errors="coerce")
    bad = score.isna() | (score < 0) | (score > 10) | (score != score.round())
    if bad.any():
        raise ValueError(f"customer_drivers: {int(bad.sum()):,} survey row(s) hold an NPS answer that is not a whole "
                         f"number from 0 to 10, e.g.\n{surveys.loc[bad].head(3).to_string()}")
    refuse_missing(complaints, "resolved", "customer_drivers")
    last = surveys.sort_values([customer_col, "date"], kind="stable").groupby(customer_col)["nps"].last()
    group = pd.cut(last, [-0.5, 6.5, 8.5, 10.5], labels=["detractor", "passive", "promoter"]).astype(str)
    out["nps_group"] = group.reindex(out.index).fillna("no answer")
    open_ = complaints.loc[~complaints["resolved"].astype(bool), customer_col].unique()
    out["unresolved_complaint"] = out.index.isin(open_)
    return out.reset_index()
