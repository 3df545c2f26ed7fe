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
# - judge an incentive by its profit (margin × extra revenue − cost) and by customer type, adjusting for the number
#   of types looked at and testing whether the types differ;
# - work out how many customers an experiment needs for the smallest lift worth finding, and see why comparisons
#   without a control group (before/after, an earlier cohort) mislead.
#
# **Prerequisites:** notebook 02 (customer types, and how they are read from data) and notebook 05 (retention:
# who comes back). Notebook 01 says what separates a buyer from a client.

# %% [markdown] tags=["custlab-nav"]
# [Contents](contents.ipynb) · Previous: [08 · What do customers tell us, and does it predict what they do?](08_feedback_nps.ipynb) · Next: [10 · What changes when the log no longer fits in a spreadsheet, or on one laptop?](10_at_scale.ipynb)

# %% tags=["parameters"]
offer: str = "coupon"  # incentive tested: "coupon", "referral" or "loyalty" (see the design below)
weeks: int = 8  # outcome window: a repeat purchase within this many weeks of the start counts
margin: float = 0.3  # share of the revenue of an order the company keeps as profit (0.3 is 30 %)
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
cl.params.require_range("margin", margin, 0.05, 1, why="the share of revenue kept as profit, 5 % to 100 %")
cl.params.require_range("n_customers", n_customers, 2000, 200_000, why="fewer people leave too few one-time buyers")
deal = OFFERS[offer]
print(f"Offer: {offer}, {deal.description}; it costs {deal.cost:.0f} currency units per {deal.cost_per}. "
      f"Margin: {margin:.0%} of revenue is profit.")

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
p_text = experiments.format_p_value

# %% [markdown]
# ## The data, checked
#
# The simulated company of the earlier notebooks, two years of orders. The orders are checked row by row; the
# report counts what was accepted and rejected. These validated transactions say who is a one-time buyer (§1) and
# give the earlier cohort of §7; the experiment's own outcomes are not in them (§1 says where they come from).

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
# 4 per enrolled customer).
#
# **Where the experiment's data come from.** The company never ran this experiment: its table is drawn from the
# simulated world's truth, each eligible person's hidden purchase rate with and without the offer. Its outcomes
# (repeat purchases, revenue and cost in the window) are not in `world.orders` nor in the transactions above,
# whose later orders are the world's own. So its true effect is known, and every estimate below can be checked
# against it. Who is eligible is read from the validated transactions, and the code checks that the experiment
# enrols exactly those customers.

# %%
table, truth = draw_incentive_experiment(world, weeks=weeks, offer=offer, random_state=rng)
sizes = table["group"].value_counts()
cohort = experiments.one_time_buyers(transactions, start=truth.start, weeks=weeks, merge_same_day=False)
same = set(cohort["customer_id"]) == set(table["customer_id"])
print(f"Start: {truth.start.date()}; window: {weeks} weeks, to {(truth.start + pd.Timedelta(weeks=weeks)).date()}.")
print(f"One-time buyers at the start in the validated transactions: {len(cohort):,}; "
      + ("the experiment enrols exactly these." if same else f"the experiment enrols {len(table):,}, not the same."))
print(f"Treatment {sizes['treatment']:,}, control {sizes['control']:,}.")
table.head()

# %% [markdown]
# Each row is one eligible customer. `customer_type` is read from their one order, as in notebook 02:
# *discount-driven* when it carried a discount, *impulsive* when it was bought within 30 minutes of a visit,
# *other* otherwise. `repeat_before` says whether they bought again in the `weeks` weeks before the start;
# `repeat`, `purchases`, `referred_purchases` (friends' purchases the referral programme paid for), `revenue` and
# `cost` (currency units) are the outcomes in the window after it.

# %% [markdown]
# ## 2. Did the coin make two alike groups?
#
# Randomization makes the groups alike *on average*, in what was measured and in what was not. The balance table
# checks what was measured before the start: each covariate's mean (or each level's share, %) per group, and the
# standardized mean difference (SMD: the difference in standard deviations; below 0.1 is the usual reading of
# "balanced"). Units: `days_since_first_purchase` in days, `first_order_amount` in currency units; the other rows
# are shares of the group, in %.

