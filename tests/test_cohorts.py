"""Cohort tables, retention matrix and curve, and contractual churn, checked against tables worked out by hand."""

import numpy as np
import pandas as pd
import polars as pl
import pytest

from custlab.retention import churn_table, cohort_table, retention_curve, retention_matrix
from custlab.schema import SchemaError


def log(rows):
    """A transaction log from (customer, "YYYY-MM-DD", amount) tuples."""
    customers, dates, amounts = zip(*rows)
    return pd.DataFrame({"customer_id": list(customers), "date": pd.to_datetime(list(dates)),
                         "amount": [float(a) for a in amounts]})


def expected(label, cohorts, sizes, cells, dtype="Int64"):
    """A cohort table written out literally: None marks a missing cell."""
    out = pd.DataFrame(cells, index=pd.DatetimeIndex(cohorts, name="cohort"), dtype=dtype)
    out.insert(0, "cohort_size", np.array(sizes, dtype=np.int64))
    out.columns.name = f"{label} since acquisition"
    return out


# Monthly log, observed to 2024-04-15 (April only partly observed):
#   A: Jan 5 (10), Jan 20 (5), Mar 10 (7), Apr 10 (3)  -> Jan cohort, twice in Jan, April cell left out
#   B: Jan 25 (20), Feb 3 (4)                          -> Jan cohort
#   F: Jan 31 (12)                                     -> Jan cohort
#   C: Feb 14 (8), Apr 12 (1)                          -> Feb cohort, nothing in March (0, not missing)
#   D: Mar 31 (6)                                      -> Mar cohort: last complete month, one cell
#   E: Apr 2 (9)                                       -> April cohort: partly observed, left out
MONTHLY = log([("A", "2024-01-05", 10), ("A", "2024-01-20", 5), ("A", "2024-03-10", 7), ("A", "2024-04-10", 3),
               ("B", "2024-01-25", 20), ("B", "2024-02-03", 4), ("F", "2024-01-31", 12),
               ("C", "2024-02-14", 8), ("C", "2024-04-12", 1), ("D", "2024-03-31", 6), ("E", "2024-04-02", 9)])
COHORTS = ["2024-01-01", "2024-02-01", "2024-03-01"]


def test_customers_monthly_by_hand():
    """metric="customers": buyers per cohort and month; mid-month end drops April (cells and the April cohort)."""
    table = cohort_table(MONTHLY, observation_end="2024-04-15")
    # Jan: A, B, F acquired; Feb: B bought; Mar: A bought. Feb cohort (C) bought nothing in March -> 0.
    want = expected("months", COHORTS, [3, 1, 1], [[3, 1, 1], [1, 0, None], [1, None, None]])
    pd.testing.assert_frame_equal(table, want)
    assert table.attrs["customers_left_out"] == 1          # E, first seen in the partly observed April
    assert (table.attrs["freq"], table.attrs["metric"]) == ("M", "customers")
    assert table.loc["2024-02-01", 1] == 0 and table.loc["2024-02-01", 2] is pd.NA


def test_orders_metric_counts_rows():
    """metric="orders": A's two January purchases count 2 (customers counted A once)."""
    table = cohort_table(MONTHLY, metric="orders", observation_end="2024-04-15")
    # Jan period 0: A x2 + B + F = 4 orders.
    want = expected("months", COHORTS, [3, 1, 1], [[4, 1, 1], [1, 0, None], [1, None, None]])
    pd.testing.assert_frame_equal(table, want)


def test_revenue_metric_sums_amounts():
    """metric="revenue": spend per cell, 0.0 where the cohort bought nothing, NaN past the edge."""
    table = cohort_table(MONTHLY, metric="revenue", observation_end="2024-04-15")
    # Jan period 0: 10 + 5 + 20 + 12 = 47; period 1: B's 4; period 2: A's 7. Feb: C's 8, then 0.
    want = expected("months", COHORTS, [3, 1, 1], [[47.0, 4.0, 7.0], [8.0, 0.0, None], [6.0, None, None]],
                    dtype="float64")
    pd.testing.assert_frame_equal(table, want)
    assert table.attrs["metric"] == "revenue"


def test_month_end_observation_keeps_last_month():
    """observation_end on the last day of April: April is complete, its cells and cohort are shown."""
    table = cohort_table(MONTHLY, observation_end="2024-04-30")
    # April: A (Jan cohort, period 3), C (Feb cohort, period 2), E (new April cohort).
    want = expected("months", COHORTS + ["2024-04-01"], [3, 1, 1, 1],
                    [[3, 1, 1, 1], [1, 0, 1, None], [1, 0, None, None], [1, None, None, None]])
    pd.testing.assert_frame_equal(table, want)
    assert table.attrs["customers_left_out"] == 0


