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
# # Can an incentive turn one-time buyers into clients?
#
# **You will learn to**
# - design and read a randomized experiment: who is eligible, a randomization check, the lift of the
#   repeat-purchase rate with its interval;
# - judge an incentive by its money (revenue, cost, return) and by customer type, adjusting for the number of
#   types looked at;
# - work out how many customers an experiment needs, and see why a before/after comparison without a control
#   group misleads.
#
# **Prerequisites:** notebook 02 (customer types, and how they are read from data) and notebook 05 (retention:
# who comes back). Notebook 01 says what separates a buyer from a client.

# %% tags=["parameters"]
offer: str = "coupon"  # incentive tested: "coupon", "referral" or "loyalty" (see the design below)
weeks: int = 8  # outcome window: a repeat purchase within this many weeks of the start counts
n_customers: int = 5000  # people in the simulated company (about one in six is a one-time buyer at the start)
seed: int = 9  # random seed of the simulated company and of the experiment

# %% [markdown]
# Checked, then derived from the parameters: the offer in words.

# %%
import custlab as cl
from custlab.simulate.experiment import OFFERS, draw_incentive_experiment

cl.params.require_choice("offer", offer, {"coupon": "a discount on the next order", "referral": "a reward per friend's "
                          "purchase", "loyalty": "enrolment in the loyalty programme"})
cl.params.require_range("weeks", weeks, 2, 26, why="a fortnight to half a year, so the window ends inside the data")
cl.params.require_range("n_customers", n_customers, 2000, 200_000, why="fewer people leave too few one-time buyers")
deal = OFFERS[offer]
print(f"Offer: {offer}, {deal.description}; it costs {deal.cost:.0f} currency units per {deal.cost_per}.")

# %% [markdown]
# ## Setup

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from custlab import experiments
from custlab.plotting import experiments as explot

rng = np.random.default_rng(seed)
pd.set_option("display.width", 140)

# %% [markdown]
# ## The data, checked
#
# The simulated company of the earlier notebooks, two years of orders. The orders are checked row by row; the
# report counts what was accepted and rejected.

# %%
world = cl.crm_world(n_customers, random_state=rng)
transactions, report = cl.validate_transactions(world.transactions(), observation_end="2024-12-31")
report

# %% [markdown]
# ## 1. The question and the design
#
# The Polish seed text separates a *customer* who buys once from a *client* who comes back, and lists ways to turn
# the first into the second: learn about them, offer incentives, set up a referral programme, ask for feedback.
# Whether an incentive works is a question about cause: would these people have bought again without it? Only a
# comparison with people who did not get it, chosen by chance, answers that.
#
# | | the experiment |
# |---|---|
# | who is eligible | every customer with exactly one purchase before the start day (a one-time buyer) |
# | randomization | half of them, drawn at random, get the offer (**treatment**); the others get nothing (**control**) |
# | outcome | a repeat purchase within `weeks` weeks of the start (a one-time buyer becomes a client) |
# | money | revenue of their orders in the window, and the offer's cost (currency units) |
#
# The three offers: a **coupon** (5 currency units off the next order, paid when it is used), a **referral**
# reward (10 for each purchase of a friend the customer brings) and **loyalty** enrolment (points on every order,
# 4 per enrolled customer). The experiment is simulated from the company's hidden purchase rates, so its true
# effect is known and every estimate below can be checked against it.

# %%
table, truth = draw_incentive_experiment(world, weeks=weeks, offer=offer, random_state=rng)
sizes = table["group"].value_counts()
print(f"Start: {truth.start.date()}; window: {weeks} weeks, to {(truth.start + pd.Timedelta(weeks=weeks)).date()}.")
print(f"Eligible one-time buyers: {len(table):,}; treatment {sizes['treatment']:,}, control {sizes['control']:,}.")
table.head()

# %% [markdown]
# Each row is one eligible customer. `customer_type` is read from their one order, as in notebook 02:
# *discount-driven* when it carried a discount, *impulsive* when it was bought within 30 minutes of a visit,
# *other* otherwise. `repeat_before` says whether they bought again in the `weeks` weeks before the start;
# `repeat`, `purchases`, `referred_purchases` (friends' purchases the referral programme paid for), `revenue` and
# `cost` are the outcomes in the window after it.

# %% [markdown]
# ## 2. Did the coin make two alike groups?
#
# Randomization makes the groups alike *on average*, in what was measured and in what was not. The balance table
# checks what was measured before the start: each covariate's mean (or each level's share, %) per group, and the
# standardized mean difference (SMD: the difference in standard deviations; below 0.1 is the usual reading of
# "balanced").