# %%
covariates = ["days_since_first_purchase", "first_order_amount", "customer_type", "kind", "channel"]
balance = experiments.balance_table(table, covariates)
balance.round({"control": 1, "treatment": 1, "smd": 2})

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
# interval is Newcombe's (it combines the Wilson intervals of the two rates), which stays close to its stated level
# even when rates are a few % and groups small; the p-value is that of the two-proportion z-test.

# %%
result = experiments.ab_test(table, margin=margin)
result.loc[["repeat rate", "relative lift"], ["control", "treatment", "difference", "low", "high", "unit"]].round(1)

# %%
ax = explot.plot_group_rates(experiments.group_rates(table))
plt.show()

# %%
rate, relative = result.loc["repeat rate"], result.loc["relative lift", "difference"]
print(f"Repeat purchase within {weeks} weeks: control {rate.control:.1f} %, treatment {rate.treatment:.1f} %.")
print(f"Lift: {rate.difference:+.1f} pp (95 % interval {rate.low:+.1f} to {rate.high:+.1f} pp; "
      f"{p_text(rate.p_value, sentence=True)}); " + (f"relative lift {relative:+.0f} % of the control rate."
      if np.isfinite(relative) else "no relative lift: the control group had no repeat purchase to compare with."))
covers = rate.low <= truth.effect_pp <= rate.high
print(f"The true average effect (known because the company is simulated): {truth.effect_pp:+.1f} pp; the interval "
      + ("covers it." if covers else "misses it, as a 95 % interval does about one time in twenty."))
if rate.low > 0:
    print("The interval lies above zero: the offer raised the repeat rate.")
elif rate.high < 0:
    print("The interval lies below zero: the offer lowered the repeat rate.")
else:
    print("The interval includes zero: this experiment cannot tell the offer's effect from chance.")

# %% [markdown]
# ## 4. Did it pay?
#
# A lift is not a profit. The offer costs money, also on treated customers who would have bought again without
# it, and revenue is not profit: the company keeps only `margin` of each order's revenue. Per treated customer:
# the extra revenue (treatment minus control, Welch interval), the cost, and the **net profit**, `margin` × extra
# revenue − cost. Its interval is computed customer by customer, so where the cost is itself random (a coupon is
# paid only when used, a referral reward per friend's purchase) its noise is inside. The **return** is the net
# profit as % of the cost; its interval (delta method) also counts the noise of the cost.

# %%
money = result.loc[["revenue per customer", "cost per customer", "profit per customer"],
                   ["control", "treatment", "difference", "low", "high", "p_value", "unit"]]
money.round(2).assign(p_value=money["p_value"].map(p_text)).rename(columns={"low": "low (95 %)",
                                                                           "high": "high (95 %)"})

# %%
rev, profit, ret = (result.loc[k] for k in ("revenue per customer", "profit per customer", "return on the incentive"))
spent = result.loc["cost per customer", "difference"]
print(f"Per treated customer over {weeks} weeks, in currency units: extra revenue {rev.difference:+.2f} (95 % "
      f"interval {rev.low:+.2f} to {rev.high:+.2f}); cost {spent:.2f}; net profit at a {margin:.0%} margin "
      f"{profit.difference:+.2f} (95 % interval {profit.low:+.2f} to {profit.high:+.2f}).")
fixed = table.loc[table["group"] == "treatment", "cost"].nunique() == 1
if np.isfinite(ret.difference):
    print(f"Return on the incentive: {ret.difference:+.0f} % of the cost (95 % interval {ret.low:+.0f} to "
          f"{ret.high:+.0f} %); " + ("the cost is the same for every treated customer, so it is known." if fixed
                                    else "the cost varies from customer to customer, and the interval counts it."))
else:
    print("No return on the incentive: the treated group cost nothing.")

# %%
true_all = truth.effects.loc["all"]
print(f"The truth, for comparison (from the simulation): net profit per treated customer "
      f"{margin * true_all.revenue_effect - true_all.cost_per_treated:+.2f} currency units.")
if profit.low > 0:
    print("The net profit interval lies above zero: the offer earned more than it cost.")
elif profit.high < 0:
    print("The net profit interval lies below zero: the offer cost more than it earned.")
else:
    print("The net profit interval runs from a loss to a gain: this experiment cannot tell whether the offer pays.")
if offer == "referral":
    print(f"Treated customers brought {int(table['referred_purchases'].sum()):,} rewarded purchases of friends; "
          "the friends' own revenue is not counted here (they are new customers, valued in notebook 06).")

