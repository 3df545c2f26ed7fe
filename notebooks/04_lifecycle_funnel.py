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
# # How do people move through the customer lifecycle, and how far can we tell where they are?
#
# **You will learn to**
# - measure the lifecycle funnel (awareness, consideration, purchase, retention, advocacy) with honest intervals,
#   and see why an ordered and an unordered funnel disagree;
# - give every customer a lifecycle state in every period (new, active, at risk, churned, reactivated) and follow
#   the flow between states;
# - test a Markov projection of the states on a holdout, and measure how often the `churned` label is wrong.
#
# **Prerequisites:** notebook 01 (who counts as a customer, buyer, client). Notebook 02 helps for the customer
# types; nothing else is needed.

# %% [markdown] tags=["custlab-nav"]
# [Contents](contents.ipynb) · Previous: [03 · Which groups do customers fall into, and do different ways of grouping them agree?](03_segmentation.ipynb) · Next: [05 · How long do customers stay, and what makes them leave?](05_cohort_retention_survival.ipynb)

# %% tags=["parameters"]
dataset: str = "simulated"  # "simulated" (touchpoints, surveys and the truth) or "cdnow" (purchases only)
freq: str = "M"  # period of the lifecycle states: "D" (days), "W" (weeks) or "M" (calendar months)
at_risk_days: int = 90  # days without a purchase before a customer is "at risk"
churned_days: int = 180  # days without a purchase before a customer is "churned"
window_days: int = 90  # the funnel counts what a person does within this many days of their first contact
holdout_days: int = 180  # the last days of the log, kept back to check the projection
n_customers: int = 5000  # people in the simulated company
seed: int = 4  # random seed of the simulated company

# %% [markdown]
# Checked, then derived from the parameters: the thresholds in whole periods, the last day observed and the day
# the holdout starts.

# %%
import custlab as cl

cl.params.require_choice("dataset", dataset, {"simulated": "the simulated company", "cdnow": "CDNOW purchases"})
cl.params.require_choice("freq", freq, {"D": "days", "W": "weeks", "M": "calendar months"})
cl.params.require_range("at_risk_days", at_risk_days, 1, 365, why="a quiet spell of a day to a year")
cl.params.require_range("churned_days", churned_days, at_risk_days, 730, why="at least at_risk_days, at most two years")
cl.params.require_range("window_days", window_days, 1, 730, why="a day to the whole two years of the simulation")
cl.params.require_range("holdout_days", holdout_days, 31, 270, why="at least a month, and enough log before it")
cl.params.require_range("n_customers", n_customers, 1000, 1_000_000, why="fewer people leave too few buyers")

from custlab import lifecycle

unit = cl.unit_label(freq)
at_risk_after = lifecycle.periods_for_days(at_risk_days, freq)
churned_after = max(lifecycle.periods_for_days(churned_days, freq), at_risk_after)
observation_end = {"simulated": "2024-12-31", "cdnow": "1998-06-30"}[dataset]
print(f"Periods: {unit}. At risk after {at_risk_after} whole {unit} without a purchase, churned after "
      f"{churned_after} (the days, rounded to whole {unit}).")
if at_risk_after == churned_after:
    print("The two thresholds round to the same number of periods: no customer is ever 'at risk'.")

# %% [markdown]
# ## Setup

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy import stats

from custlab.plotting import lifecycle as lcplot

rng = np.random.default_rng(seed)
pd.set_option("display.width", 140)

# %% [markdown]
# ## The data, checked
#
# The simulated company: every contact (ad impressions, visits, product views, carts, purchases, reviews,
# referrals), the survey answers and the orders; or CDNOW's purchase log (the 1/10 sample of the 2005 study:
# 2,357 people who first bought in the first quarter of 1997), which holds nothing but purchases. The orders are
# checked row by row; the report counts what was accepted and rejected.

# %%
world = cl.crm_world(n_customers, random_state=rng) if dataset == "simulated" else None
raw = world.transactions() if world is not None else cl.load_cdnow(sample=True)
transactions, report = cl.validate_transactions(raw, observation_end=observation_end)
report

# %% [markdown]
# ## 1. The funnel
#
# The seed texts describe the lifecycle as five steps: a person becomes **aware** of the company (sees an ad,
# visits), **considers** it (looks at a product, fills a cart), **purchases**, is **retained** (buys again) and
# becomes an **advocate** (writes a review, refers a friend, answers the survey with a 9 or 10). The funnel counts
# the share of people who reached each step within `window_days` of their first contact, with 95 % intervals
# (Wilson). In an **ordered** funnel a step counts only after the step before it.

# %%
if world is not None:
    events = pd.concat([world.events, lifecycle.survey_events(world.surveys)], ignore_index=True)
    stages = lifecycle.DEFAULT_STAGES
