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
# # Who is a customer? Customers, buyers, clients and consumers
#
# **You will learn to**
# - tell apart four notions that everyday language mixes up: customer (contact), buyer, client and consumer;
# - turn each notion into a rule on data, and see how the head counts move when the rule changes;
# - say what a purchase-only log (like the CDNOW data) can and cannot tell you about customers.
#
# **Prerequisites:** basic Python and pandas (reading a table, `groupby`). No statistics yet.

# %% [markdown] tags=["custlab-nav"]
# [Contents](contents.ipynb) · The first notebook of the course · Next: [02 · What kinds of customers are there, and can data tell them apart?](02_customer_types.ipynb)

# %% tags=["parameters"]
dataset: str = "simulated"  # "simulated", "cdnow", or the path of your own CSV/Parquet transaction log
window_start: str = ""  # first day counted, e.g. "2024-01-01"; empty: the last 12 months of the data
window_end: str = ""  # last day counted; empty: the last day of the data
min_periods: int = 2  # k: a client buys in at least k distinct periods of the window
period: str = "M"  # length of one period for k: "D" days, "W" weeks, "M" calendar months
returns: str = "keep"  # returned orders: "keep" them as purchases or "exclude" them
n_customers: int = 5000  # people in the simulated company
seed: int = 42  # random seed of the simulated company
customer_col: str = "customer_id"  # your file: the customer id column
date_col: str = "date"  # your file: the purchase date column
amount_col: str = "amount"  # your file: the amount column (currency units)
date_format: str = ""  # your file: date format such as "%d/%m/%Y"; empty: ISO dates, or the one reading that fits
decimal: str = "."  # your file: decimal mark of the amounts, "." or ","
thousands: str = ""  # your file: thousands separator in the amounts, such as "," or " "; empty: none
sep: str = ""  # your file: field separator; empty: guessed among , ; tab |
encoding: str = ""  # your file: text encoding such as "cp1252"; empty: UTF-8 or UTF-16 (found by the file's mark)

# %% [markdown]
# Checked, then derived from the parameters: the last day of each bundled data set (the window falls back to its
# last 12 months).

# %%
import custlab as cl

cl.params.require_choice("period", period, {"D": "days", "W": "weeks", "M": "calendar months"})
cl.params.require_choice("returns", returns, {"keep": "returned orders count", "exclude": "they do not"})
if returns == "exclude" and dataset != "simulated":
    raise ValueError("returns='exclude' needs a record of which orders went back, which only the simulated company "
                     "keeps; in a purchase log a return is a negative amount, which the validation rejects and "
                     "counts. Pass returns='keep'.")
DATA_END = {"simulated": "2024-12-31", "cdnow": "1998-06-30"}.get(dataset)  # None: your file's last date

# %% [markdown]
# ## Setup

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

rng = np.random.default_rng(seed)
pd.set_option("display.max_colwidth", 80)
sns.set_theme(style="whitegrid", context="notebook")

# %% [markdown]
# ## 1. Four words, four notions
#
# Ask ten people what a *customer* is and most will say "someone who buys from us". Marketing uses the word
# more broadly:
#
# - **Customer** in the broad sense: every person or organisation that interacts with the company: who saw an ad,
#   visited the shop, asked a question, signed up for the newsletter. In this notebook we call them **contacts**.
# - **Buyer**: the part of the contacts who actually pay for something. Every buyer is a customer; most
#   customers are not buyers.
# - **Client**: a buyer with a lasting relationship, who comes back again and again, or holds a contract or
#   subscription. A one-off buyer is a customer but not (yet) a client.
# - **Consumer**: the one who *uses* what was bought. Often the same person as the buyer, but not always: a gift is
#   bought by one person and used by another; a company buys software seats that its employees use.
#   One can be a consumer without ever paying, and a buyer without ever using.
#
# Customers can also be **internal**: staff and other departments served by the company's own people. They
# matter for service quality but are not the market; data usually has to mark them so they can be set apart.
#
# ### The words in four languages
#
# | notion | English | Russian | Persian | Polish |
# |---|---|---|---|---|
# | anyone who deals with the company | customer | клиент | مشتری (moshtari) | klient |
# | pays for goods or services | buyer, purchaser | покупатель | خریدار (kharidar) | kupujący, nabywca |
# | lasting, repeated relationship | client | постоянный клиент | مشتری دائمی (moshtari-ye daemi) | klient (stały klient) |
# | uses what was bought | consumer, user | потребитель | مصرف‌کننده (masraf-konandeh) | konsument, użytkownik |
# | colleague served inside the company | internal customer | внутренний клиент | مشتری داخلی (moshtari-ye dakheli) | klient wewnętrzny |
#
# One word often covers two notions. Polish *klient* means both the one-off customer and the long-term client,
# and Persian *moshtari* does the same: the difference has to be said with an extra word ("stały", "daemi": regular),
# or made explicit in data. That is what the rest of this notebook does.

