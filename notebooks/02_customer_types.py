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
# # What kinds of customers are there, and can data tell them apart?
#
# **You will learn to**
# - name six common types of customers (individual, business, new, loyal, impulsive, discount-driven) and turn
#   each into a rule on orders, customer records and touchpoints;
# - see how many customers carry each type, how the types overlap, and how the counts move with the thresholds;
# - check the rules against a known truth with a confusion matrix, precision and recall, and say what each type
#   is worth and how to serve it.
#
# **Prerequisites:** notebook 01 (customers, buyers and clients). Section 5 borrows a purchase model and a
# spend model from later in the course and says what it needs of them.

# %% [markdown] tags=["custlab-nav"]
# [Contents](contents.ipynb) · Previous: [01 · Who is a customer? Customers, buyers, clients and consumers](01_who_is_a_customer.ipynb) · Next: [03 · Which groups do customers fall into, and do different ways of grouping them agree?](03_segmentation.ipynb)

# %% tags=["parameters"]
n_customers: int = 3000  # people in the simulated company
seed: int = 2  # random seed of the simulated company
as_of: str = ""  # day the types describe, e.g. "2024-06-30"; empty: the last day of the data
period: str = "M"  # length of one period for loyalty: "D" days, "W" weeks, "M" calendar months
loyal_periods: int = 0  # n: loyalty looks at the last n periods; 0: one year (12 months, 52 weeks or 365 days)
loyal_min_periods: int = 3  # k: a loyal customer buys in at least k of those n periods
new_days: int = 90  # a new customer first bought within this many days (as_of included)
impulsive_minutes: float = 30.0  # minutes from a visit to a purchase that count as an impulse buy
discount_share: float = 0.5  # share of a customer's orders with a discount that makes them discount-driven

# %% [markdown]
# Checked, then derived from the parameters: the day the types describe, and the settings passed to every rule.

# %%
import custlab as cl
import pandas as pd

cl.params.require_choice("period", period, {"D": "days", "W": "weeks", "M": "calendar months"})
cl.params.require_range("n_customers", n_customers, 500, 200_000, why="fewer people leave too few of each type")
window = loyal_periods or {"D": 365, "W": 52, "M": 12}[period]  # n, in periods of `period`
cl.params.require_range("loyal_min_periods", loyal_min_periods, 1, window,
                        why="k cannot exceed the n periods it is counted in (loyal_periods)")
cl.params.require_range("new_days", new_days, 1, 365, why="days since the first purchase")
cl.params.require_range("impulsive_minutes", impulsive_minutes, 1, 24 * 60, why="minutes from visit to purchase")
cl.params.require_range("discount_share", discount_share, 0.01, 1.0, why="a fraction, 0.5 for half of the orders")
DATA_START, DATA_END = pd.Timestamp("2023-01-01"), pd.Timestamp("2024-12-31")
day = pd.Timestamp(as_of or DATA_END).normalize()
if not DATA_START + pd.Timedelta(days=180) <= day <= DATA_END:
    raise ValueError(f"as_of={as_of!r}: pass a day from 2023-06-30 to 2024-12-31 (half a year of data at least).")
rules = dict(as_of=day, period=period, loyal_periods=window, loyal_min_periods=loyal_min_periods,
             new_days=new_days, impulsive_minutes=impulsive_minutes, discount_share=discount_share,
             return_date_col="return_date")

# %% [markdown]
# ## Setup

# %%
import matplotlib.pyplot as plt
import numpy as np
from custlab import typology
from custlab.plotting import typology as typology_plots

rng = np.random.default_rng(seed)
unit = {"D": "days", "W": "weeks", "M": "calendar months"}[period]

# %% [markdown]
# ## The data, checked
#
# The simulated company of notebook 01: people with a customer record (individual or business), their touchpoints
# (ad impressions, visits, product views, ...) and their orders, with discounts and returns. Every order is checked
# (customer id, date, amount) before the rules read it; the report counts what was accepted and what was rejected
# (orders after `as_of` are rejected: the types describe that day).

# %%
world = cl.crm_world(n_customers, random_state=rng)
orders, report = cl.validate_transactions(world.orders, observation_end=day)
report

# %% [markdown]
# ## 1. Six types, in plain words
#
# | type | who they are | an everyday example | the rule used here |
# |---|---|---|---|
# | individual (B2C) | a private person buying for their own use | someone buys a pair of jeans | the customer record says *individual* |
# | business (B2B) | a company or organisation buying for its work | a factory buys raw material from a supplier | the record says *business* |
# | new | has only just started buying | a first order last month | first purchase within the last `new_days` days |
# | regular or loyal | comes back to the same company again and again | a monthly meal-kit delivery | purchases in at least k of the last n periods |
# | impulsive | buys on the spot, without planning | sees an offer and buys within minutes | most purchases within `impulsive_minutes` of the visit |
# | discount-driven | moved mainly by discounts and special offers | waits for the sale | at least `discount_share` of the orders discounted |
#
# The first two describe *who* buys; the other four describe *how* they buy, so one customer can carry several
# types at once (a business can be loyal and discount-driven). Each type below is a yes/no column, never one
# category per customer. What a rule cannot see (why someone bought) it has to guess from what it can see.