def test_cohort_with_nobody_acquired_is_not_a_row():
    """No customer first bought in February: there is no February row, and ages still count from each cohort."""
    tx = log([("A", "2024-01-10", 1), ("A", "2024-03-05", 1), ("B", "2024-03-20", 1)])
    table = cohort_table(tx, observation_end="2024-03-31")
    want = expected("months", ["2024-01-01", "2024-03-01"], [1, 1], [[1, 0, 1], [1, None, None]])
    pd.testing.assert_frame_equal(table, want)


# 2024-01-07 is a Sunday, 2024-01-08 a Monday.
WEEKLY = log([("A", "2024-01-07", 1), ("A", "2024-01-08", 1), ("B", "2024-01-08", 1),
              ("C", "2024-01-14", 1), ("C", "2024-01-15", 1)])


def test_weeks_run_monday_to_sunday():
    """Sunday and the next Monday fall in different weeks; cohorts labelled by their Monday."""
    table = cohort_table(WEEKLY, freq="W", observation_end="2024-01-21")      # a Sunday: week of Jan 15 complete
    # Week of Jan 1: A (Sun 7th); week 1 A (Mon 8th); week 2 nothing -> 0.
    # Week of Jan 8: B (Mon 8th), C (Sun 14th); week 1 C (Mon 15th).
    want = expected("weeks", ["2024-01-01", "2024-01-08"], [1, 2], [[1, 1, 0], [2, 1, None]])
    pd.testing.assert_frame_equal(table, want)
    assert list(table.index) == [pd.Timestamp("2024-01-01"), pd.Timestamp("2024-01-08")]


def test_week_partly_observed_is_left_out():
    """observation_end on Saturday 2024-01-20: the week of Jan 15 is partly observed and left out."""
    table = cohort_table(WEEKLY, freq="weeks", observation_end="2024-01-20")
    want = expected("weeks", ["2024-01-01", "2024-01-08"], [1, 2], [[1, 1], [2, None]])
    pd.testing.assert_frame_equal(table, want)


def test_weekly_index_has_same_dtype_as_monthly():
    """The cohort index is datetime64[ns] whatever the freq."""
    weekly = cohort_table(WEEKLY, freq="W", observation_end="2024-01-21")
    monthly = cohort_table(MONTHLY, observation_end="2024-04-15")
    assert weekly.index.dtype == monthly.index.dtype == np.dtype("datetime64[ns]")


def test_quarters_are_calendar_quarters():
    """freq="Q": calendar quarters, labelled by their first day; 2024-03-31 and 2024-04-01 in different ones."""
    tx = log([("A", "2023-11-15", 1), ("A", "2024-02-10", 1), ("B", "2024-01-01", 1), ("B", "2024-06-30", 1),
              ("C", "2024-03-31", 1), ("D", "2024-04-01", 1)])
    table = cohort_table(tx, freq="Q", observation_end="2024-06-30")
    # Q4 2023: A; Q1 A; Q2 nothing. Q1 2024: B, C; Q2 B. Q2 2024: D (last complete quarter, one cell).
    want = expected("quarters", ["2023-10-01", "2024-01-01", "2024-04-01"], [1, 2, 1],
                    [[1, 1, 0], [2, 1, None], [1, None, None]])
    pd.testing.assert_frame_equal(table, want)
    assert table.attrs["freq"] == "Q"


@pytest.mark.parametrize("metric", ["customers", "orders", "revenue"])
def test_pandas_polars_and_lazy_agree(metric):
    """pandas, Polars eager and Polars lazy input give the same pandas table."""
    from_pandas = cohort_table(MONTHLY, metric=metric, observation_end="2024-04-15")
    eager = cohort_table(pl.from_pandas(MONTHLY), metric=metric, observation_end="2024-04-15")
    lazy = cohort_table(pl.from_pandas(MONTHLY).lazy(), metric=metric, observation_end="2024-04-15")
    assert isinstance(eager, pd.DataFrame) and isinstance(lazy, pd.DataFrame)
    pd.testing.assert_frame_equal(eager, from_pandas)
    pd.testing.assert_frame_equal(lazy, from_pandas)
    assert eager.attrs == lazy.attrs == from_pandas.attrs


@pytest.mark.parametrize("engine", ["pandas", "polars", "lazy"])
def test_tz_aware_dates_keep_wall_clock_day(engine):
    """Times in America/New_York are read on their local day, not the UTC one."""
    tx = pd.DataFrame({"customer_id": ["A", "A", "B"],
                       "date": pd.to_datetime(["2024-01-31 22:00", "2024-02-29 21:00", "2024-03-31 23:00"])
                       .tz_localize("America/New_York"), "amount": [1.0, 2.0, 3.0]})
    # In UTC these are Feb 1, Mar 1 and Apr 1 (the last after observation_end); locally Jan 31, Feb 29, Mar 31.
    data = {"pandas": tx, "polars": pl.from_pandas(tx), "lazy": pl.from_pandas(tx).lazy()}[engine]
    table = cohort_table(data, observation_end="2024-03-31")
    want = expected("months", ["2024-01-01", "2024-03-01"], [1, 1], [[1, 1, 0], [1, None, None]])
    pd.testing.assert_frame_equal(table, want)