# %% [markdown]
# ## 2. The data, checked row by row
#
# By default we use a **simulated company**: 5,000 people who came into contact with it over two years, with
# every table a company would keep (touchpoints, orders, subscriptions, ...). Because it is simulated we also
# know the truth behind it. Set `dataset="cdnow"` for the real purchase log of the CDNOW music store, or give
# the path of your own file.

# %%
world = None
if dataset == "simulated":
    world = cl.crm_world(n_customers, random_state=rng)
    orders, report = cl.validate_transactions(world.orders)
elif dataset == "cdnow":
    orders, report = cl.validate_transactions(cl.load_cdnow())
else:
    columns = {customer_col: "customer_id", date_col: "date", amount_col: "amount"}
    orders, report = cl.load_transactions(dataset, columns=columns, date_format=date_format or None,
                                          decimal=decimal, thousands=thousands or None, sep=sep or None,
                                          encoding=encoding or None)
world

# %% [markdown]
# Before counting anyone, every row of the purchase log is checked: a customer id, a readable date, an amount
# that is a number and not negative. Nothing is dropped without being counted.

# %%
report

# %%
last_day = pd.Timestamp(window_end or DATA_END or orders["date"].max()).normalize()
first_day = (
    pd.Timestamp(window_start)
    if window_start
    else max(last_day - pd.DateOffset(years=1) + pd.Timedelta(days=1), orders["date"].min().normalize())
)
window = (first_day, last_day)
print(f"Window: {first_day.date()} to {last_day.date()} ({(last_day - first_day).days + 1} days)")

# %% [markdown]
# ## 3. From words to rules
#
# Each notion becomes a rule that a computer can apply to every person:
#
# | role | rule in this notebook |
# |---|---|
# | contact | any touchpoint in the window: ad impression, visit, product view, purchase, support call, ... |
# | buyer | at least one purchase in the window (a subscription fee counts) |
# | client | purchases in at least **k** distinct periods of the window, or an active subscription |
# | consumer | uses something bought in the window (the order's `consumer_id`) |
#
# `cl.customer_roles` applies all four rules at once and returns one row per person.

# %%
has_world = world is not None
# What the simulated company keeps beyond its orders; a purchase log has none of it.
world_tables = dict(events=world.events, subscriptions=world.subscriptions, consumer_col="consumer_id",
                    returned_col="returned") if has_world else {}
roles = cl.customer_roles(orders, window=window, min_periods=min_periods, period=period, returns=returns,
                          **world_tables)
roles.head()

# %%
counts = cl.role_counts(roles)
counts

# %%
people = counts["people"]
if has_world:
    print(f"{100 * people['buyer'] / people['contact']:.0f} % of the people the company reached in the window bought "
          f"something, and {100 * people['client'] / people['buyer']:.0f} % of those buyers are clients.")
else:
    print(f"{100 * people['client'] / people['buyer']:.0f} % of the buyers are clients; contacts and consumers "
          "are not in a purchase log.")

