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
# - summarise a purchase log into frequency, recency and age, fit BG/NBD, MBG/NBD and Pareto/NBD to it, and choose
#   between them with AIC, BIC and a holdout period;
# - read P(alive) for a customer in plain words, and say how sure the model is with a 95 % interval;
# - combine a purchase model and a spend model into the discounted value of each customer and each segment, and test
#   whether the acquisition channel changes how customers buy.
#
# **Prerequisites:** notebook 01 (buyers and clients). Each model is introduced where it is first used.

# %% [markdown] tags=["custlab-nav"]
# [Contents](contents.ipynb) · Previous: [05 · How long do customers stay, and what makes them leave?](05_cohort_retention_survival.ipynb) · Next: [07 · How long do subscribers stay, and what is a subscriber worth?](07_contractual_retention.ipynb)

# %% tags=["parameters"]
dataset: str = "simulated"  # "simulated" (truth known) or "cdnow"
time_unit: str = "W"  # unit of time in the models: D days, W weeks or M calendar months
n_customers: int = 10000  # people in the simulated company
seed: int = 6  # random seed of the simulated company
yearly_discount_rate: float = 0.10  # discount rate per year, as a fraction
margin: float = 0.30  # share of revenue that is profit

# %% [markdown]
# Checked, then derived from the parameters: the dates of each data set, a one-year horizon in the chosen unit, and
# the discount rate per week (per month with `time_unit="M"`).

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
value_step = {"D": 7, "W": 1, "M": 1}[time_unit]  # values are discounted week by week, or month by month
discount_per_step = (1 + yearly_discount_rate) ** (value_step / steps_per_year) - 1

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
# discounted value of the next year's purchases (`margin` of revenue, `yearly_discount_rate` a year, discounted week
# by week or month by month). In symbols, with margin $m$, a discount rate $d$ per step and $K$ steps in the year,
# customer $i$ is worth
#
# $$V_i = m \, \bar{z}_i \sum_{k=1}^{K} \frac{E[X_i(k)]}{(1 + d)^{k}},$$
#
# where $\bar{z}_i$ is the expected spend per purchase (Gamma-Gamma) and $E[X_i(k)]$ the expected number of
# purchases in step $k$, given the customer's history (BG/NBD).

# %%
repeat = summary[(summary["frequency"] > 0) & (summary["monetary_value"] > 0)]
with cl.params.warnings_as_notes("Gamma-Gamma"):
    spend = cl.GammaGamma().fit(repeat)
value = cl.clv.residual_value(bgnbd, spend, summary, horizon=steps_per_year, discount_rate=discount_per_step,
                              margin=margin, step=value_step)
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
# ## 7. Which model?
#
# A third model joins the two of section 2: MBG/NBD (Batislam, Denizel & Filiztekin 2007) is BG/NBD in which a
# customer may also leave right after the first purchase, so someone who bought once may already be gone.
# Two checks decide between them:
#
# - **Fit, for the parameters spent.** AIC (Akaike) and BIC (Schwarz) are minus twice the log-likelihood plus a
#   charge per parameter: 2 for AIC, the logarithm of the number of customers for BIC, so BIC punishes extra
#   parameters more. Lower is better, and only models fitted on the same customers can be compared.
# - **Forecast.** On the holdout: total purchases expected beside those made, and the error per customer.
#
# In the table, log-likelihood, AIC and BIC have no unit; expected and actual purchases are totals over all customers
# in the holdout (count); the difference is in % of the actual total (positive: the model expects too many); the mean
# absolute error is in purchases per customer over the holdout.

# %%
with cl.params.warnings_as_notes("MBG/NBD"):
    mbgnbd = cl.ModifiedBetaGeo().fit(summary, time_unit=time_unit)
candidates = {"BG/NBD": bgnbd, "MBG/NBD": mbgnbd, "Pareto/NBD": pareto}
comparison = cl.compare_models(candidates, summary)
comparison.round({"log_likelihood": 1, "aic": 1, "bic": 1, "expected_holdout_purchases": 1, "difference_pct": 1,
                  "mean_absolute_error": 3})