def test_retention_matrix_by_hand():
    """Each row divided by its period 0; missing stays missing."""
    table = cohort_table(MONTHLY, observation_end="2024-04-15")       # rows 3 1 1 / 1 0 NA / 1 NA NA
    matrix = retention_matrix(table)
    want = pd.DataFrame([[1.0, 1 / 3, 1 / 3], [1.0, 0.0, np.nan], [1.0, np.nan, np.nan]],
                        index=pd.DatetimeIndex(COHORTS, name="cohort"),
                        columns=pd.Index([0, 1, 2], name="months since acquisition"))
    pd.testing.assert_frame_equal(matrix, want, check_column_type=False)
    literal = pd.DataFrame({"cohort_size": [5, 2], 0: [4, 2], 1: [3, np.nan], 2: [1, np.nan]})
    np.testing.assert_allclose(retention_matrix(literal).to_numpy(), [[1.0, 0.75, 0.25], [1.0, np.nan, np.nan]])


def test_retention_matrix_revenue():
    """Revenue relative to period 0: Jan 47 -> 4/47, 7/47; Feb 8 -> 0; missing stays NaN."""
    matrix = retention_matrix(cohort_table(MONTHLY, metric="revenue", observation_end="2024-04-15"))
    np.testing.assert_allclose(matrix.to_numpy(), [[1.0, 4 / 47, 7 / 47], [1.0, 0.0, np.nan], [1.0, np.nan, np.nan]])


def test_retention_curve_is_weighted_by_cohort_size():
    """Pooled curve: sum of cells over sum of period 0 of the cohorts observed that far (not a mean of ratios)."""
    table = pd.DataFrame({"cohort_size": [10, 2], 0: [10, 2], 1: [5, 2], 2: [2, np.nan]})
    curve = retention_curve(table)
    # Period 1: (5 + 2) / (10 + 2) = 7/12 (the mean of ratios would be (0.5 + 1) / 2 = 0.75).
    # Period 2: only the first cohort is observed: 2 / 10.
    assert curve.tolist() == pytest.approx([1.0, 7 / 12, 0.2])
    assert curve.index.tolist() == [0, 1, 2]


def test_retention_curve_on_cohort_table():
    """Curve of the monthly example: period 1 (1 + 0) / (3 + 1), period 2 1 / 3."""
    curve = retention_curve(cohort_table(MONTHLY, observation_end="2024-04-15"))
    assert curve.tolist() == pytest.approx([1.0, 0.25, 1 / 3])
    assert curve.index.name == "months since acquisition"


# Subscriptions observed to 2024-04-10 (April partly observed, not shown):
SUBS = pd.DataFrame({
    "start_date": pd.to_datetime(["2024-01-03", "2024-01-10", "2024-01-20", "2024-02-01",
                                  "2024-02-20", "2024-03-05", "2024-03-15", "2024-01-31"]),
    "end_date": pd.to_datetime([None, "2024-02-15", "2024-01-28", "2024-03-31",
                                None, "2024-03-20", "2024-04-05", "2024-03-01"]),
    "plan": ["basic", "pro", "basic", "pro", "basic", "pro", "basic", "basic"],
})
COLUMNS = ["month", "active_at_start", "new", "cancelled", "cancelled_of_active", "churn_rate"]


def test_churn_table_by_hand():
    """Per month: active at start, new, cancelled; started-and-cancelled in one month is not in the rate."""
    table = churn_table(SUBS, observation_end="2024-04-10")
    # Jan: nobody before; new 1,2,3,8; cancelled 3 (same month). Feb: active 1,2,8; new 4,5; cancelled 2 -> 1/3.
    # Mar: active 1,8,4,5; new 6,7; cancelled 8,4 (both active at start) and 6 (same month) -> 2/4.
    want = pd.DataFrame([[pd.Timestamp("2024-01-01"), 0, 4, 1, 0, np.nan],
                         [pd.Timestamp("2024-02-01"), 3, 2, 1, 1, 1 / 3],
                         [pd.Timestamp("2024-03-01"), 4, 2, 3, 2, 0.5]], columns=COLUMNS)
    pd.testing.assert_frame_equal(table, want)