# %% [markdown]
# **What this shows.** Revenue is not profit: at a margin *m*, an offer pays for itself only when the extra revenue
# it brings is more than 1/*m* times its cost (3.3 times at 30 %). The repeat rate and the money are two tests of
# one offer; they need not agree, and each is read with its own interval.

# %% [markdown]
# ## 5. For whom did it work?
#
# An offer can work for some types and not others. Splitting by customer type gives one lift per type, and as many
# chances of a lift that is only luck. The table adjusts for that: Holm's method on the p-values (`p_holm`), and
# intervals widened so that all of them hold together (`lift_low_adj_pp`, `lift_high_adj_pp`).

# %%
by_type = experiments.effects_by(table, "customer_type")
shown = ["customer_type", "customers_treatment", "customers_control", "rate_control_pct", "rate_treatment_pct",
         "lift_pp", "lift_low_pp", "lift_high_pp", "lift_low_adj_pp", "lift_high_adj_pp", "p_holm"]
by_type[shown].round(1).assign(p_holm=by_type["p_holm"].map(p_text))

# %%
print(by_type.attrs["adjustment"])
equal = experiments.equal_lifts_test(table, "customer_type")
print(f"Do the lifts differ between the {int(equal.groups)} types? Test of equal lifts: chi-square {equal.chi2:.1f} "
      f"on {int(equal.df)} degrees of freedom, {p_text(equal.p_value, sentence=True)}: "
      + ("the lifts differ by more than chance." if equal.p_value < 0.05
         else "the data cannot tell the types' lifts apart."))

# %%
ax = explot.plot_lift(by_type, by="customer_type", truth=truth.effects["effect_pp"])
plt.show()

# %% [markdown]
# The crosses are the true effects, which an analyst never sees. A lift found in one type and not in another is
# not yet evidence that the types differ: one type may be luckier, or larger; only the test of equal lifts above
# asks that question.

# %%
types = by_type[by_type["customer_type"] != "all"].set_index("customer_type")
for name, r in types[types["p_holm"] < 0.05].iterrows():
    print(f"{name}: lift {r.lift_pp:+.1f} pp, found after the adjustment (adjusted {p_text(r.p_holm, sentence=True)}).")
if not (types["p_holm"] < 0.05).any():
    print("No type's lift is found after the adjustment: targeting by type cannot rest on this experiment alone.")
best = types["lift_pp"].idxmax()
print(f"Largest estimated lift: {best}, {types.loc[best, 'lift_pp']:+.1f} pp (adjusted interval "
      f"{types.loc[best, 'lift_low_adj_pp']:+.1f} to {types.loc[best, 'lift_high_adj_pp']:+.1f}). It was picked "
      "after looking, because it is the largest, so it tends to overstate that type's true lift.")
true_by_type = truth.effects.drop("all")["effect_pp"]
print(f"The truth, for comparison: the largest true effect is {true_by_type.idxmax()}'s "
      f"({true_by_type.max():+.1f} pp).")

# %% [markdown]
# What one extra repeat buyer costs: the cost per treated customer over the lift. Its range comes from the lift's
# adjusted interval, with the cost per treated customer taken as known; when that interval reaches zero, one extra
# repeat buyer may cost any amount.

# %%
print("Cost of one extra repeat buyer, in currency units:")
for name, r in by_type.set_index("customer_type").iterrows():
    name = "everyone eligible" if name == "all" else name
    if not r.lift_pp > 0:
        print(f"- {name}: no positive lift, so no extra repeat buyer to pay for ({r.cost_per_treated:.2f} per treated "
              "customer).")
        continue
    top = (f"{r.cost_per_treated / (r.lift_low_adj_pp / 100):,.0f}" if r.lift_low_adj_pp > 0
           else "no upper bound, as the lift's interval reaches zero")
    print(f"- {name}: {r.cost_per_extra_repeat:,.0f}, range {r.cost_per_treated / (r.lift_high_adj_pp / 100):,.0f} "
          f"to {top}; {r.cost_per_treated:.2f} per treated customer.")

# %%
seen = table[["customer_id", "customer_type"]].merge(truth.customers[["customer_id", "latent_type"]])
purity = (seen.loc[seen["customer_type"] == "discount-driven", "latent_type"] == "discount-driven").mean()
print(f"Of the customers the data call discount-driven, {purity:.0%} truly are: one discounted order is weak "
      "evidence, so the lift of the type mixes in customers of other types.")

