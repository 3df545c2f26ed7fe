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
# # What changes when the log no longer fits in a spreadsheet, or on one laptop?
#
# **You will learn to**
# - write a large transaction log to Parquet in chunks, and read it lazily with Polars, DuckDB or Spark (or all at
#   once with pandas);
# - summarise it where it lives: one custlab call, run by the engine that holds the log, with the same numbers on
#   every engine, and see where the time goes;
# - fit BG/NBD and Gamma-Gamma on the small per-customer table, and point the same code at a cluster or a warehouse
#   table.
#
# **Prerequisites:** notebook 06 (frequency, recency and T; BG/NBD and Gamma-Gamma). No Spark or database
# experience is needed.

# %% [markdown] tags=["custlab-nav"]
# [Contents](contents.ipynb) · Previous: [09 · Can an incentive turn one-time buyers into clients?](09_turning_buyers_into_clients.ipynb) · Next: [R01 · Can we reproduce "Counting your customers the easy way" (Fader, Hardie & Lee, 2005)?](reproductions/01_counting_your_customers_2005.ipynb)

# %% tags=["parameters"]
backend: str = "polars"  # engine that reads and summarises the log: "pandas", "polars", "duckdb" or "spark"
n_transactions: int = 300_000  # rows (purchases) in the simulated log
seed: int = 10  # random seed of the simulated log
spark_master: str = "local[2]"  # where Spark runs: "local[2]" (2 cores here), "spark://host:7077" or "yarn"
table: str = ""  # your own log instead: a table name (duckdb, spark) or a Parquet path; empty: the simulated log
data_path: str = "../build/at_scale/transactions_{n_transactions}_{seed}.parquet"  # the simulated log's file

# %% [markdown]
# Checked, then derived from the parameters. `table` names your own log, read instead of the simulated one: a
# Parquet file (a path: it ends in `.parquet` or holds a `/`), which every engine reads, or a table name, which
# only an engine with tables can look up (DuckDB, Spark). `data_path` is where the simulated log is
# written; `{n_transactions}` and `{seed}` in it are filled in, so logs of different sizes never overwrite each
# other.

# %%
import custlab as cl

cl.params.require_choice("backend", backend, {"pandas": "pandas, all in memory", "polars": "Polars, lazy",
                                              "duckdb": "DuckDB, lazy", "spark": "Apache Spark, lazy"})
cl.params.require_range("n_transactions", n_transactions, 10_000, 1_000_000_000,
                        why="fewer purchases leave too few repeat buyers to fit the models")
table_is_path = table.endswith(".parquet") or "/" in table
if table and not table_is_path and backend in ("pandas", "polars"):
    raise ValueError(f"table={table!r} is a table name, and {backend} reads files, not tables: pass "
                     "backend='duckdb' or backend='spark', or the path of a Parquet file.")
simulated = not table
source = data_path.format(n_transactions=n_transactions, seed=seed) if simulated else table
WINDOW = ("2023-01-01", "2024-12-31")  # the simulated log's first and last day
ACQUIRED_BY = "2023-12-31"  # the last day a simulated customer makes a first purchase

# %% [markdown]
# ## Setup
#
# The engines are imported where they are used: only the one chosen needs to be installed. `seconds` collects the
# time each stage takes, for section 5.

# %%
import time
from contextlib import contextmanager
from pathlib import Path

import matplotlib.pyplot as plt
import narwhals as nw
import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from custlab import lifecycle, retention
from custlab.simulate.large_log import BGNBD, GAMMA_GAMMA, write_transaction_log

rng = np.random.default_rng(seed)
pd.set_option("display.width", 140)
seconds = {}  # wall-clock seconds per stage


@contextmanager
def timed(stage: str):
    """Add the seconds spent inside the block to ``seconds[stage]``."""
    start = time.perf_counter()
    yield
    seconds[stage] = seconds.get(stage, 0.0) + time.perf_counter() - start


# %% [markdown]
# ## The log, simulated and written in chunks
#
# The simulated shop's customers buy as in notebook 06: while "alive", each at their own steady rate (drawn from a
# gamma distribution), and after each repeat purchase each may leave for good (a geometric number of purchases);
# the amount of each purchase is drawn from a gamma distribution around the customer's own mean spend, in currency
# units. First purchases fall in 2023; the log runs to the end of 2024.
#
# The log is written to **Parquet**, the file format of data lakes and warehouses: column by column, compressed,
# in blocks of rows (*row groups*) that each record the range of their values, so an engine reads only the columns
# and blocks a question needs. It is written a million rows at a time, so a log of any length is written with
# the memory of one block.