# %% [markdown]
# **What this shows.** Each rule picks a smaller group than the one before: contacts, then buyers, then clients
# (who bought in at least k different periods, or subscribe). The consumers are a different group again: they
# include people who never dealt with the company at all. With a purchase-only log (CDNOW, or most files you will
# get), `contact` and `consumer` are `<NA>`: not zero, but unknown.

# %% [markdown]
# ## 4. How the roles overlap
#
# An UpSet chart counts the people in each combination of roles. Each bar is one combination; the dots below it
# say which roles it has.

# %%
ax_bars, ax_dots = cl.plot_role_overlap(roles, title=f"People by combination of roles, {first_day.date()} to {last_day.date()}")

# %%
overlap = cl.role_overlap(roles)
largest = overlap.iloc[overlap["people"].idxmax()]
roles_in_largest = [r for r in cl.ROLES if r in overlap.columns and largest[r]]
described = " + ".join(roles_in_largest) + " and nothing else" if roles_in_largest else "in no role"
print(f"Largest group: {int(largest['people']):,} people who are {described} "
      f"({100 * largest['people'] / overlap['people'].sum():.0f} % of everyone counted).")

# %% [markdown]
# **What this shows.** The roles nest: every client is a buyer, and (where touchpoints are known) every buyer is a
# contact. The consumer dot sits apart from the nest: buyers who use what they buy, plus people who only *use*
# (a gift received, a seat paid for by their employer) and appear in no other role.

# %% [markdown]
# ### Internal and external customers, people and businesses
#
# The simulated company marks staff accounts as `internal` and companies as `business` customers.

# %%
if has_world:
    people = world.customers.set_index("customer_id").loc[roles.index.intersection(world.customers["customer_id"])]
    kinds = people.groupby(["relationship", "kind"]).size().rename("contacts").to_frame()
    kinds["buyers"] = people.assign(buyer=roles["buyer"]).groupby(["relationship", "kind"])["buyer"].sum()
else:
    kinds = "A purchase log does not say who is internal, or a business: that needs a customer table."
kinds

# %% [markdown]
# ## 5. Change the rule, change the count
#
# The head counts are not facts about the world alone: they depend on the rule. Here the number of clients is
# computed for k = 1 to 4 distinct purchase periods, over the last 3, 6 and 12 months of the window (those that fit
# inside it), and in the simulated company with returned orders kept or excluded.

# %%
windows = sorted({(max(last_day - pd.DateOffset(months=m) + pd.Timedelta(days=1), first_day), last_day)
                  for m in (3, 6, 12)})
grid = {"window": windows, "min_periods": [1, 2, 3, 4]}
if has_world:
    grid["returns"] = ["keep", "exclude"]
sensitivity = cl.role_sensitivity(orders, grid=grid, period=period, **world_tables)
sensitivity["window (months)"] = (
    (pd.to_datetime(sensitivity["window_end"]) - pd.to_datetime(sensitivity["window_start"])).dt.days / 30.44
).round().astype(int)
sensitivity.drop(columns=["window_start", "window_end"]).head(8)

# %%
fig, ax = plt.subplots(figsize=(6.5, 3.8))
sns.lineplot(
    data=sensitivity, x="min_periods", y="client", hue="window (months)", style="returns" if has_world else None,
    marker="o", palette="crest", ax=ax,
)
ax.set(xlabel=f"k: distinct purchase periods required ({cl.unit_label(period)})", ylabel="clients (people)",
       xticks=[1, 2, 3, 4], title="Clients under different rules")
sns.move_legend(ax, "upper left", bbox_to_anchor=(1.02, 1), fontsize=8, title_fontsize=8, frameon=False)

# %% [markdown]
# **What this shows.** With k = 1 every buyer is a client; each step up in k can only remove people. A longer
# window gives buyers more chances to come back, so it never finds fewer clients at the same k. Excluding returned
# orders removes the buyers and clients whose only purchases went back. When you read "we have 1,000 clients",
# ask: over which window, with which k, and what about returns?

# %% [markdown]
# ## 6. The same questions on real data: CDNOW
#
# CDNOW was an online music store. Its public data set follows 23,570 people who first bought in the first
# quarter of 1997 until the end of June 1998: one row per purchase, nothing else.

