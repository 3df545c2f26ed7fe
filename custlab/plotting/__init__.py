"""Pictures. Each plot function draws on Axes it is given (or makes its own),
returns them, and never calls ``plt.show()``; a table function stands beside
each one (:func:`custlab.definitions.role_overlap` beside :func:`plot_role_overlap`).

The UpSet chart is drawn here rather than with the ``upsetplot`` package:
its current release (0.9) fails to draw counts with matplotlib 3.10+ and warns
on pandas 2.x, and the chart is two simple panels.
"""

# matplotlib.pyplot loads when a plot function first makes a figure, and the pictures of
# the sibling modules (listed in ``_ORIGINS`` below) when they are first used.

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from custlab._lazy import attach

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

    from custlab.plotting.model_maps import plot_expected_purchases_matrix
    from custlab.plotting.segmentation import (
        plot_clusters_2d,
        plot_demographic_mix,
        plot_rfm_grid,
        plot_segment_profiles,
    )
    from custlab.plotting.typology import plot_type_overlap, plot_type_sensitivity, plot_type_shares

__all__ = ["plot_conditional_expectations", "plot_p_alive_matrix", "plot_repeat_histogram", "plot_role_counts",
           "plot_role_overlap", "plot_tracking"]


def plot_role_overlap(
    roles: pd.DataFrame,
    *,
    axs: tuple[Axes, Axes] | None = None,
    color: str = "#2b6f97",
    max_combinations: int = 12,
    title: str | None = None,
) -> tuple[Axes, Axes]:
    """UpSet chart: how many people hold each combination of roles.

    The top panel is the number of people in each combination; the dots
    below show which roles the combination has (filled = has the role).

    Parameters
    ----------
    roles : pandas.DataFrame
        Output of :func:`custlab.customer_roles`.
    axs : (Axes, Axes), optional
        Top (bars) and bottom (dots) Axes; made in a new figure if not given.
    color : str
        Bar and dot colour.
    max_combinations : int
        Show at most this many combinations, largest first.
    title : str, optional
        Title above the bars.

    Returns
    -------
    (Axes, Axes)
        The bar panel and the dot panel.

    Examples
    --------
    >>> import custlab as cl
    >>> world = cl.crm_world(300, random_state=0)
    >>> roles = cl.customer_roles(world.orders, window=(world.start, world.end),
    ...                           events=world.events, consumer_col="consumer_id")
    >>> ax_bars, ax_dots = plot_role_overlap(roles)
    """
    from custlab.definitions import ROLES, role_overlap

    table = role_overlap(roles).head(max_combinations)
    known = [r for r in ROLES if r in table.columns]
    if axs is None:
        import matplotlib.pyplot as plt

        fig, axs = plt.subplots(2, 1, figsize=(7, 4.5), sharex=True,
                                gridspec_kw={"height_ratios": [3, 1.4], "hspace": 0.05})
    ax_bars, ax_dots = axs
    x = np.arange(len(table))
    bars = ax_bars.bar(x, table["people"], color=color, width=0.6)
    ax_bars.bar_label(bars, labels=[f"{v:,}" for v in table["people"]], padding=2, fontsize=8)
    ax_bars.set_ylabel("people")
    ax_bars.spines[["top", "right"]].set_visible(False)
    ax_bars.set_ylim(0, table["people"].max() * 1.15)
    if title:
        ax_bars.set_title(title)
    for row, role in enumerate(reversed(known)):
        has = table[role].to_numpy()
        ax_dots.scatter(x, np.full(len(x), row), s=60,
                        color=np.where(has, color, "#d9d9d9"), zorder=3)
    for i, combo in table[known].iterrows():
        rows = [len(known) - 1 - known.index(r) for r in known if combo[r]]
        if len(rows) > 1:
            ax_dots.plot([i, i], [min(rows), max(rows)], color=color, lw=2, zorder=2)
    ax_dots.set_yticks(range(len(known)), list(reversed(known)))
    ax_dots.set_ylim(-0.6, len(known) - 0.4)
    ax_dots.set_xticks([])
    ax_dots.spines[:].set_visible(False)
    ax_dots.tick_params(left=False)
    return ax_bars, ax_dots