# %%
covariates = ["days_since_first_purchase", "first_order_amount", "customer_type", "kind", "channel"]
balance = experiments.balance_table(table, covariates)
balance.round(2)

# %%
worst = balance.loc[balance["smd"].abs().idxmax()]
above = int((balance["smd"].abs() > 0.1).sum())
label = worst.covariate + (f" = {worst.level}" if worst.level else "")
print(f"Largest |SMD|: {abs(worst.smd):.2f} ({label}); {above} of {len(balance)} rows above 0.1.")
check = experiments.rerandomization_check(table, covariates, draws=200, random_state=rng)
print(f"In {int(check.draws)} fresh random splits of the same customers, the largest |SMD| was at least "
      f"{check.largest_abs_smd:.2f} in {check.share_as_large:.0%} of them (median largest: "
      f"{check.median_largest_abs_smd:.2f}): " + ("nothing unusual for a fair coin." if check.share_as_large >= 0.05
                                                  else "rare for a fair coin; check how the groups were made."))

# %% [markdown]
# **What this shows.** In a randomized experiment an SMD above 0.1 is chance, not a flaw, and the smaller the
# groups the more often it happens. Re-drawing the split many times shows how large the largest imbalance tends to
# be for a fair coin; only one far beyond that says the groups were not made by the coin.

# %% [markdown]
# ## 3. Did the offer work?
#
# The **lift** is the treatment group's repeat rate minus the control group's, in percentage points (pp). Its 95 %
# interval is Newcombe's (it combines the Wilson intervals of the two rates), which holds its level even when rates
# are a few % and groups small; the p-value is that of the two-proportion z-test.

# %%
result = experiments.ab_test(table)
result.round(2).assign(p_value=result["p_value"].round(4))

# %%
ax = explot.plot_group_rates(experiments.group_rates(table))
plt.show()

# %%
rate = result.loc["repeat rate"]
print(f"Repeat purchase within {weeks} weeks: control {rate.control:.1f} %, treatment {rate.treatment:.1f} %.")
print(f"Lift: {rate.difference:+.1f} pp (95 % interval {rate.low:+.1f} to {rate.high:+.1f} pp; p = {rate.p_value:.3f}); "
      f"relative lift {result.loc['relative lift', 'difference']:+.0f} % of the control rate.")
covers = rate.low <= truth.effect_pp <= rate.high
print(f"The true average effect (known because the company is simulated): {truth.effect_pp:+.1f} pp; the interval "
      + ("covers it." if covers else "misses it, as a 95 % interval does about one time in twenty."))
print("The interval includes zero: this experiment cannot tell the offer's effect from chance." if rate.low <= 0
      else "The interval lies above zero: the offer raised the repeat rate.")

# %% [markdown]
# ## 4. Did it pay?
#
# A lift is not a profit. The offer costs money, also on treated customers who would have bought again without
# it. Per treated customer: the extra revenue (treatment minus control, Welch interval),
# the cost, and the **net**: extra revenue minus cost. The return is the net as % of the cost.

# %%
money = result.loc[["revenue per customer", "cost per customer", "net revenue per customer",
                    "return on the incentive"], ["control", "treatment", "difference", "low", "high", "unit"]]
money.round(2)

# %%
rev, net = result.loc["revenue per customer"], result.loc["net revenue per customer"]
cost = result.loc["cost per customer", "difference"]
print(f"Per treated customer over {weeks} weeks: extra revenue {rev.difference:+.2f} ({rev.low:+.2f} to "
      f"{rev.high:+.2f}), cost {cost:.2f}, net {net.difference:+.2f} ({net.low:+.2f} to {net.high:+.2f}) currency units.")
print(f"Return on the incentive: {result.loc['return on the incentive', 'difference']:+.0f} % of the cost.")
true_net = truth.effects.loc["all", "net_effect"]
print(f"True net per treated customer (expected, from the simulation): {true_net:+.2f} currency units.")
if net.low > 0:
    print("The net interval lies above zero: the offer brought in more revenue than it cost.")
elif net.high < 0:
    print("The net interval lies below zero: the offer cost more than the revenue it brought.")
else:
    print("The net interval runs from a loss to a gain: this experiment cannot tell whether the offer pays.")
if offer == "referral":
    print(f"Treated customers brought {int(table['referred_purchases'].sum()):,} rewarded purchases of friends; "
          "the friends' own revenue is not counted here (they are new customers, valued in notebook 06).")

