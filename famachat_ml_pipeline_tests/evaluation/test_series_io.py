"""Real series loading: explicit date formats, counted and refused unparsable dates, NAB folders."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from famachat_ml_pipeline.cli import main
from famachat_ml_pipeline.evaluation.series_io import (
    UnparsableDates,
    UnparsableValues,
    UnreadableSeries,
    read_daily_series,
    read_nab_daily,
)

PATTERN = np.array([10.0, 12.0, 15.0, 14.0, 11.0, 4.0, 3.0])
START = dt.date(2024, 1, 1)


def _mdy_csv(tmp_path: Path, days: int = 200, bad: int = 0) -> Path:
    """US-style m/d/Y dates (the web-traffic file of issue 13), `bad` of them garbled."""
    lines = ["Date,Visits"]
    for i in range(days):
        d = START + dt.timedelta(days=i)
        date = "not-a-date" if i < bad else f"{d.month}/{d.day}/{d.year}"
        lines.append(f"{date},{PATTERN[i % 7] * 10 + i % 3}")
    path = tmp_path / "traffic.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_month_day_year_dates_parse_with_their_format(tmp_path: Path) -> None:
    s = read_daily_series(_mdy_csv(tmp_path), "Date", "Visits", date_format="%m/%d/%Y")
    assert (s.rows, s.dropped) == (200, 0)
    assert s.frame.height == 200 and s.frame["date"][0] == START
    assert s.frame["date"][-1] == START + dt.timedelta(days=199)
    assert not s.frame["filled"].any()


def test_the_wrong_format_is_refused_not_read_as_a_scrambled_series(tmp_path: Path) -> None:
    with pytest.raises(UnparsableDates, match="do not parse"):
        read_daily_series(_mdy_csv(tmp_path), "Date", "Visits", date_format="%d/%m/%Y")


def test_a_few_unparsable_dates_are_dropped_and_counted_more_are_refused(tmp_path: Path) -> None:
    s = read_daily_series(_mdy_csv(tmp_path, bad=2), "Date", "Visits", date_format="%m/%d/%Y")
    assert (s.rows, s.dropped) == (200, 2)  # 1 %: still accepted, and reported
    assert s.frame["date"][0] == START + dt.timedelta(days=2)
    with pytest.raises(UnparsableDates, match="3 of 200"):
        read_daily_series(_mdy_csv(tmp_path, bad=3), "Date", "Visits", date_format="%m/%d/%Y")


def test_cli_refuses_in_one_line_with_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _mdy_csv(tmp_path)
    argv = ["evaluate", "forecasts", "--csv", str(path), "--date-col", "Date", "--value-col", "Visits"]
    assert main([*argv, "--date-format", "%d/%m/%Y", "--no-autoets"]) == 2
    out = capsys.readouterr().out.strip()
    assert len(out.splitlines()) == 1 and "do not parse" in out
    assert main([*argv, "--date-format", "%m/%d/%Y", "--no-autoets"]) == 0
    out = capsys.readouterr().out
    assert "200 rows read, 0 dropped" in out and "auto MASE" in out


def _nab_csv(path: Path, days: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    t0 = dt.datetime(2015, 3, 1)
    rows = [
        f"{t0 + dt.timedelta(hours=6 * k):%Y-%m-%d %H:%M:%S},{PATTERN[(k // 4) % 7] + k % 4}"
        for k in range(4 * days)
    ]
    path.write_text("timestamp,value\n" + "\n".join(rows) + "\n")


def test_nab_folder_keeps_series_long_enough_once_daily(tmp_path: Path) -> None:
    _nab_csv(tmp_path / "realA" / "long.csv", 80)
    _nab_csv(tmp_path / "realB" / "short.csv", 20)
    kept, skipped = read_nab_daily(tmp_path)
    assert [s.name for s in kept] == ["realA/long"] and kept[0].frame.height == 80
    assert kept[0].frame["value"][0] == PATTERN[0] + 1.5  # the daily mean of 4 six-hourly values
    assert skipped == ["realB/short (20 days)"]


def _visits_csv(tmp_path: Path, values: list[str], sep: str = ",", name: str = "visits.csv") -> Path:
    """A spreadsheet export: m/d/Y dates and quoted values as the exporter formatted them."""
    lines = [sep.join(["Date", "Page.Loads"])]
    for i, v in enumerate(values):
        d = START + dt.timedelta(days=i)
        lines.append(sep.join([f"{d.month}/{d.day}/{d.year}", f'"{v}"']))
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    return path


def test_thousands_separators_are_numbers_not_missing_days(tmp_path: Path) -> None:
    # "2,146" used to cast to null and be forward-filled: a series of the values under 1,000 only
    values = [f"{v:,}" for v in (PATTERN * 150).astype(int)] * 20
    s = read_daily_series(_visits_csv(tmp_path, values), "Date", "Page.Loads", date_format="%m/%d/%Y")
    assert (s.bad_values, s.empty_values) == (0, 0)
    assert not s.frame["filled"].any()
    assert s.frame["value"][:7].to_list() == (PATTERN * 150).astype(int).astype(float).tolist()


def test_decimal_comma_and_semicolon_separator(tmp_path: Path) -> None:
    values = ["1.234,5", "987,25", "12.000", "3,5", "1.000.000,75", "-2,5", "0"]
    path = _visits_csv(tmp_path, values, sep=";")
    s = read_daily_series(path, "Date", "Page.Loads", date_format="%m/%d/%Y", decimal_comma=True)
    assert s.frame["value"].to_list() == [1234.5, 987.25, 12000.0, 3.5, 1000000.75, -2.5, 0.0]
    assert s.bad_values == 0


def test_values_that_are_not_numbers_are_counted_and_refused_above_one_percent(tmp_path: Path) -> None:
    ok = [str(v) for v in (PATTERN * 10).astype(int)] * 30  # 210 rows
    two = ["n/a", "12 visits", *ok[2:]]
    s = read_daily_series(_visits_csv(tmp_path, two), "Date", "Page.Loads", date_format="%m/%d/%Y")
    assert (s.bad_values, s.empty_values) == (2, 0)
    assert s.frame["filled"].sum() == 2  # read as missing, not as a number; the first one backfilled
    three = ["n/a", "12 visits", "", "?", *ok[4:]]
    with pytest.raises(
        UnparsableValues, match=r"3 of 210 values of 'Page.Loads' are not numbers \(first: 'n/a'\)"
    ):
        read_daily_series(_visits_csv(tmp_path, three), "Date", "Page.Loads", date_format="%m/%d/%Y")
    # a decimal comma read without --decimal-comma is refused, with the hint
    commas = [f"{v},5" for v in (PATTERN * 10).astype(int)] * 30
    with pytest.raises(UnparsableValues, match="pass --decimal-comma"):
        read_daily_series(_visits_csv(tmp_path, commas), "Date", "Page.Loads", date_format="%m/%d/%Y")
    # also where it has three decimals and a leading 0 ("0,512" was read as 512): no thousands group
    # starts with 0
    small = [f"0,{v:03d}" for v in (PATTERN * 50).astype(int)] * 30
    with pytest.raises(UnparsableValues, match="first: '0,500'.*pass --decimal-comma"):
        read_daily_series(_visits_csv(tmp_path, small), "Date", "Page.Loads", date_format="%m/%d/%Y")
    s = read_daily_series(
        _visits_csv(tmp_path, small), "Date", "Page.Loads", date_format="%m/%d/%Y", decimal_comma=True
    )
    assert s.frame["value"][:7].to_list() == (PATTERN * 50 / 1000).tolist()


def test_cli_reads_grouped_numbers_and_refuses_a_missing_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    values = [f"{v:,}" for v in (PATTERN * 150).astype(int)] * 10
    path = _visits_csv(tmp_path, values)
    argv = ["evaluate", "forecasts", "--csv", str(path), "--date-col", "Date", "--date-format", "%m/%d/%Y"]
    assert main([*argv, "--value-col", "Views", "--no-autoets"]) == 2
    out = capsys.readouterr().out.strip()
    assert len(out.splitlines()) == 1 and "no column 'Views'" in out and "Page.Loads" in out
    assert main([*argv, "--value-col", "Page.Loads", "--no-autoets"]) == 0
    out = capsys.readouterr().out
    assert "0 values not numbers and 0 empty" in out and "0 days without a value" in out
    semi = _visits_csv(tmp_path, [f"{v},5" for v in (PATTERN * 10).astype(int)] * 10, sep=";", name="br.csv")
    argv = ["evaluate", "forecasts", "--csv", str(semi), "--date-col", "Date", "--value-col", "Page.Loads"]
    assert main([*argv, "--date-format", "%m/%d/%Y", "--no-autoets"]) == 2
    assert "pass --decimal-comma" in capsys.readouterr().out
    assert main([*argv, "--date-format", "%m/%d/%Y", "--decimal-comma", "--no-autoets"]) == 0


def test_cli_refuses_a_nab_daily_folder_without_a_long_enough_series(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _nab_csv(tmp_path / "realB" / "short.csv", 20)
    assert main(["evaluate", "forecasts", "--nab-daily", str(tmp_path), "--no-autoets"]) == 2
    out = capsys.readouterr().out.strip()
    assert len(out.splitlines()) == 1 and "no series of at least 50 days" in out and "1 shorter" in out


def _hourly_csv(path: Path, hours: list[int]) -> Path:
    """Hourly counts (1 a row) at the given hour offsets from START."""
    t0 = dt.datetime(2024, 1, 1)
    path.write_text(
        "timestamp,value\n" + "\n".join(f"{t0 + dt.timedelta(hours=h):%Y-%m-%d %H:%M:%S},1" for h in hours)
    )
    return path


def test_a_partial_day_inside_a_summed_file_is_missing_not_a_small_total(tmp_path: Path) -> None:
    # 60 days of 24 rows, but day 30 lost its second half (a gap of 12 hours)
    hours = [h for h in range(60 * 24) if not (30 * 24 + 12 <= h < 31 * 24)]
    s = read_daily_series(_hourly_csv(tmp_path / "gap.csv", hours), "timestamp", "value")
    assert s.partial_days == 1 and s.frame.height == 60
    assert s.frame["filled"].to_list() == [i == 30 for i in range(60)]
    assert s.frame["value"].to_list() == [24.0] * 60  # day 30 forward-filled, not read as 12
    # a daily mean of the rows that are there is still that day's level
    m = read_daily_series(tmp_path / "gap.csv", "timestamp", "value", "mean")
    assert m.partial_days == 0 and not m.frame["filled"].any()


def test_duplicate_days_are_counted_and_a_late_decimal_does_not_break_the_read(tmp_path: Path) -> None:
    lines = ["Date,Visits"] + [f"{START + dt.timedelta(days=i)},{100 + i % 7}" for i in range(12_000)]
    lines[11_001] = f"{START + dt.timedelta(days=11_000)},12.5"  # a decimal after 11,000 integers
    lines.append(f"{START},5")  # the first day twice
    path = tmp_path / "long.csv"
    path.write_text("\n".join(lines) + "\n")
    s = read_daily_series(path, "Date", "Visits")
    assert s.merged_days == 1 and s.frame["value"][0] == 105.0 and s.frame["value"][11_000] == 12.5
    mean = read_daily_series(path, "Date", "Visits", "mean")
    assert mean.frame["value"][0] == 52.5


def test_the_separator_is_counted_outside_quotes(tmp_path: Path) -> None:
    path = tmp_path / "semi.csv"
    path.write_text(
        '"Date";"Sessions, total"\n' + "\n".join(f"{START + dt.timedelta(days=i)};{i}" for i in range(40))
    )
    s = read_daily_series(path, "Date", "Sessions, total")
    assert s.frame.height == 40 and s.frame["value"][-1] == 39.0


def test_cli_refuses_a_too_short_series_and_keeps_brackets_in_messages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "short.csv"
    path.write_text("date,cost [brl]\n" + "\n".join(f"{START + dt.timedelta(days=i)},{i}" for i in range(30)))
    argv = ["evaluate", "forecasts", "--csv", str(path), "--date-col", "date", "--no-autoets"]
    assert main([*argv, "--value-col", "cost [brl]"]) == 2
    out = capsys.readouterr().out.strip()
    assert len(out.splitlines()) == 1 and "30 days; an evaluation needs at least 35" in out
    assert main([*argv, "--value-col", "cost"]) == 2
    assert "'cost [brl]'" in capsys.readouterr().out  # rich markup would have eaten "[brl]"


def test_cli_refuses_a_constant_series_and_scores_one_that_moves_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # a flat line has no MASE scale and any interval covers it: a "HIGH" coverage verdict would be noise
    flat = tmp_path / "flat.csv"
    flat.write_text("date,v\n" + "\n".join(f"{START + dt.timedelta(days=i)},0" for i in range(60)) + "\n")
    argv = ["evaluate", "forecasts", "--date-col", "date", "--value-col", "v", "--no-autoets", "--csv"]
    assert main([*argv, str(flat)]) == 2
    out = capsys.readouterr().out.strip()
    assert len(out.splitlines()) == 1 and "every day's 'v' is 0; a constant series" in out
    once = tmp_path / "once.csv"
    once.write_text(
        "date,v\n"
        + "\n".join(f"{START + dt.timedelta(days=i)},{5 if i == 30 else 3}" for i in range(60))
        + "\n"
    )
    assert main([*argv, str(once)]) == 0
    assert "forecasts without a MASE" in capsys.readouterr().out


def test_nab_daily_skips_an_unreadable_file_and_reads_iso_timestamps(tmp_path: Path) -> None:
    _nab_csv(tmp_path / "realA" / "long.csv", 80)
    iso = tmp_path / "realA" / "iso.csv"  # the same rows with ISO 8601 timestamps ("T" and a zone)
    rows = (tmp_path / "realA" / "long.csv").read_text().splitlines()
    iso.write_text("\n".join([rows[0], *(r.replace(" ", "T").replace(",", "Z,") for r in rows[1:])]) + "\n")
    (tmp_path / "realA" / "notes.csv").write_text("what,when\nlunch,noon\n")
    kept, skipped = read_nab_daily(tmp_path)
    assert sorted(s.name for s in kept) == ["realA/iso", "realA/long"]
    assert kept[0].frame["value"].to_list() == kept[1].frame["value"].to_list()
    assert len(skipped) == 1 and skipped[0].startswith("realA/notes (unreadable: notes.csv: no column")
    with pytest.raises(UnreadableSeries, match="not a folder"):
        read_nab_daily(tmp_path / "nowhere")


def test_a_utc_offset_keeps_the_writer_s_day(tmp_path: Path) -> None:
    path = tmp_path / "tz.csv"
    rows = [f"{START + dt.timedelta(days=i)}T00:30:00+02:00,{i}" for i in range(40)]
    path.write_text("date,value\n" + "\n".join(rows) + "\n")
    s = read_daily_series(path, "date", "value")
    assert s.frame["date"][0] == START and s.frame["value"][0] == 0.0  # not 2023-12-31 22:30 UTC


def test_a_windows_1252_export_with_comment_lines_above_the_header(tmp_path: Path) -> None:
    path = tmp_path / "ga.csv"
    body = "# Sessões por dia\n# 01/01/2024 - 09/02/2024\n\nDia;Sessões\n" + "\n".join(
        f"{START + dt.timedelta(days=i)};{100 + i}" for i in range(40)
    )
    path.write_bytes(body.encode("cp1252"))
    s = read_daily_series(path, "Dia", "Sessões")
    assert s.frame.height == 40 and s.frame["value"].to_list() == [100.0 + i for i in range(40)]