# %%
holdout_length = float(summary["duration_holdout"].iloc[0])
bic_lead = comparison["bic"].iloc[1] - comparison["bic"].iloc[0]
strength = ("a lead hardly worth a mention" if bic_lead < 2 else "positive evidence" if bic_lead < 6
            else "strong evidence" if bic_lead < 10 else "very strong evidence")
closest = comparison["difference_pct"].abs().idxmin()
smallest = comparison["mean_absolute_error"].idxmin()
print(f"Lowest BIC: {comparison.index[0]}, {bic_lead:.1f} below {comparison.index[1]} ({strength}); "
      f"lowest AIC: {comparison['aic'].idxmin()}.")
print(f"Holdout ({holdout_length:.3g} {unit} after {calibration_end}): total closest for {closest} "
      f"({comparison.loc[closest, 'difference_pct']:+.1f} %); smallest error per customer for {smallest} "
      f"({comparison.loc[smallest, 'mean_absolute_error']:.3f} purchases).")
winners = {comparison.index[0], closest, smallest}
print(f"All the checks point to {closest}." if len(winners) == 1 else
      f"The checks point to different models ({', '.join(sorted(winners))}).")

# %% [markdown]
# **What this shows.** The criteria judge the fit to the calibration period, the holdout judges the forecast: they
# need not agree. The three models have 4 parameters each, so here AIC and BIC rank them alike and the difference is
# the log-likelihood alone. A BIC lead under 2 is hardly worth a mention, 2 to 6 is positive evidence, 6 to 10 strong,
# above 10 very strong (Kass & Raftery 1995). The rest of the notebook keeps BG/NBD, whichever wins here, so that its
# numbers stay those of sections 4 to 6.

# %% [markdown]
# ## 8. How sure are we?
#
# The estimates come from a limited number of customers: other customers of the same company would give somewhat
# different ones, and `covariance_` says by how much. To carry that uncertainty into a prediction, we draw 1,000 sets
# of parameters around the estimates (fewer for the value of a large base, as printed there), predict with each set
# and keep the middle 95 % of the predictions (Krinsky & Robb 1986).
#
# The interval covers the uncertainty of the estimates, that is of the model's **expectation**: not the chance in each
# customer's buying. A customer expected to make 1.4 purchases makes a whole number of them, and a base's total
# also moves by chance. So the actual count can fall outside the interval even when the model is right.

# %%
draws = 1000  # parameter draws behind each interval
# A value repeats the forecast for every customer at every step of the year: for a large base (CDNOW), fewer draws
# keep that interval quick.
value_draws = draws if len(summary) * steps_per_year / value_step <= 150_000 else 200


def interval_text(band: pd.DataFrame, digits: int) -> pd.Series:
    """Each row's interval as text, "lower to upper"."""
    return pd.Series([f"{lo:.{digits}f} to {hi:.{digits}f}" for lo, hi in zip(band["lower"], band["upper"])],
                     index=band.index)


# %% [markdown]
# The customers of section 4: P(alive) at the end of calibration and the purchases BG/NBD expects in the holdout,
# each with its 95 % interval, beside the purchases they made.

# %%
history = [chosen["frequency"], chosen["recency"], chosen["T"]]
alive_band = cl.prediction_interval(bgnbd, "p_alive", *history, draws=draws, random_state=seed)
ahead_band = cl.prediction_interval(bgnbd, "conditional_expected_purchases", holdout_length, *history, draws=draws,
                                    random_state=seed)
pd.DataFrame({"customer": chosen["customer_id"], "P(alive)": alive_band["estimate"].round(2),
              "P(alive) 95 % interval": interval_text(alive_band, 2),
              f"expected purchases in {holdout_length:.3g} {unit}": ahead_band["estimate"].round(2),
              "expected 95 % interval": interval_text(ahead_band, 2),
              "actual purchases": chosen["frequency_holdout"]}).set_index("customer")

