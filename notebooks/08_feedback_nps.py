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

# %% [markdown] tags=["custlab-nav"]
# [Contents](contents.ipynb) · Previous: [07 · How long do subscribers stay, and what is a subscriber worth?](07_contractual_retention.ipynb) · Next: [09 · Can an incentive turn one-time buyers into clients?](09_turning_buyers_into_clients.ipynb)

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
alpha = 1 - confidence  # the chance that an interval misses, or that a test cries wolf
print(f"Segments: {segment_col}; intervals at {level} (the survival bands and median lifetimes of section 9 at "
      f"95 % whatever the level); complaint groups formed on {as_of}, followed to {observation_end}; a buyer is "
      f"churned after {churned_after} months without a purchase.")

# %% [markdown]
# ## Setup

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy import stats

from custlab import feedback, retention
from custlab.experiments import newcombe_interval
from custlab.plotting import feedback as fbplot
from custlab.plotting import retention as rtplot
from custlab.simulate.feedback import nps_group_probabilities

rng = np.random.default_rng(seed)
pd.set_option("display.width", 140)
pd.set_option("display.max_columns", 14)
# A "z" in a format ({x:z.1f}) prints a number that rounds to zero as "0.0", never "-0.0".


def shown(table, digits=1):
    """The table rounded for display; + 0.0 turns a "-0.0" into "0.0"."""
    return table.round(digits).apply(lambda col: col + 0.0 if col.dtype.kind == "f" else col)


def p_text(p):
    """A p-value in words: "p < 0.001" rather than a number no one can read."""
    return "p < 0.001" if p < 0.001 else f"p = {p:.2g}"

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
print(f"{len(surveys):,} answers from {surveys['customer_id'].nunique():,} customers about "
      f"{surveys['order_id'].nunique():,} of the {len(orders):,} orders of {buyers:,} buyers; {len(complaints):,} "
      f"complaints. Answers without a segment: {int(surveys[segment_col].isna().sum())}.")

# %% [markdown]
# ## 1. The Net Promoter Score
#
# Reichheld (2003) proposed one question, "how likely are you to recommend us to a friend?", answered from 0 to
# 10. **Promoters** answer 9-10, **passives** 7-8, **detractors** 0-6; the **NPS** is the share of promoters minus
# the share of detractors, in points from -100 (everyone a detractor) to 100 (everyone a promoter). With $n_p$
# promoters and $n_d$ detractors among $n$ answers,
#
# $$\text{NPS} = 100 \left( \frac{n_p}{n} - \frac{n_d}{n} \right).$$
#
# Its interval is the adjusted Wald interval of Rocks (2016): it adds 3/4 of an answer to the promoters and
# to the detractors, which keeps it honest with few answers and at the extremes, where the plain interval shrinks to nothing.

# %%
overall = feedback.nps(surveys, confidence=confidence)
shown(overall)

# %%
ax = fbplot.plot_score_distribution(feedback.score_distribution(surveys))
plt.show()

# %%
o = overall.iloc[0]
print(f"NPS {o.nps:z.1f} points ({level} interval {o.nps_low:z.1f} to {o.nps_high:z.1f}): {o.promoters_pct:.1f} % "
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
      f"NPS {per_customer.nps:z.1f} points ({level} interval {per_customer.nps_low:z.1f} to "
      f"{per_customer.nps_high:z.1f}), from {int(per_customer.responses):,} customers.")

# %% [markdown]
# ### By segment
#
# Each customer's last answer, grouped by the customer's segment; `responses` counts customers.

# %%
by_segment = feedback.nps(last, by=segment_col, confidence=confidence)
ax = fbplot.plot_nps(by_segment)
plt.show()
shown(by_segment)

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

# %% [markdown]
# Did the score change in the last quarter? Two intervals that overlap can still hide a real change, and two that
# do not can come from chance: the question needs the interval of the difference between the two quarters
# (`nps_difference`, as in section 3 below). It treats the answers as independent; a customer who answered in
# both quarters makes them a little dependent.

# %%
quarter = surveys["date"].dt.to_period("Q")
prev_q, last_q = sorted(quarter.unique())[-2:]
change = feedback.nps_difference(surveys[quarter == last_q], surveys[quarter == prev_q],
                                 confidence=confidence).iloc[0]
print(f"Quarterly NPS from {quarterly['nps'].min():z.1f} to {quarterly['nps'].max():z.1f} points, on "
      f"{quarterly['responses'].min():,} to {quarterly['responses'].max():,} answers a quarter.")
