"""Pictures of fitted customer-base models at discrete opportunities: a value for every
(frequency, recency) history, and a cohort's transactions period by period. Tables beside
them: the model's predictions for each history (such as
:meth:`custlab.BetaGeoBetaBinom.p_alive` on :func:`custlab.load_donations`) and
:func:`custlab.models.bgbb.period_tracking`.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes

__all__ = ["history_grid", "plot_history_grid", "plot_period_tracking"]


def _axes(ax: Axes | None, figsize=(6, 4)) -> Axes:
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def history_grid(table: pd.DataFrame, value_col: str, *, frequency_col: str = "frequency",
                 recency_col: str = "recency") -> pd.DataFrame:
    """One value per history, as a grid: frequency x down, recency t_x across.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per history (x, t_x), such as a recency/frequency table with a model's
        prediction added as a column; each history at most once.
    value_col : str
        The column to spread over the grid.
    frequency_col, recency_col : str
        Column names of x and t_x.

    Returns
    -------
    pandas.DataFrame
        Index ``frequency`` 0 .. max(x), columns ``recency`` 0 .. max(t_x); missing where
        the table has no such history (x above t_x cannot happen).

    Examples
    --------
    >>> table = pd.DataFrame({"frequency": [0, 1, 1], "recency": [0, 1, 2], "p": [0.1, 0.2, 0.9]})
    >>> history_grid(table, "p").to_numpy().tolist()
    [[0.1, nan, nan], [nan, 0.2, 0.9]]
    """
    for col in (frequency_col, recency_col, value_col):
        if col not in table.columns:
            raise ValueError(f"history_grid: no column {col!r}; columns found: {list(table.columns)}.")
    repeated = table.duplicated([frequency_col, recency_col])
    if repeated.any():
        raise ValueError(f"history_grid takes each (frequency, recency) history once; {int(repeated.sum())} "
                         f"repeat(s), e.g.\n{table.loc[repeated].head().to_string()}\n"
                         f"Aggregate first, e.g. table.groupby([{frequency_col!r}, {recency_col!r}]).mean().")
    grid = table.pivot(index=frequency_col, columns=recency_col, values=value_col)
    full = grid.reindex(index=range(int(table[frequency_col].max()) + 1),
                        columns=range(int(table[recency_col].max()) + 1))
    full.index.name, full.columns.name = "frequency", "recency"
    return full.astype(float)


def plot_history_grid(grid: pd.DataFrame, *, ax: Axes | None = None, fmt: str = ".2f", cmap: str = "viridis",
                      label: str = "", recency_labels: Sequence[str] | None = None,
                      vmin: float | None = None, vmax: float | None = None) -> Axes:
    """Heatmap of :func:`history_grid`, every cell written out: frequency up, recency across;
    histories that cannot happen stay blank.

    Parameters
    ----------
    grid : pandas.DataFrame
        Output of :func:`history_grid`.
    ax : Axes, optional
    fmt : str
        Format of the numbers written in the cells.
    cmap : str
        Colour map.
    label : str
        What the colours show, with its unit (the colour bar's label).
    recency_labels : sequence of str, optional
        Tick labels for recency 0, 1, 2, ... (such as the calendar years of the opportunities).
    vmin, vmax : float, optional
        Ends of the colour scale (default: the smallest and largest values).

    Returns
    -------
    Axes

    Examples
    --------
    >>> table = pd.DataFrame({"frequency": [0, 1, 1], "recency": [0, 1, 2], "p": [0.1, 0.2, 0.9]})
    >>> ax = plot_history_grid(history_grid(table, "p"), label="P(alive)")
    >>> [t.get_text() for t in ax.texts], ax.get_ylabel()
    (['0.10', '0.20', '0.90'], 'frequency x: repeat transactions')
    """
    ax = _axes(ax, (6.5, 4))
    shown = grid.copy()
    if recency_labels is not None:
        if len(recency_labels) != shown.shape[1]:
            raise ValueError(f"plot_history_grid: recency_labels needs one label per recency 0 .. "
                             f"{shown.shape[1] - 1} ({shown.shape[1]} labels); got {len(recency_labels)}.")
        shown.columns = list(recency_labels)
    sns.heatmap(shown, ax=ax, annot=True, fmt=fmt, cmap=cmap, vmin=vmin, vmax=vmax,
                cbar_kws={"label": label}, annot_kws={"fontsize": 8}, linewidths=0.5, linecolor="white")
    ax.invert_yaxis()
    ax.tick_params(axis="both", labelrotation=0)
    ax.set_xlabel("recency t_x: opportunity of the last repeat transaction")
    ax.set_ylabel("frequency x: repeat transactions")
    return ax


def plot_period_tracking(table: pd.DataFrame, *, ax: Axes | None = None,
                         period_labels: Sequence | None = None, xlabel: str | None = None,
                         ylabel: str = "transactions per period", color: str = "#2b6f97") -> Axes:
    """A cohort's transactions per period, from :func:`custlab.models.bgbb.period_tracking`:
    what the table implies (solid, calibration periods), what the model expects for a cohort
    of that size (dashed) and, after the dotted line, what it expects given each customer's
    history (dotted).

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`custlab.models.bgbb.period_tracking`.
    ax : Axes, optional
    period_labels : sequence, optional
        Tick labels for periods 1, 2, ... (such as calendar years); default the period numbers.
    xlabel : str, optional
        Label of the horizontal axis (default: the table's time unit, "periods").
    ylabel : str
        Label of the vertical axis, with its unit.
    color : str
        Colour of the line from the table.

    Returns
    -------
    Axes

    Examples
    --------
    >>> table = pd.DataFrame({"period": [1, 2, 3], "calibration": [True, True, False],
    ...                       "expected": [10.0, 8.0, 7.0], "from_table": [11.0, 7.5, np.nan],
    ...                       "expected_given_history": [np.nan, np.nan, 6.5]})
    >>> [line.get_label() for line in plot_period_tracking(table).get_lines()[:3]]
    ['from the table', 'model: a cohort of this size', 'model: given each history']
    """
    ax = _axes(ax, (7, 3.8))
    period = table["period"].to_numpy()
    calibration = table["calibration"].to_numpy(bool)
    ax.plot(period[calibration], table.loc[calibration, "from_table"], marker="o", color=color,
            label="from the table")
    ax.plot(period, table["expected"], ls="--", color="#d1495b", label="model: a cohort of this size")
    if (~calibration).any():
        ax.plot(period[~calibration], table.loc[~calibration, "expected_given_history"], ls=":", marker="s",
                color="#3d3d3d", label="model: given each history")
        ax.axvline(period[calibration].max() + 0.5, color="grey", ls=":", lw=1)
    if period_labels is not None:
        if len(period_labels) != len(period):
            raise ValueError(f"plot_period_tracking: period_labels needs one label per period ({len(period)}); "
                             f"got {len(period_labels)}.")
        labels = [str(p) for p in period_labels]
    else:
        labels = [str(p) for p in period]
    # At most about a dozen labels, so they never run into each other.
    every = max(1, int(np.ceil(len(period) / 12)))
    ax.set_xticks(period[::every], labels[::every])
    ax.set_ylim(0, float(np.nanmax(table[["expected", "from_table", "expected_given_history"]].to_numpy())) * 1.1)
    ax.set_xlabel(xlabel if xlabel is not None else table.attrs.get("time_unit", "periods"))
    ax.set_ylabel(ylabel)
    ax.legend(frameon=False, fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    return ax
