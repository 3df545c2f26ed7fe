"""The large simulated log of notebook 10: reproducible, the size asked for, inside its window,
written chunk by chunk, and refusing bad arguments with a message that says what to pass."""

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

import custlab as cl
from custlab.simulate.large_log import BGNBD, write_transaction_log


def test_same_seed_same_content_whatever_the_chunk_size(tmp_path):
    a = pd.read_parquet(write_transaction_log(tmp_path / "a.parquet", 30_000, random_state=4))
    b = pd.read_parquet(write_transaction_log(tmp_path / "b.parquet", 30_000, random_state=4, chunk_rows=7_000))
    c = pd.read_parquet(write_transaction_log(tmp_path / "c.parquet", 30_000,
                                              random_state=np.random.default_rng(4)))
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(a, c)
    other = pd.read_parquet(write_transaction_log(tmp_path / "d.parquet", 30_000, random_state=5))
    assert not a.equals(other)


@pytest.mark.parametrize("rows, chunk_rows", [(1, 10), (1_234, 100_000), (25_000, 4_000), (40_000, 40_000)])
def test_exactly_the_rows_asked_for_in_chunks_of_chunk_rows(tmp_path, rows, chunk_rows):
    path = write_transaction_log(tmp_path / "log.parquet", rows, chunk_rows=chunk_rows, random_state=1,
                                 progress=False)
    meta = pq.read_metadata(path)
    assert meta.num_rows == rows
    sizes = [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]
    assert max(sizes) <= chunk_rows and all(s == chunk_rows for s in sizes[:-1])
    assert [p.name for p in tmp_path.iterdir()] == ["log.parquet"]   # no partial file left behind


def test_dates_inside_the_window_and_first_purchases_by_acquisition_end(tmp_path):
    path = write_transaction_log(tmp_path / "log.parquet", 50_000, start="2022-03-01", end="2022-12-31",
                                 acquisition_end="2022-05-31", random_state=2)
    log = pd.read_parquet(path)
    assert list(log.columns) == ["customer_id", "date", "amount"]
    assert log["date"].min() >= pd.Timestamp("2022-03-01")
    assert log["date"].max() < pd.Timestamp("2023-01-01")
    first = log.groupby("customer_id")["date"].min()
    assert first.max() < pd.Timestamp("2022-06-01")
    # Customers 1, 2, ... in order, each one's purchases in time order; amounts are positive cents.
    assert (np.diff(log["customer_id"]) >= 0).all()
    assert first.index.tolist() == list(range(1, len(first) + 1))
    same_customer = np.diff(log["customer_id"]) == 0
    assert (np.diff(log["date"].to_numpy())[same_customer] >= np.timedelta64(0)).all()
    assert (log["amount"] >= 0.01).all() and np.allclose(log["amount"], log["amount"].round(2))
    # The dates are whole seconds (timestamps without time zone).
    assert (log["date"].dt.microsecond == 0).all() and log["date"].dt.tz is None


def test_the_default_acquisition_period_is_the_first_half_of_the_window(tmp_path):
    log = pd.read_parquet(write_transaction_log(tmp_path / "log.parquet", 20_000, random_state=3))
    first = log.groupby("customer_id")["date"].min()
    assert first.min() >= pd.Timestamp("2023-01-01") and first.max() < pd.Timestamp("2024-01-01")
    assert log["date"].max() > pd.Timestamp("2024-06-30")   # purchases after acquisition continue


def test_the_log_follows_the_models_it_was_drawn_from(tmp_path):
    # BG/NBD fitted on the log's summary lands near the values that generated it.
    log = pd.read_parquet(write_transaction_log(tmp_path / "log.parquet", 100_000, random_state=6))
    summary = cl.rfm_summary(log, observation_end="2024-12-31", time_unit="W")
    fitted = cl.BetaGeo().fit(summary, time_unit="W").params_
    assert np.allclose(fitted[["r", "alpha"]], [BGNBD["r"], BGNBD["alpha"]], rtol=0.15)
    assert abs(log["amount"].mean() - 30.0) < 1.0


@pytest.mark.parametrize("kwargs, error, message", [
    ({"n_transactions": 0}, ValueError, "n_transactions=0: pass at least 1 row"),
    ({"n_transactions": 2.5}, TypeError, "n_transactions must be a whole number of rows; got 2.5"),
    ({"n_transactions": True}, TypeError, "n_transactions must be a whole number"),
    ({"chunk_rows": -1}, ValueError, "chunk_rows=-1: pass at least 1 row"),
    ({"start": "2024-13-01"}, ValueError, "start='2024-13-01' is not a date"),
    ({"start": "2025-01-01"}, ValueError, "end 2024-12-31 is before start 2025-01-01"),
    ({"acquisition_end": "2025-02-01"}, ValueError, "acquisition_end 2025-02-01 is outside the window"),
    ({"bgnbd": {"r": 0.2, "alpha": 4.0, "a": 1.0}}, ValueError,
     "bgnbd needs exactly the keys r, alpha, a, b; missing b"),
    ({"gamma_gamma": {"p": 6.0, "q": -4.0, "gamma": 15.0}}, ValueError, r"gamma_gamma\['q'\]=-4.0: pass a positive"),
])
def test_bad_arguments_are_refused_with_what_to_pass(tmp_path, kwargs, error, message):
    arguments = {"n_transactions": 100, **kwargs}
    with pytest.raises(error, match=message):
        write_transaction_log(tmp_path / "log.parquet", **arguments)
    assert not any(tmp_path.iterdir())


def test_a_folder_is_not_a_file(tmp_path):
    with pytest.raises(ValueError, match="is a folder; pass the path of a Parquet file"):
        write_transaction_log(tmp_path, 100)


def test_the_folder_is_created_and_an_old_file_replaced(tmp_path):
    path = tmp_path / "new" / "folder" / "log.parquet"
    write_transaction_log(path, 500, random_state=1)
    write_transaction_log(path, 300, random_state=1)
    assert pq.read_metadata(path).num_rows == 300


def test_progress_bar_only_when_asked_or_more_than_one_chunk(tmp_path, capsys):
    write_transaction_log(tmp_path / "a.parquet", 5_000, random_state=1)
    assert capsys.readouterr().err == ""
    write_transaction_log(tmp_path / "b.parquet", 5_000, chunk_rows=2_000, random_state=1)
    assert "transaction log" in capsys.readouterr().err
    write_transaction_log(tmp_path / "c.parquet", 5_000, chunk_rows=2_000, random_state=1, progress=False)
    assert capsys.readouterr().err == ""
