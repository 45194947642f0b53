"""REACTIVATE: only paused campaigns with a good history."""

from __future__ import annotations

import json

import polars as pl

from famachat_ml_pipeline_tests.core.recommendations.builders import fired, one, run_daily, series


def test_reactivate_only_paused_campaigns_with_a_good_history() -> None:
    on, off = [100.0] * 30, [0.0] * 10
    daily = pl.concat(
        [
            series("ref", [100.0] * 40, [4] * 40),  # the account: CPL 25
            series("P", on + off, [5] * 30 + [0] * 10, status="PAUSED"),  # CPL 20 before a 10-day pause
            series("active", on + off, [5] * 30 + [0] * 10),  # same history, but not paused
            series("costly", on + off, [3] * 30 + [0] * 10, status="PAUSED"),  # CPL 33
            series(
                "fresh", [100.0] * 38 + [0.0] * 2, [5] * 38 + [0] * 2, status="PAUSED"
            ),  # paused 2 days ago
            series(
                "thin", [0.0] * 31 + [100.0] * 3 + [0.0] * 6, [0] * 31 + [3] * 3 + [0] * 6, status="PAUSED"
            ),
            series("deleted", on + off, [5] * 30 + [0] * 10, status="DELETED"),
        ]
    )
    recs = run_daily(daily)
    assert fired(recs, "REACTIVATE") == {"P"}
    r = one(recs, "P", "REACTIVATE")
    assert r["priority"] == 5
    # the account's CPL over the last 30 days, all its campaigns: 14.100 / 629 = 22,42; 20 is 11 % below
    assert r["title"] == "Reativar campanha: CPL de R$ 20,00 antes da pausa, 11% abaixo da média"
    assert r["description"].startswith("Campanha pausada há 10 dias. Nos 30 dias com entrega antes da pausa")
    assert "cerca de 35 leads por semana" in r["description"]  # 100 x 7 / 20
    assert json.loads(r["suggested_action"])["suggested"] == "ACTIVE"
