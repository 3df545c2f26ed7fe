"""Did the incentive work, for whom, and at what cost: lift, revenue, return, effects by type, and the
naive before/after comparison. See :mod:`custlab.experiments`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from custlab.experiments.intervals import (
    _holm,
    _pooled_z_p_value,
    _ratio_delta,
    _welch,
    newcombe_interval,
    wilson_interval,
)
from custlab.schema import require_columns

__all__ = ["ab_test", "before_after", "effects_by", "equal_lifts_test", "group_rates", "lift"]


def _groups(table: pd.DataFrame, columns: dict[str, str], group_col: str, treatment, control,
            caller: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The treatment and control rows, after checking the columns and the group labels."""
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"{caller}: table must be a pandas DataFrame, got {type(table).__name__}.")
    require_columns(table, {"group_col": group_col, **columns}, what="experiment table")
    labels = table[group_col]
    other = ~labels.isin([treatment, control])
    if other.any():
        raise ValueError(f"{caller}: column {group_col!r} holds {sorted(map(str, labels[other].unique()))[:5]} "
                         f"besides treatment={treatment!r} and control={control!r}; pass the labels your table "
                         "uses or drop those rows.")
    t, c = table[labels == treatment], table[labels == control]
    for name, part in ((treatment, t), (control, c)):
        if part.empty:
            raise ValueError(f"{caller}: no row of group {name!r} in column {group_col!r}.")
    return t, c


def _binary(values: pd.Series, column: str, caller: str) -> np.ndarray:
    """The outcome as 0/1 floats, or an error showing the first values that are not."""
    v = values.astype(float) if values.dtype == bool else pd.to_numeric(values, errors="coerce")
    bad = ~v.isin([0, 1])
    if bad.any():
        raise ValueError(f"{caller}: the outcome column {column!r} must be 0/1 or True/False; "
                         f"first other values: {values[bad].head(3).tolist()}.")
    return v.to_numpy(float)


def _lift_numbers(yt: np.ndarray, yc: np.ndarray, confidence: float) -> dict:
    kt, nt, kc, nc = yt.sum(), yt.size, yc.sum(), yc.size
    low, high = newcombe_interval(kt, nt, kc, nc, confidence=confidence)
    rt, rc = kt / nt, kc / nc
    return {"customers_control": int(nc), "customers_treatment": int(nt),
            "rate_control_pct": 100 * rc, "rate_treatment_pct": 100 * rt,
            "lift_pp": 100 * (rt - rc), "lift_low_pp": 100 * float(low), "lift_high_pp": 100 * float(high),
            "relative_lift_pct": 100 * (rt / rc - 1) if rc > 0 else np.nan,
            "p_value": _pooled_z_p_value(kt, nt, kc, nc)}


def lift(table: pd.DataFrame, *, outcome: str = "repeat", group_col: str = "group", treatment="treatment",
         control="control", confidence: float = 0.95) -> pd.DataFrame:
    """The lift of a 0/1 outcome, treatment minus control, with Newcombe's interval: one row.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per customer, with ``group_col`` and ``outcome`` (0/1 or bool).
    outcome, group_col : str
        Column names.
    treatment, control
        The labels of the two groups in ``group_col``.
    confidence : float
        Level of the interval.

    Returns
    -------
    pandas.DataFrame
        ``customers_control, customers_treatment, rate_control_pct, rate_treatment_pct``
        (%), ``lift_pp`` with ``lift_low_pp, lift_high_pp`` (percentage points),
        ``relative_lift_pct`` (% of the control rate), ``p_value`` (pooled z-test).

    Examples
    --------
    >>> t = pd.DataFrame({"group": ["treatment"] * 10 + ["control"] * 10,
    ...                   "repeat": [1] * 3 + [0] * 7 + [1] + [0] * 9})
    >>> lift(t)[["rate_control_pct", "rate_treatment_pct", "lift_pp", "relative_lift_pct"]]
       rate_control_pct  rate_treatment_pct  lift_pp  relative_lift_pct
    0              10.0                30.0     20.0              200.0
    """
    t, c = _groups(table, {"outcome": outcome}, group_col, treatment, control, "lift")
    numbers = _lift_numbers(_binary(t[outcome], outcome, "lift"), _binary(c[outcome], outcome, "lift"), confidence)
    return pd.DataFrame([numbers])


