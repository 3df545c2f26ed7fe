"""The summaries on every engine: pandas, Polars (eager and lazy), DuckDB and a real Spark session.

Each summary is computed from the same log held by each engine and must equal the pandas
answer; lazy inputs must come back lazy; bad input must get the same message everywhere.
Spark runs in local mode on two cores (``local[2]``); it needs Java 17 or later.
"""

import re
import shutil

import numpy as np
import pandas as pd
import polars as pl
import pytest

import custlab as cl
from custlab.lifecycle import funnel, funnel_times, lifecycle_states
from custlab.retention import cohort_table

duckdb = pytest.importorskip("duckdb", reason="the duckdb extra: pip install 'custlab[duckdb]'")

# The Spark cases form one group under `pytest -n 2 --dist loadgroup`: one worker, one Spark session.
BACKENDS = ["pandas", "polars", "polars-lazy", "duckdb", pytest.param("spark", marks=pytest.mark.xdist_group("spark"))]
END, CAL = "1998-06-30", "1997-09-30"


@pytest.fixture(scope="module")
def spark():
    pytest.importorskip("pyspark", reason="the spark extra: pip install 'custlab[spark]'")
    if shutil.which("java") is None:
        pytest.fail("The Spark tests need Java 17 or later: on Debian or Ubuntu, "
                    "`sudo apt-get install openjdk-17-jre-headless`.")
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[2]").appName("custlab-tests")
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.shuffle.partitions", "2").config("spark.driver.memory", "2g")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def connection():
    con = duckdb.connect()
    yield con
    con.close()


@pytest.fixture
def engine(request, connection):
    """A function that hands a pandas frame to the engine named by the test's ``backend``."""
    backend = request.getfixturevalue("backend")
    spark = request.getfixturevalue("spark") if backend == "spark" else None     # the JVM only when asked for

    def to(frame: pd.DataFrame):
        if backend == "pandas":
            return frame
        if backend == "polars":
            return pl.from_pandas(frame)
        if backend == "polars-lazy":
            return pl.from_pandas(frame).lazy()
        if backend == "duckdb":
            return connection.from_arrow(pl.from_pandas(frame).to_arrow())
        # Spark infers a schema from rows: an empty frame needs its schema spelled out.
        if not frame.empty:
            return spark.createDataFrame(frame)
        types = {"object": "string", "float64": "double", "int64": "bigint", "datetime64[ns]": "timestamp"}
        return spark.createDataFrame(frame, schema=", ".join(f"{c} {types[str(t)]}" for c, t in frame.dtypes.items()))
    return to


def as_pandas(result) -> pd.DataFrame:
    """Run a lazy answer and bring any answer into pandas."""
    if isinstance(result, pd.DataFrame):
        return result
    if isinstance(result, pl.LazyFrame):
        result = result.collect()
    if isinstance(result, pl.DataFrame):
        return result.to_pandas()
    if isinstance(result, duckdb.DuckDBPyRelation):
        return result.df()
    return result.toPandas()


def same(result, expected: pd.DataFrame, key: list[str]) -> None:
    got = as_pandas(result)
    assert list(got.columns) == list(expected.columns)
    got = got.sort_values(key).reset_index(drop=True)
    expected = expected.sort_values(key).reset_index(drop=True)
    for c in got.columns:
        if pd.api.types.is_datetime64_any_dtype(expected[c]):
            got[c] = pd.to_datetime(got[c]).astype("datetime64[ns]")
            expected[c] = expected[c].astype("datetime64[ns]")
        if isinstance(expected[c].dtype, pd.CategoricalDtype):
            got[c], expected[c] = got[c].astype(str), expected[c].astype(str)
    # Sums may be added up in another order: equal to 12 significant digits.
    pd.testing.assert_frame_equal(got, expected, check_dtype=False, rtol=1e-12, atol=0)


def kind_kept(result, backend: str) -> None:
    expected = {"pandas": pd.DataFrame, "polars": pl.DataFrame, "polars-lazy": pl.LazyFrame,
                "duckdb": duckdb.DuckDBPyRelation}.get(backend)
    if expected is None:
        from pyspark.sql import DataFrame as SparkFrame
        expected = SparkFrame
    assert isinstance(result, expected), f"{backend} input gave {type(result).__name__}"


@pytest.fixture(scope="module")
def log(cdnow_sample):
    """The CDNOW sample with text ids, times of day and two purchases on one day, in both periods."""
    tx = cdnow_sample[["customer_id", "date", "amount"]].copy()
    rng = np.random.default_rng(5)
    tx["date"] = tx["date"] + pd.to_timedelta(rng.integers(0, 86_400, len(tx)), unit="s")
    tx["customer_id"] = "c" + tx["customer_id"].astype(str).str.zfill(5)
    # c99999's first two purchases are at one moment: without merging, the smaller amount is the first.
    extra = pd.DataFrame({"customer_id": ["c00001", "c00001", "c00002", "c99999", "c99999", "c99999"],
                          "date": pd.to_datetime(["1997-01-01 23:00", "1998-02-03 08:00", "1998-02-03 09:00",
                                                  "1997-03-01 12:00", "1997-03-01 12:00", "1997-05-01 08:00"]),
                          "amount": [7.5, 3.25, 0.0, 4.0, 2.5, 10.0]})
    return pd.concat([tx, extra], ignore_index=True)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("unit, merge", [("W", True), ("M", True), ("D", False)])
