"""Files as analysts get them: Excel and shop exports from several countries.

Each test writes the file the way the exporting program does, reads it, and
checks the values read, not only that nothing failed.
"""

import numpy as np
import pandas as pd
import polars as pl
import pytest

import custlab as cl
from custlab.readers import AmbiguousDateError, EncodingError
from custlab.schema import require_complete

T = pd.Timestamp


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def dates(tx):
    return tx["date"].dt.strftime("%Y-%m-%d %H:%M").str.replace(" 00:00", "").tolist()


# ------------------------------------------------------------------ encodings


def test_utf8_with_bom_as_excel_csv_utf8(tmp_path):
    f = write(tmp_path, "export.csv", "customer_id,date,amount\nc1,2024-01-05,10.50\nc2,2024-01-06,3\n",
              "utf-8-sig")
    tx, report = cl.load_transactions(f)
    assert list(tx.columns) == ["customer_id", "date", "amount"]
    assert tx["customer_id"].tolist() == ["c1", "c2"] and tx["amount"].tolist() == [10.5, 3.0]
    assert any("byte-order mark" in n for n in report.notes)


def test_utf16_tab_separated_as_excel_unicode_text(tmp_path):
    text = ("customer_id\tname\tdate\tamount\r\n"
            "c1\tZoë Ålund\t2024-01-05\t10.50\r\n"
            "c2\tŁukasz\t2024-02-01\t7\r\n")
    f = write(tmp_path, "unicode.txt", text, "utf-16")  # Python writes the byte-order mark, as Excel does
    assert f.read_bytes()[:2] == b"\xff\xfe"
    tx, report = cl.load_transactions(f)
    assert tx["name"].tolist() == ["Zoë Ålund", "Łukasz"]
    assert dates(tx) == ["2024-01-05", "2024-02-01"] and tx["amount"].tolist() == [10.5, 7.0]
    assert any("UTF-16" in n for n in report.notes)
    assert any("'\\t' (tab)" in n and "guessed" in n for n in report.notes)


def test_utf16_without_byte_order_mark_names_the_encoding(tmp_path):
    f = write(tmp_path, "raw16.csv", "customer_id,date,amount\nc1,2024-01-05,1\n", "utf-16-le")
    with pytest.raises(EncodingError, match="encoding='utf-16-le'"):
        cl.load_transactions(f)
    tx, _ = cl.load_transactions(f, encoding="utf-16-le")
    assert tx["customer_id"].tolist() == ["c1"]


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1"])
def test_legacy_western_encoding_is_refused_then_read(tmp_path, encoding):
    text = "customer_id;name;date;amount\nc1;Müller;2024-01-05;10\nc2;Renée Façon;2024-01-06;20\n"
    f = write(tmp_path, "ansi.csv", text, encoding)
    with pytest.raises(EncodingError) as err:
        cl.load_transactions(f)
    message = str(err.value)
    assert "e.g. encoding='cp1252'" in message
    assert "line 2, column 5" in message and "0xFC" in message  # the ü of Müller
    assert "'c1;Müller;2024-01-05;10'" in message  # the line as cp1252 would read it
    tx, report = cl.load_transactions(f, encoding=encoding)
    assert tx["name"].tolist() == ["Müller", "Renée Façon"]
    assert f"read with encoding={encoding!r}" in report.notes


def test_wrong_encoding_given_shows_where(tmp_path):
    f = write(tmp_path, "ansi.csv", "customer_id,date,amount\nRenée,2024-01-05,10\n", "cp1252")
    with pytest.raises(EncodingError, match=r"not valid UTF-8.*line 2"):
        cl.load_transactions(f, encoding="utf-8")
    with pytest.raises(ValueError, match="not an encoding Python knows"):
        cl.load_transactions(f, encoding="win-latin")


def test_a_utf16_file_read_as_utf8_says_utf16(tmp_path):
    f = tmp_path / "u16.csv"
    f.write_bytes("customer_id\tdate\tamount\nc1\t2024-01-05\t1\n".encode("utf-16"))
    with pytest.raises(EncodingError, match="UTF-16 byte-order mark.*encoding='utf-16'"):
        cl.load_transactions(f, encoding="utf-8")