def group_rates(table: pd.DataFrame, *, outcome: str = "repeat", group_col: str = "group", by: str | None = None,
                confidence: float = 0.95) -> pd.DataFrame:
    """The rate of a 0/1 outcome per group (and per ``by``), with Wilson intervals, in %.

    Returns
    -------
    pandas.DataFrame
        ``by`` (when given), ``group_col``, ``customers``, ``successes``, ``rate_pct`` with
        ``rate_low_pct`` and ``rate_high_pct``; sorted.

    Examples
    --------
    >>> t = pd.DataFrame({"group": ["treatment", "treatment", "control", "control"], "repeat": [1, 0, 0, 0]})
    >>> group_rates(t)[["group", "customers", "rate_pct"]]
           group  customers  rate_pct
    0    control          2       0.0
    1  treatment          2      50.0
    """
    cols = {"outcome": outcome, **({"by": by} if by is not None else {})}
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"group_rates: table must be a pandas DataFrame, got {type(table).__name__}.")
    require_columns(table, {"group_col": group_col, **cols}, what="experiment table")
    y = pd.Series(_binary(table[outcome], outcome, "group_rates"), index=table.index)
    keys = [by, group_col] if by is not None else [group_col]
    g = y.groupby([table[k] for k in keys], sort=True, observed=True)
    out = pd.DataFrame({"customers": g.size(), "successes": g.sum().astype(int)}).reset_index()
    low, high = wilson_interval(out["successes"], out["customers"], confidence=confidence)
    return out.assign(rate_pct=100 * out["successes"] / out["customers"], rate_low_pct=100 * low,
                      rate_high_pct=100 * high)


