"""Pictures of customer types, each beside its table function in :mod:`custlab.typology`:
:func:`plot_type_shares` (:func:`~custlab.typology.type_shares`), :func:`plot_type_overlap`
(:func:`~custlab.typology.type_overlap`) and :func:`plot_type_sensitivity`
(:func:`~custlab.typology.type_share_sensitivity`).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

__all__ = ["plot_type_overlap", "plot_type_sensitivity", "plot_type_shares"]


def plot_type_shares(data: pd.DataFrame, *, ax: Axes | None = None, color: str = "#2b6f97") -> Axes:
    """Horizontal bars: percentage of buyers per type, labelled with the count.

    Parameters
    ----------
    data : pandas.DataFrame
        Output of :func:`custlab.typology.type_shares`; types the data cannot tell
        (missing counts) are left out.
    ax : Axes, optional
    color : str

    Returns
    -------
    Axes

    Examples
    --------
    >>> from custlab.typology import type_shares
    >>> labels = pd.DataFrame({"new": [True, False], "loyal": [True, True], "orders": [1, 4]})
    >>> [t.get_text() for t in plot_type_shares(type_shares(labels, types=["new", "loyal"])).get_yticklabels()]
    ['loyal', 'new']
    """
    table = data.dropna(subset=["customers"])
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 2.8))
    names = list(table.index)[::-1]
    bars = ax.barh(names, table["percent"].to_numpy()[::-1], color=color)
    ax.bar_label(bars, labels=[f"{int(c):,}" for c in table["customers"].to_numpy()[::-1]], padding=3, fontsize=8)
    ax.set_xlabel("% of buyers (label: customers)")
    ax.set_xlim(0, max(100.0, float(table["percent"].max() if len(table) else 0)) * 1.08)
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def plot_type_overlap(data: pd.DataFrame, *, ax: Axes | None = None, cmap: str = "Blues") -> Axes:
    """Heat map of how many customers carry both types of each pair (diagonal: the type).

    Parameters
    ----------
    data : pandas.DataFrame
        Output of :func:`custlab.typology.type_overlap`.
    ax : Axes, optional
    cmap : str

    Returns
    -------
    Axes

    Examples
    --------
    >>> from custlab.typology import type_overlap
    >>> labels = pd.DataFrame({"new": [True, True, False], "loyal": [True, False, True]})
    >>> len(plot_type_overlap(type_overlap(labels, types=["new", "loyal"])).texts)
    4
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(4.8, 4))
    values = data.to_numpy()
    ax.imshow(values, cmap=cmap, vmin=0)
    ticks = np.arange(len(data))
    ax.set_xticks(ticks, list(data.columns), rotation=30, ha="right")
    ax.set_yticks(ticks, list(data.index))
    top = values.max() if values.size else 0
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            ax.text(j, i, f"{int(values[i, j]):,}", ha="center", va="center", fontsize=9,
                    color="white" if top and values[i, j] > 0.6 * top else "black")
    ax.set_title("customers carrying both types")
    return ax


def plot_type_sensitivity(data: pd.DataFrame, *, ax: Axes | None = None, unit: str = "") -> Axes:
    """Lines: percentage of buyers per type as one threshold moves.

    Parameters
    ----------
    data : pandas.DataFrame
        Output of :func:`custlab.typology.type_share_sensitivity`.
    ax : Axes, optional
    unit : str
        Unit of the threshold, shown on the x axis.

    Returns
    -------
    Axes

    Examples
    --------
    >>> table = pd.DataFrame({"threshold": ["new_days"] * 2, "value": [30, 90], "new": [5.0, 12.0]})
    >>> plot_type_sensitivity(table, unit="days").get_xlabel()
    'new_days (days)'
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.2))
    types = [c for c in data.columns if c not in ("threshold", "value")]
    for name in types:
        ax.plot(data["value"], data[name], marker="o", label=name)
    name = str(data["threshold"].iloc[0]) if len(data) else "threshold"
    ax.set_xlabel(f"{name} ({unit})" if unit else name)
    ax.set_ylabel("% of buyers")
    ax.set_ylim(bottom=0)
    ax.legend(frameon=False, fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    return ax