# %% [markdown]
# ## 2. How many customers of each type?
#
# One call labels every customer from the observable tables only; the hidden types of the simulation are not read.

# %%
labels = typology.classify_customer_types(orders, customers=world.customers, events=world.events, **rules)
buyers = labels[labels["orders"] > 0]
shares = typology.type_shares(labels)
print(f"As of {day.date()}: {len(labels):,} people with a record, {len(buyers):,} of them buyers.")
shares.round(1)

# %%
ax = typology_plots.plot_type_shares(shares)
ax.set_title(f"Customer types among buyers, as of {day.date()}")
plt.show()

# %% [markdown]
# Types overlap. Each cell of the picture counts the buyers carrying both types of its pair; the diagonal counts
# everyone carrying that type.

# %%
overlap = typology.type_overlap(buyers)
ax = typology_plots.plot_type_overlap(overlap)
plt.show()

# %%
n_types = buyers[list(typology.BEHAVIOUR_TYPES)].sum(axis=1)
counts = n_types.value_counts().sort_index()
for k, n in counts.items():
    print(f"{int(n):,} {'buyer carries' if n == 1 else 'buyers carry'} {int(k)} of the four behaviour types "
          f"({100 * n / len(buyers):.1f} % of buyers).")

# %% [markdown]
# **What this shows.** Every buyer is either an individual or a business, but the four behaviour types are
# separate questions: a buyer can carry none of them, or several. The counts above are the answers the rules give
# with the thresholds chosen in the parameters cell; the next section moves those thresholds.

# %% [markdown]
# ## 3. How the shares move with the thresholds
#
# Each type's share depends on a number someone chose. Here two of them move while the others stay as set.

# %%
minutes_table = typology.type_share_sensitivity(
    orders, vary="impulsive_minutes", values=[5, 10, 20, 30, 45, 60, 120], types=["impulsive"],
    events=world.events, **{k: v for k, v in rules.items() if k != "impulsive_minutes"})
discount_table = typology.type_share_sensitivity(
    orders, vary="discount_share", values=[0.25, 0.5, 0.75, 1.0], types=["discount_driven"],
    **{k: v for k, v in rules.items() if k != "discount_share"})
fig, axs = plt.subplots(1, 2, figsize=(9, 3.2))
typology_plots.plot_type_sensitivity(minutes_table, ax=axs[0], unit="minutes")
typology_plots.plot_type_sensitivity(discount_table, ax=axs[1], unit="share of orders")
plt.show()

# %%
first, last = minutes_table["impulsive"].iloc[0], minutes_table["impulsive"].iloc[-1]
print(f"Impulsive: {first:.1f} % of buyers at 5 minutes, {last:.1f} % at 120 minutes.")
print("Discount-driven: " + ", ".join(f"{r.discount_driven:.1f} % at {r.value:.0%} of orders"
                                       for r in discount_table.itertuples()) + ".")

# %% [markdown]
# **What this shows.** A looser threshold can only keep or add customers, never remove them: a longer time to
# purchase or a smaller share of discounted orders lets more people in. Where a curve is flat the rule is robust
# to the choice; where it is steep, the choice decides the answer and must be reported with it.

# %% [markdown]
# ## 4. How good are the rules?
#
# The simulated company knows each buyer's hidden behaviour: who buys on impulse, who is moved by discounts, and
# who would buy often and rarely leave (loyal: a weekly purchase rate at or above the buyers' median and a dropout
# probability below 0.2 per purchase). A rule's **precision** is the share of those it labels who truly are of the type; its
# **recall** is the share of those who truly are that it finds.

# %%
truth = typology.hidden_types(world.truth.customers, buyers["customer_id"])
checked = ["loyal", "impulsive", "discount_driven"]
pd.concat({t: typology.rule_confusion(buyers, truth, t) for t in checked}, axis=1).rename_axis("truly of the type")

# %%
quality = typology.rule_quality(buyers, truth, types=checked)
quality.round(2)

# %%
for t, row in quality.iterrows():
    precision = f"precision {row.precision:.2f}" if row.labelled else "precision undefined: nobody labelled"
    print(f"{t}: of {int(row.labelled):,} labelled, {int(row.true_positives):,} truly are ({precision}); "
          f"of {int(row.truly):,} who truly are, the rule finds {row.recall:.0%}.")

