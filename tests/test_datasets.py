import shutil

import pandas as pd
import pytest

import custlab as cl
from custlab.datasets import data_dir


def test_cdnow_master_matches_the_published_description():
    tx = cl.load_cdnow()
    assert tx.shape == (69_659, 4)
    assert list(tx.columns) == ["customer_id", "date", "quantity", "amount"]
    assert tx["customer_id"].nunique() == 23_570
    assert tx["date"].min() == pd.Timestamp("1997-01-01")
    assert tx["date"].max() == pd.Timestamp("1998-06-30")
    # Everyone in CDNOW first bought in the first quarter of 1997.
    assert tx.groupby("customer_id")["date"].min().max() <= pd.Timestamp("1997-03-31")


def test_cdnow_sample_is_keyed_by_its_own_id(cdnow_sample):
    assert cdnow_sample.shape == (6_919, 4)
    assert sorted(cdnow_sample["customer_id"].unique()) == list(range(1, 2358))


def test_loader_returns_a_copy():
    a = cl.load_cdnow(sample=True)
    a.loc[0, "amount"] = -1
    assert cl.load_cdnow(sample=True).loc[0, "amount"] != -1


def test_checksum_mismatch_is_detected(tmp_path, monkeypatch):
    shutil.copytree(data_dir() / "cdnow", tmp_path / "cdnow")
    with open(tmp_path / "cdnow" / "CDNOW_sample.txt", "a") as f:
        f.write(" 99999 9999 19980101  1   1.00\n")
    monkeypatch.setenv("CUSTLAB_DATA_DIR", str(tmp_path))
    from custlab.datasets import _read_cdnow

    _read_cdnow.cache_clear()
    try:
        with pytest.raises(OSError, match="checksum"):
            cl.load_cdnow(sample=True)
    finally:
        _read_cdnow.cache_clear()


def test_load_transactions_csv_with_column_mapping(tmp_path):
    f = tmp_path / "log.csv"
    f.write_text("client;day;paid\n7;2024-05-01;12.50\n7;2024-06-01;abc\n8;;3\n")
    tx, report = cl.load_transactions(f, columns={"client": "customer_id", "day": "date", "paid": "amount"})
    assert report.rows_in == 3 and report.rows_accepted == 1
    assert report.rejected == {"missing_date": 1, "non_numeric_amount": 1}
    assert tx["amount"].tolist() == [12.5]


def test_load_transactions_parquet_roundtrip(tmp_path, cdnow_sample):
    f = tmp_path / "log.parquet"
    cdnow_sample.to_parquet(f)
    tx, report = cl.load_transactions(f)
    assert report.rows_accepted == len(cdnow_sample)
    assert tx["amount"].sum() == pytest.approx(cdnow_sample["amount"].sum())


@pytest.mark.parametrize(
    "content, message",
    [("", "empty"), ("customer_id,date,amount\n", "no rows"), ("a,b\n1,2\n", "no column 'customer_id'")],
)
def test_load_transactions_bad_files(tmp_path, content, message):
    f = tmp_path / "bad.csv"
    f.write_text(content)
    with pytest.raises(cl.SchemaError, match=message):
        cl.load_transactions(f)


def test_load_transactions_unknown_rename_and_missing_file(tmp_path):
    f = tmp_path / "log.csv"
    f.write_text("customer_id,date,amount\n1,2024-01-01,3\n")
    with pytest.raises(cl.SchemaError, match="renames \\['kunde'\\]"):
        cl.load_transactions(f, columns={"kunde": "customer_id"})
    with pytest.raises(FileNotFoundError):
        cl.load_transactions(tmp_path / "nope.csv")
    (tmp_path / "log.xlsx").write_text("x")
    with pytest.raises(cl.SchemaError, match="reads .csv"):
        cl.load_transactions(tmp_path / "log.xlsx")