# ------------------------------------------------------------------ separators and numbers


def test_semicolon_separated_with_decimal_commas_german_excel(tmp_path):
    text = ("Kundennummer;Datum;Betrag\n"
            "1001;13.05.2024;1.234,50 €\n"
            "1001;01.06.2024;12,50 €\n"
            "1002;02.06.2024;-3,00 €\n")
    f = write(tmp_path, "umsatz.csv", text, "cp1252")
    columns = {"Kundennummer": "customer_id", "Datum": "date", "Betrag": "amount"}
    with pytest.raises(cl.TransactionValidationError) as err:
        cl.load_transactions(f, columns=columns, encoding="cp1252")
    assert err.value.report.rejected == {"non_numeric_amount": 3}
    hint = "pass decimal=',' and thousands='.'"
    assert any("'1.234,50'" in n and hint in n for n in err.value.report.notes)
    tx, report = cl.load_transactions(f, columns=columns, encoding="cp1252", decimal=",", thousands=".")
    assert tx["amount"].tolist() == [1234.5, 12.5]
    assert report.rejected == {"negative_amount": 1}
    assert dates(tx) == ["2024-05-13", "2024-06-01"]
    assert any("fields separated by ';'" in n for n in report.notes)
    assert any("'€' (3)" in n for n in report.notes)
    assert any("day first" in n and "'13.05.2024'" in n for n in report.notes)


@pytest.mark.parametrize("sep, name", [("|", "'|'"), ("\t", "'\\t' (tab)")])
def test_pipe_and_tab_separators_are_found(tmp_path, sep, name):
    rows = [["customer_id", "date", "amount"], ["c1", "2024-01-05", "1,5"], ["c2", "2024-01-07", "2,25"]]
    f = write(tmp_path, "log.txt", "\n".join(sep.join(r) for r in rows) + "\n")
    tx, report = cl.load_transactions(f, decimal=",")
    assert tx["amount"].tolist() == [1.5, 2.25]
    assert f"fields separated by {name}, guessed from the first lines (pass sep= to choose)" in report.notes
    tx, report = cl.load_transactions(f, decimal=",", sep=sep)
    assert len(tx) == 2 and not any("guessed" in n for n in report.notes)


def test_excel_sep_line_names_the_separator(tmp_path):
    f = write(tmp_path, "log.csv", "sep=;\ncustomer_id;date;amount\nc1;2024-01-05;2\n")
    tx, report = cl.load_transactions(f)
    assert tx["amount"].tolist() == [2.0]
    assert any("'sep=;'" in n for n in report.notes)


def test_thousands_separators_are_never_guessed(tmp_path):
    text = 'customer_id,date,amount\nc1,2024-01-05,"1,100.50"\nc2,2024-01-06,12.00\n'
    f = write(tmp_path, "us.csv", text)
    _, report = cl.load_transactions(f)
    assert report.rejected == {"non_numeric_amount": 1}
    assert any("'1,100.50'" in n and "pass thousands=','" in n for n in report.notes)
    with pytest.raises(cl.TransactionValidationError, match="pass thousands=','"):
        cl.load_transactions(f, strict=True)
    tx, _ = cl.load_transactions(f, thousands=",")
    assert tx["amount"].tolist() == [1100.5, 12.0]
    # "1,100" alone is 1.1 or 1100: the hint gives both readings and does not pick one.
    g = write(tmp_path, "ambiguous.csv", 'customer_id,date,amount\nc1,2024-01-05,"1,100"\n')
    with pytest.raises(cl.TransactionValidationError) as err:
        cl.load_transactions(g)
    hint = " ".join(err.value.report.notes)
    assert "1.1 with decimal=','" in hint and "1100 with thousands=','" in hint and "does not guess" in hint


