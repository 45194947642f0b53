"""campaign_recommendations: prioritised actions in pt-BR, with users' decisions kept."""

import dagster as dg
import polars as pl

from famachat_ml_pipeline.core.features import compute_features_wide
from famachat_ml_pipeline.core.recommendations import (
    RecommendationConfig,
    anomaly_links,
    generate_recommendations,
)
from famachat_ml_pipeline.counted import counted
from famachat_ml_pipeline.db.reader import (
    accounts_classified_after,
    read_classifications_on,
    read_forecasts_made_on,
    read_open_anomalies,
)
from famachat_ml_pipeline.db.writer import apply_recommendations
from famachat_ml_pipeline.defs.shared.account_run import AccountRun, latest_complete_days
from famachat_ml_pipeline.defs.shared.io_managers import PASS_ALONG_IO_MANAGER
from famachat_ml_pipeline.defs.shared.partitions import account_asset
from famachat_ml_pipeline.defs.shared.resources import DatabaseResource


class RecommendationRunConfig(dg.Config):
    max_budget_step_pct: float = 20.0
    learning_min_leads_7d: int = 50
    dismiss_cooldown_days: int = 7


_PASSED = dg.AssetIn(input_manager_key=PASS_ALONG_IO_MANAGER)


@account_asset(
    group_name="recommendations",
    kinds={"polars", "sql"},
    # By key: each stage folder imports only defs/shared, never another stage. Anomalies are read from the
    # table, since users acknowledge them there; the other three come from this run when they ran in it.
    deps=["campaign_anomalies"],
    ins={"campaign_features": _PASSED, "campaign_classifications": _PASSED, "campaign_forecasts": _PASSED},
)
def campaign_recommendations(
    context: dg.AssetExecutionContext,
    config: RecommendationRunConfig,
    database: DatabaseResource,
    ad_insights: pl.DataFrame,
    campaign_features: pl.DataFrame | None,
    campaign_classifications: pl.DataFrame | None,
    campaign_forecasts: pl.DataFrame | None,
) -> dg.MaterializeResult:
    """Regenerates ml_recommendations: one active row per campaign and type, updated in place.

    The wide features, today's tiers and the forecasts are those of this run when their assets ran in it
    (passed along); otherwise (the 07:00 job) the features are computed here and the tiers and forecasts
    read from the database, as of the run's day either way."""
    run = AccountRun.from_context(context, database)
    engine, config_ids, as_of = database.engine(), run.config_ids, run.as_of
    if not config_ids:  # every account of the run keeps its results (account_run.py)
        return run.result(recommendations=0)
    latest = latest_complete_days(engine, config_ids, database.default_timezone)
    if all(latest[c] > as_of for c in config_ids):
        # A backfill of the past: recommendations are advice for now, so a past day never touches them.
        first = min(latest.values())
        context.log.info(f"campaign_recommendations: skipped, as of {as_of} is before {first}")
        return run.result(skipped=f"as_of {as_of} is before the latest complete day {first}")
    # A fleet run's as_of is its earliest account's latest day. An account a day ahead (a timezone east of
    # the others) that a run of its own already analysed as of a later day keeps that run's advice:
    # writing this day's would flip it back and forth. One that only fleet runs analyse gets theirs.
    ahead = accounts_classified_after(engine, [c for c in config_ids if latest[c] > as_of], as_of)
    if ahead:
        context.log.info(
            f"campaign_recommendations: {counted(len(ahead), 'account')} left as they are, already analysed "
            f"as of a later day than {as_of}: {sorted(ahead)[:20]}"
        )
    current = [c for c in config_ids if c not in ahead]
    # No campaign-day at all (e.g. accounts whose campaigns are all gone from the campaigns table) is still
    # reconciled: no candidate, so their live advice is retired as for a campaign that disappears.
    settings = RecommendationConfig(
        max_budget_step_pct=config.max_budget_step_pct,
        learning_min_leads_7d=config.learning_min_leads_7d,
        dismiss_cooldown_days=config.dismiss_cooldown_days,
    )
    with run.timer("read"):
        classifications = campaign_classifications
        if classifications is None:
            classifications = read_classifications_on(engine, config_ids, as_of)
        forecasts = campaign_forecasts
        if forecasts is None:
            forecasts = read_forecasts_made_on(engine, config_ids, as_of)
        anomalies = read_open_anomalies(engine, config_ids, as_of)
    with run.timer("compute"):
        wide = compute_features_wide(ad_insights, as_of) if campaign_features is None else campaign_features
        recs = generate_recommendations(
            wide, classifications, anomalies, forecasts, ad_insights, as_of, settings
        )
        links = anomaly_links(recs, anomalies, as_of, settings)
    with run.writing():
        if ahead:
            recs, links = (f.filter(pl.col("config_id").is_in(current)) for f in (recs, links))
        written = apply_recommendations(engine, recs, links, current, as_of, settings)
    by_type = dict(sorted(recs.group_by("recommendation_type").len().iter_rows())) if recs.height else {}
    by_priority = dict(sorted(recs.group_by("priority").len().iter_rows())) if recs.height else {}
    top = recs.sort("priority", "confidence_score", descending=True).head(5)
    context.log.info(f"campaign_recommendations: {recs.height:,} as of {as_of}: {written}")
    # labelled for the UI: a bare "8" before a campaign id reads as a count
    top_5 = "\n".join(
        f"- priority **{r['priority']}** · `{r['recommendation_type']}` · campaign {r['entity_id']}: "
        f"{r['title']}"
        for r in top.iter_rows(named=True)
    )
    return run.result(
        rows_read=ad_insights.height,
        recommendations=recs.height,
        by_type=dg.MetadataValue.json(by_type),
        by_priority=dg.MetadataValue.json({f"priority {k}": v for k, v in reversed(by_priority.items())}),
        top_5=dg.MetadataValue.md(top_5),
        passed_along=dg.MetadataValue.json(
            {
                "features": campaign_features is not None,
                "classifications": campaign_classifications is not None,
                "forecasts": campaign_forecasts is not None,
            }
        ),
        accounts_left_as_they_are=len(ahead),
        **written,
    )