print(f"{last_q} minus {prev_q}: {change.nps_a:z.1f} against {change.nps_b:z.1f} points, a change of "
      f"{change.difference:+z.1f} points ({level} interval {change.low:+z.1f} to {change.high:+z.1f} points); the "
      "interval " + ("excludes 0: at this level the data tell the two quarters apart." if change.low > 0 or
                     change.high < 0 else
                     "includes 0: the data cannot tell the two quarters apart."))

# %% [markdown]
# **What this shows.** Each quarter's interval describes that quarter alone; a change between two quarters has
# its own interval, wider than either (the two variances add). Comparing every quarter with every other one
# would multiply the chances of a false alarm: decide before looking which quarters to compare.

# %% [markdown]
# ## 3. Is one segment really different from another?
#
# The two segments with the most customers answering are compared (chosen by size, before looking at their
# scores: comparing the highest with the lowest after looking would make chance differences look real), one
# answer per customer. The difference of two independent NPS has its own interval: each group's adjusted variance,
# added (Rocks 2016). The simulated company's truth then says whether the two segments really differ.

# %%
a_name, b_name = by_segment.sort_values(["responses", segment_col], ascending=[False, True])[segment_col].iloc[:2]
diff = feedback.nps_difference(last[last[segment_col] == a_name], last[last[segment_col] == b_name],
                               confidence=confidence)
shown(diff)

# %%
d = diff.iloc[0]
excludes = d.low > 0 or d.high < 0
verdict = ("excludes 0: the data tell the two segments apart" if excludes else
           "includes 0: the data cannot tell the two segments apart")
print(f"{a_name} minus {b_name}: {d.difference:+z.1f} points ({level} interval {d.low:+z.1f} to {d.high:+z.1f} "
      f"points); the interval {verdict}.")

# %% [markdown]
# The truth. The simulated company draws every customer's satisfaction the same way, whatever their segment, and
# turns it into answers the same way, except for staff accounts (relationship "internal"): the world lowers their
# answers by `internal_mood`. Staff are placed in channels and regions at random, like everyone else; every staff
# account is an individual customer, never a business.

# %%
mood = world.truth.params["surveys"]["internal_mood"]
staff_ids = world.customers.loc[world.customers["relationship"] == "internal", "customer_id"]
staff_pct = {g: 100 * last.loc[last[segment_col] == g, "customer_id"].isin(staff_ids).mean() for g in (a_name, b_name)}
per_staff = np.diff(nps_group_probabilities(0.0, internal=[False, True], params=world.truth.params["world"])
                    ["expected_nps"])[0]  # points: a staff answer against anyone's, at average satisfaction
by_staff = per_staff * (staff_pct[a_name] - staff_pct[b_name]) / 100
print(f"Staff answer {abs(mood):.1f} standard deviations of satisfaction " + ("lower" if mood < 0 else "higher")
      + f" than they feel: at average satisfaction, {abs(per_staff):.0f} NPS points " + ("lower" if per_staff < 0
      else "higher") + f". They are {staff_pct[a_name]:.1f} % of the customers answering in {a_name} and "
      f"{staff_pct[b_name]:.1f} % in {b_name}: by the survey model, about "
      f"{by_staff:+z.1f} points of {a_name} minus {b_name} come from the staff alone.")
if segment_by in ("relationship", "kind"):  # the two segmentations tied to staff status
    read = (f"The interval excludes 0; the {d.difference:+z.1f} points measured are that and chance." if excludes else
            "The interval includes 0: the answers are too few to show it, not evidence that there is none.")
    print(f"So the world makes {a_name} and {b_name} differ, by about {by_staff:+z.1f} points: a real difference. "
          + read)
else:
    read = "This interval excludes 0: a false alarm," if excludes else "One that excluded 0 would be a false alarm,"
    print(f"Apart from the staff among them, every {segment_by} is drawn alike: a difference is chance. {read} as "
          f"about one comparison in {1 / alpha:.0f} is at {level}.")

# %% [markdown]
# ## 4. CSAT: satisfied, not recommending
#
# CSAT asks about the last order, 1 to 5; the share of 4 and 5 ("satisfied", "very satisfied") is the score,
# with a Wilson (1927) interval, which stays within 0-100 %. By segment, one answer per customer again.

