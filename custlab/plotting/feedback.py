"""Pictures of customer feedback: NPS and CSAT with their intervals, NPS over time, the score
distribution, complaint resolution times and what complainants did next. Tables beside them:
:func:`custlab.feedback.nps`, :func:`~custlab.feedback.nps_over_time`,
:func:`~custlab.feedback.csat`, :func:`~custlab.feedback.score_distribution`,
:func:`~custlab.feedback.complaint_summary`, :func:`~custlab.feedback.complaint_outcomes`.
Later retention by NPS group is drawn by :func:`custlab.plotting.retention.plot_survival`
on survival data joined with :func:`custlab.feedback.nps_groups`.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.patches import Patch

from custlab.feedback import NPS_GROUPS

__all__ = [
    "NPS_COLOURS",
    "plot_complaint_outcomes",
    "plot_csat",
    "plot_nps",
    "plot_nps_over_time",
    "plot_resolution_times",
    "plot_score_distribution",
]

#: One colour per NPS group, the same in every picture.
NPS_COLOURS = {"detractor": "#b5473a", "passive": "#f2a541", "promoter": "#2a9d55", "no answer": "#8c8c8c"}

_METRICS = {"responses", "promoters_pct", "passives_pct", "detractors_pct", "nps", "nps_low", "nps_high",
            "satisfied", "satisfied_pct", "satisfied_low", "satisfied_high", "mean_score", "period_start"}


def _axes(ax: Axes | None, figsize=(6, 4)) -> Axes:
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def _labels(table: pd.DataFrame, by: str | None) -> list[str]:
    """One label per row: the group (the ``by`` column, or the first column that is not a metric) and its answers."""
    if by is None:
        others = [c for c in table.columns if c not in _METRICS]
        by = others[0] if others else None
    names = ["all"] * len(table) if by is None else [str(g) for g in table[by]]
    return [f"{name} (n={n:,})" for name, n in zip(names, table["responses"])]


def _interval_points(ax: Axes, labels: list[str], value, low, high, colour: str) -> None:
    y = np.arange(len(labels))[::-1]
    value, low, high = (np.asarray(v, dtype=float) for v in (value, low, high))
    ax.errorbar(value, y, xerr=np.vstack([value - low, high - value]), fmt="o", color=colour, ecolor=colour,
                elinewidth=1.5, capsize=3)
    ax.set_yticks(y, labels)
    ax.set_ylim(-0.6, len(labels) - 0.4)


def plot_nps(table: pd.DataFrame, *, by: str | None = None, ax: Axes | None = None, colour: str = "#2b6f97") -> Axes:
    """Points: each group's NPS with its interval, on the full -100..100 scale, with a line at 0.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`custlab.feedback.nps`.
    by : str, optional
        The group column; by default the first column that is not a metric.

    Examples
    --------
    >>> t = pd.DataFrame({"shop": ["a", "b"], "responses": [40, 60], "nps": [20.0, -5.0],
    ...                   "nps_low": [-5.0, -20.0], "nps_high": [42.0, 11.0]})
    >>> ax = plot_nps(t)
    >>> [label.get_text() for label in ax.get_yticklabels()], [float(x) for x in ax.get_xlim()]
    (['a (n=40)', 'b (n=60)'], [-100.0, 100.0])
    """
    ax = _axes(ax, (6.5, 0.9 + 0.45 * len(table)))
    ax.axvline(0, color="grey", lw=1, ls="--")
    _interval_points(ax, _labels(table, by), table["nps"], table["nps_low"], table["nps_high"], colour)
    ax.set(xlim=(-100, 100), xlabel="NPS (points: % promoters minus % detractors)",
           title="Net Promoter Score (points) with its interval")
    return ax


def plot_csat(table: pd.DataFrame, *, by: str | None = None, ax: Axes | None = None, colour: str = "#2b6f97") -> Axes:
    """Points: each group's share of satisfied answers (%) with its Wilson interval, on 0-100 %.

    Examples
    --------
    >>> t = pd.DataFrame({"responses": [50], "satisfied_pct": [60.0], "satisfied_low": [46.0],
    ...                   "satisfied_high": [72.0]})
    >>> [label.get_text() for label in plot_csat(t).get_yticklabels()]
    ['all (n=50)']
    """
    ax = _axes(ax, (6.5, 0.9 + 0.45 * len(table)))
    _interval_points(ax, _labels(table, by), table["satisfied_pct"], table["satisfied_low"],
                     table["satisfied_high"], colour)
    ax.set(xlim=(0, 100), xlabel="satisfied answers (% of the responses)", title="CSAT with its interval")
    return ax


def plot_nps_over_time(table: pd.DataFrame, *, ax: Axes | None = None, colour: str = "#2b6f97") -> Axes:
    """NPS per period (points joined by a line) with its interval, on -100..100, with a line at 0.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`custlab.feedback.nps_over_time` (without ``by``).

    Examples
    --------
    >>> t = pd.DataFrame({"period_start": pd.to_datetime(["2024-01-01", "2024-04-01"]), "responses": [30, 40],
    ...                   "nps": [10.0, 5.0], "nps_low": [-15.0, -15.0], "nps_high": [33.0, 25.0]})
    >>> [float(y) for y in plot_nps_over_time(t).get_ylim()]
    [-100.0, 100.0]
    """
    ax = _axes(ax, (7, 3.6))
    x = pd.to_datetime(table["period_start"])
    value = table["nps"].to_numpy(dtype=float)
    err = np.vstack([value - table["nps_low"].to_numpy(dtype=float), table["nps_high"].to_numpy(dtype=float) - value])
    ax.axhline(0, color="grey", lw=1, ls="--")
    ax.errorbar(x, value, yerr=err, fmt="-o", color=colour, ecolor=colour, elinewidth=1.2, capsize=3)
    period = {"W": "week", "M": "month", "Q": "quarter"}.get(table.attrs.get("freq"), "period")
    ax.set(ylim=(-100, 100), ylabel="NPS (points)", xlabel=f"{period} (first day)",
           title=f"NPS per {period}, with its interval")
    return ax


def plot_score_distribution(table: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Bars: the share of answers (%) giving each score 0-10, coloured by NPS group.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`custlab.feedback.score_distribution` on the 0-10 scale.

    Examples
    --------
    >>> from custlab.feedback import score_distribution
    >>> ax = plot_score_distribution(score_distribution([10, 9, 7, 3]))
    >>> len(ax.patches), ax.patches[0].get_facecolor() == ax.patches[6].get_facecolor()
    (11, True)
    """
    ax = _axes(ax, (7, 3.4))
    colours = [NPS_COLOURS[g] for g in table["nps_group"]]
    ax.bar(table["score"], table["share_pct"], color=colours, width=0.8)
    ax.set_xticks(table["score"])
    ax.set(xlabel="answer to 'how likely are you to recommend us?' (0-10)", ylabel="answers (%)",
           title="The score distribution")
    ax.legend(handles=[Patch(color=NPS_COLOURS[g], label=g) for g in NPS_GROUPS], fontsize="small",
              loc="upper left")
    return ax


