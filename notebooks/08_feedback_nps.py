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
# # What do customers tell us, and does it predict what they do?
#
# **You will learn to**
# - measure NPS and CSAT with honest intervals, overall, by segment and over time, and tell a real difference
#   between two segments from noise;
# - see who answers a survey, and how those who stay silent bend the score, with the simulated company's truth;
# - read complaints (volume, categories, time to resolve, resolution rate) and tie feedback to what customers do
#   next, knowing what an observational comparison can and cannot say.
#
# **Prerequisites:** notebook 05 (Kaplan-Meier survival curves and the log-rank test).

# %% tags=["parameters"]
segment_by: str = "channel"  # compare customers by "channel" (acquisition), "kind", "relationship" or "region"
confidence: float = 0.95  # level of every interval (0.8 to 0.99)
n_customers: int = 5000  # people in the simulated company
seed: int = 8  # random seed of the simulated company

# %% [markdown]
# Checked, then derived from the parameters: the customer column behind `segment_by`, the last day observed, the
# day the complaint groups are formed, and the churn threshold (months without a purchase, as in notebook 05).

# %%
import custlab as cl

cl.params.require_choice("segment_by", segment_by, {
    "channel": "acquisition channel", "kind": "individual or business", "relationship": "external or internal",
    "region": "region"})
cl.params.require_range("confidence", confidence, 0.8, 0.99, why="the level of the intervals")
cl.params.require_range("n_customers", n_customers, 1000, 1_000_000, why="fewer people leave too few answers")

segment_col = {"channel": "acquisition_channel"}.get(segment_by, segment_by)
observation_end = "2024-12-31"
as_of = "2024-06-30"
churned_after = 6
level = f"{100 * confidence:g} %"
print(f"Segments: {segment_col}; intervals at {level}; complaint groups formed on {as_of}, followed to "
      f"{observation_end}; a buyer is churned after {churned_after} months without a purchase.")

# %% [markdown]
# ## Setup

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from custlab import feedback, retention
from custlab.plotting import feedback as fbplot
from custlab.plotting import retention as rtplot
from custlab.simulate.feedback import nps_group_probabilities

rng = np.random.default_rng(seed)
pd.set_option("display.width", 140)
pd.set_option("display.max_columns", 14)

# %% [markdown]
# ## The data, checked
#
# The simulated company (two years, 2023 and 2024): its orders, checked row by row; the survey answers that
# follow a share of the orders (`nps`: "how likely are you to recommend us?", 0-10; `csat`: "how satisfied
# were you?", 1-5); and the complaints. Each answer gets the segment of the customer who gave it.

# %%
world = cl.crm_world(n_customers, random_state=rng)
transactions, report = cl.validate_transactions(world.transactions(), observation_end=observation_end)
report

# %%
segments = world.customers[["customer_id", segment_col]]
surveys = world.surveys.merge(segments, on="customer_id", how="left", validate="many_to_one")
orders = world.orders.merge(segments, on="customer_id", how="left", validate="many_to_one")
complaints = world.complaints
buyers = transactions["customer_id"].nunique()
print(f"{len(surveys):,} answers from {surveys['customer_id'].nunique():,} customers about {len(orders):,} orders "
      f"of {buyers:,} buyers; {len(complaints):,} complaints. Answers without a segment: "
      f"{int(surveys[segment_col].isna().sum())}.")

# %% [markdown]
# ## 1. The Net Promoter Score
#
# Reichheld (2003) proposed one question, "how likely are you to recommend us to a friend?", answered from 0 to
# 10. **Promoters** answer 9-10, **passives** 7-8, **detractors** 0-6; the **NPS** is the share of promoters minus
# the share of detractors, in points from -100 (everyone a detractor) to 100 (everyone a promoter). Its interval
# is the adjusted Wald interval of Rocks (2016): it adds 3/4 of an answer to the promoters and to the detractors,
# which keeps it honest with few answers and at the extremes, where the plain interval shrinks to nothing.

# %%
overall = feedback.nps(surveys, confidence=confidence)
overall.round(1)

# %%
ax = fbplot.plot_score_distribution(feedback.score_distribution(surveys))
plt.show()

