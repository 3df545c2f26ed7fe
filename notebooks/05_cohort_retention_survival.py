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
# # How long do customers stay, and what makes them leave?
#
# **You will learn to**
# - build a cohort table and read customer and revenue retention from it, ragged edge and all;
# - tell the contractual world (a cancellation is observed) from the non-contractual one (churn is inferred), and
#   measure survival in both with Kaplan-Meier curves, median lifetimes and log-rank tests;
# - read a Cox model of churn drivers as hazard ratios, check its assumption, and see why some drivers mislead.
#
# **Prerequisites:** notebook 04 (lifecycle states and the churn label). Section 6 introduces the sBG model it
# uses.

# %% [markdown] tags=["custlab-nav"]
# [Contents](contents.ipynb) · Previous: [04 · How do people move through the customer lifecycle, and how far can we tell where they are?](04_lifecycle_funnel.ipynb) · Next: [06 · What is a customer worth, and is a quiet customer still a customer?](06_customer_lifetime_value.ipynb)

# %% tags=["parameters"]
dataset: str = "simulated"  # "simulated" (purchases, subscriptions, surveys) or "cdnow" (purchases only)
freq: str = "M"  # cohort period: "W" (weeks), "M" (calendar months) or "Q" (calendar quarters)
churned_days: int = 180  # days without a purchase before a buyer counts as churned (as in notebook 04)
n_customers: int = 5000  # people in the simulated company
seed: int = 5  # random seed of the simulated company

# %% [markdown]
# Checked, then derived from the parameters: the last day observed, and the churn threshold in whole months (the
# unit of every duration below).

# %%
import custlab as cl

cl.params.require_choice("dataset", dataset, {"simulated": "the simulated company", "cdnow": "CDNOW purchases"})
cl.params.require_choice("freq", freq, {"W": "weeks", "M": "calendar months", "Q": "calendar quarters"})
cl.params.require_range("churned_days", churned_days, 30, 365, why="a month to a year of silence")
cl.params.require_range("n_customers", n_customers, 1000, 1_000_000, why="fewer people leave too few subscribers")

from custlab import lifecycle, retention

observation_end = {"simulated": "2024-12-31", "cdnow": "1998-06-30"}[dataset]
churned_after = lifecycle.periods_for_days(churned_days, "M")
period = {"W": "week", "M": "month", "Q": "quarter"}[freq]
print(f"Cohorts by {period}; a buyer is churned after {churned_after} months without a purchase.")

# %% [markdown]
# ## Setup

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from custlab.plotting import lifecycle as lcplot
from custlab.plotting import retention as rtplot

rng = np.random.default_rng(seed)
pd.set_option("display.width", 140)
pd.set_option("display.max_columns", 14)

# %% [markdown]
# ## The data, checked
#
# The simulated company's orders, subscriptions, survey answers and complaints; or CDNOW's purchase log (23,570
# people who first bought in the first quarter of 1997, followed to June 1998). The orders are checked row by row.

# %%
world = cl.crm_world(n_customers, random_state=rng) if dataset == "simulated" else None
raw = world.transactions() if world is not None else cl.load_cdnow()
transactions, report = cl.validate_transactions(raw, observation_end=observation_end)
report

# %% [markdown]
# ## 1. The cohort table
#
# A **cohort** is everyone whose first purchase fell in the same period. Each row follows one cohort; each column
# counts the periods since its first purchase. A cell is the number of the cohort's customers who bought in that
# period. Cells the data has not reached yet are blank, not zero (the ragged right edge); a period only partly
# observed at the end is left out, so it cannot look like a fall.

# %%
customers = retention.cohort_table(transactions, freq=freq, metric="customers", observation_end=observation_end)
print(f"{len(customers)} cohorts, {int(customers['cohort_size'].sum()):,} customers; "
      f"{customers.attrs['customers_left_out']:,} acquired in a partly observed last {period} are left out.")
customers.iloc[:6, :8]

# %%
matrix = retention.retention_matrix(customers)
ax = rtplot.plot_retention_heatmap(matrix)
plt.show()

# %%
pooled = retention.retention_curve(customers)
ax = rtplot.plot_retention_curves(matrix, pooled=pooled)
plt.show()

