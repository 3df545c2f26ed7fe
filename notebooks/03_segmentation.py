# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Which groups do customers fall into, and do different ways of grouping them agree?
#
# **You will learn to**
# - segment customers three ways: by demographics (age, gender, income, region), by RFM scores, and by clustering
#   their behaviour;
# - measure how much of the behaviour the demographics explain, and how far two segmentations agree;
# - describe each segment by its numbers and attach a strategy to it.
#
# **Prerequisites:** notebook 01 (buyers and clients). Frequency, recency and T are explained where they are
# used.

# %% [markdown] tags=["custlab-nav"]
# [Contents](contents.ipynb) · Previous: [02 · What kinds of customers are there, and can data tell them apart?](02_customer_types.ipynb) · Next: [04 · How do people move through the customer lifecycle, and how far can we tell where they are?](04_lifecycle_funnel.ipynb)

# %% tags=["parameters"]
dataset: str = "simulated"  # "simulated" (with demographics) or "cdnow" (purchases only)
bins: int = 5  # RFM score levels: each score runs from 1 to bins
k: int = 4  # number of behavioural clusters
method: str = "kmeans"  # clustering method: "kmeans" or "gmm" (Gaussian mixture)
n_customers: int = 5000  # people in the simulated company
seed: int = 3  # random seed of the simulated company and of the clustering

# %% [markdown]
# Checked, then derived from the parameters: the last day observed in each data set.

# %%
import custlab as cl

cl.params.require_choice("dataset", dataset, {"simulated": "the simulated company", "cdnow": "CDNOW purchases"})
cl.params.require_choice("method", method, {"kmeans": "k-means", "gmm": "Gaussian mixture"})
cl.params.require_range("bins", bins, 2, 10, why="one level says nothing; more than 10 leaves few customers per cell")
cl.params.require_range("k", k, 2, 8, why="the range of k compared below")
cl.params.require_range("n_customers", n_customers, 1000, 1_000_000, why="fewer people leave too few buyers")
observation_end = {"simulated": "2024-12-31", "cdnow": "1998-06-30"}[dataset]

# %% [markdown]
# ## Setup

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from custlab import clustering, segmentation
from custlab.plotting import segmentation as segplot

rng = np.random.default_rng(seed)
pd.set_option("display.max_colwidth", 120)
pd.set_option("display.width", 140)

# %% [markdown]
# ## The data, checked
#
# The simulated company's orders (with each buyer's age band, gender, income band and region in its customer
# table), or CDNOW's purchase log (23,570 people, nothing but their purchases). Every row is checked; the report
# counts what was accepted and rejected.

# %%
world = cl.crm_world(n_customers, random_state=rng) if dataset == "simulated" else None
raw = world.orders[["customer_id", "date", "amount", "discount"]] if world is not None else cl.load_cdnow()
transactions, report = cl.validate_transactions(raw, observation_end=observation_end)
report

# %% [markdown]
# One row per buyer: repeat purchases, mean spend per purchase (currency units), revenue (currency units), weeks
# since the last purchase and weeks since the first (tenure); in the simulated company also the share of orders
# bought with a discount.

# %%
discount_col = "discount" if world is not None else None
features = clustering.customer_features(transactions, observation_end=observation_end, time_unit="W",
                                        discount_col=discount_col)
demographics = world.customers.set_index("customer_id").reindex(features.index) if world is not None else None
print(f"{len(features):,} buyers")
features.describe().loc[["mean", "50%", "max"]].round(2)

# %% [markdown]
# ## 1. By demographics
#
# The oldest route: group people by who they are (age, gender, income, where they live) and hope that each group
# behaves alike. Businesses have no age, gender or income: they show as `unknown`.

# %%
DEMOGRAPHIC_COLUMNS = ["age_band", "gender", "income_band", "region"]
if demographics is not None:
    by_income = segmentation.demographic_behaviour(
        features[["frequency", "mean_spend", "revenue"]], demographics, "income_band",
        order=["low", "lower-middle", "upper-middle", "high"])
    by_income = by_income.round(2)
else:
    print("CDNOW records purchases only: no age, gender, income or region to group by.")
by_income if demographics is not None else None

# %% [markdown]
# How much of the spread in behaviour do the groups account for? The share of the variance explained (R squared):
# 0 means the group tells nothing about the behaviour, 1 means it tells everything.

# %%
if demographics is not None:
    explained = pd.DataFrame({
        measure: segmentation.variance_explained(features[measure], demographics, DEMOGRAPHIC_COLUMNS)
        for measure in ["revenue", "frequency", "mean_spend"]
    })
    best = explained["revenue"].drop("all together").idxmax()
    print(f"Together, the four demographic columns explain {100 * explained.loc['all together', 'revenue']:.1f} % "
          f"of the variance in revenue per buyer; {best.replace('_', ' ')} alone explains the most "
          f"({100 * explained.loc[best, 'revenue']:.1f} %).")
    explained = (100 * explained).round(1).rename_axis("explained (% of variance)")