# %% [markdown]
# **What this shows.** Each rule sees only part of what defines the type. An impulse buyer is seen through the
# minutes between visit and purchase, which the simulation keeps short for them. A discount-driven buyer with one
# or two orders cannot be told from someone who happened to buy during a sale. A loyal buyer is defined by a
# purchase *rate* and a *chance* of leaving, which purchases in a window of periods show only roughly: slow but
# faithful buyers are missed, and a buyer who bought often and then left can still be labelled.

# %% [markdown]
# ## 5. What is each type worth?
#
# Revenue share (% of all buyers' revenue up to `as_of`; a buyer can carry several types or none, so the shares
# do not add up to 100), revenue per customer (currency units), repeat rate (% with two or more orders), return
# rate (% of orders sent back), and `mean_value`, the expected value of the next year's purchases per customer:
# BG/NBD for how often, Gamma-Gamma for how much (currency units, undiscounted, as in notebook 06).

# %%
summary = cl.rfm_summary(orders, observation_end=day, time_unit="W")
with cl.params.warnings_as_notes("BG/NBD"):
    purchases = cl.BetaGeo().fit(summary, time_unit="W")
with cl.params.warnings_as_notes("Gamma-Gamma"):
    spend = cl.GammaGamma().fit(summary[(summary["frequency"] > 0) & (summary["monetary_value"] > 0)])
value = cl.clv.residual_value(purchases, spend, summary, horizon=52, discount_rate=0.0)
worth = typology.type_summary(labels, value=value.set_index("customer_id")["residual_value"])
worth.round(1)

# %%
per_type = worth.drop(index="all buyers")
top = per_type["mean_value"].idxmax()
print(f"Highest expected value per customer: {top} ({per_type.loc[top, 'mean_value']:.1f} currency units for the "
      f"next 52 weeks, against {worth.loc['all buyers', 'mean_value']:.1f} for all buyers).")
print(f"Highest return rate: {per_type['return_rate'].idxmax()} ({per_type['return_rate'].max():.1f} % of orders).")

# %% [markdown]
# **What this shows.** The types differ in what they bring in and what they cost: the printed lines name the
# type worth most per customer and the type that sends most back. Revenue shares count the same buyer under each
# of their types.

# %% [markdown]
# ## 6. What to do for each type
#
# The source texts of this course suggest a way of serving each type. Each is an idea to test with an experiment,
# not a result of this notebook.
#
# | type | what the texts suggest |
# |---|---|
# | individual | personal service and communication fitted to the person's needs |
# | business | a long-term relationship: steady supply, reliability, an account that is looked after |
# | new | learn about them early, ask for feedback, give them a reason to come back (the road from customer to client) |
# | loyal | loyalty and referral programmes, rewards; turn them into ambassadors who spread the word |
# | impulsive | flash offers, for example in a shop with one product where repeat buying is not the goal |
# | discount-driven | regular incentives and coupons, with care that the discount does not become the only reason to buy |

# %% [markdown]
# ## Exercises
#
# **1.** How many loyal buyers are also discount-driven? Does a loyalty programme reach bargain hunters?

# %%
# Solution
both = int(overlap.loc["loyal", "discount_driven"])
loyal_n, bargain_n = int(overlap.loc["loyal", "loyal"]), int(overlap.loc["discount_driven", "discount_driven"])
print(f"{both:,} of {loyal_n:,} loyal buyers are also discount-driven; a programme for loyal buyers reaches "
      f"{both:,} of the {bargain_n:,} discount-driven buyers" + (f" ({100 * both / bargain_n:.0f} %)." if bargain_n else "."))

# %% [markdown]
# **2.** Require impulsive buyers to also return at least 20 % of their orders (`impulsive_min_return_rate=0.2`).
# What happens to precision and recall of the impulsive rule?

# %%
# Solution
strict = typology.classify_customer_types(orders, customers=world.customers, events=world.events,
                                          impulsive_min_return_rate=0.2, **rules)
typology.rule_quality(strict[strict["orders"] > 0], truth, types=["impulsive"]).round(2)

# %% [markdown]
# ## Takeaways
#
# - Customer types are rules on data; every rule has a threshold, and the counts move with it.
# - A customer can carry several behaviour types at once; count them as separate yes/no answers.
# - Check a rule against a known truth before trusting it: precision and recall say what it finds and what it
#   misses.
#
# ## References
#
# - Kotler, P. and Keller, K. L. (2016). *Marketing Management*, 15th ed. Pearson.
# - Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005). "Counting your customers" the easy way. *Marketing
#   Science* 24(2), 275-284.
# - Fader, P. S. and Hardie, B. G. S. (2013). The Gamma-Gamma model of monetary value.
# - scikit-learn: `sklearn.metrics.confusion_matrix`, `precision_score`, `recall_score`.

# %% [markdown] tags=["custlab-nav"]
# **Next:** [03 · Which groups do customers fall into, and do different ways of grouping them agree?](03_segmentation.ipynb) · [Contents](contents.ipynb)