# %%
inside = chosen["frequency_holdout"].between(ahead_band["lower"].round(2), ahead_band["upper"].round(2))
print(f"The actual purchases of {int(inside.sum())} of these {len(chosen)} customers fall inside the interval "
      "on their expected purchases (as shown, to 2 decimals).")

# %% [markdown]
# The customer without a repeat purchase gets P(alive) = 1 with no spread at all: in BG/NBD that holds whatever the
# parameters (section 4). Next, the whole base: the repeat purchases each model expects from all customers in the
# holdout, with 95 % intervals, beside the number made.

# %%
holdout_bands = pd.DataFrame({
    name: cl.prediction_interval(model, "conditional_expected_purchases", holdout_length, summary["frequency"],
                                 summary["recency"], summary["T"], total=True, draws=draws,
                                 random_state=seed).loc["total"]
    for name, model in candidates.items()}).T
holdout_bands["actual"] = int(summary["frequency_holdout"].sum())
holdout_bands.round(1)

# %%
fig, ax = plt.subplots(figsize=(7, 2.5))
rows = np.arange(len(holdout_bands))
below = holdout_bands["estimate"] - holdout_bands["lower"]
above = holdout_bands["upper"] - holdout_bands["estimate"]
ax.errorbar(holdout_bands["estimate"], rows, xerr=[below, above], fmt="o", capsize=4, color="#2b6f97",
            label="expected, 95 % interval")
ax.axvline(holdout_bands["actual"].iloc[0], color="#d1495b", ls="--", label="actual")
ax.set_yticks(rows, holdout_bands.index)
ax.set_ylim(-0.7, len(rows) - 0.3)
ax.set_xlabel(f"repeat purchases by all customers in the {holdout_length:.3g} {unit} of the holdout")
legend = ax.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1, 1))

# %%
for name, row in holdout_bands.iterrows():
    position = "inside" if row["lower"] <= row["actual"] <= row["upper"] else (
        "above" if row["actual"] > row["upper"] else "below")
    print(f"{name}: {row['lower']:,.0f} to {row['upper']:,.0f} purchases expected; the {row['actual']:,.0f} made lie "
          f"{position} the interval.")
if world is not None and (holdout_bands["actual"] > holdout_bands["upper"]).any():
    print("Part of the gap is the incentive campaign of the holdout (section 3), which no model of the calibration "
          "period can foresee.")

# %% [markdown]
# Last, the value of section 5 summed over the whole base, with an interval from the uncertainty of both the purchase
# model (BG/NBD) and the spend model (Gamma-Gamma).

# %%
value_band = cl.clv_interval(bgnbd, spend, summary, horizon=steps_per_year, discount_rate=discount_per_step,
                             margin=margin, step=value_step, total=True, draws=value_draws,
                             random_state=seed).loc["total"]
print(f"Profit from the {len(summary):,} customers over the next year, discounted: "
      f"{value_band['estimate']:,.0f} currency units, 95 % interval {value_band['lower']:,.0f} to "
      f"{value_band['upper']:,.0f} ({value_draws:,} draws).")

# %% [markdown]
# **What this shows.** An interval on a prediction says how much it could move because the model was estimated from
# a limited number of customers. It is no promise about what the customers will do: single customers make whole
# numbers of purchases that rarely lie in the narrow interval on their expectation, the base's total carries the
# chance in its customers' buying on top of it, and nothing in the interval says whether the model suits these
# customers at all.

# %% [markdown]
# ## 9. Does the channel matter?
#
# So far every customer's purchase rate comes from the same distribution. A covariate lets an attribute of the
# customer shift it: here the channel through which the customer was acquired. `BetaGeoCovariates` compares each
# channel with the most common one, the reference. Its **rate ratio** is the purchase rate of that channel's customers
# divided by the reference's, while alive: 1.20 means 20 % faster, below 1 slower. The effect beside it is the same
# on the log scale (the ratio is e to the power of the effect): positive means more purchases. An interval that
# contains 1 means the data cannot tell that channel apart from the reference.
#
# A covariate can also act on dropout (a factor on both shapes of the distribution of the chance to leave; above 1,
# more dropout). Dropout shows only through customers' silence, so with a few hundred customers per channel those
# effects are usually too loose to read: here the channel acts on purchases only (`dropout=[]`).

