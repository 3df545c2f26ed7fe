"""How good the ``churned`` label of the lifecycle states is, threshold by threshold.

Uses the rule of :func:`custlab.lifecycle.lifecycle_states` (churned when the whole
periods since the last purchase reach ``churned_after``), read in one period, against
later purchases and, where a simulation knows it, against who really stopped buying.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from custlab.lifecycle.states import _activity, _check_thresholds
from custlab.schema import require_columns
from custlab.units import as_date, normalize_unit, period_numbers, unit_label

__all__ = ["churn_label_tradeoff"]


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
    thresholds = list(thresholds)
    if not thresholds:
        raise ValueError("thresholds is empty: give the values of churned_after to compare, e.g. [2, 3, 6].")
    for c in thresholds:
        _check_thresholds(c, c)
    end = as_date(observation_end, "observation_end")
    when = end if as_of is None else as_date(as_of, "as_of")
    if when > end:
        raise ValueError(f"as_of {when.date()} is after observation_end {end.date()}.")
    ids, period, end_period = _activity(transactions, code, end, customer_col, date_col, "churn_label_tradeoff")
    at = int(period_numbers(when, code)[0])
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
        twice = dropouts[customer_col].duplicated()
        if twice.any():
            raise ValueError(f"dropouts: {int(twice.sum()):,} customer(s) appear more than once, e.g. "
                             f"{dropouts.loc[twice, customer_col].head(3).tolist()}; give one dropout date per customer.")
        dates = pd.to_datetime(dropouts[dropout_col])
        if isinstance(dates.dtype, pd.DatetimeTZDtype):
            dates = dates.dt.tz_localize(None)                  # local wall-clock dates, as for purchases
        truth = pd.Series(dates.to_numpy(), index=dropouts[customer_col].to_numpy())
        missing = pd.Index(customers).difference(truth.index)
        if len(missing):
            raise ValueError(f"{len(missing):,} customer(s) of the log are not in dropouts, e.g. {list(missing[:3])}.")
        drop = truth.reindex(customers)
        drop_period = np.full(customers.size, np.iinfo(np.int64).max, dtype=np.int64)
        has = drop.notna().to_numpy()
        if has.any():
            drop_period[has] = period_numbers(drop[has].to_numpy(), code)
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