# %% [markdown]
# **What this shows.** Customer types are read from data with error, and each type is a smaller experiment than
# the whole: its interval is wider. Target a type only when its lift survives the adjustment and the test of equal
# lifts says the types differ, or confirm it with a second experiment on that type alone.

# %% [markdown]
# ## 6. How many customers did the experiment need?
#
# The **power** of a test is its chance of finding a lift that is really there. For a two-sided test at 5 % and
# 80 % power, the customers needed per group follow from the control rate and the lift (the normal-approximation
# formula of Fleiss). Size an experiment for the **smallest lift worth finding**, not for the lift it found (the
# power for that only repeats the p-value). Here that is the **break-even lift**, at which the extra profit pays
# the cost: one extra repeat buyer brings about the profit of a repeat buyer, `margin` × their revenue in the
# window, so the break-even lift is the cost per treated customer over that profit. It is estimated from this
# experiment's cost and revenue; before an experiment, one would take them from the offer's price and past orders.

# %%
per_buyer = table.loc[table["repeat"], "revenue"].mean()
base = rate.control / 100
worth = experiments.break_even_lift(spent, per_buyer, margin=margin) if per_buyer > 0 else np.nan
lifts = [v for v in (worth, 2 * worth) if base + v < 1] if base > 0 and worth > 0 else []
if np.isfinite(worth):
    print(f"Cost per treated customer {spent:.2f}; revenue of a repeat buyer in the window {per_buyer:.2f} currency "
          f"units (both groups); break-even lift at a {margin:.0%} margin: {100 * worth:.1f} pp.")
    where = ("lies below" if rate.high < 100 * worth else "lies above" if rate.low > 100 * worth else "includes")
    print(f"The lift's 95 % interval ({rate.low:+.1f} to {rate.high:+.1f} pp) {where} the break-even lift.")

# %%
if not lifts:
    print("The sample size cannot be worked out: " + (
        "nobody bought again, so no revenue of a repeat buyer values a lift." if not per_buyer > 0 else
        "the control group had no repeat purchase, so there is no rate to start from." if base == 0 else
        "the offer cost nothing, so any lift pays." if not worth > 0 else
        "the break-even lift would take the repeat rate past 100 %: no lift of the repeat rate alone could pay."))
else:
    need = [experiments.sample_size(base, v) for v in lifts]
    had = experiments.power(sizes.min(), base, worth)
    print(f"From a control rate of {100 * base:.1f} %, finding the break-even lift with 80 % power takes {need[0]:,} "
          "customers per group" + (f"; a lift twice as large, {need[1]:,}." if len(need) > 1 else "."))
    print(f"The experiment had {sizes.min():,} per group: {had:.0%} power for the break-even lift.")
print(f"The truth, for comparison (an analyst does not see it): the true effect is {truth.effect_pp:+.1f} pp.")

# %%
if lifts:
    ax = explot.plot_power_curve(experiments.power_curve(base, lifts), n_per_group=int(sizes.min()))
    plt.show()
else:
    print("No power curve: see above.")

# %% [markdown]
# **What this shows.** Work out the size before the experiment, from the smallest lift worth finding; an
# experiment too small for it can only say "we could not tell", and the lifts it does report are exaggerated
# (only the lucky ones cross the line).

# %% [markdown]
# ## 7. Why not just compare before and after?
#
# Without a control group, one would compare the treated customers' repeat rate in the `weeks` weeks after the
# start with the same number of weeks before it. A more careful analyst would take an **earlier cohort**: the
# one-time buyers of `weeks` weeks before the start, followed over the next `weeks` weeks (from the validated
# transactions), and compare the treated with them.

# %%
earlier = experiments.one_time_buyers(transactions, start=truth.start - pd.Timedelta(weeks=weeks), weeks=weeks,
                                      merge_same_day=False)
naive = experiments.before_after(table, earlier=earlier["repeat"])
naive.round(1)

# %%
b = naive["estimate"]
print(f"Before/after: the treated bought again {b['treated, before']:.1f} % of the time before the start and "
      f"{b['treated, after']:.1f} % after, a change of {b['before/after change']:+.1f} pp; the randomized lift is "
      f"{b['randomized lift']:+.1f} pp, so before/after adds {b['what before/after adds']:+.1f} pp the offer did not "
      "cause.")
