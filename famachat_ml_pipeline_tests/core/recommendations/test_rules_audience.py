"""CREATIVE_REFRESH and AUDIENCE_REVIEW at their boundaries."""

from __future__ import annotations

import datetime as dt

from famachat_ml_pipeline.core.recommendations import (
    anomaly_links,
)
from famachat_ml_pipeline_tests.core.recommendations.builders import (
    AS_OF,
    anomalies,
    anomaly,
    attrs,
    fired,
    one,
    run,
    tiers,
    wide,
    wide_row,
)


def test_creative_refresh_needs_high_frequency_and_a_significant_ctr_problem() -> None:
    w = wide(
        # CTR 0,50 % vs 1,00 % on 20.000 impressions (z ~ -7), frequency 2,5
        wide_row("A", impressions=20_000, clicks=100, reach=8_000),
        wide_row("low_freq", impressions=20_000, clicks=100, reach=8_050),  # frequency 2,48
        # the same 0,50 % on 1.000 impressions: 5 clicks is noise (z ~ -1,6)
        wide_row(
            "few_impressions", impressions=1_000, clicks=5, reach=400, prev_impressions=1_000, prev_clicks=5
        ),
        # CTR at the account's level but down 30 % on the previous week, on enough clicks
        wide_row(
            "falling",
            impressions=20_000,
            clicks=280,
            reach=5_000,
            prev_impressions=20_000,
            prev_clicks=400,
            account_ctr=1.4,
        ),
        # a CTR_DROP anomaly is enough with high frequency
        wide_row(
            "anomaly", impressions=20_000, clicks=200, reach=5_000, prev_impressions=20_000, prev_clicks=200
        ),
    )
    cls = tiers(dict.fromkeys(w["campaign_id"], "MODERATE"))
    daily = attrs(*[(c, "ACTIVE", 100.0) for c in w["campaign_id"]])
    recs = run(w, cls, daily, an=anomalies(anomaly("anomaly", "CTR_DROP", "MEDIUM")))
    assert fired(recs, "CREATIVE_REFRESH") == {"A", "falling", "anomaly"}
    r = one(recs, "A", "CREATIVE_REFRESH")
    assert r["priority"] == 6
    assert r["title"] == "Trocar criativos: CTR de 0,50% com frequência 2,5"
    assert "50% abaixo da média da conta (1,00%)" in r["description"]
    assert (
        "queda de 30% frente aos 7 dias anteriores" in one(recs, "falling", "CREATIVE_REFRESH")["description"]
    )
    assert "alerta de queda de CTR" in one(recs, "anomaly", "CREATIVE_REFRESH")["description"]


def test_audience_review_on_frequency_or_saturation() -> None:
    w = wide(
        wide_row("A", impressions=20_020, reach=4_000),  # frequency 5,005 > 5
        wide_row("at_5", impressions=20_000, reach=4_000),  # 5,0: not > 5
        wide_row("shrinking", impressions=14_000, reach=4_000, prev_reach=4_500),  # 3,5 and reach -11 %
        wide_row("spend_cut", impressions=14_000, reach=4_000, prev_reach=4_500, spend_trend=-20.0),
        wide_row("anomaly", impressions=12_000, reach=4_000),  # frequency 3: only the open anomaly
    )
    cls = tiers(dict.fromkeys(w["campaign_id"], "MODERATE"))
    daily = attrs(*[(c, "ACTIVE", 100.0) for c in w["campaign_id"]])
    an = anomalies(
        anomaly("anomaly", "REACH_SATURATION", "MEDIUM"),
        anomaly(
            "at_5", "REACH_SATURATION", "MEDIUM", date=AS_OF - dt.timedelta(days=10)
        ),  # too old to trigger
    )
    recs = run(w, cls, daily, an=an)
    assert fired(recs, "AUDIENCE_REVIEW") == {"A", "shrinking", "anomaly"}
    r = one(recs, "A", "AUDIENCE_REVIEW")
    assert r["priority"] == 7 and r["title"] == "Revisar público: frequência de 5,0 nos últimos 7 dias"
    assert "alcance 11% menor" in one(recs, "shrinking", "AUDIENCE_REVIEW")["description"]
    links = anomaly_links(recs, an, AS_OF)
    assert links.select("entity_id", "anomaly_type", "recommendation_type").rows() == [
        ("anomaly", "REACH_SATURATION", "AUDIENCE_REVIEW")
    ]
