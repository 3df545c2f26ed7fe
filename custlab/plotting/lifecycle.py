"""Pictures of the customer lifecycle: the funnel, time to convert, the flow of states,
the transition matrix, the projection against the holdout and the churn-label trade-off.
Tables beside them: :func:`custlab.lifecycle.funnel`, :func:`~custlab.lifecycle.funnel_times`,
:func:`~custlab.lifecycle.state_counts`, :func:`~custlab.lifecycle.transition_matrix`,
:func:`~custlab.lifecycle.holdout_projection`, :func:`~custlab.lifecycle.churn_label_tradeoff`.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes

from custlab.lifecycle.states import STATES

__all__ = [
    "plot_churn_tradeoff",
    "plot_funnel",
    "plot_projection",
    "plot_state_flow",
    "plot_time_to_stage",
    "plot_transition_matrix",
]

#: One colour per state, the same in every picture.
STATE_COLOURS = {"new": "#4c9be8", "active": "#2a9d55", "at_risk": "#f2a541", "churned": "#b5473a",
                 "reactivated": "#8a5cc2"}


def _axes(ax: Axes | None, figsize=(6, 4)) -> Axes:
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def plot_funnel(table: pd.DataFrame, *, by: str | None = None, ax: Axes | None = None, **kwargs) -> Axes:
    """Bars: the share of people reaching each stage (%), with its interval as a black line.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`custlab.lifecycle.funnel`; with ``by``, one group of bars per stage.

    Examples
    --------
    >>> t = pd.DataFrame({"stage": ["seen", "bought"], "share": [1.0, 0.4],
    ...                   "share_low": [0.98, 0.35], "share_high": [1.0, 0.45]})
    >>> len(plot_funnel(t).patches)
    2
    """
    ax = _axes(ax, (7, 3.6))
    stages = list(dict.fromkeys(table["stage"]))
    groups = [None] if by is None else sorted(table[by].unique(), key=str)
    width = 0.8 / len(groups)
    x = np.arange(len(stages))
    palette = sns.color_palette("colorblind", len(groups))
    for i, g in enumerate(groups):
        part = table if g is None else table[table[by] == g]
        part = part.set_index("stage").reindex(stages)
        pos = x - 0.4 + width * (i + 0.5)
        share = 100 * part["share"].to_numpy()
        err = 100 * np.vstack([part["share"] - part["share_low"], part["share_high"] - part["share"]])
        ax.bar(pos, share, width=width * 0.95, color=palette[i], label=None if g is None else str(g), **kwargs)
        ax.errorbar(pos, share, yerr=err, fmt="none", ecolor="black", elinewidth=1, capsize=2)
    ax.set_xticks(x, stages)
    ax.set(ylabel="people reaching the stage (%)", ylim=(0, 105),
           title="The lifecycle funnel (bars: share; lines: its interval)")
    if by is not None:
        ax.legend(title=by, fontsize="small", ncols=2)
    return ax


def plot_time_to_stage(times: pd.DataFrame, *, stage: str, since: str = "entry", by: str | None = None,
                       unit: str = "days", ax: Axes | None = None) -> Axes:
    """Share of people who reached ``stage`` within so many days of ``since`` (an empirical distribution).

    Parameters
    ----------
    times : pandas.DataFrame
        From :func:`custlab.lifecycle.funnel_times`.
    stage, since : str
        Columns of ``times``: the stage reached and the moment counted from
        (``"entry"``: the person's first event).

    Examples
    --------
    >>> t = pd.DataFrame({"entry": pd.to_datetime(["2024-01-01", "2024-01-01"]),
    ...                   "purchase": pd.to_datetime(["2024-01-03", None])})
    >>> len(plot_time_to_stage(t, stage="purchase").lines)
    1
    """
    ax = _axes(ax, (6, 3.4))
    scale = {"days": pd.Timedelta(days=1), "hours": pd.Timedelta(hours=1)}[unit]
    groups = [(None, times)] if by is None else list(times.groupby(by, sort=True, observed=True))
    for key, part in groups:
        done = part[part[stage].notna() & part[since].notna()]
        wait = np.sort(((done[stage] - done[since]) / scale).to_numpy())
        if wait.size == 0:
            continue
        ax.step(wait, np.arange(1, wait.size + 1) / wait.size * 100, where="post",
                label=None if key is None else str(key))
    ax.set(xlabel=f"{unit} from {since} to {stage}", ylabel=f"of those reaching {stage} (%)", ylim=(0, 101),
           title=f"How long it takes to reach {stage}")
    if by is not None:
        ax.legend(title=by, fontsize="small")
    return ax


def plot_state_flow(counts: pd.DataFrame, *, share: bool = False, legend: bool = True,
                    ax: Axes | None = None) -> Axes:
    """Stacked area: customers in each lifecycle state, period by period.

    Parameters
    ----------
    counts : pandas.DataFrame
        From :func:`custlab.lifecycle.state_counts`.
    share : bool
        Show each state's share of the customers of the period (%) instead of counts.
    legend : bool
        Name the states in a legend.

    Examples
    --------
    >>> c = pd.DataFrame({"new": [3, 1], "active": [0, 2], "at_risk": [0, 0], "churned": [0, 1],
    ...                   "reactivated": [0, 0]}, index=pd.to_datetime(["2024-01-01", "2024-02-01"]))
    >>> len(plot_state_flow(c).collections)
    5
    """
    ax = _axes(ax, (8, 3.6))
    data = counts.reindex(columns=list(STATES), fill_value=0).astype(float)
    if share:
        data = data.div(data.sum(axis=1).replace(0, np.nan), axis=0) * 100
    ax.stackplot(data.index, *[data[s].to_numpy() for s in STATES], labels=list(STATES),
                 colors=[STATE_COLOURS[s] for s in STATES], alpha=0.9)
    ax.set(xlabel="period", ylabel="customers (%)" if share else "customers",
           title="Customers by lifecycle state")
    if legend:
        ax.legend(loc="upper left", fontsize="small", ncols=5)
    ax.margins(x=0)
    return ax


def plot_transition_matrix(matrix: pd.DataFrame, *, ax: Axes | None = None, cmap: str = "Blues",
                           **kwargs) -> Axes:
    """Heatmap of the transition probabilities (%) from each state (rows) to the next period's state.

    Examples
    --------
    >>> m = pd.DataFrame([[0.9, 0.1], [0.2, 0.8]], index=["active", "churned"], columns=["active", "churned"])
    >>> len(plot_transition_matrix(m).texts)
    4
    """
    ax = _axes(ax, (5.2, 4))
    sns.heatmap(100 * matrix, annot=True, fmt=".1f", cmap=cmap, vmin=0, vmax=100,
                cbar_kws={"label": "% of the row"}, ax=ax, **kwargs)
    ax.set(xlabel="state in the next period", ylabel="state in this period",
           title="Where customers go next (% of each row)")
    ax.tick_params(axis="y", rotation=0)
    return ax


def plot_projection(check: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Lines: projected customers per state (dashed) against what happened (solid), step by step.

    Parameters
    ----------
    check : pandas.DataFrame
        From :func:`custlab.lifecycle.holdout_projection`.

    Examples
    --------
    >>> c = pd.DataFrame({"period": pd.to_datetime(["2024-02-01"] * 2), "state": ["active", "churned"],
    ...                   "projected": [5.0, 3.0], "actual": [4, 4]})
    >>> len(plot_projection(c).lines)
    4
    """
    ax = _axes(ax, (7, 3.6))
    for s in STATES:
        part = check[check["state"] == s]
        if part.empty or (part["projected"].abs().max() == 0 and part["actual"].abs().max() == 0):
            continue
        ax.plot(part["period"], part["actual"], "-o", color=STATE_COLOURS[s], label=f"{s}: actual", ms=3)
        ax.plot(part["period"], part["projected"], "--", color=STATE_COLOURS[s], label=f"{s}: projected")
    ax.set(xlabel="period", ylabel="customers", title="Markov projection (dashed) against the holdout (solid)")
    ax.legend(fontsize="x-small", ncols=2)
    return ax


def plot_churn_tradeoff(table: pd.DataFrame, *, unit: str | None = None, ax: Axes | None = None) -> Axes:
    """The churn label's errors (%) as the threshold moves: those labelled who bought again, those labelled
    who had not really left, and real dropouts not labelled yet; whichever columns the table has.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`custlab.lifecycle.churn_label_tradeoff`.

    Examples
    --------
    >>> t = pd.DataFrame({"churned_after": [1, 3], "bought_again_share": [0.2, 0.1],
    ...                   "false_alarm_share": [0.6, 0.3], "detected_share": [0.9, 0.7]})
    >>> len(plot_churn_tradeoff(t).lines)
    3
    """
    ax = _axes(ax, (7, 3.6))
    if unit is None:
        delay = [c for c in table.columns if str(c).startswith("median_delay_")]
        unit = delay[0].removeprefix("median_delay_") if delay else "periods"
    x = table["churned_after"]
    lines = [("bought_again_share", 1, "-o", "#e07b39", "labelled, then bought again (% of labelled)"),
             ("false_alarm_share", 1, "-^", "#b5473a", "labelled, not really gone (% of labelled)"),
             ("detected_share", -1, "-s", "#4c72b0", "real dropouts not labelled yet (%)")]
    for col, sign, style, colour, label in lines:
        if col in table and table[col].notna().any():
            y = table[col] if sign > 0 else 1 - table[col]
            ax.plot(x, 100 * y, style, color=colour, label=label)
    ax.set(xlabel=f"churned_after ({unit} without a purchase)", ylabel="%", ylim=(0, 100),
           title="The churn label: false alarms against late detection")
    ax.legend(fontsize="small")
    return ax
