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
# # How long do subscribers stay, and what is a subscriber worth?
#
# **You will learn to**
# - turn a subscriptions table into lifetimes counted in whole billing months, with the active ones censored;
# - explain why retention rates rise month after month without anyone becoming more loyal;
# - fit the shifted-beta-geometric (sBG) model per plan and value a subscriber with a discount rate.
#
# **Prerequisites:** notebook 01 (a client holds a subscription). The sBG model is introduced here.

# %% [markdown] tags=["custlab-nav"]
# [Contents](contents.ipynb) · Previous: [06 · What is a customer worth, and is a quiet customer still a customer?](06_customer_lifetime_value.ipynb) · Next: [08 · What do customers tell us, and does it predict what they do?](08_feedback_nps.ipynb)

# %% tags=["parameters"]
n_customers: int = 20000  # people in the simulated company
seed: int = 7  # random seed of the simulated company
discount_rate: float = 0.01  # discount rate per month, as a fraction
show_months: int = 18  # months shown in the retention curves

# %% [markdown]
# Derived from the parameters: the yearly rate equivalent to the monthly discount rate.

# %%
import custlab as cl

cl.params.require_range("n_customers", n_customers, 2000, 1_000_000,
                        why="fewer people give too few subscribers per plan to fit and check the model")
cl.params.require_range("discount_rate", discount_rate, 0.0001, 0.5,
                        why="a monthly fraction above 0: without discounting, a subscriber's value can be infinite")
cl.params.require_range("show_months", show_months, 6, 60)
yearly_discount_rate = (1 + discount_rate) ** 12 - 1

# %% [markdown]
# ## Setup

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from custlab.retention import fit_sbg_by_group, life_table, subscription_lifetimes

rng = np.random.default_rng(seed)

# %% [markdown]
# ## The data: subscriptions of a simulated company
#
# Buyers of the simulated company can take a monthly subscription, on one of three plans. We know how it was
# generated (each subscriber cancels at the end of a month with their own fixed probability), so we can check
# the model against the truth.

# %%
world = cl.crm_world(n_customers, random_state=rng)
lifetimes = subscription_lifetimes(world.subscriptions, observation_end=world.end)
lifetimes.groupby("plan").agg(subscribers=("periods", "size"), cancelled=("churned", "sum"),
                              fee_per_month=("monthly_fee", "first"))

# %% [markdown]
# Each subscription now has `periods`: whole months paid for a cancelled one, whole months observed so far for one
# still active (we do not know when it will end: it is *censored*).

# %% [markdown]
# ## 1. Retention rates rise. Why?
#
# The life table counts, month by month, the subscribers at risk of cancelling and those who did.

# %%
table = life_table(lifetimes["periods"], lifetimes["churned"], max_period=show_months)
table.head(8).round(3)

# %%
later = min(5, int(table["period"].max()))
rate = table.set_index("period")["retention_rate"]
print(f"{100 * rate.loc[1]:.0f} % renew after their first month; of those still subscribed in month {later}, "
      f"{100 * rate.loc[later]:.0f} % renew.")

# %% [markdown]
# **What this shows.** Nobody's chance of cancelling changes over time in this company, yet retention is lower in
# the first month than later: those likely to cancel leave early, and the subscribers who remain are the loyal ones.
# Retention rates tend to rise because customers differ; from one month to the next they also move by chance, more
# so when few subscribers are left.

# %% [markdown]
# ## 2. The sBG model, plan by plan
#
# Each subscriber cancels at the end of a month with probability theta; theta varies between subscribers as a
# Beta(alpha, beta) distribution. We fit one model per plan, on all lifetimes, censored ones included.
#
# Averaged over subscribers, the share still subscribed after $t$ months and the retention rate from month
# $t-1$ to month $t$ are (Fader and Hardie, 2007)
#
# $$S(t) = \frac{B(\alpha, \beta + t)}{B(\alpha, \beta)}, \qquad r_t = \frac{S(t)}{S(t-1)} = \frac{\beta + t - 1}{\alpha + \beta + t - 1},$$
#
# where $B$ is the beta function. $r_t$ grows with $t$ for every $\alpha$ and $\beta$: the subscribers
# who are left are, more and more, those with a small $\theta$.

# %%
models = fit_sbg_by_group(lifetimes, by="plan")
truth = world.truth.params["sbg"]
estimates = pd.DataFrame([
    {"plan": plan, "alpha": m.params_["alpha"], "alpha_se": m.standard_errors_["alpha"],
     "alpha_truth": truth[plan]["alpha"], "beta": m.params_["beta"], "beta_se": m.standard_errors_["beta"],
     "beta_truth": truth[plan]["beta"], "mean monthly churn %": round(100 * m.params_["alpha"] / m.params_.sum(), 1)}
    for plan, m in models.items()
]).set_index("plan").round(3)
estimates