# %%
o = overall.iloc[0]
print(f"NPS {o.nps:.1f} points ({level} interval {o.nps_low:.1f} to {o.nps_high:.1f}): {o.promoters_pct:.1f} % "
      f"promoters minus {o.detractors_pct:.1f} % detractors, from {int(o.responses):,} answers; {o.passives_pct:.1f} % "
      "are passives, who do not count.")

# %% [markdown]
# ### One answer per customer
#
# The interval, like every interval for a share, treats the answers as independent. Two answers of one customer
# are not: they share that customer's satisfaction. Keeping each customer's last answer makes the answers
# independent again; the comparisons between segments below use them.

# %%
last = surveys.sort_values("date", kind="stable").groupby("customer_id").tail(1)
per_customer = feedback.nps(last, confidence=confidence).iloc[0]
repeat = surveys["customer_id"].duplicated(keep=False).mean()
print(f"{100 * repeat:.1f} % of the answers come from customers who answered more than once. One answer per customer: "
      f"NPS {per_customer.nps:.1f} points ({level} interval {per_customer.nps_low:.1f} to "
      f"{per_customer.nps_high:.1f}), from {int(per_customer.responses):,} customers.")

# %% [markdown]
# ### By segment
#
# Each customer's last answer, grouped by the customer's segment; `responses` counts customers.

# %%
by_segment = feedback.nps(last, by=segment_col, confidence=confidence)
ax = fbplot.plot_nps(by_segment)
plt.show()
by_segment.round(1)

# %%
above = by_segment.loc[by_segment["nps_low"] > 0, segment_col].tolist()
below = by_segment.loc[by_segment["nps_high"] < 0, segment_col].tolist()
print(f"Segments whose interval lies above 0 (more promoters than detractors): {', '.join(above) or 'none'}; "
      f"below 0: {', '.join(below) or 'none'}.")
width = (by_segment["nps_high"] - by_segment["nps_low"]).to_numpy()
wide, narrow = by_segment.iloc[width.argmax()], by_segment.iloc[width.argmin()]
print(f"Widest interval: {wide[segment_col]} ({int(wide.responses):,} customers), {width.max():.1f} points; "
      f"narrowest: {narrow[segment_col]} ({int(narrow.responses):,} customers), {width.min():.1f} points.")

# %% [markdown]
# **What this shows.** The NPS counts a 0 and a 6 alike, and a 9 and a 10 alike: the bars show what it throws
# away. A segment's interval shrinks with its number of customers, so a small segment can sit far from the others
# by chance alone.

# %% [markdown]
# ## 2. NPS over time
#
# The same score, quarter by quarter, each with its interval.

# %%
quarterly = feedback.nps_over_time(surveys, freq="Q", confidence=confidence)
ax = fbplot.plot_nps_over_time(quarterly)
plt.show()

# %%
hold = ((quarterly["nps_low"] <= o.nps) & (quarterly["nps_high"] >= o.nps)).sum()
print(f"Quarterly NPS from {quarterly['nps'].min():.1f} to {quarterly['nps'].max():.1f} points, on "
      f"{quarterly['responses'].min():,} to {quarterly['responses'].max():,} answers a quarter; {hold} of "
      f"{len(quarterly)} quarters' intervals hold the two-year NPS of {o.nps:.1f}.")

# %% [markdown]
# **What this shows.** A move from one quarter to the next is news only when it is larger than the intervals;
# a quarter whose interval holds the overall score is no evidence of a change.

# %% [markdown]
# ## 3. Is one segment really different from another?
#
# The two segments with the most customers answering are compared (chosen by size, before looking at their
# scores: comparing the highest with the lowest after looking would make chance differences look real), one
# answer per customer. The difference of two independent NPS has its own interval: each group's adjusted variance,
# added (Rocks 2016).
#
# The simulated company draws every customer's satisfaction, and the answers that follow from it, the same way in
# every segment this notebook offers: here any difference between segments is chance, and an interval that
# excludes 0 is a false alarm, as it will be in about one comparison in twenty at 95 %.

