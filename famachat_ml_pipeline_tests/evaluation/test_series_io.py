"""Real series loading: explicit date formats, counted and refused unparsable dates, NAB folders."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from famachat_ml_pipeline.cli import main
from famachat_ml_pipeline.evaluation.series_io import UnparsableDates, read_daily_series, read_nab_daily

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