print(f"Earlier cohort: {len(earlier):,} one-time buyers, {b['earlier cohort']:.1f} % bought again; the treated minus "
      f"them: {b['treated after minus earlier cohort']:+.1f} pp. The control group bought again "
      f"{b['control, after']:.1f} %, so the cohort comparison adds {b['what the cohort comparison adds']:+.1f} pp.")

# %% [markdown]
# **What this shows.** The rate before is 0 by selection: these customers were chosen *because* they had not
# bought again. Any purchase after looks like a gain, offer or not. The earlier cohort is chosen the same way, so
# it has no such selection, but it lives in other weeks: in a real company a season, a trend or a campaign differs
# between the two windows, and even in this simulated company, whose purchase rates have no season, the one-time
# buyers of an earlier date are a different mix (the company was younger, so more of them had made their first
# purchase only recently).
# Nothing in the data says how large that error is; only the control group shares the weeks and the mix.

# %% [markdown]
# ## Exercises
#
# **1.** At what margin would the offer's extra revenue just pay its cost, on the estimate and at the low end of
# its interval?

# %%
# Solution
for where, gain in (("the estimate", rev.difference), ("the low end of its interval", rev.low)):
    if gain > 0 and spent / gain <= 1:
        print(f"At {where} ({gain:+.2f} currency units per treated customer) the offer pays from a margin of "
              f"{spent / gain:.0%} up.")
    else:
        print(f"At {where} ({gain:+.2f} currency units per treated customer) no margin up to 100 % pays the cost of "
              f"{spent:.2f}.")

# %% [markdown]
# **2.** Split the lift by acquisition channel (six channels). How many channels show a lift with p below 5 %
# before the adjustment, and how many after Holm's?

# %%
# Solution
by_channel = experiments.effects_by(table, "channel", cost_col=None, overall=False)
raw, adjusted = int((by_channel["p_value"] < 0.05).sum()), int((by_channel["p_holm"] < 0.05).sum())
print(f"{raw} of {len(by_channel)} channels below 5 % before the adjustment, {adjusted} after it.")
by_channel[["channel", "customers_treatment", "customers_control", "lift_pp"]].round(1).assign(
    p_value=by_channel["p_value"].map(p_text), p_holm=by_channel["p_holm"].map(p_text))

# %% [markdown]
# ## Takeaways
#
# - Whether an incentive turns one-time buyers into clients is a causal question: randomize, and compare with a
#   control group. A before/after comparison of selected customers measures the selection, not the offer; an
#   earlier cohort removes the selection but not what differs between the weeks.
# - Report the lift with its interval, and the money as profit: `margin` × extra revenue − cost per treated
#   customer, with its interval.
# - Every split by type is another chance of a lucky lift: adjust (Holm), and test whether the types' lifts differ
#   before targeting one. Size the experiment for the smallest lift worth finding (the break-even lift) before it
#   starts.
#
# ## References
#
# - Kohavi, R., Tang, D. and Xu, Y. (2020). *Trustworthy Online Controlled Experiments: A Practical Guide to A/B
#   Testing*. Cambridge University Press.
# - Newcombe, R. G. (1998). Interval estimation for the difference between independent proportions: comparison
#   of eleven methods. *Statistics in Medicine* 17, 873-890.
# - Holm, S. (1979). A simple sequentially rejective multiple test procedure. *Scandinavian Journal of
#   Statistics* 6, 65-70.
# - Cochran, W. G. (1954). The combination of estimates from different experiments. *Biometrics* 10, 101-129.
# - Agresti, A. and Caffo, B. (2000). Simple and effective confidence intervals for proportions and differences of
#   proportions result from adding two successes and two failures. *The American Statistician* 54, 280-288.
# - Fleiss, J. L., Levin, B. and Paik, M. C. (2003). *Statistical Methods for Rates and Proportions*, 3rd ed.
#   Wiley (the sample size of a two-proportion test).
# - Austin, P. C. (2009). Balance diagnostics for comparing the distribution of baseline covariates between
#   treatment groups in propensity-score matched samples. *Statistics in Medicine* 28, 3083-3107.

# %% [markdown] tags=["custlab-nav"]
# **Next:** [10 · What changes when the log no longer fits in a spreadsheet, or on one laptop?](10_at_scale.ipynb) · [Contents](contents.ipynb)