# %%
a_name, b_name = by_segment.sort_values(["responses", segment_col], ascending=[False, True])[segment_col].iloc[:2]
diff = feedback.nps_difference(last[last[segment_col] == a_name], last[last[segment_col] == b_name],
                               confidence=confidence)
diff.round(1)

# %%
d = diff.iloc[0]
verdict = ("excludes 0: the data tell the two segments apart" if d.low > 0 or d.high < 0 else
           "includes 0: the data cannot tell the two segments apart")
print(f"{a_name} minus {b_name}: {d.difference:+.1f} points ({level} interval {d.low:+.1f} to {d.high:+.1f}); the "
      f"interval {verdict}.")

# %% [markdown]
# ## 4. CSAT: satisfied, not recommending
#
# CSAT asks about the last order, 1 to 5; the share of 4 and 5 ("satisfied", "very satisfied") is the score,
# with a Wilson (1927) interval, which stays within 0-100 %. By segment, one answer per customer again.

# %%
satisfaction = feedback.csat(last, by=segment_col, confidence=confidence)
ax = fbplot.plot_csat(satisfaction)
plt.show()
satisfaction.round(1)

# %%
c = feedback.csat(surveys, confidence=confidence).iloc[0]
r = np.corrcoef(surveys["nps"], surveys["csat"])[0, 1]
print(f"CSAT over all {int(c.responses):,} answers: {c.satisfied_pct:.1f} % satisfied ({level} interval "
      f"{c.satisfied_low:.1f} to {c.satisfied_high:.1f} %), mean score {c.mean_score:.2f} of 5. The two answers of "
      f"one survey go together: correlation {r:.2f}.")

# %% [markdown]
# ## 5. Who answers, and who stays silent?
#
# An answer needs an order and a customer willing to answer. The response rate is the share of orders answered,
# and the share of buyers who answered at least once.

# %%
rates = feedback.response_rates(orders, surveys, by=segment_col, confidence=confidence)
rates[[segment_col, "orders", "answered_pct", "buyers", "responders", "responders_pct"]].round(1)

# %%
all_rates = feedback.response_rates(orders, surveys, confidence=confidence).iloc[0]
print(f"{all_rates.answered_pct:.1f} % of orders were answered; {all_rates.responders_pct:.1f} % of buyers "
      f"({int(all_rates.responders):,} of {int(all_rates.buyers):,}) answered at least once.")

# %% [markdown]
# ### Non-response bias, seen with the truth
#
# The simulated company knows each customer's latent satisfaction (standardised: 0 is the average person), and
# the survey model's chances of a promoter or a detractor for it (`nps_group_probabilities`, one formula, no
# random draws). Three NPS can be set side by side: the one measured; the one the model expects from the same
# answers; and the one it expects if every buyer answered once, about an order of theirs (averaged over their
# orders, their complaints and returns included).

# %%
truth = world.truth.customers.set_index("customer_id")["satisfaction"]
complained = orders["order_id"].isin(complaints["order_id"]).to_numpy()
staff = orders["customer_id"].map(world.customers.set_index("customer_id")["relationship"]).eq("internal")
chances = nps_group_probabilities(truth.reindex(orders["customer_id"]).to_numpy(), complained,
                                  orders["returned"].to_numpy(), staff.to_numpy(), params=world.truth.params["world"])
expected = pd.Series(chances["expected_nps"].to_numpy(), index=orders["order_id"])
every_buyer = expected.groupby(orders["customer_id"].to_numpy()).mean().mean()
answered = expected[surveys["order_id"]].mean()
bias = pd.DataFrame(
    {"mean latent satisfaction (sd)": [truth[orders["customer_id"].unique()].mean(),
                                       truth[surveys["customer_id"].unique()].mean(),
                                       truth[surveys["customer_id"]].mean()]},
    index=["all buyers (each once)", "responders (each once)", "answers (each answer)"])
bias.round(3)

# %%
gap = o.nps - every_buyer
print(f"Latent satisfaction (standard deviations): {bias.iloc[0, 0]:+.3f} among all buyers, {bias.iloc[1, 0]:+.3f} "
      f"among responders, {bias.iloc[2, 0]:+.3f} per answer.")
