"""The recommendation engine (seed section 4.4): the 8 rule types, with the safety rules media buyers use,
and the lifecycle of `ml_recommendations` (`reconcile`). Pure polars: no database, no Dagster.

`generate_recommendations` evaluates every rule as a polars expression over one joined frame with a row per
campaign (features, classification, open anomalies, forecasts, campaign attributes), so all campaigns of
all accounts are evaluated at once: there is no loop per campaign. Two rules need the daily frame itself
(REACTIVATE: the history before the pause; OPTIMIZE_SCHEDULE: CPL by weekday); they are `group_by`s too.

Rules (thresholds are `RecommendationConfig` fields; "account CPL" is the CPL of all the account's campaigns
over the same window, the reference the classifier uses):

| type              | fires when                                                                          |
|-------------------|-------------------------------------------------------------------------------------|
| PAUSE_CAMPAIGN    | ACTIVE, UNDERPERFORMER, 0 leads in 7 days and spend_7d >= 2 x account CPL           |
| BUDGET_INCREASE   | ACTIVE, HIGH_PERFORMER, CPL < 0.7 x account CPL, leads on > 50 % of days, CPL trend  |
|                   | < +10 %, spending >= 80 % of the budget (more budget buys nothing otherwise), the    |
|                   | CPL's 95 % upper bound < account CPL, not likely to fall (model)                     |
| SCALE_UP          | BUDGET_INCREASE's conditions, and the same over 30 days (CPL <= 0.7 x account CPL on |
|                   | >= 28 days, leads on >= 80 % of them, 30-day CPL upper bound < account CPL). It      |
|                   | supersedes BUDGET_INCREASE                                                           |
| BUDGET_DECREASE   | ACTIVE, CPL >= 1.3 x account CPL and CPL up >= 15 % on the previous 7 days           |
| CREATIVE_REFRESH  | ACTIVE, frequency_7d >= 2.5 and CTR significantly low (vs the account) or falling    |
|                   | (vs the previous 7 days), or an open CTR_DROP anomaly                                |
| AUDIENCE_REVIEW   | ACTIVE, frequency_7d > 5, or an open REACH_SATURATION anomaly, or frequency_7d >=    |
|                   | 3.5 with reach down >= 10 % while spend held                                         |
| REACTIVATE        | PAUSED for >= 3 days; its last 30 delivered days (within 90) had >= 10 leads, leads  |
|                   | on >= half the days and CPL <= the account's current 30-day CPL                      |
| OPTIMIZE_SCHEDULE | ACTIVE, 28 days of history; the worst weekday's CPL is >= 50 % above the best's, and |
|                   | its leads are too few for its spend at the rate of the other days of the same weeks  |
|                   | (one-sided Poisson test, Bonferroni x 7, p <= 0.01; see `weekday_spread`)            |

`frequency_7d` is the features' mean daily frequency (impressions / summed daily reach), a lower bound on
Meta's 7-day frequency, so the seed's "> 5" is a conservative bar.

Safety rules:
- Budget steps are capped at `max_budget_step_pct` (20 %, configurable). The seed allows 20-50 %; we keep
  Meta's own guidance (edits of about 20 % or less do not restart the learning phase), so the seed's 30 %
  increase and decrease and 50 % scale-up are cut to the cap and bigger moves happen in steps every 3-4
  days. Suggested budgets are rounded toward the current budget at the currency's precision, so rounding
  never exceeds the cap.
- Cutting losses (BUDGET_DECREASE, PAUSE_CAMPAIGN) is never blocked by the learning phase. Meta leaves it
  after about 50 results in 7 days; a flat `leads_7d < 50` gate blocked most of a small fleet, including
  every cut of an expensive campaign. The proxy (`learning_min_leads_7d`) is only reported in reasoning.
- Scaling up (BUDGET_INCREASE, SCALE_UP) needs statistical evidence instead of a flat lead count: the
  one-sided 95 % upper bound of the campaign's CPL (exact Poisson/Gamma interval on its leads given its
  spend, `evidence.cpl_upper_bound`) must be below the account's CPL. So 10 cheap leads can be enough when
  the CPL is far below the account's, and 60 are not when it is close to it.
- Likely to fall: with an active classifier, `tier` is today's rule tier and the model's next-week
  probabilities come beside it; when P(next week's tier below today's) >= `scale_max_fall_probability`
  (0.5) the campaign is not scaled, and `p_fall_next_week` is in the scaling rules' reasoning.
- A campaign with an open CRITICAL anomaly (any type, not acknowledged) is never scaled (BUDGET_INCREASE,
  SCALE_UP): a CRITICAL jump may be a tracking or delivery fault, not real performance.
- Nor paused on 0 leads that an open anomaly explains otherwise: a CRITICAL PERFORMANCE_DROP of the last
  7 days without a CTR drop (leads gone while clicks held: a tracking break, already alerted), or a
  delivery stop (ZERO_SPEND / ZERO_IMPRESSIONS) with no spend since (pausing saves nothing). Once the
  buyer acknowledges the anomaly, the pause fires again if the leads are still 0. OPTIMIZE_SCHEDULE waits
  too while an open CRITICAL PERFORMANCE_DROP lies in its 28 days: a break from a Monday makes that
  week's Friday look worse than its own weekend.
- Budget rules need a campaign-level daily budget: with the budget at ad-set level (null) there is no
  campaign field to change.
- Rates on small counts (CTR, CPL by weekday) must pass a count-aware test, not only a percentage.

Money: budgets and CPLs are in the currency's major unit (the daily frame already divided the source's minor
units by 100, or by 1 for CLP, COP, JPY, KRW, IDR and VND); those six show no decimals ("CLP 5.000").
The expected impact of a budget change is the extra leads a week the step buys at the forecast CPL
(`forecast_fleet`'s spend / leads over the next 7 days, else the 7-day CPL), an upper bound since the
marginal CPL of more budget is usually above the average; the forecast leads of the next 7 days are quoted
as the baseline.

`confidence_score` = weighted mean of volume (0.4), consistency (0.3) and, when the classifier is a model,
its probability for the tier the rule relies on (0.3; weights renormalised without it), clipped to
[0.05, 0.99]. Each rule defines its own volume and consistency (see the rule functions).

`severity_metric` is the rule's key number, oriented so that larger means a stronger case for the
recommendation (e.g. CPL / account CPL for BUDGET_DECREASE, account CPL / CPL for BUDGET_INCREASE). It is
also stored in `reasoning["severity_metric"]`, which is what `reconcile` compares against for the cooldown.

Text: titles and descriptions are pt-BR with Brazilian number formats ("R$ 1.234,56", "42%"). They are built
with vectorised polars expressions (`number_expr`, `money_expr`, `pct_expr`), so there is no per-row Python.
`format_money` and `format_pct` are the scalar forms of the same expressions.
"""