def ab_test(table: pd.DataFrame, *, outcome: str = "repeat", group_col: str = "group", treatment="treatment",
            control="control", confidence: float = 0.95, revenue_col: str | None = "revenue",
            cost_col: str | None = "cost", margin: float | None = None) -> pd.DataFrame:
    """Read an A/B test: rates, lift, revenue, cost, profit and the return on the incentive.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per customer: ``group_col``, ``outcome`` (0/1 or bool) and, when named,
        ``revenue_col`` and ``cost_col`` (currency units per customer; the cost of the
        incentive, 0 in control).
    outcome, group_col : str
        Column names.
    treatment, control
        The labels of the two groups.
    confidence : float
        Level of every interval.
    revenue_col, cost_col : str or None
        Pass None when the table has no such column (their rows are then left out).
    margin : float, optional
        Share of revenue the company keeps as profit (0 to 1, e.g. 0.3). When given, a
        ``profit per customer`` row is added and the return is on profit; without it,
        on revenue (as if all revenue were profit).

    Returns
    -------
    pandas.DataFrame
        One row per measure (the index), columns ``control, treatment, difference, low,
        high, p_value, unit``:

        * ``customers``;
        * ``repeat rate``: per group %, difference in percentage points with Newcombe's
          interval and the pooled z-test p-value;
        * ``relative lift``: the difference as % of the control rate;
        * ``revenue per customer``: means, difference with Welch's interval and p-value;
        * ``cost per customer``: means per group, and their difference;
        * ``net revenue per customer``: revenue minus cost, difference with Welch's
          interval (the incremental revenue minus the incentive's cost, per treated customer);
        * ``profit per customer`` (with ``margin``): ``margin * revenue - cost``, difference
          with Welch's interval: the extra profit per treated customer after paying for
          the incentive. The cost is taken per customer, so a cost that is itself random
          (a coupon paid when used) is part of the interval;
        * ``return on the incentive``: the net difference (profit with ``margin``, else
          revenue) as % of the cost difference (100 % means each unit spent brought two
          back, 0 % just paid for itself). Its interval is the delta method's for a ratio
          of two differences of means: it counts the noise of the cost and its covariance
          with the net, and reduces to the net interval over the cost when the cost is fixed.

        ``attrs["interval"]`` names the methods.

    Examples
    --------
    >>> t = pd.DataFrame({"group": ["treatment"] * 4 + ["control"] * 4,
    ...                   "repeat": [1, 1, 0, 0, 1, 0, 0, 0],
    ...                   "revenue": [30.0, 20.0, 0, 0, 20.0, 0, 0, 0], "cost": [5.0, 5.0, 0, 0, 0, 0, 0, 0]})
    >>> r = ab_test(t)
    >>> r.loc[["repeat rate", "revenue per customer", "cost per customer", "return on the incentive"],
    ...       ["control", "treatment", "difference"]]
                             control  treatment  difference
    measure
    repeat rate                 25.0       50.0        25.0
    revenue per customer         5.0       12.5         7.5
    cost per customer            0.0        2.5         2.5
    return on the incentive      NaN        NaN       200.0
    """
    cols = {"outcome": outcome}
    if revenue_col is not None:
        cols["revenue_col"] = revenue_col
    if cost_col is not None:
        cols["cost_col"] = cost_col
    t, c = _groups(table, cols, group_col, treatment, control, "ab_test")
    numbers = _lift_numbers(_binary(t[outcome], outcome, "ab_test"), _binary(c[outcome], outcome, "ab_test"),
                            confidence)
    nan = np.nan
    rows = {
        "customers": (numbers["customers_control"], numbers["customers_treatment"], nan, nan, nan, nan, "customers"),
        "repeat rate": (numbers["rate_control_pct"], numbers["rate_treatment_pct"], numbers["lift_pp"],
                        numbers["lift_low_pp"], numbers["lift_high_pp"], numbers["p_value"],
                        "% (difference: percentage points)"),
        "relative lift": (nan, nan, numbers["relative_lift_pct"], nan, nan, nan, "% of the control rate"),
    }
    money = {}
    for name, col in (("revenue", revenue_col), ("cost", cost_col)):
        if col is not None:
            money[name] = (_money(t[col], col), _money(c[col], col))
    if "revenue" in money:
        (rt, rc) = money["revenue"]
        low, high, p = _welch(rt, rc, confidence)
        rows["revenue per customer"] = (rc.mean(), rt.mean(), rt.mean() - rc.mean(), low, high, p, "currency units")
    if "cost" in money:
        (ct, cc) = money["cost"]
        rows["cost per customer"] = (cc.mean(), ct.mean(), ct.mean() - cc.mean(), nan, nan, nan, "currency units")
    if margin is not None and not (isinstance(margin, (int, float, np.floating)) and 0 < margin <= 1):
        raise ValueError(f"ab_test: margin={margin!r} must be the share of revenue kept as profit, above 0 and at "
                         "most 1 (0.3 for 30 %).")
    if len(money) == 2:
        nt, nc = rt - ct, rc - cc
        low, high, p = _welch(nt, nc, confidence)
        rows["net revenue per customer"] = (nc.mean(), nt.mean(), nt.mean() - nc.mean(), low, high, p,
                                            "currency units")
        what = "net revenue"
        if margin is not None:
            nt, nc = margin * rt - ct, margin * rc - cc
            low, high, p = _welch(nt, nc, confidence)
            rows["profit per customer"] = (nc.mean(), nt.mean(), nt.mean() - nc.mean(), low, high, p,
                                           f"currency units ({margin:g} x revenue - cost)")
            what = "net profit"
        ratio, low, high = _ratio_delta(nt, nc, ct, cc, confidence)
        rows["return on the incentive"] = (nan, nan, 100 * ratio, 100 * low, 100 * high, nan,
                                           f"% of the cost ({what} over cost)")
    out = pd.DataFrame.from_dict(rows, orient="index",
                                 columns=["control", "treatment", "difference", "low", "high", "p_value", "unit"])
    out = out.rename_axis("measure")
    out.attrs.update(confidence=confidence, margin=margin,
                     interval="repeat rate: Newcombe's hybrid score interval (1998, method 10); money: Welch's t "
                     "interval; return: delta method; p-values: pooled two-proportion z-test, Welch's t-test")
    return out


def _money(values: pd.Series, column: str) -> np.ndarray:
    v = pd.to_numeric(values, errors="coerce")
    if v.isna().any():
        raise ValueError(f"ab_test: column {column!r} holds values that are not numbers (currency units); "
                         f"first rows: {values[v.isna()].head(3).tolist()}.")
    return v.to_numpy(float)


