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
# # What is a customer worth, and is a quiet customer still a customer?
#
# **You will learn to**
# - summarise a purchase log into frequency, recency and age, and fit the BG/NBD and Pareto/NBD models to it;
# - check the models on a holdout period and read P(alive) for a customer in plain words;
# - combine a purchase model and a spend model into the discounted value of each customer and each segment.
#
# **Prerequisites:** notebook 01 (buyers and clients); reproduction 01 (the BG/NBD model on CDNOW).

# %% tags=["parameters"]
dataset: str = "simulated"  # "simulated" (truth known) or "cdnow"
time_unit: str = "W"  # unit of time in the models: D days, W weeks or M calendar months
n_customers: int = 10000  # people in the simulated company
seed: int = 6  # random seed of the simulated company
yearly_discount_rate: float = 0.10  # discount rate per year, as a fraction
margin: float = 0.30  # share of revenue that is profit

# %% [markdown]
# Checked, then derived from the parameters: the dates of each data set, and a one-year horizon in the chosen unit.

# %%
import custlab as cl

cl.params.require_choice("dataset", dataset, {"simulated": "the simulated company", "cdnow": "CDNOW purchases"})
cl.params.require_choice("time_unit", time_unit, {"D": "days", "W": "weeks", "M": "calendar months"})
cl.params.require_range("n_customers", n_customers, 500, 1_000_000,
                        why="fewer people give too few repeat buyers to fit the models")
cl.params.require_range("yearly_discount_rate", yearly_discount_rate, 0.001, 1.0, why="a fraction, 0.10 for 10 %")
cl.params.require_range("margin", margin, 0.001, 1.0, why="the share of revenue that is profit, 0.30 for 30 %")
DATES = {"simulated": ("2023-12-31", "2024-12-31"), "cdnow": ("1997-09-30", "1998-06-30")}
calibration_end, observation_end = DATES[dataset]
steps_per_year = {"D": 365, "W": 52, "M": 12}[time_unit]
discount_per_step = (1 + yearly_discount_rate) ** (1 / steps_per_year) - 1

# %% [markdown]
# ## Setup

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

rng = np.random.default_rng(seed)
unit = cl.unit_label(time_unit)

# %% [markdown]
# ## The data, checked
#
# The simulated company's orders (10,000 people by default, for sharper estimates) or CDNOW's.
# The calibration period ends a year (simulated) or 39 weeks (CDNOW) before the data does; the rest is the holdout.

# %%
world = cl.crm_world(n_customers, random_state=rng) if dataset == "simulated" else None
raw = world.transactions() if world is not None else cl.load_cdnow()
transactions, report = cl.validate_transactions(raw, observation_end=observation_end)
report

# %% [markdown]
# ## 1. From the log to one row per customer
#
# frequency = repeat purchases (distinct days after the first), recency = time from the first to the last purchase,
# T = time from the first purchase to the end of calibration, all in the chosen unit (`time_unit`); purchases are
# counts, monetary values are currency units per purchase.

# %%
summary = cl.rfm_summary(transactions, observation_end=observation_end, calibration_end=calibration_end,
                         time_unit=time_unit)
overview = summary.drop(columns="customer_id").agg(["mean", "median", "max"]).T.round(2).astype(object)
counts = ["frequency", "frequency_holdout"]  # whole numbers: their median and maximum are shown as such
overview.loc[counts, ["median", "max"]] = overview.loc[counts, ["median", "max"]].astype(int)
overview

# %% [markdown]
# ## 2. Two models of buying and leaving
#
# Both say a customer buys at a steady personal rate while "alive" and leaves for good at some unseen moment.
# BG/NBD lets customers leave only right after a purchase; Pareto/NBD at any time.

# %%
with cl.params.warnings_as_notes("BG/NBD"):
    bgnbd = cl.BetaGeo().fit(summary, time_unit=time_unit)
with cl.params.warnings_as_notes("Pareto/NBD"):
    pareto = cl.ParetoNBD().fit(summary, time_unit=time_unit)
