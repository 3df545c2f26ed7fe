"""Maps of a fitted model's predictions over customer histories: frequency up, recency across,
one cell per (x, t_x) at a given T. The table beside it is
:func:`custlab.evaluation.expected_purchases_matrix`.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes

__all__ = ["plot_expected_purchases_matrix"]


def plot_expected_purchases_matrix(matrix: pd.DataFrame, *, ax: Axes | None = None, cmap: str = "viridis",
                                   vmax: float | None = None) -> Axes:
    """Heatmap of :func:`custlab.evaluation.expected_purchases_matrix`: frequency up, recency
    across, colour the expected purchases in the period ahead.

    Impossible cells (missing in the table) stay blank; the colorbar and the recency axis
    carry the model's time unit and the length of the period ahead.

    Parameters
    ----------
    matrix : pandas.DataFrame
        Output of :func:`custlab.evaluation.expected_purchases_matrix`.
    ax : Axes, optional
        Where to draw; a new figure if not given.
    cmap : str
        Colour map.
    vmax : float, optional
        Top of the colour scale (default: the largest cell), to compare maps on one scale.

    Returns
    -------
    Axes

    Examples
    --------
    >>> import custlab as cl
    >>> summary = cl.rfm_summary(cl.load_cdnow(sample=True), observation_end="1998-06-30",
    ...                          calibration_end="1997-09-30")
    >>> matrix = cl.evaluation.expected_purchases_matrix(cl.BetaGeo().fit(summary), t=39, T=39,
    ...                                                  max_frequency=10)
    >>> ax = plot_expected_purchases_matrix(matrix)
    >>> ax.collections[0].colorbar.ax.get_ylabel()
    'expected purchases in the next 39 weeks'
    """
    import seaborn as sns

    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4.5))
    unit = matrix.attrs.get("time_unit", "time units")
    ahead = matrix.attrs.get("t")
    label = f"expected purchases in the next {ahead:g} {unit}" if ahead is not None else "expected purchases"
    labels = [f"{c:.3g}" for c in matrix.columns]
    sns.heatmap(matrix.set_axis(labels, axis=1), ax=ax, cmap=cmap, vmin=0, vmax=vmax, cbar_kws={"label": label},
                xticklabels=max(1, len(labels) // 10), yticklabels=max(1, len(matrix.index) // 12))
    ax.invert_yaxis()
    ax.tick_params(axis="y", labelrotation=0)
    ax.tick_params(axis="x", labelrotation=0)
    ax.set_xlabel(f"recency: time of the last purchase ({unit} since the first)")
    ax.set_ylabel("repeat purchases")
    return ax