def test_unquoted_thousands_in_a_comma_file_names_the_line(tmp_path):
    text = "customer_id,date,amount\nc1,2024-01-05,12.00\nc2,2024-01-06,1,100.50\n"
    f = write(tmp_path, "broken.csv", text)
    with pytest.raises(cl.readers.ReadError, match=r"line 3, saw 4.*must be quoted"):
        cl.load_transactions(f, sep=",")


def test_currency_symbols_and_codes_are_removed_and_counted(tmp_path):
    text = ("customer_id,date,amount\n"
            "c1,2024-01-05,$12.50\n"
            "c1,2024-01-06,-$3.00\n"
            "c2,2024-01-07,USD 4\n"
            'c3,2024-01-08,"$1,250.00"\n'
            "c4,2024-01-09,7.25 US$\n")
    tx, report = cl.load_transactions(write(tmp_path, "shop.csv", text), thousands=",")
    assert tx["amount"].tolist() == [12.5, 4.0, 1250.0, 7.25]
    assert report.rejected == {"negative_amount": 1}
    counted = "currency marks removed from 5 amount(s) in column 'amount': '$' (3), 'US$' (1), 'USD' (1)"
    assert counted in report.notes


def test_decimal_comma_hint_in_a_frame():
    raw = pd.DataFrame({"customer_id": [1, 2], "date": ["2024-01-01", "2024-01-02"],
                        "amount": ["12,50", "3,99"]})
    with pytest.raises(cl.TransactionValidationError) as err:
        cl.validate_transactions(raw)
    assert any("'12,50'" in n and "pass decimal=','" in n for n in err.value.report.notes)
    clean, _ = cl.validate_transactions(raw, decimal=",")
    assert clean["amount"].tolist() == [12.5, 3.99]


def test_huge_amounts_get_their_own_reason_and_never_reach_inf():
    raw = pd.DataFrame({"customer_id": ["a", "a", "a", "b"],
                        "date": ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"],
                        "amount": ["1e308", "1e308", "5", "inf"]})
    clean, report = cl.validate_transactions(raw)
    assert report.rejected == {"amount_too_large": 2, "non_finite_amount": 1}
    assert "overflow" in cl.schema.REJECT_REASONS["amount_too_large"]
    assert clean["amount"].tolist() == [5.0]
    tx = pd.DataFrame({"customer_id": ["a", "a"], "date": pd.to_datetime(["2024-01-01", "2024-01-02"]),
                       "amount": [1e308, 1e308]})
    with pytest.raises(ValueError, match=r"(?s)overflow.*validate_transactions"):
        cl.rfm_summary(tx, observation_end="2024-12-31")


# ------------------------------------------------------------------ dates


AMBIGUOUS = "customer_id,date,amount\nc1,02/08/2024,1\nc1,03/08/2024,2\nc2,11/12/2024,3\n"


def test_ambiguous_day_first_dates_are_refused(tmp_path):
    f = write(tmp_path, "uk.csv", AMBIGUOUS)
    with pytest.raises(AmbiguousDateError) as err:
        cl.load_transactions(f)
    message = str(err.value)
    assert "row 0 ('02/08/2024') -> 2024-08-02 day first, 2024-02-08 month first" in message
    assert "date_format='%d/%m/%Y'" in message and "dayfirst=True" in message
    assert "date_format='%m/%d/%Y'" in message and "dayfirst=False" in message
    assert isinstance(err.value, ValueError)
    uk, report = cl.load_transactions(f, dayfirst=True)
    assert dates(uk) == ["2024-08-02", "2024-08-03", "2024-12-11"]
    assert any("dayfirst=True" in n for n in report.notes)
    us, _ = cl.load_transactions(f, dayfirst=False)
    assert dates(us) == ["2024-02-08", "2024-03-08", "2024-11-12"]
    fmt, _ = cl.load_transactions(f, date_format="%d/%m/%Y")
    assert dates(fmt) == dates(uk)


