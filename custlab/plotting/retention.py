"""Pictures of retention: the cohort heatmap and curves, survival curves with their bands and
the numbers at risk, and hazard ratios. Tables beside them:
:func:`custlab.retention.retention_matrix`, :func:`~custlab.retention.retention_curve`,
:func:`~custlab.retention.survival_table`, :func:`~custlab.retention.hazard_ratios`.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.ticker import MaxNLocator

from custlab.retention.survival import _fitter, _groups, duration_column

__all__ = ["plot_hazard_ratios", "plot_retention_curves", "plot_retention_heatmap", "plot_survival"]


def _axes(ax: Axes | None, figsize=(6, 4)) -> Axes:
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def _cohort_labels(index: pd.Index, freq: str | None) -> list[str]:
    fmt = "%Y-%m-%d" if freq == "W" else "%Y-%m"
    return [pd.Timestamp(i).strftime(fmt) for i in index]


def plot_retention_heatmap(matrix: pd.DataFrame, *, ax: Axes | None = None, annotate: bool | None = None,
                           cmap: str = "YlGnBu", **kwargs) -> Axes:
    """Heatmap of a retention matrix (%): cohorts down, periods since acquisition across; blank
    where not yet observed.

    Examples
    --------
    >>> m = pd.DataFrame([[1.0, 0.4], [1.0, np.nan]], index=pd.to_datetime(["2024-01-01", "2024-02-01"]))
    >>> len(plot_retention_heatmap(m).texts)
    3
    """
    ax = _axes(ax, (9, 4.5))
    shown = matrix.drop(columns=[0], errors="ignore") if matrix.shape[1] > 1 else matrix
    shown = matrix if annotate is None and matrix.shape[1] <= 2 else shown
    if annotate is None:
        annotate = shown.size <= 400
    freq = matrix.attrs.get("freq")
    data = 100 * shown.astype(float)
    data.index = _cohort_labels(shown.index, freq)
    sns.heatmap(data, annot=annotate, fmt=".0f", cmap=cmap, vmin=0, cbar_kws={"label": "% of period 0"},
                ax=ax, annot_kws={"fontsize": 7}, **kwargs)
    unit = matrix.columns.name or "periods since acquisition"
    ax.set(xlabel=unit, ylabel="cohort (first purchase)",
           title="Retention by cohort (% of the cohort's period 0)")
    ax.tick_params(axis="y", rotation=0, labelsize=7)
    return ax


def plot_retention_curves(matrix: pd.DataFrame, *, pooled: pd.Series | None = None, ax: Axes | None = None,
                          max_cohorts: int = 12) -> Axes:
    """One line per cohort (up to ``max_cohorts``, evenly picked, earliest first), and the pooled
    curve in black, in % of period 0.

    Examples
    --------
    >>> m = pd.DataFrame([[1.0, 0.4, 0.3], [1.0, 0.5, np.nan]], index=pd.to_datetime(["2024-01-01", "2024-02-01"]))
    >>> len(plot_retention_curves(m, pooled=pd.Series([1.0, 0.45, 0.3])).lines)
    3
    """
    ax = _axes(ax, (7, 3.8))
    freq = matrix.attrs.get("freq")
    pick = np.unique(np.linspace(0, len(matrix) - 1, min(max_cohorts, len(matrix))).round().astype(int))
    colours = sns.color_palette("viridis", len(pick))
    for colour, i in zip(colours, pick):
        row = 100 * matrix.iloc[i].astype(float).dropna()
        ax.plot(row.index.astype(int), row.to_numpy(), color=colour, lw=1, alpha=0.8,
                label=_cohort_labels(matrix.index[[i]], freq)[0])
    if pooled is not None:
        ax.plot(pooled.index.astype(int), 100 * pooled.to_numpy(), color="black", lw=2.5, label="all cohorts")
    ax.set(xlabel=matrix.columns.name or "periods since acquisition", ylabel="% of period 0",
           title="Retention curves by cohort")
    ax.legend(fontsize="x-small", ncols=2, title="cohort", title_fontsize="x-small")
    return ax


def plot_survival(data: pd.DataFrame, *, by: str | None = None, ax: Axes | None = None, at_risk: bool = True,
                  event_col: str = "churned", ticks: int = 6) -> Axes:
    """Kaplan-Meier curves (lifelines) with their 95 % bands; below, the numbers still at risk.

    Parameters
    ----------
    data : pandas.DataFrame
        From :func:`custlab.retention.survival_data`.
    by : str, optional
        One curve per group of this column.
    at_risk : bool
        Print the customers still at risk under the x axis, at ``ticks`` evenly spaced durations.

    Examples
    --------
    >>> d = pd.DataFrame({"duration_months": [1.0, 2.0, 3.0, 4.0], "churned": [True, False, True, False]})
    >>> len(plot_survival(d).lines)
    1
    """
    ax = _axes(ax, (7, 4.2))
    duration = duration_column(data)
    unit = duration.removeprefix("duration_")
    groups = _groups(data, by)
    palette = sns.color_palette("colorblind", len(groups))
    top = float(data[duration].max())
    marks = MaxNLocator(nbins=ticks, integer=True).tick_values(0, top) if top > 0 else np.array([0.0])
    marks = marks[(marks >= 0) & (marks <= top)]
    lines = []
    for colour, (g, part) in zip(palette, groups):
        kmf = _fitter(part[duration], part[event_col], g)
        s = kmf.survival_function_.iloc[:, 0]
        band = kmf.confidence_interval_
        ax.step(s.index, 100 * s.to_numpy(), where="post", color=colour, label=str(g))
        ax.fill_between(band.index, 100 * band.iloc[:, 0], 100 * band.iloc[:, 1], step="post", color=colour,
                        alpha=0.2, lw=0)
        lines.append((str(g), [int((part[duration] >= m).sum()) for m in marks]))
    ax.set(xlabel=f"{unit} since the start", ylabel="still a customer (%)", ylim=(0, 101),
           title="Survival (Kaplan-Meier, 95 % bands)")
    if by is not None:
        ax.legend(title=by, fontsize="small")
    if at_risk:
        ax.set_xticks(marks)
        text = "at risk\n" + "\n".join(name for name, _ in lines)
        ax.annotate(text, xy=(0, 0), xycoords="axes fraction", xytext=(-10, -38), textcoords="offset points",
                    ha="right", va="top", fontsize=7)
        for j, m in enumerate(marks):
            column = "\n".join([""] + [f"{counts[j]:,}" for _, counts in lines])
            ax.annotate(column, xy=(m, 0), xycoords=("data", "axes fraction"), xytext=(0, -38),
                        textcoords="offset points", ha="center", va="top", fontsize=7)
    return ax


def plot_hazard_ratios(table: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Forest plot: each covariate's hazard ratio with its 95 % interval, on a log scale; 1 means no effect.

    Examples
    --------
    >>> t = pd.DataFrame({"hazard_ratio": [0.5, 1.5], "low": [0.3, 1.1], "high": [0.8, 2.0]}, index=["a", "b"])
    >>> ax = plot_hazard_ratios(t)
    >>> [label.get_text() for label in ax.get_yticklabels()], len(ax.lines)
    (['a', 'b'], 3)
    """
    ax = _axes(ax, (6.5, 0.4 * len(table) + 1.2))
    y = np.arange(len(table))[::-1]
    for yi, (_, r) in zip(y, table.iterrows()):
        colour = "#2a9d55" if r["high"] < 1 else "#b5473a" if r["low"] > 1 else "grey"
        ax.plot([r["low"], r["high"]], [yi, yi], color=colour, lw=1.5)
        ax.scatter([r["hazard_ratio"]], [yi], color=colour, zorder=3)
    ax.axvline(1, color="black", lw=0.8)
    ax.set_xscale("log")
    ax.set_yticks(y, table.index)
    ax.set(xlabel="hazard ratio (log scale; below 1: churn more slowly)", title="Drivers of churn (Cox model)")
    return ax