def effects_by(table: pd.DataFrame, by: str, *, outcome: str = "repeat", group_col: str = "group",
               treatment="treatment", control="control", confidence: float = 0.95, cost_col: str | None = "cost",
               overall: bool = True) -> pd.DataFrame:
    """The lift per value of ``by`` (a customer type), with intervals and a multiplicity adjustment.

    Looking at k groups gives k chances to find a lift by luck. Two adjustments are given,
    over the k groups (the ``all`` row is not one of them):

    * ``p_holm``: Holm's step-down adjustment of the p-values (Holm 1979). A group's lift
      counts as found when ``p_holm`` is below ``1 - confidence``; the chance of calling
      any group with no true lift "found" is then at most ``1 - confidence``.
    * ``lift_low_adj_pp``, ``lift_high_adj_pp``: Bonferroni-widened intervals, each at level
      ``1 - (1 - confidence) / k``, so that all k cover their true lifts together with at
      least the stated confidence.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per customer: ``by``, ``group_col``, ``outcome`` and (when named) ``cost_col``.
    by : str
        The column to split by, e.g. ``"customer_type"``.
    cost_col : str or None
        The incentive's cost per customer (currency units); adds ``cost_per_treated`` and
        ``cost_per_extra_repeat`` (the cost per treated customer over the lift: what one
        extra repeat buyer costs; NaN when the lift is not positive).
    overall : bool
        Add a first row ``all`` with the lift over every customer (no adjustment).

    Returns
    -------
    pandas.DataFrame
        One row per group, sorted (``all`` first): ``by``, the columns of :func:`lift`,
        ``p_holm``, ``lift_low_adj_pp``, ``lift_high_adj_pp`` and the cost columns.
        ``attrs["adjustment"]`` says the adjustment in words.

    Examples
    --------
    >>> t = pd.DataFrame({"type": ["a"] * 8 + ["b"] * 8,
    ...                   "group": (["treatment"] * 4 + ["control"] * 4) * 2,
    ...                   "repeat": [1, 1, 1, 0, 0, 0, 0, 1] + [1, 0, 0, 0, 1, 0, 0, 0], "cost": 0.0})
    >>> effects_by(t, "type")[["type", "lift_pp", "p_value", "p_holm"]].round(3)
       type  lift_pp  p_value  p_holm
    0   all     25.0    0.302     NaN
    1     a     50.0    0.157   0.315
    2     b      0.0    1.000   1.000
    """
    cols = {"by": by, "outcome": outcome, **({"cost_col": cost_col} if cost_col is not None else {})}
    _groups(table, cols, group_col, treatment, control, "effects_by")
    if table[by].isna().any():
        raise ValueError(f"effects_by: column {by!r} has missing values; fill them (e.g. 'unknown') first.")
    parts = [(key, g, False) for key, g in table.groupby(by, sort=True, observed=True)]
    k = len(parts)
    level = 1 - (1 - confidence) / k
    columns = ["customers_control", "customers_treatment", "rate_control_pct", "rate_treatment_pct", "lift_pp",
               "lift_low_pp", "lift_high_pp", "relative_lift_pct", "p_value", "p_holm", "lift_low_adj_pp",
               "lift_high_adj_pp"] + (["cost_per_treated", "cost_per_extra_repeat"] if cost_col is not None else [])
    rows = []
    for key, g, is_overall in [("all", table, True)] * overall + parts:
        t, c = g[g[group_col] == treatment], g[g[group_col] == control]
        row = dict.fromkeys(columns, np.nan) | {by: key, "customers_control": len(c), "customers_treatment": len(t)}
        if not (t.empty or c.empty):
            yt, yc = _binary(t[outcome], outcome, "effects_by"), _binary(c[outcome], outcome, "effects_by")
            row.update(_lift_numbers(yt, yc, confidence))
            low, high = newcombe_interval(yt.sum(), yt.size, yc.sum(), yc.size,
                                          confidence=confidence if is_overall else level)
            row.update(lift_low_adj_pp=100 * float(low), lift_high_adj_pp=100 * float(high))
            if cost_col is not None:
                spent = pd.to_numeric(t[cost_col]).mean() - pd.to_numeric(c[cost_col]).mean()
                row["cost_per_treated"] = spent
                row["cost_per_extra_repeat"] = spent / (row["lift_pp"] / 100) if row["lift_pp"] > 0 else np.nan
        rows.append(row)
    out = pd.DataFrame(rows, columns=[by, *columns])
    family = np.arange(len(out)) >= int(overall)
    holm = np.full(len(out), np.nan)
    holm[family] = _holm(out["p_value"].to_numpy(float)[family])
    out["p_holm"] = holm
    out.attrs["adjustment"] = (
        f"{k} groups compared, so {k} chances of a lucky lift: a group's lift counts as found when its Holm-adjusted "
        f"p-value (p_holm) is below {1 - confidence:.0%}, which keeps the chance of any false find at most "
        f"{1 - confidence:.0%}; the adjusted intervals (Bonferroni, each at {level:.1%}) cover all {k} true lifts "
        f"together at least {confidence:.0%} of the time.")
    return out


