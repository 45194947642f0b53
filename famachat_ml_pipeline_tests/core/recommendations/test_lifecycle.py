"""reconcile: update not duplicate, expiry, cooldowns, users' columns, stored reasoning."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl

from famachat_ml_pipeline.core.recommendations import (
    INSERT_COLUMNS,
    OUTPUT_SCHEMA,
    PRIORITIES,
    UPDATE_COLUMNS,
    USER_COLUMNS,
    RecommendationConfig,
    reconcile,
    upgrade_reasoning,
)

NOW = dt.datetime(2026, 3, 15, 6, 0)


def candidate(
    entity: str, rec_type: str = "BUDGET_INCREASE", severity: float = 2.0, config_id: int = 1
) -> dict:
    return {
        "config_id": config_id,
        "entity_type": "campaign",
        "entity_id": entity,
        "recommendation_type": rec_type,
        "priority": PRIORITIES[rec_type],
        "title": f"t {entity}",
        "description": "d",
        "suggested_action": "{}",
        "confidence_score": 0.7,
        "reasoning": json.dumps({"severity_metric": severity}),
        "expires_at": NOW + dt.timedelta(days=3),
        "severity_metric": severity,
    }


def candidates(*rows: dict) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=OUTPUT_SCHEMA)


EXISTING_SCHEMA = {
    "id": pl.Int64,
    "config_id": pl.Int64,
    "entity_type": pl.String,
    "entity_id": pl.String,
    "recommendation_type": pl.String,
    "priority": pl.Int32,
    "title": pl.String,
    "reasoning": pl.String,
    "is_active": pl.Boolean,
    "was_applied": pl.Boolean,
    "applied_at": pl.Datetime("us"),
    "applied_by": pl.Int64,
    "dismissed": pl.Boolean,
    "dismissed_at": pl.Datetime("us"),
    "dismissed_by": pl.Int64,
    "dismissed_reason": pl.String,
    "created_at": pl.Datetime("us"),
    "expires_at": pl.Datetime("us"),
}


def row(id_: int, entity: str, rec_type: str = "BUDGET_INCREASE", **kw: object) -> dict:
    base = {
        "id": id_,
        "config_id": 1,
        "entity_type": "campaign",
        "entity_id": entity,
        "recommendation_type": rec_type,
        "priority": 8,
        "title": "old",
        "reasoning": json.dumps({"severity_metric": 2.0}),
        "is_active": True,
        "was_applied": False,
        "applied_at": None,
        "applied_by": None,
        "dismissed": False,
        "dismissed_at": None,
        "dismissed_by": None,
        "dismissed_reason": None,
        "created_at": NOW - dt.timedelta(days=1),
        "expires_at": NOW + dt.timedelta(days=2),
    }
    return base | kw


def existing(*rows: dict) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=EXISTING_SCHEMA)


def deactivated(plan) -> dict[int, str]:  # noqa: ANN001
    return dict(plan.deactivate.rows())


def test_reconcile_inserts_then_updates_never_duplicates() -> None:
    cands = candidates(candidate("A"), candidate("B", "PAUSE_CAMPAIGN"))
    first = reconcile(cands, existing(), NOW)
    assert first.inserts.height == 2 and first.updates.height == 0 and first.deactivate.height == 0
    assert first.inserts.columns == INSERT_COLUMNS and first.inserts["is_active"].all()
    # the writer stored them with ids 1, 2; the next run updates the same rows
    stored = existing(row(1, "A"), row(2, "B", "PAUSE_CAMPAIGN"))
    second = reconcile(cands, stored, NOW + dt.timedelta(days=1))
    assert second.inserts.height == 0 and second.deactivate.height == 0
    assert sorted(second.updates["id"].to_list()) == [1, 2]
    assert second.updates.columns == UPDATE_COLUMNS
    assert second.updates.filter(pl.col("id") == 1)["title"].item() == "t A"
    # legacy duplicates of one key: the newest is kept and updated, the other deactivated
    dup = existing(row(1, "A", created_at=NOW - dt.timedelta(days=3)), row(5, "A"))
    plan = reconcile(candidates(candidate("A")), dup, NOW)
    assert plan.updates["id"].to_list() == [5] and deactivated(plan) == {1: "duplicate"}


def test_reconcile_deactivates_expired_and_no_longer_triggered_within_scope() -> None:
    stored = existing(
        row(1, "A", expires_at=NOW - dt.timedelta(hours=1)),  # expired, still firing -> fresh insert
        row(2, "gone"),  # no candidate any more
        row(3, "other_account", config_id=2),  # not evaluated in this run
        row(4, "old", is_active=False),  # already inactive: untouched
    )
    plan = reconcile(candidates(candidate("A")), stored, NOW, evaluated_config_ids=[1])
    assert deactivated(plan) == {1: "expired", 2: "no_longer_triggered"}
    assert plan.inserts["entity_id"].to_list() == ["A"] and plan.updates.height == 0
    # without an explicit scope, every config in `existing` counts as evaluated
    assert deactivated(reconcile(candidates(candidate("A")), stored, NOW))[3] == "no_longer_triggered"


def test_reconcile_dismiss_cooldown() -> None:
    dismissed = row(
        7,
        "A",
        dismissed=True,
        dismissed_at=NOW - dt.timedelta(days=2),
        dismissed_by=42,
        dismissed_reason="sem verba",
    )
    stored = existing(dismissed)
    # within the cooldown and not materially worse (2.0 -> 2.4 is +20 % < 25 %): held back, row untouched
    plan = reconcile(candidates(candidate("A", severity=2.4)), stored, NOW)
    assert plan.inserts.height == 0 and plan.updates.height == 0 and plan.deactivate.height == 0
    assert plan.suppressed.select("entity_id", "reason").rows() == [("A", "dismissed")]
    # materially worse (+25 %): issued again; the dismissed row is retired, its user columns untouched
    plan = reconcile(candidates(candidate("A", severity=2.5)), stored, NOW)
    assert plan.inserts["entity_id"].to_list() == ["A"] and deactivated(plan) == {7: "superseded"}
    assert plan.updates.height == 0
    # after the cooldown: issued again whatever the severity
    plan = reconcile(candidates(candidate("A", severity=1.0)), stored, NOW + dt.timedelta(days=6))
    assert plan.inserts.height == 1
    # a legacy dismissal without a stored severity cannot be compared: held back during the cooldown
    legacy = existing(dismissed | {"reasoning": json.dumps({"cpl": 3})})
    assert reconcile(candidates(candidate("A", severity=99.0)), legacy, NOW).inserts.height == 0
    # the cooldown is configurable
    short = RecommendationConfig(dismiss_cooldown_days=1)
    assert reconcile(candidates(candidate("A", severity=2.0)), stored, NOW, short).inserts.height == 1


def test_reconcile_applied_cooldown_and_user_columns_never_written() -> None:
    stored = existing(
        row(1, "A", was_applied=True, applied_at=NOW - dt.timedelta(days=1), applied_by=3),
        row(2, "B", was_applied=True, applied_at=NOW - dt.timedelta(days=9), applied_by=3),
        row(3, "C", dismissed=True, dismissed_at=NOW - dt.timedelta(days=1)),
    )
    plan = reconcile(candidates(candidate("A"), candidate("B"), candidate("C")), stored, NOW)
    # A was applied yesterday: Meta is relearning, so no new step yet; B's application is old news
    assert plan.inserts["entity_id"].to_list() == ["B"]
    assert deactivated(plan) == {2: "superseded"}
    assert set(plan.suppressed["entity_id"]) == {"A", "C"}
    # acted-on rows are never updated, and no payload carries a user column
    assert plan.updates.height == 0
    for frame in (plan.inserts, plan.updates):
        assert not set(frame.columns) & set(USER_COLUMNS)


def test_reconcile_with_nothing_stored_or_nothing_firing() -> None:
    plan = reconcile(candidates(candidate("A")), pl.DataFrame(), NOW)
    assert plan.inserts["entity_id"].to_list() == ["A"]
    plan = reconcile(candidates(), existing(row(1, "A")), NOW)
    assert deactivated(plan) == {1: "no_longer_triggered"} and plan.inserts.height == 0


def test_reconcile_accepts_timezone_aware_timestamps() -> None:
    aware = dt.datetime(2026, 3, 15, 9, 0, tzinfo=dt.UTC)
    stored = existing(row(1, "A", expires_at=dt.datetime(2026, 3, 15, 8, 0))).with_columns(
        pl.col("expires_at").dt.replace_time_zone("UTC")
    )
    plan = reconcile(candidates(candidate("A")), stored, aware)
    assert deactivated(plan) == {1: "expired"} and plan.inserts.height == 1


def test_upgrade_reasoning_renames_only_old_keys() -> None:
    stored = pl.DataFrame(
        {
            "reasoning": [
                '{"rule":"r","severity_metric":1.5,"cpl_ratio_7d":0.6,"cpl_ratio_30d":0.5}',
                '{"severity_metric":1.5,"cpl_vs_account_7d":0.6}',  # written after the rename
                '{"severity_metric": 2.0, "cpl_ratio_7d": 0.7}',  # json.dumps spacing (Postgres JSONB)
                None,
            ]
        }
    )
    out = stored.select(upgrade_reasoning(pl.col("reasoning")))["reasoning"].to_list()
    assert [json.loads(r) if r else r for r in out] == [
        {"rule": "r", "severity_metric": 1.5, "cpl_vs_account_7d": 0.6, "cpl_vs_account_30d": 0.5},
        {"severity_metric": 1.5, "cpl_vs_account_7d": 0.6},
        {"severity_metric": 2.0, "cpl_vs_account_7d": 0.7},
        None,
    ]


def test_reconcile_reads_the_severity_of_rows_written_with_the_old_key() -> None:
    old = json.dumps({"severity_metric": 2.0, "cpl_ratio_7d": 0.5})
    e = existing(row(1, "A", dismissed=True, dismissed_at=NOW - dt.timedelta(days=1), reasoning=old))
    held = reconcile(candidates(candidate("A", severity=2.4)), e, NOW)
    assert held.inserts.height == 0 and held.suppressed["stored_severity"].to_list() == [2.0]
    worse = reconcile(candidates(candidate("A", severity=2.5)), e, NOW)  # 25 % worse breaks the cooldown
    assert worse.inserts["entity_id"].to_list() == ["A"]
