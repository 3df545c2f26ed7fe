"""Pictures of segmentations: the RFM score grid, segment profiles, clusters in two principal
components, and the demographic mix of each segment. Tables beside them:
:func:`custlab.segmentation.rfm_scores`, :func:`custlab.clustering.segment_profiles`.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from sklearn.decomposition import PCA
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from custlab.clustering import BehaviourClusters, _prepare

__all__ = ["plot_clusters_2d", "plot_demographic_mix", "plot_rfm_grid", "plot_segment_profiles"]


def _axes(ax: Axes | None, figsize=(6, 4)) -> Axes:
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def plot_rfm_grid(scores: pd.DataFrame, *, bins: int | None = None, ax: Axes | None = None,
                  cmap: str = "crest", **kwargs) -> Axes:
    """Heatmap of customers by R score (rows, best on top) and F score (columns).

    Examples
    --------
    >>> scores = pd.DataFrame({"R": [1, 2, 2], "F": [1, 1, 2]})
    >>> ax = plot_rfm_grid(scores, bins=2)
    >>> [t.get_text() for t in ax.texts]
    ['1', '1', '1', '0']
    """
    ax = _axes(ax, (5, 4))
    bins = int(bins or scores.attrs.get("bins") or max(scores["R"].max(), scores["F"].max()))
    levels = list(range(1, bins + 1))
    grid = pd.crosstab(scores["R"], scores["F"]).reindex(index=levels[::-1], columns=levels, fill_value=0)
    sns.heatmap(grid, annot=True, fmt="d", cmap=cmap, cbar_kws={"label": "customers"}, ax=ax, **kwargs)
    ax.set(xlabel="F score (repeat purchases; higher is more)", ylabel="R score (higher is more recent)",
           title="Customers by R and F score")
    return ax


def plot_segment_profiles(profiles: pd.DataFrame, *, columns: list[str] | None = None, ax: Axes | None = None,
                          cmap: str = "vlag", **kwargs) -> Axes:
    """Heatmap of segment profiles: colour is each column's value relative to the other segments
    (standardised per column), the numbers are the values themselves.

    Examples
    --------
    >>> p = pd.DataFrame({"customers_pct": [70.0, 30.0], "frequency": [0.2, 4.0]}, index=[1, 2])
    >>> len(plot_segment_profiles(p).texts)
    4
    """
    ax = _axes(ax, (7, 3))
    if columns is None:
        columns = [c for c in profiles.columns
                   if c != "customers" and ":" not in c and pd.api.types.is_numeric_dtype(profiles[c])]
    values = profiles[columns].astype(float)
    spread = values.std(ddof=0).replace(0, 1)
    relative = (values - values.mean()) / spread
    limit = max(float(relative.abs().max().max()), 1.0)  # symmetric colours around the mean (seaborn's center warns)
    sns.heatmap(relative, annot=values.round(1), fmt="g", cmap=cmap, vmin=-limit, vmax=limit, cbar=False, ax=ax,
                **kwargs)
    ax.set(xlabel="", ylabel="segment", title="Segment profiles (colour: above or below the other segments)")
    ax.tick_params(axis="x", rotation=30)
    for label in ax.get_xticklabels():
        label.set_horizontalalignment("right")
    ax.tick_params(axis="y", rotation=0)
    return ax


def plot_clusters_2d(features: pd.DataFrame, labels: pd.Series, *, ax: Axes | None = None,
                     log_columns=None, max_points: int = 3000, random_state: int = 0, **kwargs) -> Axes:
    """Customers on the first two principal components of their (logged, scaled) features,
    coloured by segment. At most ``max_points`` customers are drawn (a fixed sample).

    Examples
    --------
    >>> f = pd.DataFrame({"frequency": [0, 1, 8, 9], "mean_spend": [5.0, 6.0, 40.0, 50.0], "x": [1, 2, 1, 2]})
    >>> len(plot_clusters_2d(f, pd.Series([1, 1, 2, 2])).collections)
    2
    """
    ax = _axes(ax, (6, 4.5))
    if log_columns is None:
        log_columns = BehaviourClusters().log_columns
    Z = StandardScaler().fit_transform(_prepare(features, log_columns))
    with threadpool_limits(limits=1):
        pca = PCA(n_components=2, svd_solver="full").fit(Z)
        points = pca.transform(Z)
    points *= np.sign(pca.components_.sum(axis=1))  # fix the sign of each axis
    keep = np.sort(np.random.default_rng(random_state).permutation(len(Z))[:max_points])
    labels = np.asarray(labels)
    palette = sns.color_palette("colorblind", n_colors=len(np.unique(labels)))
    for colour, label in zip(palette, sorted(np.unique(labels), key=str)):
        chosen = keep[labels[keep] == label]
        ax.scatter(points[chosen, 0], points[chosen, 1], s=kwargs.pop("s", 8), alpha=0.6, color=colour,
                   label=str(label), **kwargs)
    share = 100 * pca.explained_variance_ratio_
    ax.set(xlabel=f"first principal component ({share[0]:.0f} % of variance)",
           ylabel=f"second principal component ({share[1]:.0f} % of variance)", title="Customers by segment")
    ax.legend(title="segment", fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1))
    return ax


def plot_demographic_mix(segments: pd.Series, demographics: pd.DataFrame, column: str, *,
                         ax: Axes | None = None, cmap: str = "crest", **kwargs) -> Axes:
    """Stacked bars: the share of each group of a demographic column within each segment (%).
    Missing values are shown as ``"unknown"``.

    Examples
    --------
    >>> seg = pd.Series(["a", "a", "b"], index=[1, 2, 3])
    >>> demo = pd.DataFrame({"region": ["N", "S", None]}, index=[1, 2, 3])
    >>> len(plot_demographic_mix(seg, demo, "region").patches)
    6
    """
    ax = _axes(ax, (6, 3.5))
    values = demographics[column].reindex(segments.index)
    values = values.astype(object).where(values.notna(), "unknown")
    mix = 100 * pd.crosstab(segments, values, normalize="index")
    order = sorted(c for c in mix.columns if c != "unknown") + (["unknown"] if "unknown" in mix.columns else [])
    mix[order].plot.barh(stacked=True, ax=ax, colormap=cmap, width=0.8, **kwargs)
    ax.invert_yaxis()
    ax.set(xlabel="share of the segment's customers (%)", ylabel="segment", xlim=(0, 100),
           title=f"{column.replace('_', ' ').capitalize()} within each segment")
    ax.legend(title=column.replace("_", " "), fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1))
    return ax