# %%
shown = [k for k in (1, 2, 3, 6, 12) if k in pooled.index and not np.isnan(pooled[k])]
print("Share of a cohort buying again, all cohorts pooled: " + ", ".join(
    f"{pooled[k]:.1%} in {period} {k}" for k in shown) + ".")

# %% [markdown]
# **What this shows.** The printed shares say how much of a cohort buys in a given later period; the pooled curve
# weights each cohort by its size. The curve counts buyers per period, not survivors: a customer who skips a
# period and returns counts again, so a later period can sit above an earlier one.

# %% [markdown]
# ## 2. Revenue retention
#
# The same table with spend instead of customers: each cell is what the cohort spent in that period (currency
# units). Divided by period 0 and pooled, it is **revenue retention**: the revenue a cohort brings in a later
# period for every unit it brought in its first one, first orders included. (Subscription businesses call a
# related number *net revenue retention*: recurring revenue from the same customers against a base period.)

# %%
revenue = retention.cohort_table(transactions, freq=freq, metric="revenue", observation_end=observation_end)
kept = retention.retention_curve(revenue)
both = pd.DataFrame({"customers (% of period 0)": 100 * pooled, "revenue (% of period 0)": 100 * kept}).round(1)
both.head(8)

# %%
later = both.iloc[1:]
more = later[later.iloc[:, 1] > later.iloc[:, 0]]
print(f"In {len(more)} of the {len(later)} later {period}s, revenue is retained better than customers: those who "
      "come back spend more than a cohort's average first-period spend." if len(more) else
      f"In every later {period}, revenue is retained no better than customers.")

# %% [markdown]
# ## 3. Churn, two worlds
#
# **Contractual.** A subscriber who cancels says so; churn is counted. The monthly churn rate is the share of the
# subscriptions active at the start of a month that are cancelled in it.

# %%
if world is not None:
    churn = retention.churn_table(world.subscriptions, observation_end=observation_end, by="plan")
    fig, ax = plt.subplots(figsize=(7, 3.4))
    for plan, part in churn.groupby("plan"):
        ax.plot(part["month"], 100 * part["churn_rate"], marker=".", label=plan)
    ax.set(ylabel="cancelled in the month (% of active)", title="Contractual churn per month", ylim=(0, None))
    ax.legend(title="plan")
    plt.show()
else:
    churn = None
    print("CDNOW sold music by mail with no contract: there is no cancellation to count, only silence.")

# %%
if churn is not None:
    late = churn[churn["month"] >= churn["month"].max() - pd.DateOffset(months=11)]
    rates = late.groupby("plan").apply(lambda g: g["cancelled"].sum() / g["active_at_start"].sum(),
                                       include_groups=False)
    print("Monthly churn over the last 12 months: " + ", ".join(f"{p} {r:.1%}" for p, r in rates.items()) + ".")

# %% [markdown]
# **Non-contractual.** A buyer who stops buying says nothing; churn must be inferred from silence, with the
# lifecycle states of notebook 04. The threshold trades false alarms against late detection. The labels are read
# six months before the end and checked against purchases in those six months (and, in the simulated company,
# against who really stopped).

# %%
as_of = pd.Timestamp(observation_end) - pd.DateOffset(months=6)
truth = world.truth.customers if world is not None else None
tradeoff = lifecycle.churn_label_tradeoff(transactions, truth, thresholds=[1, 2, 3, 6, 9, 12], as_of=as_of,
                                          observation_end=observation_end, freq="M")
ax = lcplot.plot_churn_tradeoff(tradeoff, unit="months")
plt.show()

# %%
chosen = tradeoff[tradeoff["churned_after"] == churned_after]
if len(chosen):
    row = chosen.iloc[0]
    again = (f"and {row.bought_again_share:.0%} of them bought again in the next six months." if row.labelled_churned
             else "so there is nobody to check.")
    print(f"At the threshold used below ({churned_after} months), {int(row.labelled_churned):,} buyers are labelled "
          f"churned in the month holding {as_of.date()}, " + again)
else:
    print(f"The threshold used below ({churned_after} months) is not on this grid; see notebook 04 for any value.")

