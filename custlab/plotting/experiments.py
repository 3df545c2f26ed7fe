"""Pictures of an experiment: the lift with its interval (a forest plot), the rate per group,
and the power curve. Each draws on the Axes it is given (or makes its own) and returns them.

Tables come from :mod:`custlab.experiments`: :func:`~custlab.experiments.effects_by` beside
:func:`plot_lift`, :func:`~custlab.experiments.group_rates` beside :func:`plot_group_rates`,
:func:`~custlab.experiments.power_curve` beside :func:`plot_power_curve`.
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes

__all__ = ["plot_group_rates", "plot_lift", "plot_power_curve"]

#: The groups' colours, the same in every picture.
GROUP_COLOURS = {"control": "#9aa5b1", "treatment": "#2b6f97"}


def _axes(ax: Axes | None, figsize=(6, 4)) -> Axes:
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def plot_lift(effects: pd.DataFrame, *, by: str | None = None, truth: Mapping | pd.Series | None = None,
              ax: Axes | None = None) -> Axes:
    """Forest plot: the lift (percentage points) of each group with its interval, and a zero line.

    A thick line is the interval of each group alone; a thin one, where the table has
    ``lift_low_adj_pp``, the interval adjusted for looking at several groups.

    Parameters
    ----------
    effects : pandas.DataFrame
        From :func:`custlab.experiments.effects_by` (or :func:`~custlab.experiments.lift`):
        ``lift_pp``, ``lift_low_pp``, ``lift_high_pp``, optionally the ``_adj_pp`` bounds.
    by : str, optional
        The column naming each row (default: the first column that is not a number).
    truth : mapping or Series, optional
        The true lift (percentage points) per row name, drawn as a cross: known only in a
        simulation.

    Examples
    --------
    >>> e = pd.DataFrame({"type": ["all", "a"], "lift_pp": [2.0, 4.0], "lift_low_pp": [-1.0, 0.5],
    ...                   "lift_high_pp": [5.0, 7.5]})
    >>> ax = plot_lift(e, truth={"all": 2.5, "a": 3.0})
    >>> [t.get_text() for t in ax.get_yticklabels()], len(ax.lines)
    (['all', 'a'], 3)
    """
    ax = _axes(ax, (6.5, 0.6 * len(effects) + 2.0))
    if by is None:
        text = [c for c in effects.columns if not pd.api.types.is_numeric_dtype(effects[c])]
        by = text[0] if text else None
    names = [str(v) for v in (effects[by] if by is not None else effects.index)]
    y = np.arange(len(effects))[::-1]
    if {"lift_low_adj_pp", "lift_high_adj_pp"} <= set(effects.columns):
        ax.hlines(y, effects["lift_low_adj_pp"], effects["lift_high_adj_pp"], color="#2b6f97", lw=1,
                  label="interval, adjusted for the number of groups")
    ax.hlines(y, effects["lift_low_pp"], effects["lift_high_pp"], color="#2b6f97", lw=4, alpha=0.6,
              label="interval of the group alone")
    ax.plot(effects["lift_pp"], y, "o", color="#1b3f57", label="estimated lift")
    if truth is not None:
        true = [truth.get(n, np.nan) if isinstance(truth, Mapping) else pd.Series(truth).get(n, np.nan)
                for n in names]
        ax.plot(true, y, "x", color="#c0392b", ms=9, mew=2, label="true lift (simulation)")
    ax.axvline(0, color="black", lw=1, ls="--")
    ax.set_yticks(y, names)
    ax.set(xlabel="lift of the repeat-purchase rate (percentage points)", ylim=(-0.7, len(effects) - 0.3),
           title="Lift, treatment minus control")
    ax.legend(fontsize="small", loc="upper center", bbox_to_anchor=(0.5, -0.16), ncols=2, frameon=False)
    return ax


def plot_group_rates(rates: pd.DataFrame, *, by: str | None = None, group_col: str = "group",
                     ax: Axes | None = None) -> Axes:
    """Bars: the repeat-purchase rate (%) of each group, with its interval as a black line.

    Parameters
    ----------
    rates : pandas.DataFrame
        From :func:`custlab.experiments.group_rates`; with ``by``, one pair of bars per value.

    Examples
    --------
    >>> r = pd.DataFrame({"group": ["control", "treatment"], "rate_pct": [8.0, 11.0],
    ...                   "rate_low_pct": [6.0, 9.0], "rate_high_pct": [10.0, 13.0]})
    >>> len(plot_group_rates(r).patches)
    2
    """
    ax = _axes(ax, (6.5, 3.6))
    groups = sorted(rates[group_col].unique(), key=str)
    keys = [None] if by is None else sorted(rates[by].unique(), key=str)
    width = 0.8 / len(groups)
    x = np.arange(len(keys))
    palette = sns.color_palette("colorblind", len(groups))
    for i, g in enumerate(groups):
        part = rates[rates[group_col] == g]
        if by is not None:
            part = part.set_index(by).reindex(keys)
        pos = x - 0.4 + width * (i + 0.5)
        rate = part["rate_pct"].to_numpy(float)
        err = np.vstack([rate - part["rate_low_pct"].to_numpy(float), part["rate_high_pct"].to_numpy(float) - rate])
        ax.bar(pos, rate, width=width * 0.95, color=GROUP_COLOURS.get(str(g), palette[i]), label=str(g))
        ax.errorbar(pos, rate, yerr=err, fmt="none", ecolor="black", elinewidth=1, capsize=3)
    ax.set_xticks(x, ["all customers"] if by is None else [str(k) for k in keys])
    ax.set(ylabel="repeat-purchase rate (%)", title="Repeat purchases per group (bars: rate; lines: its interval)")
    ax.set_ylim(bottom=0)
    ax.legend(fontsize="small")
    return ax


def plot_power_curve(curve: pd.DataFrame, *, n_per_group: int | None = None, target: float = 0.8,
                     ax: Axes | None = None) -> Axes:
    """Lines: the power of the test against customers per group (log scale), one line per lift.

    Parameters
    ----------
    curve : pandas.DataFrame
        From :func:`custlab.experiments.power_curve`.
    n_per_group : int, optional
        Mark the size of an experiment with a vertical line.
    target : float
        Mark this power (0 to 1) with a horizontal line.

    Examples
    --------
    >>> c = pd.DataFrame({"lift_pp": [1.0, 1.0, 2.0, 2.0], "customers_per_group": [100, 1000, 100, 1000],
    ...                   "power": [0.1, 0.4, 0.2, 0.9]})
    >>> len(plot_power_curve(c, n_per_group=400).lines)
    4
    """
    ax = _axes(ax, (6.5, 3.8))
    for lift_pp, part in curve.groupby("lift_pp", sort=True):
        ax.plot(part["customers_per_group"], 100 * part["power"], label=f"lift {lift_pp:.1f} pp")
    ax.axhline(100 * target, color="black", lw=1, ls=":")
    if n_per_group is not None:
        ax.axvline(n_per_group, color="#c0392b", lw=1, ls="--", label=f"this experiment ({n_per_group:,} per group)")
    ax.set_xscale("log")
    ax.set(xlabel="customers per group (log scale)", ylabel="power (%)", ylim=(0, 101),
           title="How likely the test is to find the lift")
    ax.legend(fontsize="small")
    return ax