def test_day_first_dates_with_one_telling_row_are_read_and_noted(tmp_path):
    f = write(tmp_path, "uk.csv", AMBIGUOUS + "c3,13/08/2024,4\n")
    tx, report = cl.load_transactions(f)
    assert dates(tx) == ["2024-08-02", "2024-08-03", "2024-12-11", "2024-08-13"]
    note = next(n for n in report.notes if "column 'date'" in n)
    assert "day first" in note and "'%d/%m/%Y'" in note
    assert "row 3 ('13/08/2024') cannot be month first" in note


def test_two_digit_years_with_dots(tmp_path):
    f = write(tmp_path, "de.csv", "customer_id;date;amount\nc1;10.01.24;1\nc1;31.12.23;2\nc2;05.03.99;3\n")
    tx, report = cl.load_transactions(f)
    assert dates(tx) == ["2024-01-10", "2023-12-31", "1999-03-05"]
    assert any("'%d.%m.%y'" in n and "two-digit years" in n for n in report.notes)


def test_month_first_us_dates_with_times(tmp_path):
    text = ("customer_id,date,amount\n"
            "c1,1/5/2024 3:45 PM,10\n"
            "c1,12/31/2024 11:00 AM,5\n"
            "c2,2/13/2024 12:05 AM,7\n")
    tx, report = cl.load_transactions(write(tmp_path, "us.csv", text))
    assert dates(tx) == ["2024-01-05 15:45", "2024-12-31 11:00", "2024-02-13 00:05"]
    assert any("month first" in n and "'%m/%d/%Y %I:%M %p'" in n for n in report.notes)


def test_a_column_is_never_read_two_ways(tmp_path):
    # ISO for most rows: the one row in another format is rejected, with the format named.
    text = "customer_id,date,amount\nc1,2024-01-05,1\nc1,2024-02-10,2\nc2,03/15/2024,3\n"
    tx, report = cl.load_transactions(write(tmp_path, "mixed.csv", text))
    assert dates(tx) == ["2024-01-05", "2024-02-10"]
    assert report.rejected == {"unparseable_date": 1}
    assert any("'03/15/2024'" in n and "ISO 8601" in n and "date_format=" in n for n in report.notes)
    # Day first in one row, month first in another: refused, never read half one way and half the other.
    text = "customer_id,date,amount\nc1,13/08/2024,1\nc1,08/14/2024,2\nc2,01/02/2024,3\n"
    f = write(tmp_path, "orders.csv", text)
    with pytest.raises(AmbiguousDateError,
                       match=r"mixes day-first and month-first.*'13/08/2024'.*'08/14/2024'"):
        cl.load_transactions(f)
    tx, report = cl.load_transactions(f, dayfirst=True)
    assert dates(tx) == ["2024-08-13", "2024-02-01"] and report.rejected == {"unparseable_date": 1}
    # Two formats, equally many rows: refused.
    tie = pd.DataFrame({"customer_id": [1, 2], "date": ["2024-01-05", "05.01.2024"], "amount": [1, 2]})
    with pytest.raises(AmbiguousDateError, match="two formats"):
        cl.validate_transactions(tie)


def test_datetime_columns_time_zones_and_yyyymmdd_still_work():
    aware = pd.to_datetime(["2024-03-31 01:30", "2024-03-31 03:30"]).tz_localize("Europe/Warsaw")
    clean, _ = cl.validate_transactions(pd.DataFrame({"customer_id": [1, 2], "date": aware,
                                                      "amount": [1, 2]}))
    assert dates(clean) == ["2024-03-31 01:30", "2024-03-31 03:30"]
    clean, _ = cl.validate_transactions(pd.DataFrame({"customer_id": [1], "date": [19971231], "amount": [1]}))
    assert dates(clean) == ["1997-12-31"]
    clean, _ = cl.validate_transactions(pd.DataFrame({"customer_id": [1], "date": ["19971231"],
                                                      "amount": [1]}))
    assert dates(clean) == ["1997-12-31"]


# ------------------------------------------------------------------ ids