def plot_role_counts(roles: pd.DataFrame, *, ax: Axes | None = None, color: str = "#2b6f97") -> Axes:
    """Horizontal bars: people per role (roles the data cannot show are left out).

    Parameters
    ----------
    roles : pandas.DataFrame
        Output of :func:`custlab.customer_roles`.
    ax : Axes, optional

    Returns
    -------
    Axes
    """
    from custlab.definitions import role_counts

    counts = role_counts(roles)["people"].dropna()
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(6, 2.5))
    bars = ax.barh(list(counts.index)[::-1], list(counts.astype(int))[::-1], color=color)
    ax.bar_label(bars, labels=[f"{int(v):,}" for v in counts[::-1]], padding=3, fontsize=8)
    ax.set_xlabel("people")
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def plot_tracking(table: pd.DataFrame, *, cumulative: bool = False, ax: Axes | None = None,
                  color: str = "#2b6f97") -> Axes:
    """Repeat purchases per period, actual (solid) and expected (dashed), from
    :func:`custlab.evaluation.tracking_table`; a dotted line marks the end of calibration.

    Parameters
    ----------
    table : pandas.DataFrame
    cumulative : bool
        Running totals instead of purchases per period.
    ax : Axes, optional

    Returns
    -------
    Axes
    """
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(7, 3.5))
    suffix = "_cumulative" if cumulative else ""
    ax.plot(table["period"], table["actual" + suffix], color=color, label="actual")
    ax.plot(table["period"], table["expected" + suffix], color="#d1495b", ls="--", label="expected")
    if table["calibration"].any() and not table["calibration"].all():
        ax.axvline(table.loc[table["calibration"], "period"].max() + 0.5, color="grey", ls=":", lw=1)
    unit = table.attrs.get("time_unit", "periods")
    ax.set_xlabel(f"{unit} since the first purchase in the data")
    ax.set_ylabel("repeat purchases" + (" (cumulative)" if cumulative else f" per {unit[:-1]}"))
    ax.legend(frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def plot_repeat_histogram(check, *, ax: Axes | None = None, color: str = "#2b6f97") -> Axes:
    """Customers by number of repeat purchases: actual and expected bars side by side,
    from :func:`custlab.evaluation.repeat_purchase_histogram`."""
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(6, 3.5))
    table = check.table
    x = np.arange(len(table))
    ax.bar(x - 0.2, table["actual"], width=0.4, color=color, label="actual")
    ax.bar(x + 0.2, table["expected"], width=0.4, color="#d1495b", label="expected")
    ax.set_xticks(x, table["repeat_purchases"])
    ax.set_xlabel("repeat purchases in the calibration period")
    ax.set_ylabel("customers")
    ax.legend(frameon=False, title=str(check), title_fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def plot_conditional_expectations(table: pd.DataFrame, *, ax: Axes | None = None,
                                  color: str = "#2b6f97") -> Axes:
    """Mean holdout purchases by calibration frequency, actual and expected, from
    :func:`custlab.evaluation.conditional_expectations`."""
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(6, 3.5))
    ax.plot(table["repeat_purchases"], table["actual"], marker="o", color=color, label="actual")
    ax.plot(table["repeat_purchases"], table["expected"], marker="o", ls="--", color="#d1495b", label="expected")
    ax.set_xlabel("repeat purchases in the calibration period")
    ax.set_ylabel("mean purchases in the holdout")
    ax.legend(frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def plot_p_alive_matrix(matrix: pd.DataFrame, *, ax: Axes | None = None, cmap: str = "viridis") -> Axes:
    """Heatmap of :func:`custlab.evaluation.p_alive_matrix`: frequency up, recency across.

    Impossible cells (missing in the table) stay blank; recency ticks are rounded and
    carry the model's time unit.

    Returns
    -------
    Axes

    Examples
    --------
    >>> import custlab as cl
    >>> summary = cl.rfm_summary(cl.load_cdnow(sample=True), observation_end="1998-06-30",
    ...                          calibration_end="1997-09-30")
    >>> matrix = cl.evaluation.p_alive_matrix(cl.BetaGeo().fit(summary), T=39, max_frequency=10)
    >>> plot_p_alive_matrix(matrix).get_xlabel()
    'recency: time of the last purchase (weeks since the first)'
    """
    import seaborn as sns

    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(7, 4.5))
    labels = [f"{c:.3g}" for c in matrix.columns]
    every = max(1, len(matrix.index) // 12)
    sns.heatmap(matrix.set_axis(labels, axis=1), ax=ax, cmap=cmap, vmin=0, vmax=1,
                cbar_kws={"label": "P(alive)"}, xticklabels=max(1, len(labels) // 10), yticklabels=every)
    ax.invert_yaxis()
    ax.tick_params(axis="y", labelrotation=0)
    ax.tick_params(axis="x", labelrotation=0)
    unit = matrix.attrs.get("time_unit", "time units")
    ax.set_xlabel(f"recency: time of the last purchase ({unit} since the first)")
    ax.set_ylabel("repeat purchases")
    return ax


# Pictures of later topics live in sibling modules, each beside its table functions' topic.
__all__ += ["plot_clusters_2d", "plot_demographic_mix", "plot_expected_purchases_matrix", "plot_rfm_grid",
            "plot_segment_profiles", "plot_type_overlap", "plot_type_sensitivity", "plot_type_shares"]

_ORIGINS = {
    "custlab.plotting.model_maps": ("plot_expected_purchases_matrix",),
    "custlab.plotting.segmentation": ("plot_clusters_2d", "plot_demographic_mix", "plot_rfm_grid",
                                      "plot_segment_profiles"),
    "custlab.plotting.typology": ("plot_type_overlap", "plot_type_sensitivity", "plot_type_shares"),
}
_SUBMODULES = frozenset({
    "experiments", "feedback", "lifecycle", "model_maps", "models", "retention", "segmentation", "typology",
})

__getattr__, __dir__ = attach(__name__, _ORIGINS, submodules=_SUBMODULES)