else:
    events = lifecycle.purchase_events(transactions)
    stages = {"purchase": lifecycle.DEFAULT_STAGES["purchase"], "retention": lifecycle.DEFAULT_STAGES["retention"]}
window = pd.Timedelta(days=window_days)
ordered = lifecycle.funnel(events, stages=stages, window=window)
ordered.round(3)

# %% [markdown]
# `people` is everyone in the log, `reached` how many got to the stage, `share` their share with its interval;
# `step_conversion` is the share of those who reached the previous stage who also reached this one, and
# `median_days_from_previous` the typical wait between the two.

# %%
if world is None:
    print("CDNOW holds purchases only: everyone in it has bought, so awareness, consideration and advocacy cannot "
          "be measured, and the funnel starts at the purchase. Only the retention step (a second purchase "
          "within the window) is left to learn from.")
else:
    worst = ordered.iloc[1:].sort_values("step_conversion").iloc[0]
    print(f"The largest loss is on the way to {worst.stage}: {worst.step_conversion:.0%} of those who reached the "
          f"step before get there.")

# %% [markdown]
# ### By channel
#
# Each person is grouped by the channel of their first contact (CDNOW has no channels: one group).

# %%
by = "channel" if world is not None else None
by_channel = lifecycle.funnel(events, stages=stages, window=window, by=by)
ax = lcplot.plot_funnel(by_channel, by=by)
plt.show()

# %%
if world is not None:
    buying = by_channel[by_channel["stage"] == "purchase"].sort_values("share")
    low, high = buying.iloc[0], buying.iloc[-1]
    print(f"Purchase within {window_days} days: from {low.share:.0%} ({low.channel}, "
          f"{low.share_low:.0%} to {low.share_high:.0%}) to {high.share:.0%} ({high.channel}, "
          f"{high.share_low:.0%} to {high.share_high:.0%}).")
    table = [[low.reached, low.people - low.reached], [high.reached, high.people - high.reached]]
    p_value = stats.chi2_contingency(table).pvalue
    print(f"A chi-square test of the two shares: p = {p_value:.2g}; " + (
        "the difference is larger than chance would easily make it." if p_value < 0.05 else
        "chance alone could make a difference this large."))

# %% [markdown]
# ### Ordered or unordered?
#
# An unordered funnel counts a stage whenever its event happened, in any order. The two differ exactly where
# people skip or reverse steps: a referral or survey answer before any purchase counts as advocacy only in the
# unordered one.

# %%
unordered = lifecycle.funnel(events, stages=stages, window=window, ordered=False)
compare = pd.DataFrame({"ordered": ordered.set_index("stage")["reached"],
                        "unordered": unordered.set_index("stage")["reached"]})
compare["difference"] = compare["unordered"] - compare["ordered"]
compare

# %%
gap = compare["difference"]
for stage, d in gap.items():
    if d:
        print(f"{stage}: {d:,} more people in the unordered funnel ({d / compare.loc[stage, 'unordered']:.0%} of "
              "its count) reached it out of order.")
if not gap.any():
    print("No stage differs: everyone who reached a stage did so after the stage before it.")

# %% [markdown]
# ### Time to convert
#
# How long people take from one step to the next, among those who took it within the window: from the first
# contact to the first purchase, or in CDNOW (where the first contact is the first purchase) from the first
# purchase to the second.

# %%
since, step = ("entry", "purchase") if world is not None else ("purchase", "retention")
times = lifecycle.funnel_times(events, stages=stages, window=window, by=by)
ax = lcplot.plot_time_to_stage(times, stage=step, since=since, by=by)
plt.show()

# %%
waits = ((times[step] - times[since]) / pd.Timedelta(days=1)).dropna()
print(f"Median wait from {since.replace('entry', 'first contact')} to {step}: {waits.median():.1f} days; {(waits <= 1).mean():.0%} of those who got "
      f"there took a day or less, {(waits > 30).mean():.0%} more than 30 days.")

# %% [markdown]
# **What this shows.** The funnel narrows at every step; the printed lines say where it narrows most and how sure
# we are, channel by channel. The unordered count can only be larger or equal, and the difference counts people
# who took the steps in another order than the textbook one.

# %% [markdown]
# ## 2. Lifecycle states, period by period
#
# From the first purchase on, each buyer is in one state per period, decided by the whole periods since their
# last purchase (the gap):
#
# | state | rule |
# |---|---|
# | new | the period of the first purchase |
# | active | gap below `at_risk_after` |
# | at risk | gap from `at_risk_after` to below `churned_after` |
# | churned | gap of at least `churned_after` |
# | reactivated | buys in the period after a churned one |

# %%
states = lifecycle.lifecycle_states(transactions, freq=freq, at_risk_after=at_risk_after,
                                    churned_after=churned_after, observation_end=observation_end)