def test_ids_with_stray_spaces_are_one_customer(tmp_path):
    text = ("customer_id,date,amount\n"
            " c1,2024-01-05,1\nc1 ,2024-01-06,2\nc1,2024-01-07,3\n\u00a0c2,2024-01-07,4\n")
    tx, report = cl.load_transactions(write(tmp_path, "ids.csv", text))
    assert tx["customer_id"].tolist() == ["c1", "c1", "c1", "c2"]
    stripped = "surrounding spaces removed from 3 id(s) in column 'customer_id' (e.g. ' c1' read as 'c1')"
    assert stripped in report.notes
    s = cl.rfm_summary(tx, observation_end="2024-01-31", time_unit="D")
    assert s["customer_id"].tolist() == ["c1", "c2"] and s["frequency"].tolist() == [2, 0]


def test_mixed_id_types_become_text_and_unvalidated_ones_are_refused():
    raw = pd.DataFrame({"customer_id": pd.Series([1, "x", "1", 2.0], dtype=object),
                        "date": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"]),
                        "amount": [1.0, 2.0, 3.0, 4.0]})
    with pytest.raises(ValueError, match=r"mixes ids of different types.*validate_transactions"):
        cl.rfm_summary(raw, observation_end="2024-01-31")
    with pytest.raises(ValueError, match="validate_transactions"):
        cl.customer_roles(raw, window=("2024-01-01", "2024-01-31"))
    clean, report = cl.validate_transactions(raw)
    assert clean["customer_id"].tolist() == ["1", "x", "1", "2"]
    assert any("mixed numbers" in n and "every id is read as text" in n for n in report.notes)
    s = cl.rfm_summary(clean, observation_end="2024-01-31", time_unit="D")
    assert s["customer_id"].tolist() == ["1", "2", "x"] and s["frequency"].tolist() == [1, 0, 0]


def test_whole_number_ids_stay_whole_numbers():
    raw = pd.DataFrame({"customer_id": [3, 1], "date": ["2024-01-01", "2024-01-02"], "amount": [1, 2]})
    clean, report = cl.validate_transactions(raw)
    assert clean["customer_id"].dtype == "int64" and report.notes == []
    floats = pd.DataFrame({"customer_id": [3.0, np.nan, 1.0], "date": ["2024-01-01"] * 3,
                           "amount": [1, 2, 3]})
    clean, report = cl.validate_transactions(floats)
    assert clean["customer_id"].tolist() == [3, 1] and clean["customer_id"].dtype == "int64"


# ------------------------------------------------------------------ frames that skipped validation


@pytest.mark.parametrize("to_frame", [lambda d: d, pl.from_pandas], ids=["pandas", "polars"])
def test_missing_values_in_an_unvalidated_frame_are_refused(to_frame):
    tx = pd.DataFrame({"customer_id": ["a", "a", "b"],
                       "date": pd.to_datetime(["2024-01-01", None, "2024-01-03"]),
                       "amount": [1.0, 2.0, 3.0]})
    with pytest.raises(ValueError,
                       match=r"column 'date' \(date_col\) has 1 missing value.*validate_transactions"):
        cl.rfm_summary(to_frame(tx), observation_end="2024-01-31")
    nan_amount = tx.assign(date=pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03"]),
                           amount=[1.0, np.nan, 3.0])
    with pytest.raises(ValueError, match=r"column 'amount'.*missing value"):
        cl.rfm_summary(to_frame(nan_amount), observation_end="2024-01-31")
    no_id = nan_amount.assign(amount=1.0, customer_id=["a", None, "b"])
    with pytest.raises(ValueError, match=r"column 'customer_id'.*missing value"):
        cl.rfm_summary(to_frame(no_id), observation_end="2024-01-31")
    # The complete frame works, for pandas and Polars alike.
    ok = cl.rfm_summary(to_frame(nan_amount.assign(amount=1.0)), observation_end="2024-01-31", time_unit="D")
    assert len(ok) == 2


