"""The lifecycle funnel: awareness, consideration, purchase, retention and advocacy.

Computed from a touchpoint log: the share of people who reached each stage, with Wilson
intervals (scipy's ``binomtest``), the conversion from one stage to the next, and the
median time between stages. Stages are a mapping the user can replace; an ordered funnel
counts a stage only after the previous one. The per-person times are one lazy query
(:mod:`custlab._query`, a join per stage) in the engine that holds the log: pandas,
Polars, DuckDB or Spark give the same table. The counts are then made from the
per-person table, one row per person, brought into pandas.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import narwhals as nw
import numpy as np
import pandas as pd
from scipy import stats

from custlab._frames import eager
from custlab._query import open_log
from custlab.models._base import warn_caller
from custlab.schema import require_columns
from custlab.units import day_number, wall_clock

__all__ = ["DEFAULT_STAGES", "Stage", "funnel", "funnel_times", "purchase_events", "survey_events"]

_RESERVED = frozenset({"_t", "_entry", "_k", "_previous"})


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


def _window_seconds(window) -> float | None:
    if window is None:
        return None
    try:
        td = pd.Timedelta(window)
    except (TypeError, ValueError):
        raise ValueError(f"window={window!r} is not a length of time; use e.g. '90D' or pd.Timedelta(days=90).") \
            from None
    if td <= pd.Timedelta(0):
        raise ValueError(f"window={window!r} must be positive.")
    if td % pd.Timedelta(seconds=1):
        raise ValueError(f"window={window!r}: give whole seconds; times are compared to the second.")
    return td / pd.Timedelta(seconds=1)


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
    surveys = wall_clock(surveys, [date_col])
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
    transactions = wall_clock(transactions, [date_col])
    frame = eager(transactions, "purchase_events", "the transaction log").select(customer_col, date_col).to_pandas()
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
    taken = {customer_col, "entry"} | ({by} if by else set())
    if taken & set(stage_map):
        raise ValueError(f"funnel: a stage may not be named {sorted(taken & set(stage_map))[0]!r}: the table of "
                         "times has a column of that name; rename the stage.")
    log = open_log(events, {"customer_col": customer_col, "time_col": time_col, "event_col": event_col, "by": by},
                   caller="funnel", what="event log", dates=time_col, group=by, reserved=_RESERVED)
    known = set(log.to_pandas(log.frame.select(event_col).unique())[event_col].tolist())
    wanted = {e for s in stage_map.values() for e in s.events}
    if not wanted & known:
        raise ValueError(f"funnel: none of the stages' event types {sorted(wanted)} occur in column {event_col!r}, "
                         f"which holds {sorted(map(str, known))[:12]}. Pass stages= with your event names.")
    absent = {name: st.events for name, st in stage_map.items() if not set(st.events) & known}
    if absent:
        warn_caller("funnel: no event of " + "; ".join(f"stage {k!r} ({', '.join(v)})" for k, v in absent.items())
                    + f" occurs in column {event_col!r}: nobody can reach it. Check the event names.")
    return log.finish(_times_query(log.frame, stage_map, _window_seconds(window), ordered, by,
                                   customer_col, time_col, event_col))


def _seconds(expr: nw.Expr) -> nw.Expr:
    """Whole seconds since 1970-01-01, on every engine (the engines disagree on what a millisecond part is).

    The parts are widened to 64-bit integers first: Polars gives the hour as an 8-bit one.
    """
    parts = [day_number(expr), expr.dt.hour(), expr.dt.minute(), expr.dt.second()]
    day, hour, minute, second = (p.cast(nw.Int64) for p in parts)
    return day * 86_400 + hour * 3_600 + minute * 60 + second


def _times_query(df, stage_map, window, ordered, by, customer_col, time_col, event_col):
    """Per person and stage, the time it was reached: one lazy query of joins, one per stage."""
    c = nw.col
    df = df.with_columns(_t=c(time_col))
    people = df.group_by(customer_col).agg(c("_t").min().alias("_entry"))
    if by is not None:
        # The group of a person is its value on their first event (the smallest value on a tie).
        first = (df.join(people, on=customer_col).filter(c("_t") == c("_entry"))
                 .group_by(customer_col).agg(c(by).min()))
        people = people.join(first, on=customer_col)
    if window is not None:
        df = (df.join(people.select(customer_col, "_entry"), on=customer_col)
              .filter(_seconds(c("_t")) <= _seconds(c("_entry")) + window).drop("_entry"))
    # Each stage's times depend on the previous stage's only (not on the table built so far), so the
    # plan grows with the square of the number of stages, not exponentially: engines that do not share
    # repeated parts of a plan (Spark) would otherwise plan the first stages again and again.
    got, previous, reached = None, None, people
    for name, stage in stage_map.items():
        cand = df.filter(c(event_col).is_in(list(stage.events))).select(customer_col, "_t")
        if ordered and got is not None:
            cand = (cand.join(got.rename({previous: "_previous"}), on=customer_col)
                    .filter(c("_t") >= c("_previous")).select(customer_col, "_t"))
        if stage.occurrence > 1:
            # Events at the same moment (a duplicated row) count once: dense ranks of the distinct times.
            cand = cand.with_columns(_k=c("_t").rank("dense").over(customer_col)).filter(c("_k") == stage.occurrence)
        got = cand.group_by(customer_col).agg(c("_t").min().alias(name))
        reached = reached.join(got, on=customer_col, how="left")
        previous = name
    order = [customer_col] + ([by] if by is not None else []) + ["entry", *stage_map]
    return reached.rename({"_entry": "entry"}).select(order).sort(customer_col)


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
    events : pandas or Polars DataFrame, Polars LazyFrame, DuckDB relation or Spark DataFrame
        A touchpoint log: ``customer_col``, ``time_col`` (datetimes), ``event_col``.
        Everyone in it is counted among the people (the funnel's base).
    stages : mapping, optional
        Stage name to a :class:`Stage` or to the event types that reach it, in funnel
        order. Default :data:`DEFAULT_STAGES` (awareness, consideration, purchase,
        retention, advocacy).
    window : timedelta or str, optional
        Count only events within this time of each person's first event ("90D"), to the second.
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
                                        customer_col=customer_col, time_col=time_col, event_col=event_col))
    times = (times.collect("pandas") if isinstance(times, nw.LazyFrame) else times).to_pandas()
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