# %% [markdown]
# **What this shows.** Revenue is not profit: a company keeps only its margin of every order (say 30 %), so an
# offer must bring in more than three times its cost in revenue to pay for itself (exercise 1). And money is
# noisier than a yes/no outcome: a few large orders move the revenue per customer, so its interval is wide.

# %% [markdown]
# ## 5. For whom did it work?
#
# An offer can work for some types and not others. Splitting by customer type gives one lift per type, and as many
# chances of a lift that is only luck. The table adjusts for that: Holm's method on the p-values (`p_holm`), and
# intervals widened so that all of them hold together (`lift_low_adj_pp`, `lift_high_adj_pp`).

# %%
by_type = experiments.effects_by(table, "customer_type")
shown = ["customer_type", "customers_treatment", "customers_control", "rate_control_pct", "rate_treatment_pct",
         "lift_pp", "lift_low_pp", "lift_high_pp", "p_holm", "cost_per_extra_repeat"]
by_type[shown].round(2)

# %%
print(by_type.attrs["adjustment"])

# %%
ax = explot.plot_lift(by_type, by="customer_type", truth=truth.effects["effect_pp"])
plt.show()

# %% [markdown]
# The crosses are the true effects, which an analyst never sees. `cost_per_extra_repeat` is what one extra
# repeat buyer costs: the cost per treated customer over the lift (blank when the lift is not positive).

# %%
types = by_type[by_type["customer_type"] != "all"].set_index("customer_type")
found = types[types["p_holm"] < 0.05]
if len(found):
    for name, r in found.iterrows():
        print(f"{name}: lift {r.lift_pp:+.1f} pp, found after the adjustment (p_holm = {r.p_holm:.3f}); one extra "
              f"repeat buyer costs about {r.cost_per_extra_repeat:.0f} currency units.")
else:
    print("No type's lift is found after the adjustment: targeting by type cannot rest on this experiment alone.")
best = types["lift_pp"].idxmax()
print(f"Largest estimated lift: {best} ({types.loc[best, 'lift_pp']:+.1f} pp, interval "
      f"{types.loc[best, 'lift_low_pp']:+.1f} to {types.loc[best, 'lift_high_pp']:+.1f}); "
      f"largest true effect: {truth.effects.drop('all')['effect_pp'].idxmax()} "
      f"({truth.effects.drop('all')['effect_pp'].max():+.1f} pp).")
print("What it costs, in currency units:")
for name, r in by_type.set_index("customer_type").iterrows():
    name = "everyone eligible" if name == "all" else name
    if np.isnan(r.cost_per_extra_repeat):
        print(f"- {name}: {r.cost_per_treated:.2f} per treated customer and no positive lift, so no extra repeat "
              "buyer to pay for.")
    else:
        print(f"- {name}: {r.cost_per_treated:.2f} per treated customer, {r.cost_per_extra_repeat:,.0f} per extra "
              "repeat buyer.")

# %%
seen = table[["customer_id", "customer_type"]].merge(truth.customers[["customer_id", "latent_type"]])
purity = (seen.loc[seen["customer_type"] == "discount-driven", "latent_type"] == "discount-driven").mean()
print(f"Of the customers the data call discount-driven, {purity:.0%} truly are: one discounted order is weak "
      "evidence, so the lift of the type mixes in customers of other types.")

# %% [markdown]
# **What this shows.** Customer types are read from data with error, and each type is a smaller experiment than
# the whole: its interval is wider. Target a type only when its lift survives the adjustment, or confirm it with
# a second experiment on that type alone.

# %% [markdown]
# ## 6. How many customers did the experiment need?
#
# The **power** of a test is its chance of finding a lift that is really there. For a two-sided test at 5 % and
# 80 % power, the customers needed per group follow from the control rate and the lift (the normal-approximation
# formula of Fleiss). Small lifts need many customers: halving the lift roughly quadruples them.

# %%
base = rate.control / 100
lift_found = rate.difference / 100
target = lift_found if lift_found > 0 else truth.effect_pp / 100
what = "the lift it found" if lift_found > 0 else "the true effect (the experiment found no positive lift)"
need, need_half = experiments.sample_size(base, target), experiments.sample_size(base, target / 2)
had = experiments.power(sizes.min(), base, target)
print(f"Control rate {100 * base:.1f} %. To find {what}, {100 * target:.1f} pp, with 80 % power: {need:,} customers "
      f"per group; for half of it, {need_half:,}.")