def equal_lifts_test(table: pd.DataFrame, by: str, *, outcome: str = "repeat", group_col: str = "group",
                     treatment="treatment", control="control") -> pd.Series:
    """Do the lifts differ between the values of ``by``? Cochran's Q test of equal lifts.

    A lift found in one customer type and not in another is not evidence that the two
    differ: it may be one type's luck, or one type's larger group. This tests the
    difference itself. With each group's lift ``d_i`` and its variance ``v_i``, weights
    ``w_i = 1 / v_i`` and their weighted mean ``dbar``, ``Q = sum w_i (d_i - dbar)^2`` is
    about chi-square with ``k - 1`` degrees of freedom when all ``k`` lifts are equal
    (Cochran 1954; the test of homogeneity of risk differences). Each ``d_i`` is the lift as
    estimated; its variance is taken from rates that add one success and one failure to each
    arm, ``(x + 1) / (n + 2)`` with ``n + 2`` customers (Agresti & Caffo 2000), so that a group
    with no repeat purchase (a variance of 0) does not get an infinite weight. In simulations
    with equal lifts it rejects about as often as its level says when rates are near 10 % and a
    little less often (it is conservative) when they are a few % in groups of tens. Groups
    without both arms are left out.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per customer: ``by``, ``group_col`` and ``outcome`` (0/1 or bool).
    by : str
        The column that splits the customers (a customer type).
    outcome, group_col, treatment, control
        As in :func:`lift`.

    Returns
    -------
    pandas.Series
        ``groups`` (compared), ``chi2`` (Q), ``df``, ``p_value`` and ``common_lift_pp``
        (the weighted mean lift, percentage points).

    Examples
    --------
    >>> t = pd.DataFrame({"kind": ["a"] * 40 + ["b"] * 40,
    ...                   "group": (["treatment"] * 20 + ["control"] * 20) * 2,
    ...                   "repeat": [1] * 10 + [0] * 10 + [1] * 2 + [0] * 18 + [1] * 2 + [0] * 18 + [1] * 2 + [0] * 18})
    >>> r = equal_lifts_test(t, "kind")
    >>> int(r["groups"]), int(r["df"]), round(float(r["p_value"]), 3)
    (2, 1, 0.016)
    """
    _groups(table, {"by": by, "outcome": outcome}, group_col, treatment, control, "equal_lifts_test")
    if table[by].isna().any():
        raise ValueError(f"equal_lifts_test: column {by!r} has missing values; fill them (e.g. 'unknown') first.")
    y = _binary(table[outcome], outcome, "equal_lifts_test")
    codes, _ = pd.factorize(table[by], sort=True)
    treated = (table[group_col] == treatment).to_numpy()
    k = codes.max() + 1
    kt, nt = (np.bincount(codes[treated], weights=w, minlength=k) for w in (y[treated], None))
    kc, nc = (np.bincount(codes[~treated], weights=w, minlength=k) for w in (y[~treated], None))
    both = (nt > 0) & (nc > 0)
    if both.sum() < 2:
        raise ValueError(f"equal_lifts_test: fewer than two values of {by!r} have customers in both groups; "
                         "there is no difference of lifts to test.")
    kt, nt, kc, nc = (v[both].astype(float) for v in (kt, nt, kc, nc))
    d = kt / nt - kc / nc
    at, ac = (kt + 1) / (nt + 2), (kc + 1) / (nc + 2)
    w = 1 / (at * (1 - at) / (nt + 2) + ac * (1 - ac) / (nc + 2))
    dbar = float((w * d).sum() / w.sum())
    q = float((w * (d - dbar) ** 2).sum())
    df = d.size - 1
    return pd.Series({"groups": d.size, "chi2": q, "df": df, "p_value": float(stats.chi2.sf(q, df)),
                      "common_lift_pp": 100 * dbar})