# %%
cdnow = cl.load_cdnow()
cdnow_roles = cl.customer_roles(cdnow, window=("1997-01-01", "1998-06-30"), min_periods=min_periods, period=period)
cl.role_counts(cdnow_roles)

# %% [markdown]
# **What a purchase-only log cannot tell you.** Everyone in CDNOW is a buyer by construction: the data starts at
# the first purchase. It cannot show the people who visited and left, who used a CD someone else bought, or who
# complained without buying again. In the simulated company the same blind spot would hide this many people:

# %%
if has_world:
    blind = pd.Series({
        "contacts who never bought": int((roles["contact"] & ~roles["buyer"]).sum()),
        "consumers who never bought": int((roles["consumer"] & ~roles["buyer"]).sum()),
        "buyers (all a purchase log sees)": int(roles["buyer"].sum()),
    }, name="people")
else:
    blind = "Only the simulated company has touchpoints and users: run with dataset='simulated' to see the gap."
blind

# %% [markdown]
# ## Exercises
#
# **1.** A stricter shop might call a client only someone who buys in at least 3 different *weeks* of the window.
# How many people are clients under that rule (purchases only, subscriptions left out)?

# %%
# Solution
rule_3_weeks = cl.customer_roles(orders, window=window, min_periods=3, period="W")
print(f"{int(rule_3_weeks['client'].sum()):,} clients bought in 3 or more different weeks "
      f"from {first_day.date()} to {last_day.date()}")

# %% [markdown]
# **2.** Who are the consumers who never bought? In the simulated data, gift recipients outside the contact base
# have ids starting with `G`, and business seat users have ids like `C01234-U2`. Count each kind.

# %%
# Solution
if not has_world:
    print("Only the simulated company records who uses what was bought: run with dataset='simulated'.")
only_users = roles.index[roles["consumer"].fillna(False) & ~roles["buyer"].fillna(False)].astype(str)
user_kind = np.where(
    only_users.str.contains("-U"), "business seat user",
    np.where(only_users.str.startswith("G"), "gift recipient, not a contact", "gift recipient, also a contact"),
)
pd.Series(user_kind, name="people").value_counts()

# %% [markdown]
# **3.** Is "client" the same as "loyal"? In the simulated company, compare the clients (the rule set by the
# parameters: `min_periods` and `period`) with the
# latent customer types that generated the data (`world.truth.customers["latent_type"]`).

# %%
# Solution
if has_world:
    truth_types = world.truth.customers.set_index("customer_id")["latent_type"]
    buyers_only = roles[roles["buyer"].fillna(False)]
    answer = pd.crosstab(truth_types.reindex(buyers_only.index), buyers_only["client"].astype(bool),
                         colnames=["client"])
else:
    answer = "The latent types exist only in the simulated data."
answer

# %% [markdown]
# ## Takeaways
#
# - "Customer" is the broad notion (anyone the company deals with); buyers, clients and consumers are narrower,
#   and the consumer need not be the buyer.
# - A definition is a rule with settings: window, number of periods k, what counts as a purchase. Report them with
#   every count.
# - A purchase log sees buyers only. Contacts who never bought, and users who never paid, need other tables.
#
# ## References
#
# - Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005). "Counting your customers" the easy way: an alternative to
#   the Pareto/NBD model. *Marketing Science* 24(2), 275-284. (Source of the CDNOW data set as used here.)
# - Kotler, P. and Keller, K. L. (2016). *Marketing Management*, 15th ed., Pearson: customers, consumers and the
#   buying decision.
# - Lex, A., Gehlenborg, N., Strobelt, H., Vuillemot, R. and Pfister, H. (2014). UpSet: visualization of
#   intersecting sets. *IEEE Transactions on Visualization and Computer Graphics* 20(12), 1983-1992.

# %% [markdown] tags=["custlab-nav"]
# **Next:** [02 · What kinds of customers are there, and can data tell them apart?](02_customer_types.ipynb) · [Contents](contents.ipynb)
