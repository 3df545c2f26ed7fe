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
# # Customers, from who they are to what they are worth: contents
#
# **Who is a customer, and what is a customer worth?** custlab is a course and a toolkit in
# one: Jupyter notebooks that each answer one question about customers, and a small Python
# package, `custlab`, that does their computation and works just as well on your own
# transaction log. The course goes from who counts as a customer, buyer, client or consumer,
# through customer types, segments, the lifecycle, retention and churn, to what a customer
# is worth, what customers say and what turns a buyer into a client; then the same analysis
# on a log too large for one laptop, and four published studies reproduced to the printed
# digit.
#
# - **Students** open a notebook, read, run, change a parameter and do the exercises.
# - **Analysts** reproduce published studies (CDNOW, Fader and Hardie) and run the same
#   analysis on their own CSV or Parquet file.
# - **Batch jobs** run any notebook over a grid of parameters into HTML reports.
#
# Open any notebook below; each one ends with a link to the next.

# %% tags=["parameters"]
# The contents take no parameters: open a notebook below.

# %% [markdown]
# ## The course
#
# **[01 · Who is a customer? Customers, buyers, clients and consumers](01_who_is_a_customer.ipynb)**
#
# You will learn to:
# - tell apart four notions that everyday language mixes up: customer (contact), buyer, client and consumer;
# - turn each notion into a rule on data, and see how the head counts move when the rule changes;
# - say what a purchase-only log (like the CDNOW data) can and cannot tell you about customers.
#
# *Prerequisites:* basic Python and pandas (reading a table, `groupby`). No statistics yet.
#
# *Data:* CDNOW, The simulated company.
#
# **[02 · What kinds of customers are there, and can data tell them apart?](02_customer_types.ipynb)**
#
# You will learn to:
# - name six common types of customers (individual, business, new, loyal, impulsive, discount-driven) and turn each into a rule on orders, customer records and touchpoints;
# - see how many customers carry each type, how the types overlap, and how the counts move with the thresholds;
# - check the rules against a known truth with a confusion matrix, precision and recall, and say what each type is worth and how to serve it.
#
# *Prerequisites:* notebook 01 (customers, buyers and clients). Section 5 borrows a purchase model and a spend model from later in the course and says what it needs of them.
#
# *Data:* The simulated company.
#
# **[03 · Which groups do customers fall into, and do different ways of grouping them agree?](03_segmentation.ipynb)**
#
# You will learn to:
# - segment customers three ways: by demographics (age, gender, income, region), by RFM scores, and by clustering their behaviour;
# - measure how much of the behaviour the demographics explain, and how far two segmentations agree;
# - describe each segment by its numbers and attach a strategy to it.
#
# *Prerequisites:* notebook 01 (buyers and clients). Frequency, recency and T are explained where they are used.
#
# *Data:* CDNOW, The simulated company.
#
# **[04 · How do people move through the customer lifecycle, and how far can we tell where they are?](04_lifecycle_funnel.ipynb)**
#
# You will learn to:
# - measure the lifecycle funnel (awareness, consideration, purchase, retention, advocacy) with honest intervals, and see why an ordered and an unordered funnel disagree;
# - give every customer a lifecycle state in every period (new, active, at risk, churned, reactivated) and follow the flow between states;
# - test a Markov projection of the states on a holdout, and measure how often the `churned` label is wrong.
#
# *Prerequisites:* notebook 01 (who counts as a customer, buyer, client). Notebook 02 helps for the customer types; nothing else is needed.
#
# *Data:* CDNOW, The simulated company.
#
# **[05 · How long do customers stay, and what makes them leave?](05_cohort_retention_survival.ipynb)**
#
# You will learn to:
# - build a cohort table and read customer and revenue retention from it, ragged edge and all;
# - tell the contractual world (a cancellation is observed) from the non-contractual one (churn is inferred), and measure survival in both with Kaplan-Meier curves, median lifetimes and log-rank tests;
# - read a Cox model of churn drivers as hazard ratios, check its assumption, and see why some drivers mislead.
#
# *Prerequisites:* notebook 04 (lifecycle states and the churn label). Section 6 introduces the sBG model it uses.
#
# *Data:* CDNOW, The simulated company.
#
# **[06 · What is a customer worth, and is a quiet customer still a customer?](06_customer_lifetime_value.ipynb)**
#
# You will learn to:
# - summarise a purchase log into frequency, recency and age, fit BG/NBD, MBG/NBD and Pareto/NBD to it, and choose between them with AIC, BIC and a holdout period;
# - read P(alive) for a customer in plain words, and say how sure the model is with a 95 % interval;
# - combine a purchase model and a spend model into the discounted value of each customer and each segment, and test whether the acquisition channel changes how customers buy.
#
# *Prerequisites:* notebook 01 (buyers and clients). Each model is introduced where it is first used.
#
# *Data:* CDNOW, The simulated company.
#
# **[07 · How long do subscribers stay, and what is a subscriber worth?](07_contractual_retention.ipynb)**
#
# You will learn to:
# - turn a subscriptions table into lifetimes counted in whole billing months, with the active ones censored;
# - explain why retention rates rise month after month without anyone becoming more loyal;
# - fit the shifted-beta-geometric (sBG) model per plan and value a subscriber with a discount rate.
#
# *Prerequisites:* notebook 01 (a client holds a subscription). The sBG model is introduced here.
#
# *Data:* The simulated company.
#
# **[08 · What do customers tell us, and does it predict what they do?](08_feedback_nps.ipynb)**
#
# You will learn to:
# - measure NPS and CSAT with honest intervals, overall, by segment and over time, and tell a real difference between two segments from noise;
# - see who answers a survey, and how those who stay silent bend the score, with the simulated company's truth;
# - read complaints (volume, categories, time to resolve, resolution rate) and tie feedback to what customers do next, knowing what an observational comparison can and cannot say.
#
# *Prerequisites:* notebook 05 (Kaplan-Meier survival curves and the log-rank test).
#
# *Data:* The simulated company.
#
# **[09 · Can an incentive turn one-time buyers into clients?](09_turning_buyers_into_clients.ipynb)**
#
# You will learn to:
# - design and read a randomized experiment: who is eligible, a randomization check, the lift of the repeat-purchase rate with its interval;
# - judge an incentive by its profit (margin × extra revenue − cost) and by customer type, adjusting for the number of types looked at and testing whether the types differ;
# - work out how many customers an experiment needs for the smallest lift worth finding, and see why comparisons without a control group (before/after, an earlier cohort) mislead.
#
# *Prerequisites:* notebook 02 (customer types, and how they are read from data) and notebook 05 (retention: who comes back). Notebook 01 says what separates a buyer from a client.
#
# *Data:* The simulated company.
#
# **[10 · What changes when the log no longer fits in a spreadsheet, or on one laptop?](10_at_scale.ipynb)**
#
# You will learn to:
# - write a large transaction log to Parquet in chunks, and read it lazily with Polars, DuckDB or Spark (or all at once with pandas);
# - summarise it where it lives: one custlab call, run by the engine that holds the log, with the same numbers on every engine, and see where the time goes;
# - fit BG/NBD and Gamma-Gamma on the small per-customer table, and point the same code at a cluster or a warehouse table.
#
# *Prerequisites:* notebook 06 (frequency, recency and T; BG/NBD and Gamma-Gamma). No Spark or database experience is needed.