print(f"NPS measured {o.nps:.1f} points per answer and {per_customer.nps:.1f} per customer (last answer); expected by "
      f"the model from the same answers {answered:.1f}; expected if every buyer answered once {every_buyer:.1f}. "
      f"The survey reads {abs(gap):.1f} points "
      + ("higher" if gap > 0 else "lower") + " than the model expects from the company's buyers as a whole"
      + (f", outside the {level} interval ({o.nps_low:.1f} to {o.nps_high:.1f})." if not o.nps_low <= every_buyer
         <= o.nps_high else f", within the {level} interval ({o.nps_low:.1f} to {o.nps_high:.1f})."))

# %% [markdown]
# **What this shows.** In this company a survey follows each order with the same chance, so a customer with many
# orders answers many times, and one who bought once answers at most once. Customers who keep buying are, by the
# way the company was simulated, the more satisfied ones. Counting each customer once removes the extra weight of
# the frequent answerers, not the absence of those who never answered. The interval measures only the chance in
# who happened to answer; it says nothing about the buyers who were never asked or never answered.

# %% [markdown]
# ## 6. Internal and external customers
#
# Staff accounts buy from their own company (internal customers). Do they rate it differently? One answer per
# customer, as above.

# %%
internal = last.merge(world.customers[["customer_id", "relationship"]], on="customer_id", how="left",
                     suffixes=("_segment", ""))
inside, outside = internal[internal["relationship"] == "internal"], internal[internal["relationship"] == "external"]
staff_csat = feedback.csat(internal, by="relationship", confidence=confidence).set_index("relationship")
staff_csat.round(1)

# %%
if inside.empty:
    print("No internal customer answered the survey: there is nothing to compare (try more customers).")
else:
    staff = feedback.nps_difference(inside, outside, confidence=confidence).iloc[0]
    sat_in, sat_out = truth[inside["customer_id"].unique()].mean(), truth[outside["customer_id"].unique()].mean()
    si, se = staff_csat.loc["internal"], staff_csat.loc["external"]
    print(f"Internal: {len(inside):,} people answered. NPS {staff.nps_a:.1f} "
          f"against {staff.nps_b:.1f} points for external customers: a difference of {staff.difference:+.1f} "
          f"({level} interval {staff.low:+.1f} to {staff.high:+.1f}), which "
          + ("excludes 0." if staff.low > 0 or staff.high < 0 else "includes 0."))
    print(f"CSAT {si.satisfied_pct:.1f} % satisfied ({si.satisfied_low:.1f} to {si.satisfied_high:.1f}) against "
          f"{se.satisfied_pct:.1f} % ({se.satisfied_low:.1f} to {se.satisfied_high:.1f}); the intervals "
          + ("do not overlap." if si.satisfied_low > se.satisfied_high or si.satisfied_high < se.satisfied_low
             else "overlap."))
    print(f"Mean latent satisfaction of these responders (standard deviations): {sat_in:+.3f} (internal) and "
          f"{sat_out:+.3f} (external).")
shift = world.truth.params["surveys"]["internal_mood"]
print(f"The truth, for comparison: staff answer {abs(shift):.1f} standard deviations of satisfaction "
      + ("lower" if shift < 0 else "higher") + " than they feel.")

# %% [markdown]
# **What this shows.** In this simulation staff are as satisfied as anyone (their latent satisfaction is drawn the
# same way) but answer the survey more harshly: the world's `internal_mood` lowers their answers. Whether a few
# dozen answers can show that is what the interval above says. In a real company staff answers need separate
# reporting anyway: they know the product, and they may have reasons to be generous or harsh.

# %% [markdown]
# ## 7. Complaints
#
# How many complaints, about what, and how fast they are closed. The base of the rate is the buyers: only a
# buyer can complain about an order.

# %%
complaint_total = feedback.complaint_summary(complaints, buyers, by=None, confidence=confidence).iloc[0]
by_category = feedback.complaint_summary(complaints, buyers, confidence=confidence)
by_category[["category", "complaints", "per_1000_customers", "share_pct", "resolution_pct", "median_days_to_resolve",
             "p90_days_to_resolve"]].round(1)

# %%
ax = fbplot.plot_resolution_times(complaints, by="category")
plt.show()