# %% [markdown]
# ## 4. Survival: how long customers stay
#
# Survival analysis follows each customer from their start to their churn. Those whose churn has not been seen
# are **censored**: we know they lasted at least that long, not how long. Dropping them, or counting them as
# churned, would both bias the answer; the Kaplan-Meier estimator counts them as at risk up to their censoring
# time and no further. Durations are in calendar months.
#
# - **Subscriptions**: from the start to the cancellation, or censored at the end of the observation.
# - **Buyers**: churned when `churned_after` months pass without a purchase, dated at the last purchase. A churn
#   can only be seen for a last purchase at least `churned_after` months before the end, so buyers who are still
#   buying are censored at that **cutoff**, not at the end: the months after it could never show a churn, and
#   counting them at risk would make buyers look more loyal than they are.

# %%
buyers = retention.survival_data(transactions, kind="purchases", observation_end=observation_end, unit="M",
                                 churned_after=churned_after)
if world is not None:
    subs = retention.survival_data(world.subscriptions, kind="contract", observation_end=observation_end, unit="M")
    print(f"Subscriptions: {len(subs):,}, {int(subs['churned'].sum()):,} cancelled, the rest censored.")
print(f"Buyers: {len(buyers):,}, {int(buyers['churned'].sum()):,} churned (silent for {churned_after} months, "
      f"dated at their last purchase), the rest censored at the cutoff {buyers.attrs['cutoff'].date()}; "
      f"{buyers.attrs['left_out']:,} who first bought after the cutoff are left out.")

# %% [markdown]
# ### Contracts, by plan

# %%
if world is not None:
    ax = rtplot.plot_survival(subs, by="plan")
    plt.show()
    display(retention.median_lifetimes(subs, by="plan").round(2))
    display(retention.logrank_test(subs, by="plan").round(4))
else:
    print("No subscriptions in CDNOW.")

# %% [markdown]
# ### Buyers, by group
#
# In the simulated company, by acquisition channel; in CDNOW, by the month of the first purchase.

# %%
if world is not None:
    group = world.customers.set_index("customer_id")["acquisition_channel"].rename("group")
else:
    group = buyers.set_index("customer_id")["first_purchase"].dt.strftime("%Y-%m").rename("group")
buyers = buyers.join(group, on="customer_id")
ax = rtplot.plot_survival(buyers, by="group")
plt.show()

# %%
medians = retention.median_lifetimes(buyers, by="group").round(2)
medians

# %%
test = retention.logrank_test(buyers, by="group").iloc[0]
print(f"Log-rank test across {int(test.groups)} groups: chi-square {test.test_statistic:.1f} on "
      f"{int(test.degrees_of_freedom)} degrees of freedom, p = {test.p_value:.3g}.")
print("The groups' curves differ by more than chance would make them." if test.p_value < 0.05 else
      "The data cannot tell the groups' curves apart.")

# %%
zero = (buyers["duration_months"] == 0) & buyers["churned"]
print(f"{zero.mean():.0%} of buyers bought once and then went silent: they churn with a lifetime of 0 months, "
      "which is the drop of every buyers' curve at 0.")

# %% [markdown]
# **What this shows.** The buyers' curves start with the one-time buyers' drop at 0. A median of `inf` would
# mean the group's Kaplan-Meier curve never fell to 50 % within the months observed.

# %% [markdown]
# ## 5. What drives churn? A Cox model
#
# The Cox proportional-hazards model compares the churn rate at any moment between customers who differ in one
# driver, all the others equal. A **hazard ratio** compares the rates of churning at the same moment of the
# lifetime: 1.5 means a rate 50 % higher than the reference level's, 0.7 a rate 30 % lower (for small monthly
# churn chances, close to the ratio of the chances of churning in the next month). The model assumes the ratio
# stays the same over the lifetime; a test checks it, driver by driver.

# %%
if world is not None:
    drivers = retention.customer_drivers(world.customers, world.orders, world.surveys, world.complaints)
    covariates = ["channel", "kind", "discount_user", "nps_group", "unresolved_complaint"]
    reference = {"nps_group": "passive"}