else:
    print("Without demographics this route cannot be taken on CDNOW: there is no share of variance to explain.")
explained if demographics is not None else None

# %% [markdown]
# **What this shows.** A demographic group is easy to reach (an advert for one region, one age band), but the
# numbers above (simulated company only) say how little or how much it tells about what its people buy. What the demographics leave
# unexplained is the reason for the two behavioural routes that follow.

# %% [markdown]
# ## 2. By RFM scores
#
# Each buyer gets three scores from 1 to `bins`, higher is better: **R** for how recently they bought (weeks since
# the last purchase, fewer is better), **F** for how often (repeat purchases), **M** for how much (mean spend per
# repeat purchase, currency units). The scores are quantiles of the buyers; equal values always get the same
# score, so a large tie (all the one-time buyers have F = 0) takes one score and the scores it covers stay empty.

# %%
summary = cl.rfm_summary(transactions, observation_end=observation_end, time_unit="W")
scores = segmentation.rfm_scores(summary, bins=bins)
fig, ax = plt.subplots(figsize=(5.5, 4.2))
segplot.plot_rfm_grid(scores, ax=ax)
plt.show()

# %% [markdown]
# A rule table names regions of the grid; it works on the relative score (score / bins), so the same table serves
# any number of bins, and you can pass your own. The first rule that matches wins.

# %%
segmentation.RFM_SEGMENT_RULES

# %%
rfm_segment = segmentation.rfm_segments(scores).reindex(features.index)
rfm_profiles = clustering.segment_profiles(features, rfm_segment)
empty = [name for name in segmentation.RFM_SEGMENT_RULES["segment"] if name not in rfm_profiles.index]
if empty:
    print(f"No buyer falls into {', '.join(empty)} with these data and {bins} score levels: the rule table's "
          "score ranges leave those segments empty here.")
rfm_profiles.round(1).astype({"customers": int})

# %% [markdown]
# **What this shows.** The share of revenue and the share of customers differ from segment to segment: the table
# gives both for every segment, in % of all buyers and of all revenue. RFM needs nothing but the purchase log, so it
# runs on CDNOW as well, and its segments have names a marketing team understands.

# %% [markdown]
# ## 3. By clusters of behaviour
#
# Clustering lets the data draw the borders. The skewed features are log-transformed, all are scaled to the same
# spread, and grouped by k-means or a Gaussian mixture. How many groups? No k is right, but the table shows the
# within-cluster sum of squares (for k-means it falls as k grows: look for the elbow, where it stops falling fast),
# how well each customer sits in its own group (silhouette, -1 to 1, higher is better) and, for a Gaussian mixture,
# the BIC (lower is better).

# %%
cluster_columns = [c for c in ["frequency", "mean_spend", "time_since_last_purchase", "tenure", "discount_share"]
                   if c in features.columns]
k_table = clustering.choose_k(features[cluster_columns], ks=range(2, 9), method=method, random_state=seed)
fig, axs = plt.subplots(1, 2, figsize=(9, 3.2))
axs[0].plot(k_table.index, k_table["within_cluster_ss"], marker="o")
axs[0].set(xlabel="k (clusters)", ylabel="within-cluster sum of squares", title="Elbow")
axs[1].plot(k_table.index, k_table["silhouette"], marker="o")
axs[1].set(xlabel="k (clusters)", ylabel="silhouette (-1 to 1)", title="Silhouette")
fig.tight_layout()
plt.show()

# %%
print(f"The silhouette is highest at k = {int(k_table['silhouette'].idxmax())}; this notebook uses k = {k}.")
k_table.round(3)

# %% [markdown]
# Clusters are numbered by decreasing mean number of repeat purchases (ties broken by the next feature), after the
# rows are put in a fixed order: the same data and seed give the same numbers on any machine.

# %%
clusters = clustering.BehaviourClusters(k, method=method, random_state=seed).fit(features[cluster_columns])
cluster = clusters.labels_
profiles = clustering.segment_profiles(features, cluster, demographics=demographics)
profiles.round(1).astype({"customers": int})

# %%
fig, ax = plt.subplots(figsize=(8, 0.5 * k + 1.5))
segplot.plot_segment_profiles(profiles, columns=["customers_pct", "revenue_pct"] + cluster_columns, ax=ax)
plt.show()

# %%
fig, ax = plt.subplots(figsize=(6.5, 4.5))
segplot.plot_clusters_2d(features[cluster_columns], cluster, ax=ax, random_state=seed)
plt.show()

# %% [markdown]
# **Personas.** One sentence per cluster, written from its numbers alone (weeks for durations, currency units for
# money):

# %%
for number, text in clustering.personas(profiles).items():
    print(f"Cluster {number}: {text}")

# %% [markdown]
# **What this shows.** Each cluster is a mix of how often, how much and how lately its members buy; the colours
# of the profile picture show where each cluster sits above or below the others. The two principal components keep
# only part of the spread (their share is on the axes), so clusters that overlap in the picture can still be apart
# in the other directions.