# %%
top = by_category.iloc[0]
print(f"{int(complaint_total.complaints):,} complaints from {int(complaint_total.complainants):,} buyers: "
      f"{complaint_total.per_1000_customers:.1f} per 1,000 buyers over two years. Most are about {top.category} "
      f"({top.share_pct:.1f} % of them).")
print(f"Resolved: {complaint_total.resolution_pct:.1f} % ({level} interval {complaint_total.resolution_low:.1f} to "
      f"{complaint_total.resolution_high:.1f} %); a median of {complaint_total.median_days_to_resolve:.1f} days to "
      f"resolve, and 90 % of the resolved ones within {complaint_total.p90_days_to_resolve:.1f} days.")

# %% [markdown]
# ## 8. Resolved, unresolved, no complaint: what happened next?
#
# Every customer who bought by the end of June 2024 is put in a group by their complaints up to then; the table
# sets what they did before beside what they did in the six months after.

# %%
outcomes = feedback.complaint_outcomes(complaints, transactions, as_of=as_of, observation_end=observation_end,
                                       confidence=confidence)
ax = fbplot.plot_complaint_outcomes(outcomes)
plt.show()
outcomes[["complaint", "customers", "purchases_before", "spend_before", "bought_again_pct", "purchases_after",
          "spend_after"]].round(2)

# %%
for row in outcomes.itertuples():
    print(f"{row.complaint}: {row.customers:,} customers; by {as_of}, {row.purchases_before:.2f} purchases and "
          f"{row.spend_before:.2f} currency units each; after it, {row.bought_again_pct:.1f} % bought again "
          f"({row.bought_again_low:.1f} to {row.bought_again_high:.1f}), spending {row.spend_after:.2f} each.")
none = outcomes.set_index("complaint").loc["no complaint"]
complainers = outcomes[outcomes["complaint"] != "no complaint"]
ratio = (complainers["purchases_before"] * complainers["customers"]).sum() / complainers["customers"].sum() / \
    none.purchases_before
print(f"By {as_of}, customers with a complaint had made {ratio:.1f} times as many purchases as those without.")

# %% [markdown]
# **Read with care.** This is an observational comparison, not the effect of complaining or of a resolution.
# Customers who complain are buyers who were active enough to have something to complain about: the purchases
# before the date say how different they were before any complaint. In this simulated company complaints are
# drawn after the orders and never change later purchases; whatever gap the table shows comes from who
# complains, not from what the complaint did. To learn what a fast resolution is worth, resolve some complaints
# faster at random and compare (notebook 09).

# %% [markdown]
# ## 9. Does the answer predict who stays?
#
# Each buyer's group on their last answer (or "no answer"), joined to their survival data of notebook 05:
# churned after six months without a purchase, dated at the last purchase; Kaplan-Meier curves by group (with
# 95 % bands, whatever `confidence` says) and a log-rank test that the curves are one.

# %%
lifetimes = retention.survival_data(transactions, kind="purchases", observation_end=observation_end, unit="M",
                                    churned_after=churned_after)
groups = feedback.nps_groups(surveys, customers=lifetimes)
left_out, cutoff = lifetimes.attrs["left_out"], lifetimes.attrs["cutoff"]
lifetimes = lifetimes.merge(groups[["customer_id", "nps_group"]], on="customer_id", validate="one_to_one")
ax = rtplot.plot_survival(lifetimes, by="nps_group")
plt.show()

# %%
medians = retention.median_lifetimes(lifetimes, by="nps_group").round(2)
medians

# %%
test = retention.logrank_test(lifetimes, by="nps_group").iloc[0]
answering = lifetimes[lifetimes["nps_group"] != "no answer"]
test_answered = retention.logrank_test(answering, by="nps_group").iloc[0]
for name, t in (("All four groups", test), ("Promoters, passives and detractors only", test_answered)):
    print(f"{name}: log-rank chi-square {t.test_statistic:.1f} on {int(t.degrees_of_freedom)} degrees of freedom, "
          f"p = {t.p_value:.2g}; " + ("the curves differ by more than chance would make them." if t.p_value < 0.05
                                      else "the data cannot tell the curves apart."))