print(f"The experiment had {sizes.min():,} per group: {had:.0%} power for {100 * target:.1f} pp.")

# %%
curve = experiments.power_curve(base, [target, target / 2])
ax = explot.plot_power_curve(curve, n_per_group=int(sizes.min()))
plt.show()

# %% [markdown]
# **What this shows.** Work out the size before the experiment, from the smallest lift worth finding; an
# experiment too small for it can only say "we could not tell", and the lifts it does report are exaggerated
# (only the lucky ones cross the line).

# %% [markdown]
# ## 7. Why not just compare before and after?
#
# Without a control group, one would compare the treated customers' repeat rate in the `weeks` weeks after the
# start with the same number of weeks before it.

# %%
naive = experiments.before_after(table)
naive.round(2)

# %%
b = naive["estimate"]
print(f"Treated customers bought again {b['treated, before']:.1f} % of the time before the start and "
      f"{b['treated, after']:.1f} % after: a before/after change of {b['before/after change']:+.1f} pp.")
print(f"The randomized lift is {b['randomized lift']:+.1f} pp; the control group, which got nothing, bought again "
      f"{b['control, after']:.1f} % of the time after the start, so the naive number adds "
      f"{b['what the naive comparison adds']:+.1f} pp that the offer did not cause.")

# %% [markdown]
# **What this shows.** The rate before is 0 by selection: these customers were chosen *because* they had not
# bought again. Any purchase after looks like a gain, offer or not. The control group measures what happens
# anyway; only the difference from it is the offer's doing.

# %% [markdown]
# ## Exercises
#
# **1.** The company keeps 30 % of an order's revenue as profit (its margin). Per treated customer, does the
# offer's extra profit cover its cost?

# %%
# Solution
margin = 0.30
extra = margin * result.loc["revenue per customer", ["difference", "low", "high"]]
cost = result.loc["cost per customer", "difference"]
print(f"Extra profit per treated customer {extra['difference']:+.2f} (interval {extra['low']:+.2f} to "
      f"{extra['high']:+.2f}) against a cost of {cost:.2f} currency units.")
if extra["low"] > cost:
    print("It covers the cost, even at the low end of its interval.")
elif extra["high"] < cost:
    print("It does not cover the cost, even at the high end of its interval.")
else:
    print(f"The estimate {'covers' if extra['difference'] >= cost else 'does not cover'} the cost, but the interval "
          "spans both answers.")
print(f"Revenue would have to rise by {cost / margin:.2f} per treated customer to pay at this margin.")

# %% [markdown]
# **2.** Split the lift by acquisition channel (six channels). How many channels show a lift with p below 5 %
# before the adjustment, and how many after Holm's?

# %%
# Solution
by_channel = experiments.effects_by(table, "channel", cost_col=None, overall=False)
raw, adjusted = int((by_channel["p_value"] < 0.05).sum()), int((by_channel["p_holm"] < 0.05).sum())
print(f"{raw} of {len(by_channel)} channels below 5 % before the adjustment, {adjusted} after it.")
by_channel[["channel", "customers_treatment", "customers_control", "lift_pp", "p_value", "p_holm"]].round(3)

# %% [markdown]
# ## Takeaways
#
# - Whether an incentive turns one-time buyers into clients is a causal question: randomize, and compare with a
#   control group. A before/after comparison of selected customers measures the selection, not the offer.
# - Report the lift with its interval, and the money: extra revenue, cost and net per treated customer.
# - Every split by type is another chance of a lucky lift: adjust (Holm), and size the experiment for the
#   smallest lift worth finding before it starts.
#
# ## References
#
# - Kohavi, R., Tang, D. and Xu, Y. (2020). *Trustworthy Online Controlled Experiments: A Practical Guide to A/B
#   Testing*. Cambridge University Press.
# - Newcombe, R. G. (1998). Interval estimation for the difference between independent proportions: comparison
#   of eleven methods. *Statistics in Medicine* 17, 873-890.
# - Holm, S. (1979). A simple sequentially rejective multiple test procedure. *Scandinavian Journal of
#   Statistics* 6, 65-70.
# - Fleiss, J. L., Levin, B. and Paik, M. C. (2003). *Statistical Methods for Rates and Proportions*, 3rd ed.
#   Wiley (the sample size of a two-proportion test).
# - Austin, P. C. (2009). Balance diagnostics for comparing the distribution of baseline covariates between
#   treatment groups in propensity-score matched samples. *Statistics in Medicine* 28, 3083-3107.