# %% [markdown]
# ## Published studies, reproduced
#
# **[R01 · Can we reproduce "Counting your customers the easy way" (Fader, Hardie & Lee, 2005)?](reproductions/01_counting_your_customers_2005.ipynb)**
#
# You will learn to:
# - go from a raw purchase log to the calibration summary the paper starts from;
# - fit the BG/NBD and Pareto/NBD models and check every printed estimate;
# - judge a model on data it never saw: the weekly tracking plot and the repeat-purchase histogram.
#
# *Prerequisites:* notebook 01 (who counts as a customer); what a likelihood is.
#
# *Data:* CDNOW.
#
# **[R02 · Can we reproduce "The Gamma-Gamma model of monetary value" (Fader & Hardie, 2013)?](reproductions/02_gamma_gamma_spend_2013.ipynb)**
#
# You will learn to:
# - pick the customers a spend model can learn from (repeat buyers) and say why;
# - fit the Gamma-Gamma model and check its printed estimates;
# - read the model's forecast of a customer's spend as a weighted mean of their own and everyone's.
#
# *Prerequisites:* reproduction 01 (the calibration summary of CDNOW).
#
# *Data:* CDNOW.
#
# **[R03 · Can we reproduce "How to project customer retention" (Fader & Hardie, 2007)?](reproductions/03_project_customer_retention_2007.ipynb)**
#
# You will learn to:
# - fit the shifted-beta-geometric (sBG) model to the survivors of a cohort, year by year;
# - project retention five years past the data and compare with what happened;
# - explain why retention rates rise over time even though no customer becomes more loyal.
#
# *Prerequisites:* what a likelihood is; notebook 01 (clients are customers with a lasting relationship).
#
# *Data:* Contract retention, Fader and Hardie (2007).
#
# **[R04 · Can we reproduce "Customer-base analysis in a discrete-time noncontractual setting" (Fader, Hardie & Shang, 2010)?](reproductions/04_discrete_time_donations_2010.ipynb)**
#
# You will learn to:
# - fit the BG/BB model to a recency/frequency table of yearly donations and check every parameter estimate and the log-likelihood the paper prints;
# - read off a donor's chance of still being "alive", and their expected future donations, from their history;
# - track a cohort's donations year by year, what the data say beside what the model expects.
#
# *Prerequisites:* reproduction 01 (BG/NBD: customers who leave unseen); what a likelihood is.
#
# *Data:* Yearly donations, Fader, Hardie and Shang (2010).