# %%
channel_table = None
if world is None:
    print("CDNOW records nothing about its customers but their purchases: there is no covariate to try, so this "
          "section applies to the simulated company only.")
else:
    channels = world.customers[["customer_id", "acquisition_channel"]].set_axis(["customer_id", "channel"], axis=1)
    with_channel = summary.merge(channels, on="customer_id", how="left")
    with cl.params.warnings_as_notes("BG/NBD with channel"):
        by_channel = cl.BetaGeoCovariates().fit(with_channel, ["channel"], dropout=[], time_unit=time_unit)
    reference = by_channel.reference_levels_["channel"]
    effects = by_channel.effects_.rename(columns={"rate_ratio_lower_95": "lower", "rate_ratio_upper_95": "upper"})
    effects.index = effects["covariate"].str.slice(len("channel["), -1).rename("channel")
    channel_table = pd.DataFrame({"customers": with_channel["channel"].value_counts().drop(reference),
                                  "effect (log scale)": effects["estimate"].round(2) + 0.0,  # + 0.0: no "-0.00"
                                  "rate ratio": effects["rate_ratio"].round(2),
                                  "95 % interval": interval_text(effects, 2)})
    print(f"Reference channel: {reference!r}, the most common ({(with_channel['channel'] == reference).sum():,} "
          "customers).")
channel_table

# %%
if world is not None:
    contains = (effects["lower"] <= 1) & (effects["upper"] >= 1)
    top = effects["rate_ratio"].idxmax()
    highest = effects.loc[top]
    print(f"{int(contains.sum())} of {len(effects)} intervals contain 1. Highest rate ratio: {top!r}, "
          f"{highest['rate_ratio']:.2f} ({highest['lower']:.2f} to {highest['upper']:.2f}).")
    for name, row in effects[~contains].iterrows():
        print(f"Customers from {name!r} buy {'faster' if row['lower'] > 1 else 'slower'} than those from "
              f"{reference!r}, and the interval says the data can tell.")
    if contains.all():
        print(f"No channel buys clearly faster or slower than {reference!r}.")

# %%
if world is not None:
    versus = cl.compare_models({"BG/NBD": bgnbd, "BG/NBD with channel": by_channel}, with_channel)
    extra = versus.loc["BG/NBD with channel", "parameters"] - versus.loc["BG/NBD", "parameters"]
    for criterion in ("AIC", "BIC"):
        change = versus.loc["BG/NBD with channel", criterion.lower()] - versus.loc["BG/NBD", criterion.lower()]
        print(f"{criterion} with the channel minus without: {change:+.1f}, so the channel "
              f"{'pays' if change < 0 else 'does not pay'} for its {extra} extra parameters by {criterion}.")

# %% [markdown]
# **What this shows.** In the simulated company the channel was drawn without regard to how people buy, so every
# true rate ratio is 1, and about 1 interval in 20 misses 1 by chance alone. The channel with the highest estimate
# is not, for that alone, the one whose customers buy most. A covariate earns its place when its effects are clear
# and the criteria, which charge for every extra parameter, prefer the model that has it.

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
                                     discount_rate=discount_per_step, margin=margin, step=value_step)
pareto_value.sort_values(["residual_value", "customer_id"], ascending=[False, True]).head(5).round(2)

# %% [markdown]
# **3.** Redo the interval on the base's holdout purchases (BG/NBD, section 8) with 200 draws instead of 1,000. Does
# the interval get narrower, or do its bounds only move a little?

# %%
# Solution
# The bounds estimate two fixed percentiles: more draws pin them down better, they do not make the interval narrower.
bounds = pd.DataFrame({
    f"{n:,} draws": cl.prediction_interval(bgnbd, "conditional_expected_purchases", holdout_length,
                                          summary["frequency"], summary["recency"], summary["T"], total=True,
                                          draws=n, random_state=seed).loc["total", ["lower", "upper"]]
    for n in (200, draws)}).T