from famachat_ml_pipeline.core.recommendations.config import (
    OUTPUT_SCHEMA,
    PRIORITIES,
    REC_KEY,
    SEVERITY_KEY,
    RecommendationConfig,
)
from famachat_ml_pipeline.core.recommendations.engine import (
    anomaly_links,
    empty_recommendations,
    generate_recommendations,
)
from famachat_ml_pipeline.core.recommendations.lifecycle import (
    INSERT_COLUMNS,
    UPDATE_COLUMNS,
    USER_COLUMNS,
    ReconcilePlan,
    reconcile,
    upgrade_reasoning,
)
from famachat_ml_pipeline.core.recommendations.rules_schedule import weekday_spread
from famachat_ml_pipeline.core.recommendations.text_ptbr import (
    format_money,
    format_number,
    format_pct,
    money_expr,
    number_expr,
    pct_expr,
)
from famachat_ml_pipeline.core.vocab import RECOMMENDATION_TYPES

__all__ = [
    "INSERT_COLUMNS",
    "OUTPUT_SCHEMA",
    "PRIORITIES",
    "RECOMMENDATION_TYPES",
    "REC_KEY",
    "SEVERITY_KEY",
    "UPDATE_COLUMNS",
    "USER_COLUMNS",
    "ReconcilePlan",
    "RecommendationConfig",
    "anomaly_links",
    "empty_recommendations",
    "format_money",
    "format_number",
    "format_pct",
    "generate_recommendations",
    "money_expr",
    "number_expr",
    "pct_expr",
    "reconcile",
    "upgrade_reasoning",
    "weekday_spread",
]