# %%
if simulated:
    path = write_transaction_log(source, n_transactions, start=WINDOW[0], end=WINDOW[1],
                                 acquisition_end=ACQUIRED_BY, random_state=rng)
    parquet_mb = Path(path).stat().st_size / 1e6
    blocks = pq.read_metadata(path).num_row_groups
    print(f"{n_transactions:,} purchases written: {parquet_mb:.1f} MB of Parquet, in {blocks:,} "
          f"row group{'s' if blocks > 1 else ''} of at most 1,000,000 rows.")
    first_rows = next(pq.ParquetFile(path).iter_batches(batch_size=5)).to_pandas()
else:
    parquet_mb, first_rows = None, None
    print("Your own log is read below; nothing is simulated.")
first_rows

# %% [markdown]
# ## 1. Reading without loading
#
# pandas reads the whole file into memory at once: every row, before anything else can happen. Polars
# (`pl.scan_parquet`), DuckDB (`duckdb.read_parquet`) and Spark (`spark.read.parquet`) are **lazy**: they look at
# the file's schema and hand back a *plan*, a description of the data and of what to do with it. Nothing is read
# yet. Each step added to a plan (a filter, a new column, a group-by) makes the plan longer, not slower. When an
# answer is asked for, the engine's optimiser rewrites the whole plan (read only the columns used, skip the row
# groups a filter rules out), then runs it on all its cores, in pieces. DuckDB and Spark can spill pieces to disk,
# so the data need not fit in memory; Spark can also spread the pieces over many machines.
#
# Spark runs in a Java virtual machine, started once per session. The session reads dates in UTC (so a timestamp
# is read as written, not shifted to this machine's time zone) and keeps its console quiet once started; the few
# lines Spark may print while it starts are its start-up messages, not errors.

# %%
if backend == "spark":
    from pyspark.sql import SparkSession

    with timed("start Spark"):
        spark = (SparkSession.builder.master(spark_master).appName("custlab at scale")
                 .config("spark.sql.session.timeZone", "UTC")
                 .config("spark.ui.enabled", "false")
                 .config("spark.ui.showConsoleProgress", "false")
                 .getOrCreate())
        spark.sparkContext.setLogLevel("ERROR")

# %% [markdown]
# Reading, then one small question asked of the whole log (how many rows, from which day to which): it runs in the
# engine, and only its one-row answer comes back.

# %%
with timed("read"):
    if backend == "pandas":
        log = pd.read_parquet(source)
    elif backend == "polars":
        import polars as pl

        log = pl.scan_parquet(source)
    elif backend == "duckdb":
        import duckdb

        log = duckdb.read_parquet(source) if simulated or table_is_path else duckdb.table(table)
    else:
        log = spark.read.parquet(source) if simulated or table_is_path else spark.table(table)
    facts = (nw.from_native(log).lazy()
             .select(nw.len().alias("rows"), nw.col("date").min().alias("first"), nw.col("date").max().alias("last"))
             .collect().rows(named=True)[0])

held = {"pandas": "a pandas DataFrame: every row, in memory", "polars": "a Polars LazyFrame: a plan, holding no rows",
        "duckdb": "a DuckDB relation: a plan, holding no rows", "spark": "a Spark DataFrame: a plan, holding no rows"}
print(f"log is {held[backend]}. It holds {facts['rows']:,} purchases, from {facts['first']:%Y-%m-%d} "
      f"to {facts['last']:%Y-%m-%d}.")

# %% [markdown]
# The models need a calibration period and a holdout (notebook 06). The holdout is the last year: 2024 for the
# simulated log, the year up to the last purchase for your own.

# %%
observation_end = pd.Timestamp(WINDOW[1]) if simulated else pd.Timestamp(facts["last"]).normalize()
calibration_end = observation_end - pd.DateOffset(years=1)
print(f"Calibration up to {calibration_end:%Y-%m-%d}; holdout from the day after to {observation_end:%Y-%m-%d}.")

# %% [markdown]
# ## 2. The summary is a query
#
# `cl.rfm_summary` (notebook 06) turns the log into one row per customer: frequency (repeat purchases), recency
# and T (weeks), mean spend (currency units), and the purchases and mean spend in the holdout. It is written once,
# with [narwhals](https://narwhals-dev.github.io/narwhals/), a language of table expressions that pandas, Polars,
# DuckDB and Spark all understand, so the same call builds the query in the engine that holds the log. From a lazy
# log the summary comes back lazy too: a plan of the same kind, not yet run. (A pandas log runs through Polars'
# engine and comes back as pandas.)
#
# Before it builds the plan, the summary checks the log in the engine: no missing ids, dates or amounts, no
# purchase after `observation_end`. Bad data stops it with a message that names the column, on every engine.