fits = pd.DataFrame({"log-likelihood": [round(bgnbd.loglik_, 1), round(pareto.loglik_, 1)],
                     "parameters": [len(bgnbd.params_), len(pareto.params_)]}, index=["BG/NBD", "Pareto/NBD"])
better = fits["log-likelihood"].idxmax()
print(f"{better} has the higher log-likelihood, by {fits['log-likelihood'].max() - fits['log-likelihood'].min():.1f}, "
      "with as many parameters (4 each).")
fits

# %% [markdown]
# The BG/NBD estimates, with 95 % intervals. In the simulated company we also know the values that generated the
# purchases (`truth`, set in weeks): r, a and b have no unit; alpha carries the time unit (a rate per day is a
# seventh of the rate per week, so alpha in days is 7 times alpha in weeks; calendar months have no exact factor).

# %%
estimates = bgnbd.summary().round(3)
if world is not None:
    truth = pd.Series(world.truth.params["bgnbd"]).drop("unit").astype(float)
    truth["alpha"] = {"D": 7 * truth["alpha"], "W": truth["alpha"], "M": np.nan}[time_unit]
    estimates["truth"] = truth.round(3)
    inside = (estimates["truth"] >= estimates["lower_95"]) & (estimates["truth"] <= estimates["upper_95"])
    known = estimates["truth"].notna()
    print(f"{int(inside[known].sum())} of {int(known.sum())} true values lie inside their 95 % interval.")
estimates

# %% [markdown]
# ## 3. Checked on the holdout
#
# Customers grouped by their repeat purchases in the calibration period: the mean number of purchases each group
# made in the holdout, beside what each model expected.

# %%
bgnbd_holdout = cl.conditional_expectations(summary, bgnbd)
holdout = bgnbd_holdout.rename(columns={"expected": "BG/NBD"})
holdout["Pareto/NBD"] = cl.conditional_expectations(summary, pareto)["expected"]
fig, ax = plt.subplots(figsize=(6, 3.5))
cl.plot_conditional_expectations(bgnbd_holdout, ax=ax)
ax.set_title(f"Holdout purchases per customer ({unit} after {calibration_end})")
holdout.round(2)

# %%
for model in ["BG/NBD", "Pareto/NBD"]:
    gap = holdout[model] - holdout["actual"]
    worst = gap.abs().idxmax()
    print(f"{model}: mean absolute gap {gap.abs().mean():.2f} purchases per customer; largest for customers with "
          f"{holdout.loc[worst, 'repeat_purchases']} repeat purchases: forecast {holdout.loc[worst, model]:.2f}, "
          f"actual {holdout.loc[worst, 'actual']:.2f}.")

# %% [markdown]
# **What this shows.** How far each model's holdout forecast is from what happened, group by group (the groups
# of frequent buyers are small, so their means move most). In the simulated company, half of the early customers
# received an incentive that made them buy faster for eight weeks of the holdout: a real campaign shows up the same
# way, as purchases above the forecast.

# %% [markdown]
# ## 4. Is a quiet customer still a customer?
#
# P(alive) is the probability that the customer has not left for good, given when and how often they bought.

# %%
matrix = cl.evaluation.p_alive_matrix(bgnbd, T=float(summary["T"].max()), max_frequency=15)
ax = cl.plot_p_alive_matrix(matrix)
title = ax.set_title("BG/NBD: P(alive) at the end of calibration")

# %%
summary["p_alive"] = bgnbd.p_alive(summary["frequency"], summary["recency"], summary["T"])
summary["p_alive_pareto"] = pareto.p_alive(summary["frequency"], summary["recency"], summary["T"])
examples = summary.sort_values(["frequency", "customer_id"], ascending=[False, True])
chosen = pd.concat([examples.head(1), examples[(examples["frequency"] >= 5)].sort_values("p_alive").head(1),
                    examples[examples["frequency"] == 0].head(1)])
for row in chosen.itertuples():
    print(f"Customer {row.customer_id}: {row.frequency} repeat purchases, last bought {row.T - row.recency:.1f} "
          f"{unit} before the end of calibration: P(alive) = {row.p_alive:.2f} (BG/NBD), "
          f"{row.p_alive_pareto:.2f} (Pareto/NBD)")