counts = lifecycle.state_counts(states)
print(f"{states['customer_id'].nunique():,} buyers, {len(states):,} customer-{unit[:-1]} rows, "
      f"{len(counts)} {unit}.")
counts.tail(3)

# %%
fig, axs = plt.subplots(2, 1, figsize=(8, 6), sharex=True)
lcplot.plot_state_flow(counts, ax=axs[0])
lcplot.plot_state_flow(counts, share=True, legend=False, ax=axs[1])
axs[1].set_title("")
plt.show()

# %%
last = counts.iloc[-1]
print(f"In the last {unit[:-1]} ({counts.index[-1].date()}): " + ", ".join(
    f"{s} {n:,} ({n / last.sum():.0%})" for s, n in last.items()) + ".")

# %% [markdown]
# **What this shows.** A churned customer stays churned until they buy again, so the churned layer grows by
# everyone who crosses the threshold and shrinks only by reactivations. A company that counts everyone who ever
# bought as its customer base counts all of them.

# %% [markdown]
# ## 3. Where customers go next
#
# Counting the moves from each period to the next gives the transition matrix: each row says where the
# customers of a state are one period later (% of the row).

# %%
matrix = lifecycle.transition_matrix(states)
ax = lcplot.plot_transition_matrix(matrix)
plt.show()

# %%
for s in ("active", "at_risk", "churned"):
    if not np.isnan(matrix.loc[s, s]):
        print(f"{s}: {matrix.loc[s, s]:.1%} are still {s} one {unit[:-1]} later.")
back = matrix.loc["churned", "reactivated"]
print(f"Churned customers come back (reactivated) {back:.2%} of the time per {unit[:-1]}." if not np.isnan(back) else
      "Nobody was churned long enough to come back: the churn threshold is longer than most of the log.")

# %% [markdown]
# ## 4. Projecting forward, checked on a holdout
#
# Read as a Markov chain, the matrix projects a population forward: multiply the counts per state by the matrix,
# once per period. The states are not truly Markov: two customers in the same state can be at different distances
# from the next threshold (one just past `at_risk_after`, one a period short of `churned_after`), and the chain
# cannot tell them apart, so the projection needs checking. The matrix is estimated on the moves up to the period
# that holds the day `holdout_days` before the end; the customers known in that period are projected to the end
# and set beside what they really did.

# %%
cutoff = pd.Timestamp(observation_end) - pd.Timedelta(days=holdout_days)
check = lifecycle.holdout_projection(states, cutoff=cutoff)
ax = lcplot.plot_projection(check)
plt.show()

# %%
final = check[check["step"] == check["step"].max()].set_index("state")
print(f"Matrix estimated on the moves up to the {unit[:-1]} holding {cutoff.date()}; "
      f"{int(final['actual'].sum()):,} customers of that {unit[:-1]} followed for {check['step'].max()} {unit}.")
for s, r in final.iterrows():
    if r.actual or r.projected >= 0.5:
        print(f"{s}: projected {r.projected:,.0f}, actual {r.actual:,} ({r.error:+,.0f}).")
worst = final["error"].abs().idxmax()
print(f"The largest miss at the end is in {worst}.")

# %%
total = final["actual"].sum()
moved = final["error"].abs().sum() / 2
print(f"To make the projected counts match the real ones, at least {moved:,.0f} of {total:,} customers "
      f"({moved / total:.0%}) would have to change state.")

# %% [markdown]
# **What this shows.** A first-order chain forgets how long each customer has been quiet; the printed lines say
# how much that costs on this log, state by state, at the end of the holdout.

# %% [markdown]
# ## 5. How the picture changes with the thresholds
#
# The thresholds are choices. Halving or doubling them changes who is called at risk or churned in the last
# period, with the same purchases.

# %%
rows = {}
for factor in (0.5, 1.0, 2.0):
    a = lifecycle.periods_for_days(at_risk_days * factor, freq)
    c = max(lifecycle.periods_for_days(churned_days * factor, freq), a)
    s = lifecycle.lifecycle_states(transactions, freq=freq, at_risk_after=a, churned_after=c,
                                   observation_end=observation_end)
    end_counts = lifecycle.state_counts(s).iloc[-1]
    rows[f"{a} / {c} {unit}"] = (100 * end_counts / end_counts.sum()).round(1)
thresholds = pd.DataFrame(rows).T.rename_axis("at risk / churned after")
thresholds

# %%
print(f"Churned in the last {unit[:-1]}: from {thresholds['churned'].iloc[-1]:.1f} % of buyers with the doubled "
      f"thresholds to {thresholds['churned'].iloc[0]:.1f} % with the halved ones.")