# %%
with timed("summarise"):
    query = cl.rfm_summary(log, observation_end=observation_end, calibration_end=calibration_end, time_unit="W")
kind = f"{type(query).__module__.split('.')[0]}.{type(query).__name__}"  # e.g. polars.LazyFrame
print(f"rfm_summary gave back a {kind}"
      + (": the summary itself, computed." if backend == "pandas" else ": a plan, not yet run."))

# %% [markdown]
# Asking for the answer runs the plan where the log lives; only the summary travels. Each engine has its own word
# for it: `.collect()` in Polars, `.df()` (pandas) or `.pl()` (Polars) in DuckDB, `.toPandas()` in Spark.

# %%
to_pandas = {"pandas": lambda q: q, "polars": lambda q: q.collect().to_pandas(),
             "duckdb": lambda q: q.df(), "spark": lambda q: q.toPandas()}
with timed("collect"):
    summary = to_pandas[backend](query)
print(f"{len(summary):,} customers with a first purchase by {calibration_end:%Y-%m-%d}, one row each.")
summary.head().round(3)

# %% [markdown]
# ## 3. Cohorts and lifecycle states, on the same engine
#
# The cohort table of notebook 05 reduces the log in the engine as well: customers by the month of their first
# purchase (rows) and the months since (columns). However long the log, it comes back as a small pandas table.

# %%
with timed("cohort table"):
    cohorts = retention.cohort_table(log, freq="M", observation_end=observation_end)
pooled = retention.retention_curve(cohorts)
shown = [k for k in (1, 3, 6, 12) if k in pooled.index and not np.isnan(pooled[k])]
print(f"{len(cohorts)} monthly cohorts, {int(cohorts['cohort_size'].sum()):,} customers. Share of a cohort "
      "buying again: " + ", ".join(f"{pooled[k]:.1%} in month {k}" for k in shown) + ".")
cohorts.iloc[:4, :8]

# %% [markdown]
# The lifecycle states of notebook 04 (new, active, at risk after 3 months without a purchase, churned after 6,
# reactivated) start the same way: the engine finds the months in which each customer bought, and only those come
# back. But the answer has a row for every customer in every month since their first purchase: it grows with
# customers times months, not with purchases. `state_counts` folds it into one row per month. Its size is counted
# before it is built, from the first purchases in the summary (customers who first bought in the holdout come on
# top); beyond 50 million rows it is skipped here, as it would fill the memory of a laptop.

# %%
first_purchase = calibration_end - pd.to_timedelta((7 * summary["T"]).round(), unit="D")  # T: whole days, in weeks
state_rows = int((observation_end.year * 12 + observation_end.month + 1
                  - first_purchase.dt.year * 12 - first_purchase.dt.month).sum())
if state_rows <= 50_000_000:
    with timed("lifecycle states"):
        states = lifecycle.lifecycle_states(log, freq="M", observation_end=observation_end)
        counts = lifecycle.state_counts(states)
    print(f"lifecycle_states: {len(states):,} rows, {len(states) / facts['rows']:.1f} times the log's rows; "
          f"state_counts: {len(counts)} months of customers per state.")
else:
    counts = None
    print(f"lifecycle_states would give {state_rows:,} rows ({state_rows / facts['rows']:.1f} times the log's "
          "rows): skipped.")
counts.tail(3) if counts is not None else None

# %% [markdown]
# ## 4. A model on the small table
#
# The models never see the log: BG/NBD needs three numbers per customer, Gamma-Gamma two per repeat buyer. The
# summary fits in memory, so they are fitted in pandas as in notebook 06. Rates are per week (alpha in weeks);
# Gamma-Gamma's gamma is in currency units. Estimates are shown to 4 significant digits.

# %%
with timed("fit"):
    with cl.params.warnings_as_notes("BG/NBD"):
        bgnbd = cl.BetaGeo().fit(summary, time_unit="W")
    repeat = summary[(summary["frequency"] > 0) & (summary["monetary_value"] > 0)]
    with cl.params.warnings_as_notes("Gamma-Gamma"):
        spend = cl.GammaGamma().fit(repeat)

params = pd.concat([bgnbd.params_, spend.params_])
estimates = pd.DataFrame({"model": ["BG/NBD"] * 4 + ["Gamma-Gamma"] * 3,
                          "unit": ["", "weeks", "", "", "", "", "currency units"],
                          "estimate": [f"{v:.4g}" for v in params]}, index=params.index)