# %%
z = pd.concat([(estimates["alpha"] - estimates["alpha_truth"]) / estimates["alpha_se"],
               (estimates["beta"] - estimates["beta_truth"]) / estimates["beta_se"]])
lowest = estimates["mean monthly churn %"].idxmin()
print(f"{int((z.abs() <= 2).sum())} of {len(z)} estimates lie within two standard errors of their truth; the "
      f"{lowest!r} plan has the lowest mean churn ({estimates.loc[lowest, 'mean monthly churn %']:.1f} % a month).")

# %% [markdown]
# **What this shows.** Each plan's two parameters, estimated from its subscribers alone, beside the values that
# generated the data: the fewer subscribers a plan has, the larger its standard errors. The plan with the lowest
# mean churn keeps its subscribers longest.

# %%
months = np.arange(0, show_months + 1)
fig, ax = plt.subplots(figsize=(7, 4))
for (plan, model), color in zip(models.items(), ["#2b6f97", "#d1495b", "#66a182"]):
    mine = lifetimes[lifetimes["plan"] == plan]
    observed = life_table(mine["periods"], mine["churned"], max_period=show_months)
    ax.step(np.r_[0, observed["period"]], 100 * np.r_[1, observed["survival"]], where="post", color=color,
            label=f"{plan}, observed")
    ax.plot(months, 100 * model.survival(months), ls="--", color=color, label=f"{plan}, sBG")
ax.set(xlabel="months since the subscription started", ylabel="% still subscribed", ylim=(0, 102))
legend = ax.legend(frameon=False, fontsize=8, ncol=2)

# %% [markdown]
# ## 3. What is a subscriber worth?
#
# A subscriber pays the plan's fee every month until they cancel. A new subscriber pays the first fee now and each
# later fee only if still subscribed: their value is the fee times the sum over months t = 0, 1, 2, ... of
# S(t) / (1 + d)^t, the chance of paying in month t, discounted at `discount_rate` (d) a month. For a subscriber
# who has already renewed n times, the same sum over the payments still to come is the DERL (discounted expected
# residual lifetime, Fader & Hardie 2010).

# %%
fees = world.truth.params["monthly_fee"]
value = pd.DataFrame([
    {"plan": plan, "fee per month": fees[plan],
     "new subscriber": fees[plan] * m.discounted_expected_lifetime(discount_rate),
     "after 6 renewals, future fees": fees[plan] * m.expected_residual_lifetime(discount_rate, renewals=6)}
    for plan, m in models.items()
]).set_index("plan").round(2)
print(f"discount rate {discount_rate:.1%} a month ({yearly_discount_rate:.1%} a year); values in currency units")
value

# %%
more = value["after 6 renewals, future fees"] > value["new subscriber"]
print(f"On {int(more.sum())} of {len(value)} plans, the fees still to come from a subscriber who has renewed six "
      "times are worth more than a new subscriber, first fee included.")

# %% [markdown]
# **What this shows.** Surviving six renewals says a subscriber is probably one of the loyal ones, so the fees still
# to come from them are worth more than their first months suggested, although everyone pays the same fee.

# %% [markdown]
# ## Exercises
#
# **1.** A common shortcut projects retention with one constant rate: the first month's. For the `basic` plan, how
# many of 1,000 new subscribers does it expect after 12 months, and how many does the sBG model expect?

# %%
# Solution
basic = models["basic"]
first_month_rate = float(basic.retention_rate(1))
pd.Series({"constant rate": round(1000 * first_month_rate ** 12), "sBG": round(1000 * float(basic.survival(12)))},
          name="still subscribed after 12 months")

# %% [markdown]
# **2.** How much is a new `pro` subscriber worth at a 2 % monthly discount rate instead?

# %%
# Solution
print(f"{fees['pro'] * models['pro'].discounted_expected_lifetime(0.02):.2f} currency units")

# %% [markdown]
# ## Takeaways
#
# - Count lifetimes in whole billing periods and keep the subscribers still active: they are censored, not lost.
# - Rising retention rates come from differences between customers, not from growing loyalty; a constant-rate
#   projection underestimates how many stay.
# - Two parameters per plan give retention curves, projections and the value of a subscriber.
#
# ## References
#
# - Fader, P. S. and Hardie, B. G. S. (2007). How to project customer retention. *Journal of Interactive
#   Marketing* 21(1), 76-90.
# - Fader, P. S. and Hardie, B. G. S. (2010). Customer-base valuation in a contractual setting: the perils of
#   ignoring heterogeneity. *Marketing Science* 29(1), 85-93.

# %% [markdown] tags=["custlab-nav"]
# **Next:** [08 · What do customers tell us, and does it predict what they do?](08_feedback_nps.ipynb) · [Contents](contents.ipynb)
