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
# **Prerequisites:** notebook 01 (a client holds a subscription); reproduction 03 (the sBG model on published data).

# %% tags=["parameters"]
n_customers: int = 20000  # people in the simulated company
seed: int = 7  # random seed of the simulated company
discount_rate: float = 0.01  # discount rate per month, as a fraction
show_months: int = 18  # months shown in the retention curves

# %% [markdown]
# Derived from the parameters: the yearly rate equivalent to the monthly discount rate.

# %%
yearly_discount_rate = (1 + discount_rate) ** 12 - 1

# %% [markdown]
# ## Setup

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

import custlab as cl
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

# %% [markdown]
# **What this shows.** Only about 70 % renew after their first month, but of those still there in month 5 about 90 %
# renew. Nobody's chance of cancelling changed over time in this company: those likely to cancel leave early, and
# the subscribers who remain are the loyal ones. Retention rates rise because customers differ.

# %% [markdown]
# ## 2. The sBG model, plan by plan
#
# Each subscriber cancels at the end of a month with probability theta; theta varies between subscribers as a
# Beta(alpha, beta) distribution. We fit one model per plan, on all lifetimes, censored ones included.

# %%
models = fit_sbg_by_group(lifetimes, by="plan")
truth = world.truth.params["sbg"]
estimates = pd.DataFrame([
    {"plan": plan, "alpha": m.params_["alpha"], "alpha_se": m.standard_errors_["alpha"],
     "alpha_truth": truth[plan]["alpha"], "beta": m.params_["beta"], "beta_se": m.standard_errors_["beta"],
     "beta_truth": truth[plan]["beta"], "mean monthly churn %": 100 * m.params_["alpha"] / m.params_.sum()}
    for plan, m in models.items()
]).set_index("plan").round(3)
estimates

# %% [markdown]
# **What this shows.** The estimates are close to the values that generated the data: each lies within about two
# standard errors (`_se`) of its truth. The `pro` plan has the lowest mean churn: its subscribers stay longest.

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
# A subscriber pays the plan's fee every month until they cancel. Their expected value is the fee times the
# discounted expected number of payments still to come (DERL: discounted expected residual lifetime), here at
# a discount rate of `discount_rate` per month.

# %%
fees = world.truth.params["monthly_fee"]
value = pd.DataFrame([
    {"plan": plan, "fee per month": fees[plan],
     "new subscriber": fees[plan] * (1 + m.expected_residual_lifetime(discount_rate, renewals=0)),
     "after 6 renewals": fees[plan] * m.expected_residual_lifetime(discount_rate, renewals=6)}
    for plan, m in models.items()
]).set_index("plan").round(2)
print(f"discount rate {discount_rate:.1%} a month ({yearly_discount_rate:.1%} a year); values in currency units")
value

# %% [markdown]
# **What this shows.** A subscriber who has already renewed six times is worth more than a new one, although they
# pay the same fee: surviving six renewals says they are probably one of the loyal ones.

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
round(fees["pro"] * (1 + models["pro"].expected_residual_lifetime(0.02, renewals=0)), 2)

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