# %%
satisfaction = feedback.csat(last, by=segment_col, confidence=confidence)
ax = fbplot.plot_csat(satisfaction)
plt.show()
shown(satisfaction)

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
shown(rates[[segment_col, "orders", "answered_pct", "buyers", "responders", "responders_pct"]])

# %%
all_rates = feedback.response_rates(orders, surveys, confidence=confidence).iloc[0]
print(f"{all_rates.answered_pct:.1f} % of orders were answered; {all_rates.responders_pct:.1f} % of buyers "
      f"({int(all_rates.responders):,} of {int(all_rates.buyers):,}) answered at least once.")

# %% [markdown]
# ### Non-response bias, seen with the truth
#
# The simulated company knows each customer's latent satisfaction (standardised: 0 is the average person), and
# the survey model's chances of a promoter or a detractor for it (`nps_group_probabilities`, one formula, no
# random draws). The measured score moves twice on its way to the company's buyers as a whole: from every answer
# to one answer per customer (the weight of customers who answer often), and from the customers who answered to
# every buyer, as the model expects them to answer once about an order of theirs (averaged over their orders,
# their complaints and returns included): the silent ones.

# %%
truth = world.truth.customers.set_index("customer_id")["satisfaction"]
complained = orders["order_id"].isin(complaints["order_id"]).to_numpy()
chances = nps_group_probabilities(truth.reindex(orders["customer_id"]).to_numpy(), complained,
                                  orders["returned"].to_numpy(), orders["customer_id"].isin(staff_ids).to_numpy(),
                                  params=world.truth.params["world"])
expected = pd.Series(chances["expected_nps"].to_numpy(), index=orders["order_id"])
every_buyer = expected.groupby(orders["customer_id"].to_numpy()).mean().mean()
answered, answered_last = expected[surveys["order_id"]].mean(), expected[last["order_id"]].mean()
bias = pd.DataFrame(
    {"mean latent satisfaction (sd)": [truth[orders["customer_id"].unique()].mean(),
                                       truth[surveys["customer_id"].unique()].mean(),
                                       truth[surveys["customer_id"]].mean()]},
    index=["all buyers (each once)", "responders (each once)", "answers (each answer)"])
shown(bias, 3)

# %%
pc = per_customer
weighted_side, silent_side = ("inside" if pc.nps_low <= x <= pc.nps_high else "outside" for x in (o.nps, every_buyer))
print(f"Latent satisfaction (standard deviations): {bias.iloc[0, 0]:+z.3f} among all buyers, {bias.iloc[1, 0]:+z.3f} "
      f"among responders, {bias.iloc[2, 0]:+z.3f} per answer.")
print(f"Weighting: {o.nps:z.1f} points per answer, {pc.nps:z.1f} per customer (last answer; {level} interval "
      f"{pc.nps_low:z.1f} to {pc.nps_high:z.1f} points): counting each customer once moves the score by "
      f"{pc.nps - o.nps:+z.1f} points; the per-answer score lies {weighted_side} the per-customer interval.")
print(f"Non-response: if every buyer answered once, the model expects {every_buyer:z.1f} points, "
      f"{every_buyer - pc.nps:+z.1f} points from the per-customer score, {silent_side} its interval. "
      f"(The model expects {answered:z.1f} points from the same answers and {answered_last:z.1f} from the same "
      "last answers.)")

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
shown(staff_csat)

# %% [markdown]
# The CSAT difference is a difference of two proportions; its interval is Newcombe's (1998), built from the two
# Wilson intervals.

# %%
staff_answers = int(surveys["customer_id"].isin(staff_ids).sum())
if inside.empty:
    print("No internal customer answered the survey: there is nothing to compare (try more customers).")