# %% [markdown]
# ## 4. Where the routes agree
#
# A contingency table counts the buyers in each pair (RFM segment, cluster). The adjusted Rand index sums up the
# agreement: 1 when two segmentations split the buyers the same way (whatever the names), about 0 when they agree
# no more than chance.

# %%
table, ari_rfm = clustering.segment_agreement(rfm_segment, cluster)
table

# %%
agreement = {"RFM segments and clusters": ari_rfm}
if demographics is not None:
    income = demographics["income_band"].fillna("unknown")
    agreement["income bands and clusters"] = clustering.segment_agreement(income, cluster)[1]
    agreement["income bands and RFM segments"] = clustering.segment_agreement(income, rfm_segment)[1]
agreement = pd.Series(agreement, name="adjusted Rand index").round(3) + 0.0  # + 0.0: no "-0.000"
if len(agreement) > 1:
    print(f"Highest agreement: {agreement.idxmax()} ({agreement.max():.3f}); lowest: {agreement.idxmin()} "
          f"({agreement.min():.3f}).")
else:
    print(f"Agreement of RFM segments and clusters: {ari_rfm:.3f}; without demographics there is no third route.")
agreement

# %% [markdown]
# The demographic mix of each cluster (simulated company only): if the bars look alike, the clusters cut across
# income bands rather than along them.

# %%
if demographics is not None:
    fig, ax = plt.subplots(figsize=(7, 0.45 * k + 1.5))
    segplot.plot_demographic_mix(cluster, demographics, "income_band", ax=ax)
    plt.show()
else:
    print("CDNOW has no demographics: what is lost is the demographic route, the demographic mix of each "
          "segment, and any way to reach a segment by who its people are rather than by what they bought.")

# %% [markdown]
# ## 5. A strategy per segment
#
# Each cluster takes the strategy of the RFM segment that holds the largest share of its buyers (shown beside it:
# when that share is well under half, the cluster mixes segments and deserves a look of its own before one
# strategy is chosen); the persona gives its numbers.

# %%
dominant = table.idxmax(axis=0)
strategy = segmentation.RFM_SEGMENT_RULES.set_index("segment")["strategy"]
strategies = pd.DataFrame({
    "buyers": profiles["customers"].astype(int),
    "revenue (%)": profiles["revenue_pct"].round(1),
    "largest RFM segment": dominant,
    "of its buyers (%)": (100 * table.max(axis=0) / table.sum(axis=0)).round(0).astype(int),
    "strategy": dominant.map(strategy),
}).rename_axis("cluster")
strategies

# %% [markdown]
# ## Exercises
#
# **1.** With 3 score levels instead of `bins`, how many buyers are champions?

# %%
# Solution
champions = (segmentation.rfm_segments(segmentation.rfm_scores(summary, bins=3)) == "champions").sum()
print(f"{int(champions):,} champions with 3 score levels")

# %% [markdown]
# **2.** Add a rule "big spenders" (the top M score only, M / bins = 1; any R and F) before all the others.
# How many buyers does it take?

# %%
# Solution
big = pd.DataFrame([{"segment": "big spenders", "M_min": 1.0, "M_max": 1.0, "strategy": "premium offers"}])
whole_range = {f"{s}_{end}": float(end == "max") for s in "RFM" for end in ("min", "max")}
rules = pd.concat([big, segmentation.RFM_SEGMENT_RULES], ignore_index=True).fillna(whole_range)
mine = segmentation.rfm_segments(scores, rules)
mine.value_counts(sort=False).rename("buyers")

# %% [markdown]
# **3.** Which cluster brings the most revenue per buyer, in currency units?

# %%
# Solution
per_buyer = features.groupby(cluster)["revenue"].mean().round(2)
print(f"Cluster {int(per_buyer.idxmax())}: {per_buyer.max():.2f} currency units per buyer")

# %% [markdown]
# ## Takeaways
#
# - Demographics are easy to act on; measure how much of the behaviour they explain (section 1) before building a
#   plan on age or income.
# - RFM scores need only the purchase log, and a rule table turns them into named segments with a strategy each.
# - Clustering finds groups the rules did not anticipate; fix the seed and the numbering so the groups keep their
#   names, and compare them with the other routes (contingency table, adjusted Rand index) before trusting them.
#
# ## References
#
# - Hughes, A. M. (1994). *Strategic Database Marketing*. Probus: RFM scoring.
# - Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005). RFM and CLV: using iso-value curves for customer base
#   analysis. *Journal of Marketing Research* 42(4), 415-430.
# - Wedel, M. and Kamakura, W. A. (2000). *Market Segmentation: Conceptual and Methodological Foundations*, 2nd ed.
#   Kluwer.
# - Hubert, L. and Arabie, P. (1985). Comparing partitions. *Journal of Classification* 2(1), 193-218.

# %% [markdown] tags=["custlab-nav"]
# **Next:** [04 · How do people move through the customer lifecycle, and how far can we tell where they are?](04_lifecycle_funnel.ipynb) · [Contents](contents.ipynb)