# %% [markdown]
# ## 6. How good is the `churned` label?
#
# A label can be wrong two ways: a **false alarm** calls a customer churned who is still a customer, and a
# **late detection** calls a customer churned only long after they left. The labels are read at the start of the
# holdout and checked two ways: did the customer buy again in the holdout (anyone can check this in their own
# data), and, in the simulated company, had they really stopped for good (the truth)? Moving `churned_after`
# trades the errors against each other.

# %%
grid = sorted({lifecycle.periods_for_days(d, freq) for d in (30, 60, 90, 180, 270, 365)})
dropouts = world.truth.customers if world is not None else None
tradeoff = lifecycle.churn_label_tradeoff(transactions, dropouts, thresholds=grid, as_of=cutoff,
                                          observation_end=observation_end, freq=freq)
ax = lcplot.plot_churn_tradeoff(tradeoff, unit=unit)
plt.show()

# %%
tradeoff.round(3)

# %%
lo, hi = tradeoff.iloc[0], tradeoff.iloc[-1]
print(f"Labels read in the {unit[:-1]} holding {cutoff.date()}, thresholds from {int(lo.churned_after)} to "
      f"{int(hi.churned_after)} {unit}:")
print(f"- labelled churned: from {int(lo.labelled_churned):,} to {int(hi.labelled_churned):,} customers;")
print(f"- of them, bought again in the holdout: from {lo.bought_again_share:.0%} to {hi.bought_again_share:.0%};")
if world is not None:
    print(f"- of them, not really gone: from {lo.false_alarm_share:.0%} to {hi.false_alarm_share:.0%};")
    print(f"- real dropouts not labelled yet: from {1 - lo.detected_share:.0%} to {1 - hi.detected_share:.0%}.")
    delay = tradeoff[f"median_delay_{unit}"]
    if (delay == tradeoff["churned_after"]).all():
        print("The median delay equals the threshold every time: in this simulation people leave right after "
              f"their last purchase (as the BG/NBD model says), so the label comes exactly churned_after {unit} late.")
else:
    print("CDNOW does not say who really stopped buying: only the first check is possible.")

# %% [markdown]
# **What this shows.** "Bought again" sees only the false alarms that revealed themselves within the holdout;
# the truth also counts slow buyers who had not left but did not buy yet. Where both are shown, compare them: the
# gap between the two lines is the part of the error that a holdout of this length cannot see. A longer threshold
# labels fewer customers and detects real dropouts later. Pick it by what a false alarm costs (a win-back offer
# sent to someone who would have bought anyway) against what a late one costs (a customer lost before anyone
# tried).

# %% [markdown]
# ## Exercises
#
# **1.** Split the lifecycle states of the last period by acquisition channel (simulated company) or by the month
# of the first purchase (CDNOW). Which group has the largest share of churned customers?

# %%
# Solution
end_states = states[states["period"] == states["period"].max()]
if world is not None:
    group = world.customers.set_index("customer_id")["acquisition_channel"]
else:
    group = transactions.groupby("customer_id")["date"].min().dt.to_period("M").astype(str)
share = pd.crosstab(end_states["customer_id"].map(group), end_states["state"], normalize="index")
share = (100 * share).round(1).sort_values("churned", ascending=False).rename_axis("group")
print(f"Largest churned share: {share.index[0]} ({share['churned'].iloc[0]:.1f} %).")
share

# %% [markdown]
# **2.** Halve the funnel window. Which stage loses most people?

# %%
# Solution
half = max(window_days // 2, 1)
short = lifecycle.funnel(events, stages=stages, window=pd.Timedelta(days=half))
lost = (ordered.set_index("stage")["reached"] - short.set_index("stage")["reached"])
print(f"With {half} days instead of {window_days}, {lost.idxmax()} loses most: {lost.max():,} people.")
lost.rename("people lost")

# %% [markdown]
# ## Takeaways
#
# - The funnel and the states answer different questions: how far people get, and where customers are now.
# - Every state depends on thresholds someone chose; report them, and show how the picture moves with them.
# - A label such as "churned" can be checked only against a truth; where there is one, measure false alarms and
#   delay, and choose the threshold by what each error costs.
#
# ## References
#
# - Kotler, P. and Keller, K. L. (2016). *Marketing Management*, 15th ed. Pearson (the customer journey).
# - Wilson, E. B. (1927). Probable inference, the law of succession, and statistical inference. *Journal of the
#   American Statistical Association* 22, 209-212 (the interval used for the funnel shares).
# - Pfeifer, P. E. and Carraway, R. L. (2000). Modeling customer relationships as Markov chains. *Journal of
#   Interactive Marketing* 14(2), 43-55.
# - Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005). "Counting your customers" the easy way. *Marketing
#   Science* 24(2), 275-284 (the CDNOW sample; dropout right after a purchase).

# %% [markdown] tags=["custlab-nav"]
# **Next:** [05 · How long do customers stay, and what makes them leave?](05_cohort_retention_survival.ipynb) · [Contents](contents.ipynb)