else:
    staff = feedback.nps_difference(inside, outside, confidence=confidence).iloc[0]
    si, se = staff_csat.loc["internal"], staff_csat.loc["external"]
    c_low, c_high = 100 * np.asarray(newcombe_interval(si.satisfied, si.responses, se.satisfied, se.responses,
                                                       confidence=confidence))
    print(f"Internal: {len(inside):,} staff accounts answered ({staff_answers:,} answers; each one's last is used). "
          f"NPS {staff.nps_a:z.1f} against {staff.nps_b:z.1f} points for external customers: a difference of "
          f"{staff.difference:+z.1f} points ({level} interval {staff.low:+z.1f} to {staff.high:+z.1f} points), "
          "which " + ("excludes 0." if staff.low > 0 or staff.high < 0 else "includes 0."))
    print(f"CSAT {si.satisfied_pct:.1f} % satisfied against {se.satisfied_pct:.1f} %: a difference of "
          f"{si.satisfied_pct - se.satisfied_pct:+z.1f} percentage points ({level} interval {c_low:+z.1f} to "
          f"{c_high:+z.1f} points), which " + ("excludes 0." if c_low > 0 or c_high < 0 else "includes 0."))
    sat_in, sat_out = truth[inside["customer_id"]], truth[outside["customer_id"]]
    se_in = f"standard error {sat_in.sem():.3f}" if sat_in.size > 1 else "one person: no standard error"
    print(f"Mean latent satisfaction of these responders, in standard deviations: {sat_in.mean():+z.3f} internal "
          f"({se_in}), {sat_out.mean():+z.3f} external (standard error {sat_out.sem():.3f}).")
    print(f"The truth: staff answer {abs(mood):.1f} standard deviations of satisfaction "
          + ("lower" if mood < 0 else "higher") + " than they feel; whether the answers of these "
          f"{len(inside):,} staff accounts can show it is what the NPS and CSAT intervals above say.")

# %% [markdown]
# **What this shows.** In this simulation staff's latent satisfaction is drawn the same way as everyone's, so a
# gap between the responders' means above is chance, as large as their standard errors allow. What the world
# changes is how staff answer: `internal_mood` moves their answers. In a real company staff answers need separate
# reporting anyway: they know the product, and they may have reasons to be generous or harsh.

# %% [markdown]
# ## 7. Complaints
#
# How many complaints, about what, and how fast they are closed. The base of the rate is the buyers: only a
# buyer can complain about an order. The days to resolve (median and 90th percentile) are those of the resolved
# complaints only: an open complaint has no time to resolve yet, only a wait longer than the days gone by (it is
# censored), so these days understate how long complaints stay open.

# %%
complaint_total = feedback.complaint_summary(complaints, buyers, by=None, confidence=confidence).iloc[0]
by_category = feedback.complaint_summary(complaints, buyers, confidence=confidence)
shown(by_category[["category", "complaints", "per_1000_customers", "share_pct", "resolution_pct",
                   "median_days_to_resolve", "p90_days_to_resolve"]].rename(
    columns={"per_1000_customers": "per_1000_buyers"}))

# %%
ax = fbplot.plot_resolution_times(complaints, by="category")
plt.show()

# %%
top = by_category.iloc[0]
print(f"{int(complaint_total.complaints):,} complaints from {int(complaint_total.complainants):,} buyers: "
      f"{complaint_total.per_1000_customers:.1f} per 1,000 buyers over two years. Most are about {top.category} "
      f"({top.share_pct:.1f} % of them).")
print(f"Resolved: {complaint_total.resolution_pct:.1f} % ({level} interval {complaint_total.resolution_low:.1f} to "
      f"{complaint_total.resolution_high:.1f} %). Among the resolved ones, a median of "
      f"{complaint_total.median_days_to_resolve:.1f} days to resolve, and 90 % within "
      f"{complaint_total.p90_days_to_resolve:.1f} days.")

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
shown(outcomes[["complaint", "customers", "purchases_before", "spend_before", "bought_again_pct",
                "purchases_after", "spend_after"]], 2)

# %%
for row in outcomes.itertuples():
    print(f"{row.complaint}: {row.customers:,} customers; by {as_of}, {row.purchases_before:.2f} purchases and "
          f"{row.spend_before:.2f} currency units each; after it, {row.bought_again_pct:.1f} % bought again "
          f"({level} interval {row.bought_again_low:.1f} to {row.bought_again_high:.1f} %), spending "
          f"{row.spend_after:.2f} currency units each.")
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
# faster at random and compare, in an experiment like notebook 09's.

# %% [markdown]
# ## 9. Does the answer predict who stays?
#
# Each buyer's group on their last answer (or "no answer"), joined to their survival data of notebook 05:
# churned after six months without a purchase, dated at the last purchase; Kaplan-Meier curves by group and
# median lifetimes, in months, with 95 % bands and intervals whatever `confidence` says; and a log-rank test that
# the curves are one, judged at the notebook's level.

# %%
lifetimes = retention.survival_data(transactions, kind="purchases", observation_end=observation_end, unit="M",
                                    churned_after=churned_after)