if simulated:
    truth = pd.Series({**BGNBD, **GAMMA_GAMMA})
    estimates["truth"] = truth.map("{:g}".format)
estimates

# %%
if simulated:
    gap = (params / truth - 1).abs()
    print(f"The largest gap between an estimate and the value that generated the log: {gap.max():.0%} "
          f"({gap.idxmax()}, {estimates['model'][gap.idxmax()]}).")
else:
    print("For your own log there is no truth to compare with; see notebook 06 for the checks that replace it.")

# %% [markdown]
# A short forecast, checked on the holdout: the purchases BG/NBD expects from these customers in the holdout
# (each customer's expectation given their calibration history, added up), and the spend per purchase
# Gamma-Gamma expects from the repeat buyers who bought again, beside what happened.

# %%
holdout_weeks = float(summary["duration_holdout"].iloc[0])
expected = bgnbd.conditional_expected_purchases(holdout_weeks, summary["frequency"], summary["recency"],
                                                summary["T"])
made = int(summary["frequency_holdout"].sum())
print(f"In the {holdout_weeks:.1f}-week holdout BG/NBD expects {expected.sum():,.0f} purchases from the "
      f"{len(summary):,} customers; they made {made:,} ({expected.sum() / made - 1:+.1%}).")
came_back = repeat[repeat["frequency_holdout"] > 0]
weights = came_back["frequency_holdout"]
mean_spend = spend.expected_average_spend(came_back["frequency"], came_back["monetary_value"])
print(f"Per holdout purchase, Gamma-Gamma expects {np.average(mean_spend, weights=weights):.2f} currency units "
      f"from the {len(came_back):,} repeat buyers who bought again; they spent "
      f"{np.average(came_back['monetary_value_holdout'], weights=weights):.2f}.")

# %% [markdown]
# ## 5. Where the time goes
#
# The stages timed above: *start Spark* (Spark only: the Java virtual machine and the session), *read* (open the log
# and count its rows and dates), *summarise* (the checks and building the plan; with pandas, running it too),
# *collect* (running the plan and bringing the summary back; with pandas, nothing is left to do), *cohort table*
# and *lifecycle states* (each a query of its own, finished in memory), and *fit* (both models, in memory). With
# pandas the whole file is read at *read*; with a lazy engine the log is read by each query: the count at *read*,
# the checks at *summarise*, the plan at *collect*, then the cohort table's and the states' own.
#
# The seconds change from run to run and machine to machine, so the tests do not compare this cell's output (it is
# tagged `nbval-ignore-output`): run it on your machine, with another `backend` or a larger `n_transactions`.

# %% tags=["nbval-ignore-output"]
# nbval-ignore-output: seconds differ on every run, so the tests do not compare this cell's output.
stages = pd.Series(seconds, name="seconds")
fig, ax = plt.subplots(figsize=(6.5, 0.5 + 0.4 * len(stages)))
ax.barh(stages.index[::-1], stages.to_numpy()[::-1], color="#2b6f97")
ax.set(xlabel="seconds (wall clock, this run)", title=f"{backend}: {facts['rows']:,} purchases")
plt.show()
print(", ".join(f"{stage} {value:.2f} s" for stage, value in stages.items())
      + f": {stages.sum():.1f} s in all, {stages.max() / stages.sum():.0%} of it at {stages.idxmax()}.")

# %% [markdown]
# ## 6. How much smaller is the summary?
#
# In memory a log needs 8 bytes per number: 24 bytes per purchase for the three columns the summary reads. The
# summary needs 8 numbers per customer.

# %%
log_mb = facts["rows"] * 24 / 1e6
summary_mb = summary.memory_usage(deep=True).sum() / 1e6
on_disk = f", {parquet_mb:.1f} MB as Parquet" if parquet_mb is not None else ""
print(f"The log: {facts['rows']:,} rows, {log_mb:.1f} MB in memory{on_disk}.")
print(f"The summary: {len(summary):,} rows, {summary_mb:.1f} MB: {facts['rows'] / len(summary):.1f} times fewer "
      f"rows, about {summary_mb / len(summary) * 1e6:,.0f} MB per million customers.")

# %% [markdown]
# **What this shows.** The log grows with every purchase; the summary by one row per new customer, whatever the
# length of their history. A log of a billion purchases by ten million customers needs 24 GB in memory, its
# summary about 640 MB. So only the first step, the summary, needs an engine that can handle the log; the models
# then fit in memory on one machine, exactly as in notebook 06.