def test_rfm_summary_is_the_same_on_every_engine(backend, engine, log, unit, merge):
    expected = cl.rfm_summary(log, observation_end=END, calibration_end=CAL, time_unit=unit, merge_same_day=merge)
    result = cl.rfm_summary(engine(log), observation_end=END, calibration_end=CAL, time_unit=unit,
                            merge_same_day=merge)
    kind_kept(result, backend)
    same(result, expected, ["customer_id"])
    assert expected["frequency"].sum() > 0 and expected["frequency_holdout"].sum() > 0
    tied = expected.set_index("customer_id").loc["c99999"]
    assert tied["monetary_value"] == ((4.0 + 10.0) / 2 if not merge else 10.0)


@pytest.mark.parametrize("backend", BACKENDS)
def test_rfm_summary_without_calibration_or_amounts(backend, engine, log):
    expected = cl.rfm_summary(log, observation_end=END, amount_col=None)
    result = cl.rfm_summary(engine(log), observation_end=END, amount_col=None)
    same(result, expected, ["customer_id"])
    assert list(expected.columns) == ["customer_id", "frequency", "recency", "T"]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("freq, metric", [("M", "customers"), ("W", "orders"), ("Q", "revenue")])
def test_cohort_table_is_the_same_on_every_engine(backend, engine, log, freq, metric):
    expected = cohort_table(log, freq=freq, metric=metric, observation_end=END)
    result = cohort_table(engine(log), freq=freq, metric=metric, observation_end=END)
    pd.testing.assert_frame_equal(result, expected, rtol=1e-12)
    assert result.attrs == expected.attrs


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("freq", ["M", "W"])
def test_lifecycle_states_are_the_same_on_every_engine(backend, engine, log, freq):
    expected = lifecycle_states(log, freq=freq, observation_end=END)
    result = lifecycle_states(engine(log), freq=freq, observation_end=END)
    same(result, expected, ["customer_id", "period"])
    assert set(expected["state"].astype(str)) == {"new", "active", "at_risk", "churned", "reactivated"}


@pytest.fixture(scope="module")
def events(world):
    return world.events[["customer_id", "timestamp", "event_type", "channel"]].copy()


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("options", [dict(), dict(ordered=False, by="channel"), dict(window="90D")],
                         ids=["ordered", "unordered-by-channel", "window"])
def test_funnel_is_the_same_on_every_engine(backend, engine, events, options):
    expected = funnel_times(events, **options)
    result = funnel_times(engine(events), **options)
    kind_kept(result, backend)
    same(result, expected, ["customer_id"])
    table = funnel(engine(events), **options)
    pd.testing.assert_frame_equal(table, funnel(events, **options), rtol=1e-12)
    assert (table["reached"] > 0).all()


def message(call) -> str:
    with pytest.raises((ValueError, TypeError, cl.SchemaError)) as err:
        call()
    # A frame held in memory also names the first rows; the rest of the message is the same everywhere.
    return re.sub(r", at rows? (positions )?\[[^\]]*\]", "", str(err.value))


BAD_LOGS = {
    "missing column": lambda t: t.drop(columns="amount"),
    "dates as text": lambda t: t.assign(date=t["date"].dt.strftime("%d/%m/%Y")),
    "amounts as text": lambda t: t.assign(amount=t["amount"].astype(str)),
    "missing id": lambda t: t.assign(customer_id=t["customer_id"].where(t.index != 3, None)),
    "missing date": lambda t: t.assign(date=t["date"].where(t.index != 3)),
    "infinite amount": lambda t: t.assign(amount=t["amount"].where(t.index != 3, np.inf)),
    "after the end": lambda t: t.assign(date=t["date"].where(t.index != 3, pd.Timestamp("1999-01-01"))),
    "no rows": lambda t: t.iloc[:0],
    "no rows, no types": lambda t: pd.DataFrame({c: pd.Series([], dtype=object) for c in t.columns}),
}


@pytest.mark.parametrize("backend", BACKENDS[1:])
@pytest.mark.parametrize("case", list(BAD_LOGS))
def test_bad_input_gets_the_same_message_on_every_engine(backend, engine, log, case):
    bad = BAD_LOGS[case](log.head(50).copy())
    calls = {
        "rfm_summary": lambda frame: cl.rfm_summary(frame, observation_end=END),
        "cohort_table": lambda frame: cohort_table(frame, metric="revenue", observation_end=END),
    }
    for name, call in calls.items():
        expected = message(lambda: call(bad))
        assert name in expected or "has no column" in expected
        assert message(lambda: call(engine(bad))) == expected


@pytest.mark.parametrize("backend", BACKENDS)
def test_whole_number_amounts_and_plain_dates(backend, engine, log):
    """Amounts held as 32-bit integers are added up without wrapping around; a column of dates is days."""
    big = log.assign(amount=np.int32(2**31 - 1), date=log["date"].dt.normalize())
    if backend in ("polars", "polars-lazy"):
        frame = pl.from_pandas(big).with_columns(pl.col("date").dt.date())
        frame = frame.lazy() if backend == "polars-lazy" else frame
    else:
        frame = engine(big)
    result = as_pandas(cl.rfm_summary(frame, observation_end=END, calibration_end=CAL))
    expected = cl.rfm_summary(big.assign(amount=float(2**31 - 1)), observation_end=END, calibration_end=CAL)
    same(result, expected, ["customer_id"])
    assert (expected.loc[expected["frequency"] > 0, "monetary_value"] >= 2**31 - 1).all()


def test_other_objects_are_refused_with_the_frames_accepted():
    with pytest.raises(TypeError, match="pandas or Polars DataFrame, a Polars LazyFrame, a DuckDB relation or a "
                                        "Spark DataFrame, got dict"):
        cl.rfm_summary({"customer_id": [1]}, observation_end=END)