# %% [markdown]
# **What this shows.** A frequent buyer who has gone quiet for long, relative to their own habit, gets the lowest
# P(alive). For someone who bought once and never again the models disagree: BG/NBD always says 1, because in it
# customers leave only right after a purchase (a known quirk of the model); Pareto/NBD, where leaving can happen at
# any time, gives less than 1, since their silence is also what a slow buyer would show.

# %% [markdown]
# ## 5. What each customer is worth
#
# Gamma-Gamma gives each repeat buyer's expected spend per purchase; with the purchase model it gives the
# discounted value of the next year's purchases (`margin` of revenue, `yearly_discount_rate` a year).

# %%
repeat = summary[(summary["frequency"] > 0) & (summary["monetary_value"] > 0)]
with cl.params.warnings_as_notes("Gamma-Gamma"):
    spend = cl.GammaGamma().fit(repeat)
value = cl.clv.residual_value(bgnbd, spend, summary, horizon=steps_per_year, discount_rate=discount_per_step,
                              margin=margin)
value = value.merge(summary[["customer_id", "frequency", "p_alive"]], on="customer_id")
value.sort_values(["residual_value", "customer_id"], ascending=[False, True]).head(5).round(2)

# %% [markdown]
# The most at risk: of the customers who used to buy often (5 or more repeat purchases), those with the lowest
# P(alive).

# %%
value[value["frequency"] >= 5].sort_values(["p_alive", "customer_id"]).head(5).round(2)

# %% [markdown]
# ## 6. Value by segment

# %%
if world is not None:
    segment = world.customers.set_index("customer_id")["kind"]
else:
    segment = transactions.groupby("customer_id")["date"].min().dt.strftime("first bought %Y-%m")
by_segment = value.assign(segment=value["customer_id"].map(segment)).groupby("segment").agg(
    customers=("customer_id", "size"), mean_value=("residual_value", "mean"), total_value=("residual_value", "sum"))
by_segment.round(1)

# %%
ranked = value["residual_value"].sort_values(ascending=False)
top_share = 100 * ranked.head(len(ranked) // 10).sum() / ranked.sum()
richest = by_segment["mean_value"].idxmax()
print(f"The top 10 % of customers carry {top_share:.0f} % of the value; the segment worth most per customer is "
      f"{richest!r} ({by_segment.loc[richest, 'mean_value']:.1f} currency units each).")

# %% [markdown]
# **What this shows.** Values are in currency units of profit over the next year, discounted: very unequal across
# customers, and different from one segment to the next.

# %% [markdown]
# ## Exercises
#
# **1.** How much of the next year's total value comes from the top 1 % of customers?

# %%
# Solution
top_1 = ranked.head(max(1, len(ranked) // 100))
print(f"{100 * top_1.sum() / ranked.sum():.1f} % of the value, from {len(top_1):,} of {len(ranked):,} customers")

# %% [markdown]
# **2.** Redo section 5 with Pareto/NBD instead of BG/NBD: does the top-5 list change?

# %%
# Solution
pareto_value = cl.clv.residual_value(pareto, spend, summary, horizon=steps_per_year,
                                     discount_rate=discount_per_step, margin=margin)
pareto_value.sort_values(["residual_value", "customer_id"], ascending=[False, True]).head(5).round(2)

# %% [markdown]
# ## Takeaways
#
# - Three numbers per customer (frequency, recency, T) are enough to forecast purchases and P(alive).
# - Check a model on a holdout before trusting its values; say the time unit with every rate.
# - Customer value = expected purchases x expected spend x margin, discounted; it is very unequal across customers.
#
# ## References
#
# - Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005). "Counting your customers" the easy way. *Marketing
#   Science* 24(2), 275-284.
# - Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005). RFM and CLV: using iso-value curves for customer base
#   analysis. *Journal of Marketing Research* 42(4), 415-430.
# - Fader, P. S. and Hardie, B. G. S. (2013). The Gamma-Gamma model of monetary value.