# %% [markdown]
# ## 7. On a cluster or a warehouse
#
# Nothing above depends on where the engine runs. To summarise a log that lives on a cluster:
#
# - **Spark**: give `spark_master` the cluster's address, `"spark://host:7077"` for a standalone cluster or
#   `"yarn"` for Hadoop (with `HADOOP_CONF_DIR` set). This notebook becomes the *driver*: the summary runs on the
#   cluster's machines, next to the data, and only the per-customer table comes back here with `.toPandas()`
#   (mind `spark.driver.maxResultSize` for tens of millions of customers). The data must be where every machine
#   can read it: a table of the cluster's catalog, `table="sales.transactions"` (read with
#   `spark.table(name)`), or a Parquet folder on shared storage, `table="s3a://bucket/transactions.parquet"`.
# - **DuckDB**: `table` is a Parquet path (read with `duckdb.read_parquet(path)`), or the name of a table in a
#   database attached to the session, e.g. after `duckdb.sql("ATTACH 'shop.duckdb'")` in a cell above
#   (read with `duckdb.table(name)`).
# - **Columns**: the summaries look for `customer_id`, `date` (a timestamp) and `amount`. Give a table with other
#   names a view that renames them, e.g.
#   `CREATE VIEW tx AS SELECT client AS customer_id, CAST(paid_at AS TIMESTAMP) AS date, paid AS amount FROM orders`.
#
# From a terminal in the repository's folder, with a table of the cluster's catalog:
#
# ```bash
# .venv/bin/python -m custlab run 10 --output build/cluster \
#     -p backend spark -p spark_master yarn -p table sales.transactions
# ```
#
# **What stays the same:** the calls (`cl.rfm_summary`, `retention.cohort_table`, `lifecycle.lifecycle_states`),
# the numbers they give (the exercise below checks the summary's), and everything after the summary: the models fit
# on the per-customer table in memory, as here.

# %% [markdown]
# ## Exercise
#
# **1.** Summarise the same log with a second engine and check that both summaries hold the same numbers: the same
# customers, and every column equal up to rounding in the last digits.

# %%
# Solution
other = "duckdb" if backend != "duckdb" else "polars"
if not Path(source).exists():
    print(f"{source!r} is not a file on this machine: export the log to Parquet to read it with {other} as well.")
else:
    if other == "duckdb":
        import duckdb

        again = cl.rfm_summary(duckdb.read_parquet(source), observation_end=observation_end,
                               calibration_end=calibration_end, time_unit="W").df()
    else:
        import polars as pl

        again = cl.rfm_summary(pl.scan_parquet(source), observation_end=observation_end,
                               calibration_end=calibration_end, time_unit="W").collect().to_pandas()
    same_customers = summary["customer_id"].equals(again["customer_id"])
    largest = (summary.drop(columns="customer_id") - again.drop(columns="customer_id")).abs().max().max()
    agree = "every column agrees to within 1e-9" if largest < 1e-9 else f"columns differ by up to {largest:.3g}"
    print(f"{backend} and {other}: {'the same' if same_customers else 'different'} customers; {agree}.")

# %% [markdown]
# Spark's session is stopped, which frees its Java virtual machine.

# %%
if backend == "spark":
    spark.stop()

# %% [markdown]
# ## Takeaways
#
# - A lazy engine (Polars, DuckDB, Spark) builds a plan and runs it only when the answer is asked for, reading only
#   what the plan needs; pandas reads everything first.
# - The summary is a query: the same `cl.rfm_summary` call runs in the engine that holds the log, on a laptop or a
#   cluster, with the same numbers.
# - The per-customer summary grows with the customers, not with their purchases, and it is all the models need: fit
#   them in memory.
# - Time the stages on your own data before choosing an engine: starting and planning cost seconds that only a
#   large log earns back.
#
# ## References
#
# - Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005). "Counting your customers" the easy way. *Marketing
#   Science* 24(2), 275-284.
# - Fader, P. S. and Hardie, B. G. S. (2013). The Gamma-Gamma model of monetary value.
# - Raasveldt, M. and Mühleisen, H. (2019). DuckDB: an embeddable analytical database. *Proceedings of SIGMOD
#   2019*, 1981-1984.
# - Zaharia, M. et al. (2016). Apache Spark: a unified engine for big data processing. *Communications of the
#   ACM* 59(11), 56-65.
# - Apache Parquet file format: https://parquet.apache.org/docs/file-format/.

# %% [markdown] tags=["custlab-nav"]
# **Next:** [R01 · Can we reproduce "Counting your customers the easy way" (Fader, Hardie & Lee, 2005)?](reproductions/01_counting_your_customers_2005.ipynb) · [Contents](contents.ipynb)