else:
    first = transactions.sort_values("date", kind="stable").groupby("customer_id").first()
    drivers = pd.DataFrame({"customer_id": first.index, "cohort": first["date"].dt.strftime("%Y-%m").to_numpy(),
                            "large_first_order": (first["amount"] > first["amount"].median()).to_numpy()})
    covariates, reference = ["cohort", "large_first_order"], {}
design = retention.cox_design(buyers.merge(drivers, on="customer_id"), covariates, reference=reference)
cox = retention.fit_cox(design)
ratios = retention.hazard_ratios(cox)
print("Reference levels: " + ", ".join(f"{k} = {v}" for k, v in design.attrs["reference"].items()) + ".")
ratios.round(3)

# %%
ax = rtplot.plot_hazard_ratios(ratios)
plt.show()

# %%
for name, r in ratios.iterrows():
    if r.p_value < 0.05:
        change = f"{r.hazard_ratio - 1:+.0%}" if r.hazard_ratio >= 1 else f"{r.hazard_ratio - 1:.0%}"
        print(f"{name}: {change} churn rate per month (95 % interval {r.low:.2f} to {r.high:.2f}).")
quiet = [n for n, r in ratios.iterrows() if r.p_value >= 0.05]
if quiet:
    print(f"No effect told apart from chance: {', '.join(quiet)}.")

# %%
check = retention.proportional_hazards_check(cox, design)
broken = check.index[~check["holds"]].tolist()
print("The proportional-hazards assumption is rejected (p < 0.05) for: " + ", ".join(broken) + "." if broken else
      "The proportional-hazards assumption is not rejected for any driver.")
check.round(3)

# %% [markdown]
# **Read with care.** This is an observational comparison. A driver measured over the whole lifetime, such as a
# survey answer or a complaint, needs orders to happen: customers who stayed longer had more chances to answer or
# to complain, so such a driver can look protective without causing anything (survivorship bias), and its effect
# changes with time, which the assumption check above may flag. Drivers fixed at the start (channel, kind,
# cohort, the first order) do not have this problem. To learn what a change would *cause*, run an experiment
# (notebook 09).

# %% [markdown]
# ## 6. Cohort curves and the sBG model
#
# Notebook 07 fitted the shifted-beta-geometric model to contracts: each subscriber has their own monthly churn
# probability, and the high-risk ones leave first, so the survivors' retention rate rises over time. Here the
# model's survival is set beside the Kaplan-Meier estimate of the same subscriptions, counted in whole months paid
# (as the sBG model counts them).

# %%
if world is not None:
    lifetimes = retention.subscription_lifetimes(world.subscriptions, observation_end=observation_end)
    models = retention.fit_sbg_by_group(lifetimes, by="plan")
    rows = []
    for plan, part in lifetimes.groupby("plan"):
        table = retention.life_table(part["periods"], part["churned"], max_period=12)
        table["sbg"] = models[plan].survival(table["period"].to_numpy())
        rows.append(table.assign(plan=plan))
    compare = pd.concat(rows, ignore_index=True)
    fig, ax = plt.subplots(figsize=(7, 3.6))
    for (plan, part), colour in zip(compare.groupby("plan"), plt.rcParams["axes.prop_cycle"].by_key()["color"]):
        ax.plot(part["period"], 100 * part["survival"], "o-", ms=3, color=colour, label=f"{plan}: Kaplan-Meier")
        ax.plot(part["period"], 100 * part["sbg"], "--", color=colour, label=f"{plan}: sBG")
    ax.set(xlabel="whole months paid", ylabel="still subscribed (%)", title="Kaplan-Meier and sBG, by plan",
           ylim=(0, 101))
    ax.legend(fontsize="small", ncols=3)
    plt.show()
    gap = (compare["survival"] - compare["sbg"]).abs()
    worst = compare.loc[gap.idxmax()]
    print(f"Over the first 12 months the two curves differ by at most {100 * gap.max():.1f} percentage points "
          f"({worst.plan}, month {int(worst.period)}).")
    for plan, part in compare.groupby("plan"):
        r = part.dropna(subset=["retention_rate"])
        print(f"{plan}: {r['retention_rate'].iloc[0]:.0%} of subscribers renew after month 1, "
              f"{r['retention_rate'].iloc[-1]:.0%} after month {int(r['period'].iloc[-1])}.")