def test_customer_roles_refuses_missing_dates():
    tx = pd.DataFrame({"customer_id": ["a", "b"], "date": pd.to_datetime(["2024-01-01", None])})
    with pytest.raises(ValueError,
                       match=r"customer_roles: column 'date'.*at rows \[1\].*validate_transactions"):
        cl.customer_roles(tx, window=("2024-01-01", "2024-12-31"))
    columns = {"customer_col": "customer_id", "date_col": "date"}
    assert require_complete(tx.dropna(), columns, caller="x") is None


def test_calibration_end_before_the_first_purchase_is_refused():
    tx = pd.DataFrame({"customer_id": [1, 1], "date": pd.to_datetime(["2024-03-01", "2024-04-01"]),
                       "amount": [1.0, 2.0]})
    with pytest.raises(ValueError,
                       match=r"calibration_end 2024-02-29 is before the first purchase.*2024-03-01"):
        cl.rfm_summary(tx, observation_end="2024-12-31", calibration_end="2024-02-29")
    s = cl.rfm_summary(tx, observation_end="2024-12-31", calibration_end="2024-03-01", time_unit="D")
    assert s["frequency"].tolist() == [0] and s["frequency_holdout"].tolist() == [1]


# ------------------------------------------------------------------ paths


def test_relative_paths_start_at_the_working_directory(tmp_path, monkeypatch):
    (tmp_path / "data").mkdir()
    write(tmp_path / "data", "orders.csv", "customer_id,date,amount\nc1,2024-01-05,1\n")
    monkeypatch.chdir(tmp_path)
    tx, _ = cl.load_transactions("data/orders.csv")
    assert tx["customer_id"].tolist() == ["c1"]
    with pytest.raises(FileNotFoundError) as err:
        cl.load_transactions("data/order.csv")
    message = str(err.value)
    assert str(tmp_path / "data" / "order.csv") in message and "current working directory" in message
    assert "['orders.csv']" in message


# ------------------------------------------------------------------ whole exports by country


def test_polish_export(tmp_path):
    text = ("Klient;Data;Kwota\n"
            "Kowalski Sp. z o.o.;05.01.2024;1 234,56 zł\n"
            "Kowalski Sp. z o.o.;15.01.2024;99,00 zł\n"
            "Nowak;16.01.2024;12 000,00 PLN\n")
    f = write(tmp_path, "sprzedaz.csv", text, "cp1250")
    with pytest.raises(EncodingError,
                       match=r"(?s)e.g. encoding='cp1250'.*Kowalski Sp. z o.o.;05.01.2024;1 234,56 zł"):
        cl.load_transactions(f)
    tx, report = cl.load_transactions(f, encoding="cp1250", decimal=",", thousands=" ",
                                      columns={"Klient": "customer_id", "Data": "date", "Kwota": "amount"})
    assert tx["amount"].tolist() == [1234.56, 99.0, 12000.0]
    assert dates(tx) == ["2024-01-05", "2024-01-15", "2024-01-16"]
    assert not any("more than one currency" in n for n in report.notes)  # zł and PLN are one currency


def test_russian_export_in_cp1251(tmp_path):
    text = ("Клиент;Дата;Сумма\n"
            "Иванов;13.02.2024;1 250,00 ₽\n"
            "Иванов;14.02.2024;300,50 руб.\n"
            "Петрова;01.03.2024;99,90 ₽\n").replace("₽", "р.")  # cp1251 has no ₽ sign
    f = write(tmp_path, "prodazhi.csv", text, "cp1251")
    with pytest.raises(EncodingError) as err:
        cl.load_transactions(f)
    assert "e.g. encoding='cp1251'" in str(err.value) and "'Клиент;Дата;Сумма'" in str(err.value)
    tx, _ = cl.load_transactions(f, encoding="cp1251", decimal=",", thousands=" ",
                                 columns={"Клиент": "customer_id", "Дата": "date", "Сумма": "amount"})
    assert tx["customer_id"].tolist() == ["Иванов", "Иванов", "Петрова"]
    assert tx["amount"].tolist() == [1250.0, 300.5, 99.9]
    assert dates(tx) == ["2024-02-13", "2024-02-14", "2024-03-01"]