def before_after(table: pd.DataFrame, *, before: str = "repeat_before", after: str = "repeat",
                 group_col: str = "group", treatment="treatment", control="control", earlier=None,
                 confidence: float = 0.95) -> pd.DataFrame:
    """The naive comparisons without a control group, beside the randomized comparison.

    Without a control group one would compare the treated customers' rate in the window
    after the start with their rate in an equal window before it. That change mixes the
    incentive's effect with everything else that differs between the two windows: here
    above all *selection*: customers chosen because they had not bought again before the
    start have a "before" rate of 0 by construction, so any purchase after looks like a
    gain. The control group measures what happens anyway.

    A more careful naive comparison takes an **earlier cohort**: the customers in the
    same position (one-time buyers) at an earlier date, followed over a window of the
    same length (``earlier``; see :func:`custlab.experiments.one_time_buyers`). Selection
    is then alike, but the two windows still differ in season, trend and whatever else
    changed, and nothing in the data says by how much.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per customer with ``group_col``, ``before`` and ``after`` (0/1 or bool).
    before, after : str
        The outcome in the window before and after the start.
    earlier : array-like of 0/1 or bool, optional
        The outcome of an earlier cohort over a window of the same length, one value per
        customer of that cohort.
    confidence : float
        Level of the intervals.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``measure``: ``treated, before`` and ``treated, after`` (rates, %; the
        before rate has no interval when it is the same for every customer, as when it is
        fixed by who was chosen), ``before/after change`` (percentage points; interval:
        paired t, on the per-customer differences), ``control, after`` (%), ``randomized
        lift`` (treatment minus control after, percentage points, Newcombe's interval) and
        ``what before/after adds`` (the change minus the lift: the control's after rate
        minus the treated's before rate, the part of the naive number that is not the
        incentive). With ``earlier`` also ``earlier cohort`` (%), ``treated after minus
        earlier cohort`` (percentage points, Newcombe's interval) and ``what the cohort
        comparison adds`` (it minus the randomized lift). Columns ``estimate, low, high, unit``.

    Examples
    --------
    >>> t = pd.DataFrame({"group": ["treatment"] * 4 + ["control"] * 4, "repeat_before": [0] * 8,
    ...                   "repeat": [1, 1, 0, 0, 1, 0, 0, 0]})
    >>> before_after(t, earlier=[1, 0, 0, 0, 0])["estimate"]
    measure
    treated, before                           0.0
    treated, after                           50.0
    before/after change                      50.0
    control, after                           25.0
    randomized lift                          25.0
    what before/after adds                   25.0
    earlier cohort                           20.0
    treated after minus earlier cohort       30.0
    what the cohort comparison adds           5.0
    Name: estimate, dtype: float64
    """
    t, c = _groups(table, {"before": before, "after": after}, group_col, treatment, control, "before_after")
    tb, ta = _binary(t[before], before, "before_after"), _binary(t[after], after, "before_after")
    ca = _binary(c[after], after, "before_after")
    diff = ta - tb
    if diff.size > 1 and diff.std(ddof=1) > 0:
        half = stats.t.ppf(0.5 + confidence / 2, diff.size - 1) * diff.std(ddof=1) / np.sqrt(diff.size)
    else:
        half = np.nan
    change = 100 * diff.mean()
    lifted = _lift_numbers(ta, ca, confidence)

    def rate(y, interval=True):
        low, high = wilson_interval(y.sum(), y.size, confidence=confidence) if interval else (np.nan, np.nan)
        return 100 * y.mean(), 100 * float(low), 100 * float(high), "%"

    pp = "percentage points"
    rows = {"treated, before": rate(tb, interval=np.ptp(tb) > 0), "treated, after": rate(ta),
            "before/after change": (change, change - 100 * half, change + 100 * half, pp),
            "control, after": rate(ca),
            "randomized lift": (lifted["lift_pp"], lifted["lift_low_pp"], lifted["lift_high_pp"], pp),
            "what before/after adds": (change - lifted["lift_pp"], np.nan, np.nan, pp)}
    if earlier is not None:
        ea = _binary(pd.Series(np.asarray(earlier)), "earlier", "before_after")
        if ea.size == 0:
            raise ValueError("before_after: the earlier cohort is empty; pass its outcomes, one per customer.")
        versus = _lift_numbers(ta, ea, confidence)
        rows |= {"earlier cohort": rate(ea),
                 "treated after minus earlier cohort": (versus["lift_pp"], versus["lift_low_pp"],
                                                        versus["lift_high_pp"], pp),
                 "what the cohort comparison adds": (versus["lift_pp"] - lifted["lift_pp"], np.nan, np.nan, pp)}
    return pd.DataFrame.from_dict(rows, orient="index", columns=["estimate", "low", "high", "unit"]).rename_axis(
        "measure")