groups = feedback.nps_groups(surveys, customers=lifetimes)
left_out, cutoff = lifetimes.attrs["left_out"], lifetimes.attrs["cutoff"]
lifetimes = lifetimes.merge(groups[["customer_id", "nps_group"]], on="customer_id", validate="one_to_one")
ax = rtplot.plot_survival(lifetimes, by="nps_group")
plt.show()

# %%
medians = retention.median_lifetimes(lifetimes, by="nps_group")
shown(medians.rename(columns={"customers": "buyers", "median": "median_months", "median_low": "low_95_months",
                              "median_high": "high_95_months"}), 2)

# %%
test = retention.logrank_test(lifetimes, by="nps_group").iloc[0]
answering = lifetimes[lifetimes["nps_group"] != "no answer"]
test_answered = retention.logrank_test(answering, by="nps_group").iloc[0]
for name, t in (("All four groups", test), ("Promoters, passives and detractors only", test_answered)):
    print(f"{name}: log-rank chi-square {t.test_statistic:.1f} on {int(t.degrees_of_freedom)} degrees of freedom, "
          f"{p_text(t.p_value)}, " + ("below" if t.p_value < alpha else "not below") + f" {alpha:.2g} (the {level} "
          "level): " + ("the curves differ by more than chance would make them." if t.p_value < alpha else
                        "the data cannot tell the curves apart."))

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
# **1.** How much lower are answers about orders that drew a complaint? Compare them with the answers about the
# other orders, with the interval of the difference. Returned orders draw complaints far more often and lower the
# answers on their own, so compare within the orders that were not returned.

# %%
# Solution
kept = surveys[~surveys["order_id"].map(orders.set_index("order_id")["returned"]).to_numpy()]
after_complaint = kept["order_id"].isin(complaints["order_id"])
if after_complaint.all() or not after_complaint.any():
    print("Among answers about orders not returned, one of the two groups is empty: try more customers.")
else:
    gap = feedback.nps_difference(kept[after_complaint], kept[~after_complaint], confidence=confidence).iloc[0]
    print(f"Orders not returned. Answers after a complaint: {int(gap.responses_a):,}, NPS {gap.nps_a:z.1f} points; "
          f"the others: {int(gap.responses_b):,}, NPS {gap.nps_b:z.1f} points. Difference {gap.difference:+z.1f} "
          f"points ({level} interval {gap.low:+z.1f} to {gap.high:+z.1f} points).")

# %% [markdown]
# **2.** How many answers does an NPS need to be known within 5 points either way, with the company's shares of
# promoters and detractors? The adjusted Wald interval's half-width is `z * sqrt((p + d - (p - d)^2) / (n + 3))`:
# solve it for `n`.

# %%
# Solution
z = stats.norm.ppf(0.5 + confidence / 2)
p, d = o.promoters_pct / 100, o.detractors_pct / 100
needed = int(np.ceil((z / 0.05) ** 2 * (p + d - (p - d) ** 2) - 3))  # n = (z / E)^2 (p + d - (p - d)^2) - 3
counts = np.round(np.array([p, d]) * needed).astype(int)
check = feedback.nps(np.repeat([10, 3, 8], [*counts, needed - counts.sum()]), confidence=confidence).iloc[0]
print(f"With {100 * p:.1f} % promoters and {100 * d:.1f} % detractors and z = {z:.2f} ({level}): {needed:,} answers. "
      f"Check: an NPS from {needed:,} answers with these shares has an interval "
      f"{(check.nps_high - check.nps_low) / 2:.1f} points either way.")

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
# - Newcombe, R. G. (1998). Interval estimation for the difference between independent proportions: comparison of
#   eleven methods. *Statistics in Medicine* 17, 873-890.
# - Wilson, E. B. (1927). Probable inference, the law of succession, and statistical inference. *Journal of the
#   American Statistical Association* 22, 209-212.
# - Groves, R. M. (2006). Nonresponse rates and nonresponse bias in household surveys. *Public Opinion Quarterly*
#   70(5), 646-675.
# - Kaplan, E. L. and Meier, P. (1958). Nonparametric estimation from incomplete observations. *Journal of the
#   American Statistical Association* 53, 457-481.

# %% [markdown] tags=["custlab-nav"]
# **Next:** [09 · Can an incentive turn one-time buyers into clients?](09_turning_buyers_into_clients.ipynb) · [Contents](contents.ipynb)