def test_persian_export_with_persian_digits(tmp_path):
    text = ("مشتری,تاریخ,مبلغ\n"
            "علی رضایی,2024-03-20,۱۲۵٬۰۰۰ ریال\n"
            "علی رضایی ,2024-04-02,۹۸٬۵۰۰ ریال\n"
            "مریم,2024-04-03,۱۲٫۵ ﷼\n")
    f = write(tmp_path, "forush.csv", text, "utf-8-sig")
    tx, report = cl.load_transactions(f, columns={"مشتری": "customer_id", "تاریخ": "date", "مبلغ": "amount"})
    assert tx["customer_id"].tolist() == ["علی رضایی", "علی رضایی", "مریم"]
    assert tx["amount"].tolist() == [125000.0, 98500.0, 12.5]
    assert any("Persian or Arabic digits" in n for n in report.notes)
    assert not any("more than one currency" in n for n in report.notes)  # ریال and ﷼ are both rials
    jalali = write(tmp_path, "jalali.csv", "customer_id,date,amount\nc1,۱۴۰۲/۰۵/۱۲,1\n")
    with pytest.raises(cl.TransactionValidationError, match="Solar Hijri"):
        cl.load_transactions(jalali)


# ------------------------------------------------------------------ the shape of the file


def test_line_ends_trailing_separators_and_blank_lines(tmp_path):
    old_mac = write(tmp_path, "mac.csv", "customer_id,date,amount\rc1,2024-01-05,1\rc2,2024-01-06,2\r")
    tx, _ = cl.load_transactions(old_mac)
    assert tx["customer_id"].tolist() == ["c1", "c2"] and tx["amount"].tolist() == [1.0, 2.0]
    # German Excel often ends every line with a separator, and adds lines of separators only.
    text = "Kunde;Datum;Betrag\r\nk1;2024-01-05;1,5;\r\nk2;2024-01-06;2;\r\n;;;\r\n"
    tx, report = cl.load_transactions(write(tmp_path, "trail.csv", text), decimal=",",
                                      columns={"Kunde": "customer_id", "Datum": "date", "Betrag": "amount"})
    assert list(tx.columns) == ["customer_id", "date", "amount"] and tx["amount"].tolist() == [1.5, 2.0]
    assert report.rows_in == 2
    assert any("trailing separator" in n for n in report.notes)
    assert "1 line(s) with every field empty skipped" in report.notes


def test_one_field_more_than_the_header_is_refused_not_shifted(tmp_path):
    # Unquoted "125,000" in a comma file: pandas would silently make the first column the index.
    text = "customer_id,date,amount\nc1,2024-03-20,125,000\nc2,2024-04-20,98,500\n"
    with pytest.raises(cl.readers.ReadError, match=r"one field more than the header.*must be quoted"):
        cl.load_transactions(write(tmp_path, "shifted.csv", text))


def test_a_repeated_column_name_is_refused(tmp_path):
    f = write(tmp_path, "dup.csv", "customer_id,date,amount,amount\nc1,2024-01-05,1,2\n")
    with pytest.raises(cl.SchemaError, match=r"names \['amount'\] more than once"):
        cl.load_transactions(f)


def test_accounting_parentheses_are_negative_amounts(tmp_path):
    text = ('Customer ID,Order Date,Sales\n'
            'C-001,1/5/2024,"$1,234.56"\nC-001,2/13/2024,$12.00\nC-002,3/1/2024,($5.00)\n')
    tx, report = cl.load_transactions(write(tmp_path, "us.csv", text), thousands=",",
                                      columns={"Customer ID": "customer_id", "Order Date": "date",
                                               "Sales": "amount"})
    assert tx["amount"].tolist() == [1234.56, 12.0] and dates(tx) == ["2024-01-05", "2024-02-13"]
    assert report.rejected == {"negative_amount": 1}
    assert any("in parentheses, read as negative" in n for n in report.notes)
