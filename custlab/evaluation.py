"""How well does a purchase model describe data it was, and was not, fitted on?

The checks of Fader, Hardie & Lee (2005): the period-by-period tracking of
repeat purchases (calibration and holdout), the histogram of repeat purchases
in the calibration period with a chi-square test, and the conditional
expectations of holdout purchases by calibration frequency. Each returns a
table; :mod:`custlab.plotting` draws it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from custlab.units import elapsed, normalize_unit, unit_label

__all__ = ["tracking_table", "repeat_purchase_histogram", "HistogramCheck", "conditional_expectations",
           "compare_with_published", "p_alive_matrix", "expected_purchases_matrix"]


def _purchase_days(transactions, customer_col, date_col) -> pd.DataFrame:
    days = transactions[[customer_col, date_col]].copy()
    days[date_col] = pd.to_datetime(days[date_col]).dt.normalize()
    return days.drop_duplicates().sort_values([customer_col, date_col])


def tracking_table(
    transactions: pd.DataFrame,
    model,
    *,
    calibration_end,
    observation_end,
    time_unit: str = "W",
    start=None,
    customer_col: str = "customer_id",
    date_col: str = "date",
) -> pd.DataFrame:
    """Repeat purchases per period, actual beside expected, for a whole cohort.

    Purchases of a customer on one day count once; each customer's first purchase
    is not a repeat purchase. The expected number for a period adds, over customers,
    ``model.expected_purchases`` over the time each has been a customer.

    Parameters
    ----------
    transactions : pandas.DataFrame
        The validated log (calibration and holdout).
    model
        A fitted model with ``expected_purchases(t)`` in ``time_unit`` (BetaGeo, ParetoNBD).
    calibration_end, observation_end : date
        End of the calibration period, and of the data.
    time_unit : {"D", "W", "M"}
        Length of a period: day, week or calendar month.
    start : date, optional
        First day of period 1 (default: the first purchase in the data).

    Returns
    -------
    pandas.DataFrame
        One row per period: ``period`` (1, 2, ...), ``period_end`` (last day),
        ``actual`` and ``expected`` repeat purchases in the period,
        ``actual_cumulative``, ``expected_cumulative``, and ``calibration``
        (True for periods that end by ``calibration_end``).
    """
    unit = normalize_unit(time_unit)
    days = _purchase_days(transactions, customer_col, date_col)
    first = days.groupby(customer_col)[date_col].transform("min")
    repeats = days.loc[days[date_col] > first, date_col]
    firsts = days.groupby(customer_col)[date_col].min()
    begin = pd.Timestamp(start) if start is not None else firsts.min()
    obs_end = pd.Timestamp(observation_end).normalize()
    step = {"D": pd.DateOffset(days=1), "W": pd.DateOffset(weeks=1), "M": pd.DateOffset(months=1)}[unit]
    bounds = [begin]
    while bounds[-1] <= obs_end:  # the last period may run past the end of the data
        bounds.append(bounds[-1] + step)
    bounds = pd.DatetimeIndex(bounds)
    actual = np.histogram(repeats.to_numpy(dtype="datetime64[ns]").astype("int64"),
                          bins=bounds.to_numpy(dtype="datetime64[ns]").astype("int64"))[0]
    ends = bounds[1:]
    expected_cum = np.array([
        model.expected_purchases(np.clip(elapsed(firsts.to_numpy(), np.repeat(end.to_datetime64(), len(firsts)),
                                                 unit), 0, None)).sum()
        for end in [min(e, obs_end + pd.Timedelta(days=1)) for e in ends]
    ])
    table = pd.DataFrame({
        "period": np.arange(1, len(ends) + 1),
        "period_end": (ends - pd.Timedelta(days=1)).date,
        "actual": actual,
        "expected": np.diff(np.concatenate([[0.0], expected_cum])),
        "actual_cumulative": np.cumsum(actual),
        "expected_cumulative": expected_cum,
        "calibration": (ends - pd.Timedelta(days=1)) <= pd.Timestamp(calibration_end),
    })
    table.attrs["time_unit"] = unit_label(unit)
    return table


@dataclass
class HistogramCheck:
    """Customers by number of repeat purchases, actual and expected, with a chi-square test."""

    table: pd.DataFrame
    chi_square: float
    degrees_of_freedom: int
    p_value: float

    def __str__(self) -> str:
        return (f"chi-square {self.chi_square:.1f} on {self.degrees_of_freedom} degrees of freedom, "
                f"p = {self.p_value:.3f}")


def repeat_purchase_histogram(summary: pd.DataFrame, model, *, max_frequency: int = 7,
                              frequency_col: str = "frequency", T_col: str = "T") -> HistogramCheck:
    """How many customers made 0, 1, ..., ``max_frequency``+ repeat purchases, actual and expected.

    The expected count adds, over customers, the model's P(X(T) = x) for each
    customer's own observation time T: ``model`` is any fitted model with
    ``probability_of_purchases(n, t)`` (BetaGeo, ModifiedBetaGeo, ParetoNBD). The
    chi-square test has (bins - 1 - parameters) degrees of freedom.
    """
    x = summary[frequency_col].to_numpy()
    T = summary[T_col].to_numpy(float)
    bins = np.arange(max_frequency + 1)
    probs = model.probability_of_purchases(bins[:-1, None], T[None, :]).sum(axis=1)
    expected = np.append(probs, len(x) - probs.sum())
    actual = np.append(np.bincount(np.minimum(x, max_frequency), minlength=max_frequency + 1)[:-1],
                       (x >= max_frequency).sum())
    labels = [str(b) for b in bins[:-1]] + [f"{max_frequency}+"]
    table = pd.DataFrame({"repeat_purchases": labels, "actual": actual, "expected": expected})
    chi = float(((actual - expected) ** 2 / expected).sum())
    dof = len(bins) - 1 - len(model.params_)
    return HistogramCheck(table, chi, dof, float(stats.chi2.sf(chi, dof)))


def conditional_expectations(summary: pd.DataFrame, model, *, max_frequency: int = 7) -> pd.DataFrame:
    """Mean holdout purchases by calibration frequency: actual beside the model's expectation.

    ``summary`` is :func:`custlab.rfm_summary` with ``calibration_end`` (holdout columns).
    Returns ``repeat_purchases`` (calibration, last bin open), ``customers``,
    ``actual`` and ``expected`` (mean purchases per customer in the holdout).
    """
    needed = ["frequency", "recency", "T", "frequency_holdout", "duration_holdout"]
    missing = [c for c in needed if c not in summary.columns]
    if missing:
        raise ValueError(f"conditional_expectations needs an rfm_summary with calibration_end; missing {missing}.")
    expected = model.conditional_expected_purchases(summary["duration_holdout"], summary["frequency"],
                                                    summary["recency"], summary["T"])
    group = np.minimum(summary["frequency"].to_numpy(), max_frequency)
    frame = pd.DataFrame({"group": group, "actual": summary["frequency_holdout"].to_numpy(),
                          "expected": expected})
    out = frame.groupby("group").agg(customers=("actual", "size"), actual=("actual", "mean"),
                                     expected=("expected", "mean")).reset_index()
    out.insert(0, "repeat_purchases", [str(g) if g < max_frequency else f"{max_frequency}+" for g in out["group"]])
    return out.drop(columns="group")


def compare_with_published(estimates: pd.Series, published: dict[str, float], *, decimals: int | dict = 3
                           ) -> pd.DataFrame:
    """Published values beside ours, ours rounded to the printed precision.

    Parameters
    ----------
    estimates : pandas.Series
        Our values by name (a model's ``params_``, plus e.g. ``LL``).
    published : dict
        The values as printed in the paper.
    decimals : int or dict
        Digits printed in the paper, for all values or per name.

    Returns
    -------
    pandas.DataFrame
        Index: name; ``published``, ``custlab`` (rounded), ``match`` (equal at that precision).
    """
    rows = []
    for name, value in published.items():
        d = decimals[name] if isinstance(decimals, dict) else decimals
        ours = round(float(estimates[name]), d)
        rows.append({"name": name, "published": value, "custlab": ours, "match": ours == round(value, d)})
    return pd.DataFrame(rows).set_index("name")


def _round_step(span: float, cells: int) -> float:
    """A step of 1, 2 or 5 times a power of ten that cuts ``span`` into about ``cells`` cells."""
    raw = span / cells
    power = 10.0 ** np.floor(np.log10(raw))
    return float(min((m * power for m in (1, 2, 5, 10) if m * power >= raw), default=10 * power))


def p_alive_matrix(model, *, T: float, max_frequency: int = 20, recency_step: float | None = None) -> pd.DataFrame:
    """P(alive) for every (frequency, recency) pair of a customer observed for ``T`` time units.

    Rows: repeat purchases 0..``max_frequency``; columns: recency from 0 to ``T`` in
    ``recency_step`` steps (default: a round step, 1, 2 or 5 times a power of ten, giving
    about 20 columns). Cells where no customer can be are missing: repeat purchases with
    recency 0, and recency above 0 without a repeat purchase. The time unit of the model
    is kept in ``.attrs["time_unit"]``.

    Examples
    --------
    >>> import custlab as cl
    >>> summary = cl.rfm_summary(cl.load_cdnow(sample=True), observation_end="1998-06-30",
    ...                          calibration_end="1997-09-30")
    >>> matrix = p_alive_matrix(cl.BetaGeo().fit(summary), T=39, max_frequency=5)
    >>> list(matrix.columns[:4]), matrix.attrs["time_unit"]
    ([0.0, 2.0, 4.0, 6.0], 'weeks')
    """
    grid = _history_grid(T, max_frequency, recency_step, model, "p_alive_matrix")
    return grid.table(model.p_alive(grid.x, grid.t_x, np.full(grid.x.shape, float(T))), model)


@dataclass
class _HistoryGrid:
    """Every (frequency, recency) pair of customers observed for the same time T."""

    frequency: np.ndarray
    recency: np.ndarray
    x: np.ndarray
    t_x: np.ndarray

    def table(self, values: np.ndarray, model) -> pd.DataFrame:
        """``values`` on the grid as a table, blank where no customer can be: repeat purchases
        with recency 0, and recency above 0 without a repeat purchase."""
        impossible = ((self.x > 0) & (self.t_x == 0)) | ((self.x == 0) & (self.t_x > 0))
        out = pd.DataFrame(np.where(impossible, np.nan, values), index=pd.Index(self.frequency, name="frequency"),
                           columns=pd.Index(self.recency, name="recency"))
        out.attrs["time_unit"] = getattr(model, "time_unit_", "time units")
        return out


def _history_grid(T: float, max_frequency: int, recency_step: float | None, model=None,
                  where: str = "the matrix") -> _HistoryGrid:
    if model is not None:
        from custlab.models import BetaGeo, ModifiedBetaGeo, ParetoNBD

        if not isinstance(model, (BetaGeo, ModifiedBetaGeo, ParetoNBD)):
            raise TypeError(f"{where} needs a fitted continuous-time purchase model (BetaGeo, ModifiedBetaGeo or "
                            f"ParetoNBD); got {type(model).__name__}.")
    if isinstance(T, bool) or not isinstance(T, (int, float, np.integer, np.floating)) or not T > 0:
        raise ValueError(f"T must be a positive time (in the model's unit), got {T!r}.")
    if (isinstance(max_frequency, bool) or not isinstance(max_frequency, (int, np.integer))
            or max_frequency < 0):
        raise ValueError(f"max_frequency must be a whole number, 0 or more; got {max_frequency!r}.")
    if recency_step is not None and not (isinstance(recency_step, (int, float, np.integer, np.floating))
                                         and 0 < recency_step <= T):
        raise ValueError(f"recency_step must be a positive time no longer than T ({T:g}); got {recency_step!r}.")
    step = recency_step or _round_step(float(T), 20)
    recency = np.round(np.arange(0, T + 1e-9, step), 6)
    freq = np.arange(max_frequency + 1)
    x, t_x = np.meshgrid(freq, recency, indexing="ij")
    return _HistoryGrid(freq, recency, x, t_x)


def expected_purchases_matrix(model, *, t: float, T: float, max_frequency: int = 20,
                              recency_step: float | None = None) -> pd.DataFrame:
    """Expected purchases in the next ``t`` time units for every (frequency, recency) pair of a
    customer observed for ``T`` time units: ``model.conditional_expected_purchases`` on a grid.

    The layout is that of :func:`p_alive_matrix`: rows are repeat purchases
    0..``max_frequency`` (x), columns recency (t_x, the time of the last purchase) from 0 to
    ``T`` in ``recency_step`` steps (default: a round step giving about 20 columns), and
    impossible cells are missing.

    Parameters
    ----------
    model
        A fitted BetaGeo, ModifiedBetaGeo or ParetoNBD (anything with
        ``conditional_expected_purchases(t, frequency, recency, T)``).
    t : float
        Length of the period ahead, in the model's time unit; more than 0.
    T : float
        Time each customer has been observed since the first purchase, in the same unit.
    max_frequency : int
        Largest number of repeat purchases shown.
    recency_step : float, optional
        Width of a recency column.

    Returns
    -------
    pandas.DataFrame
        Expected number of purchases per customer (count) in the next ``t`` time units.
        ``.attrs`` keeps ``time_unit`` (the model's) and ``t``, for labels.

    Examples
    --------
    >>> import custlab as cl
    >>> summary = cl.rfm_summary(cl.load_cdnow(sample=True), observation_end="1998-06-30",
    ...                          calibration_end="1997-09-30")
    >>> matrix = expected_purchases_matrix(cl.BetaGeo().fit(summary), t=39, T=39, max_frequency=5)
    >>> matrix.shape, round(float(matrix.loc[2, 30.0]), 2), matrix.attrs["t"]
    ((6, 20), 1.21, 39.0)
    """
    if isinstance(t, bool) or not isinstance(t, (int, float, np.integer, np.floating)) or not 0 < t < np.inf:
        raise ValueError(f"t must be a positive length of time ahead, one finite number in the model's unit; got {t!r}.")
    grid = _history_grid(T, max_frequency, recency_step, model, "expected_purchases_matrix")
    values = model.conditional_expected_purchases(float(t), grid.x, grid.t_x, np.full(grid.x.shape, float(T)))
    out = grid.table(values, model)
    out.attrs["t"] = float(t)
    return out