def test_churn_table_by_plan():
    """by="plan" splits the counts per plan, plans sorted."""
    table = churn_table(SUBS, observation_end="2024-04-10", by="plan")
    # basic = 1,3,5,7,8; pro = 2,4,6.
    months = [pd.Timestamp("2024-01-01"), pd.Timestamp("2024-02-01"), pd.Timestamp("2024-03-01")]
    want = pd.DataFrame([["basic", months[0], 0, 3, 1, 0, np.nan],
                         ["basic", months[1], 2, 1, 0, 0, 0.0],
                         ["basic", months[2], 3, 1, 1, 1, 1 / 3],
                         ["pro", months[0], 0, 1, 0, 0, np.nan],
                         ["pro", months[1], 1, 1, 1, 1, 1.0],
                         ["pro", months[2], 1, 1, 2, 1, 1.0]], columns=["plan"] + COLUMNS)
    pd.testing.assert_frame_equal(table, want)


def test_churn_table_refuses_no_full_month():
    """observation_end before the end of the first month: no month is fully observed."""
    with pytest.raises(ValueError, match="no calendar month is fully observed"):
        churn_table(SUBS.iloc[:1], observation_end="2024-01-20")


@pytest.mark.parametrize("kwargs, match", [
    ({"freq": "D"}, "freq='D'"),
    ({"freq": "Y"}, "freq='Y'"),
    ({"metric": "clv"}, "metric='clv'"),
    ({"customer_col": "cust"}, "no column 'cust'"),
    ({"date_col": "when"}, "no column 'when'"),
])
def test_bad_arguments(kwargs, match):
    """Unknown freq ("D" refused) or metric, and a missing column named in the message."""
    with pytest.raises(ValueError, match=match):
        cohort_table(MONTHLY, observation_end="2024-04-15", **kwargs)


def test_revenue_needs_amount_column():
    """metric="revenue" without the amount column names it; the other metrics do not need it."""
    tx = MONTHLY.drop(columns="amount")
    with pytest.raises(SchemaError, match="no column 'amount'"):
        cohort_table(tx, metric="revenue", observation_end="2024-04-15")
    assert cohort_table(tx, metric="orders", observation_end="2024-04-15").shape == (3, 4)


@pytest.mark.parametrize("engine", ["pandas", "polars"])
def test_non_datetime_dates_refused(engine):
    """A date column of text is refused."""
    tx = MONTHLY.assign(date=MONTHLY["date"].dt.strftime("%Y-%m-%d"))
    data = tx if engine == "pandas" else pl.from_pandas(tx)
    with pytest.raises(ValueError, match="not dates"):
        cohort_table(data, observation_end="2024-04-15")


def test_purchases_after_observation_end_refused():
    """A purchase dated after observation_end is an error, not silently dropped."""
    with pytest.raises(ValueError, match=r"1 purchase\(s\) are dated after observation_end 2024-04-11"):
        cohort_table(MONTHLY, observation_end="2024-04-11")        # C bought on Apr 12


def test_empty_log_refused():
    """A log with no rows is refused."""
    with pytest.raises(ValueError, match="no rows"):
        cohort_table(MONTHLY.iloc[:0], observation_end="2024-04-15")
    with pytest.raises(ValueError, match="no rows"):
        cohort_table(pl.from_pandas(MONTHLY.iloc[:0]), observation_end="2024-04-15")


def test_empty_lazy_log_refused_as_empty():
    """An empty lazy log is refused as empty, like the eager ones."""
    with pytest.raises(ValueError, match="no rows"):
        cohort_table(pl.from_pandas(MONTHLY.iloc[:0]).lazy(), observation_end="2024-04-15")


def test_observation_end_before_any_full_period_refused():
    """All purchases in a month that is not over yet: nothing to show."""
    tx = log([("A", "2024-01-03", 1), ("B", "2024-01-10", 1)])
    with pytest.raises(ValueError, match="no month is fully observed by observation_end 2024-01-20"):
        cohort_table(tx, observation_end="2024-01-20")
    with pytest.raises(ValueError, match="no week is fully observed"):
        cohort_table(tx.iloc[:1], freq="W", observation_end="2024-01-06")   # a Saturday: week of Jan 1 unfinished


def test_lazy_log_with_missing_date_refused():
    """A missing date is refused for lazy input as for eager input, not silently dropped."""
    tx = pl.from_pandas(log([("A", "2024-01-05", 1), ("B", "2024-01-09", 2)])).with_columns(
        date=pl.when(pl.col("customer_id") == "B").then(None).otherwise(pl.col("date")))
    with pytest.raises(ValueError, match="missing value"):
        cohort_table(tx, observation_end="2024-02-29")                      # eager: refused
    with pytest.raises(ValueError, match="missing value"):
        cohort_table(tx.lazy(), observation_end="2024-02-29")