def plot_resolution_times(complaints: pd.DataFrame, *, by: str | None = None, days_col: str = "days_to_resolve",
                          resolved_col: str = "resolved", ax: Axes | None = None) -> Axes:
    """Step curves: the share of resolved complaints (%) resolved within so many days, per group.

    Unresolved complaints have no time to resolve and are left out; the legend gives each
    group's count of resolved complaints.

    Examples
    --------
    >>> k = pd.DataFrame({"resolved": [True, True, False], "days_to_resolve": [2.0, 5.0, None]})
    >>> ax = plot_resolution_times(k)
    >>> len(ax.lines), ax.get_xlabel()
    (1, 'days from complaint to resolution')
    """
    ax = _axes(ax, (7, 3.6))
    done = complaints.loc[complaints[resolved_col].astype(bool).to_numpy()]
    groups = [(None, done)] if by is None else sorted(done.groupby(by, observed=True), key=lambda kv: str(kv[0]))
    for key, part in groups:
        days = np.sort(pd.to_numeric(part[days_col]).to_numpy(dtype=float))
        if days.size == 0:
            continue
        label = f"all ({days.size:,})" if key is None else f"{key} ({days.size:,})"
        ax.step(days, 100 * np.arange(1, days.size + 1) / days.size, where="post", label=label)
    ax.set(xlabel="days from complaint to resolution", ylabel="of the resolved complaints (%)", ylim=(0, 101),
           title="How fast complaints are resolved")
    ax.legend(title="resolved complaints", fontsize="small", title_fontsize="small")
    return ax


def plot_complaint_outcomes(table: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Bars: the share who bought again in the follow-up (%), by complaint status, with Wilson intervals.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`custlab.feedback.complaint_outcomes`.

    Examples
    --------
    >>> t = pd.DataFrame({"complaint": ["no complaint", "resolved complaint"], "customers": [100, 20],
    ...                   "bought_again_pct": [30.0, 40.0], "bought_again_low": [22.0, 22.0],
    ...                   "bought_again_high": [40.0, 61.0]})
    >>> len(plot_complaint_outcomes(t).patches)
    2
    """
    ax = _axes(ax, (6.5, 3.6))
    x = np.arange(len(table))
    value = table["bought_again_pct"].to_numpy(dtype=float)
    err = np.vstack([value - table["bought_again_low"].to_numpy(dtype=float),
                     table["bought_again_high"].to_numpy(dtype=float) - value])
    ax.bar(x, value, color="#4c9be8", width=0.6)
    ax.errorbar(x, value, yerr=err, fmt="none", ecolor="black", elinewidth=1, capsize=3)
    ax.set_xticks(x, [f"{g}\n(n={n:,})" for g, n in zip(table["complaint"], table["customers"])])
    days = table.attrs.get("follow_up_days")
    ax.set(ylim=(0, 100), ylabel="bought again in the follow-up (%)",
           title="Who bought again" + (f" within {days} days" if days else ""))
    return ax