# %%
once = lifetimes.assign(one_time=(lifetimes["duration_months"] == 0) & lifetimes["churned"])
share_once = once.groupby("nps_group")["one_time"].mean().mul(100)
print(f"Bought once and went silent: {share_once['no answer']:.1f} % of the 'no answer' group, against "
      f"{share_once.drop('no answer').min():.1f} to {share_once.drop('no answer').max():.1f} % of the groups who "
      "answered.")
print(f"{left_out:,} buyers who first bought after {cutoff.date()} are left out "
      f"(too late to see a churn), with {groups.attrs['answers_left_out']:,} of their answers.")

# %% [markdown]
# **Read with care.** Answering a survey needs orders, and a last answer needs a customer still buying when it
# was given: the groups are measured during the lives they are compared on. Customers who stayed longer had more
# chances to answer, so the "no answer" group is made mostly of one-time buyers, and a late, friendly answer is
# partly a sign of having stayed (survivorship bias). Comparing only those who answered removes the first
# problem, not the second. In this simulated company satisfaction is tied, by construction, to each buyer's
# chance of dropping out, so some of the link between answer and staying is real; in a company's own data
# nothing says how much.

# %% [markdown]
# ## Exercises
#
# **1.** How many NPS points does a complaint cost? Compare the answers about orders that drew a complaint with
# the answers about the others, with the interval of the difference.

# %%
# Solution
after_complaint = surveys["order_id"].isin(complaints["order_id"])
cost = feedback.nps_difference(surveys[after_complaint], surveys[~after_complaint], confidence=confidence).iloc[0]
print(f"Answers after a complaint: {int(cost.responses_a):,}, NPS {cost.nps_a:.1f}; the others: "
      f"{int(cost.responses_b):,}, "
      f"NPS {cost.nps_b:.1f}. Difference {cost.difference:+.1f} points ({level} interval {cost.low:+.1f} to "
      f"{cost.high:+.1f}).")

# %% [markdown]
# **2.** How many answers does an NPS need to be known within 5 points either way? Keep the company's shares of
# promoters, passives and detractors and grow the number of answers.

# %%
# Solution
shares = np.array([o.promoters_pct, o.passives_pct, o.detractors_pct]) / 100
rows = []
for n in (100, 200, 400, 800, 1600, 3200, 6400):
    counts = np.round(shares * n).astype(int)
    counts[1] = n - counts[0] - counts[2]
    scores = np.repeat([10, 8, 3], counts)
    row = feedback.nps(scores, confidence=confidence).iloc[0]
    rows.append({"answers": len(scores), "half_width_points": (row.nps_high - row.nps_low) / 2})
widths = pd.DataFrame(rows)
enough = widths[widths["half_width_points"] <= 5]
print(f"With these shares, {enough['answers'].iloc[0]:,} answers give an interval of at most 5 points either way."
      if len(enough) else "Even 6,400 answers leave the interval wider than 5 points either way.")
widths.round(1)

# %% [markdown]
# ## Takeaways
#
# - An NPS without its interval is half a number: a segment or a quarter is different only when the interval of
#   the difference says so.
# - Those who answer are not everyone: know who answered, and how the silent differ, before reading a score as the
#   voice of all customers.
# - Complaints measure the active customers' problems; count them per customer, by category, with the time to
#   resolve.
# - Feedback and behaviour go together, but an answer that needs orders cannot show alone what causes what; an
#   experiment can.
#
# ## References
#
# - Reichheld, F. F. (2003). The one number you need to grow. *Harvard Business Review* 81(12), 46-54.
# - Rocks, B. (2016). Interval estimation for the "Net Promoter Score". *The American Statistician* 70(4),
#   365-372.
# - Wilson, E. B. (1927). Probable inference, the law of succession, and statistical inference. *Journal of the
#   American Statistical Association* 22, 209-212.
# - Groves, R. M. (2006). Nonresponse rates and nonresponse bias in household surveys. *Public Opinion Quarterly*
#   70(5), 646-675.
# - Kaplan, E. L. and Meier, P. (1958). Nonparametric estimation from incomplete observations. *Journal of the
#   American Statistical Association* 53, 457-481.