else:
    print("CDNOW has no contracts to fit the sBG model to.")

# %% [markdown]
# Where the renewal rate climbs with the months, the reason is the one notebook 07 gives: the subscribers most
# likely to leave have already left, not that the ones who stay grow more loyal.

# %% [markdown]
# ## 7. What to do about it
#
# - **Watch cohorts, not the total.** A growing customer count can hide falling retention in new cohorts; the
#   heatmap shows it row by row.
# - **Win the second purchase.** One-time buyers who go silent are the drop at 0 of every buyers' curve: a
#   welcome, a second-order incentive or a check-in after the first purchase aims at them (notebook 09 tests one).
# - **Count revenue too.** Revenue retention shows whether those who come back spend more or less than a cohort
#   spent at first.
# - **Treat drivers as hypotheses.** A Cox model points at where to look; an experiment says what works.

# %% [markdown]
# ## Exercises
#
# **1.** Build the cohort table with `metric="orders"` and compute orders per retained customer in each period
# since acquisition. Do returning customers buy more often later in their life?

# %%
# Solution
orders = retention.cohort_table(transactions, freq=freq, metric="orders", observation_end=observation_end)
cells = orders.drop(columns="cohort_size").astype(float)
per_customer = cells.sum() / customers.drop(columns="cohort_size").astype(float).where(cells.notna()).sum()
per_customer = per_customer.dropna().round(2).rename("orders per customer who bought")
later = per_customer.iloc[1:]
print(f"{period} 0: {per_customer.iloc[0]:.2f} orders per buyer; later {period}s: from {later.min():.2f} to "
      f"{later.max():.2f} orders per returning buyer.")
per_customer.head(8)

# %% [markdown]
# **2.** Change the churn threshold to 3 months (`churned_after=3`) and compare the share of buyers churned and
# their median lifetime. Why does a shorter threshold change the survival curve?

# %%
# Solution
short = retention.survival_data(transactions, kind="purchases", observation_end=observation_end, unit="M",
                                churned_after=3)
a, b = retention.median_lifetimes(buyers).iloc[0], retention.median_lifetimes(short).iloc[0]
print(f"With {churned_after} months of silence: {a.churned / a.customers:.0%} of buyers churned, median lifetime "
      f"{a['median']:.2f} months. With 3: {b.churned / b.customers:.0%} churned, median {b['median']:.2f} months.")
print("A shorter silence is enough to call a buyer churned, so more quiet buyers count as churned; and because a "
      "short silence can be seen closer to the end, the cutoff moves later and more recent buyers are followed.")

# %% [markdown]
# ## Takeaways
#
# - A cohort table shows retention by age and by acquisition period at once; its blank cells are missing, not zero.
# - Contractual churn is counted; non-contractual churn is inferred, with a threshold that trades false alarms for
#   delay.
# - Censored customers belong in the estimate: Kaplan-Meier and Cox use them.
# - A hazard ratio from observational data is a lead, not a cause; check the proportional-hazards assumption.
#
# ## References
#
# - Kaplan, E. L. and Meier, P. (1958). Nonparametric estimation from incomplete observations. *Journal of the
#   American Statistical Association* 53, 457-481.
# - Cox, D. R. (1972). Regression models and life-tables. *Journal of the Royal Statistical Society B* 34,
#   187-220.
# - Grambsch, P. M. and Therneau, T. M. (1994). Proportional hazards tests and diagnostics based on weighted
#   residuals. *Biometrika* 81, 515-526.
# - Fader, P. S. and Hardie, B. G. S. (2007). How to project customer retention. *Journal of Interactive
#   Marketing* 21(1), 76-90.
# - Davidson-Pilon, C. (2019). lifelines: survival analysis in Python. *Journal of Open Source Software* 4(40),
#   1317.

# %% [markdown] tags=["custlab-nav"]
# **Next:** [06 · What is a customer worth, and is a quiet customer still a customer?](06_customer_lifetime_value.ipynb) · [Contents](contents.ipynb)