bounds["width"] = bounds["upper"] - bounds["lower"]
moved = (bounds.iloc[0] - bounds.iloc[1]).abs().max()
print(f"The bounds move by at most {moved:,.0f} purchases, {100 * moved / bounds['width'].iloc[1]:.0f} % of the "
      "interval's width.")
bounds.round(0)

# %% [markdown]
# **4.** (Simulated company.) Do business customers buy more often than individuals? Fit `BetaGeoCovariates` with the
# column `kind` of `world.customers`, on purchases only (`dropout=[]`).

# %%
# Solution
kind_effects = None
if world is None:
    print("CDNOW records no kind of customer: nothing to fit.")
else:
    with_kind = summary.merge(world.customers[["customer_id", "kind"]], on="customer_id", how="left")
    with cl.params.warnings_as_notes("BG/NBD with kind"):
        by_kind = cl.BetaGeoCovariates().fit(with_kind, ["kind"], dropout=[], time_unit=time_unit)
    kind_effects = by_kind.effects_[["covariate", "reference", "rate_ratio", "rate_ratio_lower_95",
                                     "rate_ratio_upper_95"]].round(2)
    effect = by_kind.effects_.iloc[0]
    apart = not effect["rate_ratio_lower_95"] <= 1 <= effect["rate_ratio_upper_95"]
    print(f"Customers of kind {effect['covariate'][len('kind['):-1]!r} buy {effect['rate_ratio']:.2f} times as fast "
          f"as those of kind {effect['reference']!r} while alive: "
          + ("the interval excludes 1, so the data tell the two apart." if apart else
             "the interval contains 1, so the data cannot tell the two apart."))
kind_effects

# %% [markdown]
# ## Takeaways
#
# - Three numbers per customer (frequency, recency, T) are enough to forecast purchases and P(alive).
# - Check a model on a holdout before trusting its values; say the time unit with every rate.
# - Customer value = expected purchases x expected spend x margin, discounted; it is very unequal across customers.
# - Choose a model with two checks: AIC or BIC on the calibration period (lower is better; BIC charges more per
#   parameter) and the forecast on the holdout. They need not agree.
# - An interval from the estimates' uncertainty says how sure the model's expectation is; what customers actually do
#   carries their own chance on top, and can fall outside it.
# - A customer attribute such as the acquisition channel belongs in the model when its effects are clear and the
#   criteria prefer the model that has it.
#
# ## References
#
# - Akaike, H. (1974). A new look at the statistical model identification. *IEEE Transactions on Automatic Control*
#   19(6), 716-723.
# - Batislam, E. P., Denizel, M. and Filiztekin, A. (2007). Empirical validation and comparison of models for customer
#   base analysis. *International Journal of Research in Marketing* 24(3), 201-209.
# - Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005). "Counting your customers" the easy way. *Marketing
#   Science* 24(2), 275-284.
# - Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005). RFM and CLV: using iso-value curves for customer base
#   analysis. *Journal of Marketing Research* 42(4), 415-430.
# - Fader, P. S. and Hardie, B. G. S. (2007). Incorporating time-invariant covariates into the Pareto/NBD and BG/NBD
#   models. Note, http://brucehardie.com/notes/019/.
# - Fader, P. S. and Hardie, B. G. S. (2013). The Gamma-Gamma model of monetary value.
# - Kass, R. E. and Raftery, A. E. (1995). Bayes factors. *Journal of the American Statistical Association* 90(430),
#   773-795.
# - Krinsky, I. and Robb, A. L. (1986). On approximating the statistical properties of elasticities. *Review of
#   Economics and Statistics* 68(4), 715-719.
# - Schwarz, G. (1978). Estimating the dimension of a model. *Annals of Statistics* 6(2), 461-464.

# %% [markdown] tags=["custlab-nav"]
# **Next:** [07 · How long do subscribers stay, and what is a subscriber worth?](07_contractual_retention.ipynb) · [Contents](contents.ipynb)
