"""Account-level analysis tools: summary, trends, comparisons, rankings and ROI."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any, Literal

import polars as pl
from pydantic import Field, model_validator

from famachat_ml_pipeline.agent.tools.campaigns import CampaignMetrics, account_state, is_active, metrics_rows
from famachat_ml_pipeline.agent.tools.context import (
    NotFound,
    ToolContext,
    ToolInput,
    ToolOutput,
    rnd,
)
from famachat_ml_pipeline.agent.tools.forecasts import latest_forecasts, summarize
from famachat_ml_pipeline.core.recommendations.text_ptbr import days_text
from famachat_ml_pipeline.core.vocab import GOOD_NEWS_ANOMALIES, TIERS
from famachat_ml_pipeline.db import agent_queries as q
from famachat_ml_pipeline.source.read import read_daily_insights


def excluded_text(set_aside: int, orphans: int) -> str:
    """What a total leaves out, in the user's words ("" when nothing): campaign-days whose source rows
    were set aside as invalid, and days of campaigns missing from the campaigns table."""
    parts = []
    if set_aside:
        parts.append(f"sem {days_text(set_aside)} de campanha cujos dados a fonte trouxe inválidos")
    if orphans:
        parts.append(f"sem {days_text(orphans)} de campanha ausente da tabela de campanhas")
    return " e ".join(parts)


def _cpl(spend: float, leads: float) -> float | None:
    return spend / leads if leads > 0 else None


# ------------------------------------------------------------------------------------------ summary


class AccountSummary(ToolOutput):
    as_of: dt.date | None
    currency: str
    campaigns: int
    active_campaigns: int
    spend_7d: str
    leads_7d: int
    cpl_7d: str | None
    tiers: dict[str, int]
    active_recommendations: int
    high_priority_recommendations: int
    open_anomalies_7d: int
    critical_anomalies_7d: int
    forecast_next_days: int
    forecast_leads: str | None
    forecast_spend: str | None


class NoInput(ToolInput):
    pass


def account_totals(feats: dict[str, dict[str, Any]]) -> tuple[float, int]:
    spend = sum(float(f.get("spend_7d") or 0.0) for f in feats.values())
    leads = sum(int(f.get("leads_7d") or 0) for f in feats.values())
    return spend, leads


def get_account_summary(ctx: ToolContext, inp: NoInput) -> AccountSummary:
    """Resumo da conta: gasto, leads e CPL de 7 dias, tiers, recomendações, anomalias e previsão da semana."""
    feats, tiers, as_of = account_state(ctx)
    spend, leads = account_totals(feats)
    recs = q.read_active_recommendations(ctx.engine, ctx.config_id)
    anomalies = q.read_recent_anomalies(ctx.engine, ctx.config_id, ctx.data_through() - dt.timedelta(days=6))
    totals: dict[str, float] = {"spend": 0.0, "leads": 0.0}
    horizon = 0
    for r in latest_forecasts(ctx, with_methods=False):
        if r["target_metric"] in totals and isinstance(r["predictions"], list):
            totals[r["target_metric"]] += summarize(ctx, r["target_metric"], r["predictions"])[0]
            horizon = max(horizon, len(r["predictions"]))
    f = ctx.fmt1(
        {"spend": spend, "cpl": _cpl(spend, leads), "fc_spend": totals["spend"], "fc_leads": totals["leads"]},
        {"spend": "money", "cpl": "money", "fc_spend": "money", "fc_leads": "num1"},
    )
    return AccountSummary(
        as_of=as_of,
        currency=ctx.currency,
        campaigns=len(ctx.campaigns),
        active_campaigns=sum(1 for c in ctx.campaigns.values() if is_active(c)),
        spend_7d=f["spend"] or "-",
        leads_7d=leads,
        cpl_7d=f["cpl"],
        tiers={t: sum(1 for v in tiers.values() if v == t) for t in TIERS},
        active_recommendations=len(recs),
        high_priority_recommendations=sum(1 for r in recs if (r["priority"] or 0) >= 8),
        open_anomalies_7d=len(anomalies),
        # critical problems: a CRITICAL lead spike is good news, not something to fix
        critical_anomalies_7d=sum(
            a["severity"] == "CRITICAL" and a["anomaly_type"] not in GOOD_NEWS_ANOMALIES for a in anomalies
        ),
        forecast_next_days=horizon,
        forecast_leads=f["fc_leads"] if horizon else None,
        forecast_spend=f["fc_spend"] if horizon else None,
    )


# ------------------------------------------------------------------------------------------ trends


class TrendInput(ToolInput):
    campaign_id: str | None = Field(default=None, max_length=100, description="vazio = a conta inteira")


class Period(ToolOutput):
    first_day: dt.date
    last_day: dt.date
    spend: str
    leads: int
    cpl: str | None
    ctr: str | None
    cpm: str | None = None  # spend per 1,000 impressions
    cpc: str | None = None  # spend per click
    cvr: str | None = None  # leads per click


class CplMover(ToolOutput):
    campaign_id: str
    name: str
    cpl_7d: str | None
    cpl_trend: str | None


class CplDriver(ToolOutput):
    factor: str  # "cpm", "ctr" or "cvr" (leads per click)
    change: str  # its % change, 7 days against the 7 before
    share: float  # its share of the CPL's (log) change: the shares sum to 1; negative pulled the other way
    # the CPL's % change had this factor alone moved: a share over 100 % reads as nonsense to a buyer when
    # the factors pull opposite ways, this does not
    cpl_effect: str = "0%"
    now: str | None
    before: str | None


class Trends(ToolOutput):
    scope: str
    last_7d: Period
    previous_7d: Period
    spend_change: str | None
    leads_change: str | None
    cpl_change: str | None
    ctr_change: str | None  # "o CTR caiu?": the change itself, the rounded CTRs may read the same
    cpm_change: str | None = None
    cpc_change: str | None = None
    # why the CPL moved: CPM, CTR and leads per click (cvr), the largest share of the move first
    cpl_drivers: list[CplDriver] = []
    biggest_cpl_increases: list[CplMover]


def period_figures(daily: pl.DataFrame, first: dt.date, last: dt.date) -> dict[str, Any]:
    d = daily.filter(pl.col("date").is_between(first, last))
    spend = float(d["spend"].sum() or 0.0)
    leads = int(d["leads"].sum() or 0)
    clicks, imps = int(d["clicks"].sum() or 0), int(d["impressions"].sum() or 0)
    return {
        "first_day": first,
        "last_day": last,
        "spend": spend,
        "leads": leads,
        "cpl": _cpl(spend, leads),
        "ctr": clicks / imps * 100.0 if imps else None,
        "cpm": spend / imps * 1000.0 if imps else None,
        "cpc": spend / clicks if clicks else None,
        "cvr": leads / clicks * 100.0 if clicks else None,  # leads per click
    }


# CPL = spend / leads = (CPM / 1000) / (CTR x leads per click): log CPL moves by the sum of its factors' moves
CPL_FACTORS = (("cpm", 1.0), ("ctr", -1.0), ("cvr", -1.0))


def cpl_drivers(now: dict[str, Any], before: dict[str, Any]) -> list[tuple[str, float, float]]:
    """(factor, % change, share of the CPL's log change) for CPM, CTR and leads per click, the largest
    share first; empty when the CPL or a factor is undefined in either period (no lead, no click)."""
    if not (now.get("cpl") and before.get("cpl")):
        return []
    moves = []
    for factor, sign in CPL_FACTORS:
        a, b = now.get(factor), before.get(factor)
        if not (a and b):
            return []
        moves.append((factor, (a - b) / b * 100.0, sign * math.log(a / b)))
    total = math.log(now["cpl"] / before["cpl"])
    if abs(total) < 1e-9:
        return []
    return sorted(((f, pct, part / total) for f, pct, part in moves), key=lambda x: -x[2])


def _change(now: float | None, before: float | None) -> float | None:
    if now is None or not before:
        return None
    return (now - before) / before * 100.0


PERIOD_FORMATS = {
    "spend": "money",
    "cpl": "money",
    "ctr": "pct2",
    "cpm": "money",
    "cpc": "money",
    "cvr": "pct2",
}


def _rate_text(ctx: ToolContext, factor: str, figures: dict[str, Any]) -> str | None:
    how = {"cpm": "money", "ctr": "pct2", "cvr": "pct2"}[factor]
    return ctx.fmt1({factor: figures[factor]}, {factor: how})[factor]


def _alone(factor: str, now: dict[str, Any], before: dict[str, Any]) -> float:
    """The CPL's % change had only this factor moved: the CPM moves it as it moves, CTR and leads per click
    inversely (CPL = CPM / (CTR x leads per click))."""
    sign = dict(CPL_FACTORS)[factor]
    return ((now[factor] / before[factor]) ** sign - 1.0) * 100.0


def driver_rows(ctx: ToolContext, now: dict[str, Any], before: dict[str, Any]) -> list[CplDriver]:
    """`cpl_drivers` of two periods' `period_figures`, formatted: the 7 days here, the calendar weeks in
    the offline agent's "por que o CPL subiu essa semana?"."""
    return [
        CplDriver(
            factor=f,
            change=ctx.fmt1({"c": pct}, {"c": "pct0"})["c"] or "0%",
            share=round(share, 3),
            cpl_effect=ctx.fmt1({"c": _alone(f, now, before)}, {"c": "pct0"})["c"] or "0%",
            now=_rate_text(ctx, f, now),
            before=_rate_text(ctx, f, before),
        )
        for f, pct, share in cpl_drivers(now, before)
    ]


def analyze_trends(ctx: ToolContext, inp: TrendInput) -> Trends | NotFound:
    """Tendência: 7 dias contra os 7 anteriores (gasto, leads, CPL, CTR), da conta ou de uma campanha."""
    if inp.campaign_id is not None and not ctx.owns(inp.campaign_id):
        return NotFound(message="Essa campanha não existe nesta conta.")
    through = ctx.data_through()
    daily = read_daily_insights(ctx.engine, [ctx.config_id], through, 14, now=ctx.now).daily
    if inp.campaign_id is not None:
        daily = daily.filter(pl.col("campaign_id") == inp.campaign_id)
    last = period_figures(daily, through - dt.timedelta(days=6), through)
    prev = period_figures(daily, through - dt.timedelta(days=13), through - dt.timedelta(days=7))
    feats, _, _ = account_state(ctx)
    movers = sorted(
        (
            (cid, f)
            for cid, f in feats.items()
            if f.get("cpl_trend") is not None and (inp.campaign_id is None or cid == inp.campaign_id)
        ),
        key=lambda x: -float(x[1]["cpl_trend"]),
    )
    movers = [(cid, f) for cid, f in movers[:3] if float(f["cpl_trend"]) > 0]
    last_f, prev_f = ctx.fmt([last, prev], PERIOD_FORMATS)
    changes = ctx.fmt1(
        {k: _change(last[k], prev[k]) for k in ("spend", "leads", "cpl")},
        dict.fromkeys(("spend", "leads", "cpl"), "pct0"),
    )
    moved = ctx.fmt(
        [{"cpl_7d": f.get("cpl_7d"), "cpl_trend": f.get("cpl_trend")} for _, f in movers],
        {"cpl_7d": "money", "cpl_trend": "pct0"},
    )
    return Trends(
        scope="conta" if inp.campaign_id is None else f"campanha {inp.campaign_id}",
        last_7d=Period(**{**last_f, "spend": last_f["spend"] or "-"}),
        previous_7d=Period(**{**prev_f, "spend": prev_f["spend"] or "-"}),
        spend_change=changes["spend"],
        leads_change=changes["leads"],
        cpl_change=changes["cpl"],
        ctr_change=ctx.fmt1({"ctr": _change(last["ctr"], prev["ctr"])}, {"ctr": "pct1"})["ctr"],
        cpm_change=ctx.fmt1({"cpm": _change(last["cpm"], prev["cpm"])}, {"cpm": "pct1"})["cpm"],
        cpc_change=ctx.fmt1({"cpc": _change(last["cpc"], prev["cpc"])}, {"cpc": "pct1"})["cpc"],
        cpl_drivers=driver_rows(ctx, last, prev),
        biggest_cpl_increases=[
            CplMover(campaign_id=cid, name=ctx.name_of(cid), cpl_7d=m["cpl_7d"], cpl_trend=m["cpl_trend"])
            for (cid, _), m in zip(movers, moved, strict=True)
        ],
    )


# ------------------------------------------------------------------------------------------ compare / top


class CompareInput(ToolInput):
    campaign_ids: list[str] = Field(min_length=2, max_length=5, description="2 a 5 ids de campanhas da conta")


class Comparison(ToolOutput):
    campaigns: list[CampaignMetrics]
    not_found: int  # ids that are not this account's (not echoed back)
    lowest_cpl: str | None
    most_leads: str | None
    highest_cpl: str | None = None  # of those with leads ("qual delas tá pior?")


def compare_campaigns(ctx: ToolContext, inp: CompareInput) -> Comparison:
    """Compara de 2 a 5 campanhas da conta lado a lado (métricas de 7 e 30 dias, tier)."""
    feats, tiers, _ = account_state(ctx)
    ids = list(dict.fromkeys(inp.campaign_ids))
    mine = [cid for cid in ids if ctx.owns(cid)]
    with_cpl = [cid for cid in mine if feats.get(cid, {}).get("cpl_7d") is not None]
    return Comparison(
        campaigns=metrics_rows(ctx, mine, feats, tiers),
        not_found=sum(1 for cid in ids if not ctx.owns(cid)),
        lowest_cpl=min(with_cpl, key=lambda c: float(feats[c]["cpl_7d"])) if with_cpl else None,
        most_leads=max(mine, key=lambda c: int(feats.get(c, {}).get("leads_7d") or 0)) if mine else None,
        highest_cpl=max(with_cpl, key=lambda c: float(feats[c]["cpl_7d"])) if with_cpl else None,
    )


class TopInput(ToolInput):
    metric: Literal["leads", "cpl", "spend", "ctr"] = Field(
        default="leads", description="leads/spend/ctr: maiores; cpl: menores (com leads)"
    )
    limit: int = Field(default=5, ge=1, le=20)


class TopList(ToolOutput):
    metric: str
    as_of: dt.date | None
    campaigns: list[CampaignMetrics]


def get_top_campaigns(ctx: ToolContext, inp: TopInput) -> TopList:
    """As melhores campanhas dos últimos 7 dias por leads, CPL (menor), gasto ou CTR."""
    feats, tiers, as_of = account_state(ctx)
    key = f"{inp.metric}_7d"
    ranked = [(cid, f) for cid, f in feats.items() if f.get(key) is not None]
    if inp.metric == "cpl":
        ranked = [(cid, f) for cid, f in ranked if int(f.get("leads_7d") or 0) > 0]
    ranked.sort(key=lambda x: (float(x[1][key]) if inp.metric == "cpl" else -float(x[1][key]), x[0]))
    return TopList(
        metric=inp.metric,
        as_of=as_of,
        campaigns=metrics_rows(ctx, [cid for cid, _ in ranked[: inp.limit]], feats, tiers),
    )


# ------------------------------------------------------------------------------------------ ROI


class RoiInput(ToolInput):
    value_per_lead: float | None = Field(
        default=None, gt=0, description="quanto vale um lead, na moeda da conta"
    )
    average_ticket: float | None = Field(default=None, gt=0, description="ticket médio de uma venda")
    close_rate: float | None = Field(
        default=None, gt=0, le=100, description="taxa de fechamento, em % (ex.: 10)"
    )
    campaign_id: str | None = Field(default=None, max_length=100, description="vazio = a conta inteira")
    window: Literal[7, 30] = 30
    first_day: dt.date | None = Field(
        default=None, description="um período pedido (ex.: novembro): seu primeiro dia; vazio = `window` dias"
    )
    last_day: dt.date | None = Field(default=None, description="o último dia do período pedido")

    @model_validator(mode="after")
    def _one_way(self) -> RoiInput:
        if self.value_per_lead is None and (self.average_ticket is None or self.close_rate is None):
            raise ValueError("informe value_per_lead, ou average_ticket e close_rate")
        if (self.first_day is None) != (self.last_day is None):
            raise ValueError("informe first_day e last_day juntos")
        if self.first_day and self.last_day and self.first_day > self.last_day:
            raise ValueError("first_day depois de last_day")
        return self


class Roi(ToolOutput):
    scope: str
    window_days: int
    first_day: str
    last_day: str
    spend: str
    leads: int
    value_per_lead: str
    estimated_revenue: str
    roi: str | None  # (revenue - spend) / spend
    roas: float | None
    break_even_cpl: str
    cpl: str | None
    note: str
    days_set_aside: int = 0  # campaign-days of the window whose source rows were invalid: not in the sums
    orphan_days: int = 0  # days of campaigns missing from the campaigns table: not in the sums either


def calculate_roi(ctx: ToolContext, inp: RoiInput) -> Roi | NotFound:
    """ROI estimado: sem receita na fonte, usa o valor por lead (ou ticket x fechamento) do usuário."""
    if inp.campaign_id is not None and not ctx.owns(inp.campaign_id):
        return NotFound(message="Essa campanha não existe nesta conta.")
    # a period asked ("ROI de novembro"): its complete days; else the last `window` complete days
    last = min(inp.last_day, ctx.data_through()) if inp.last_day else ctx.data_through()
    first = inp.first_day or last - dt.timedelta(days=inp.window - 1)
    if first > last:
        return NotFound(message=f"O período pedido começa depois do último dia completo ({last:%d/%m/%Y}).")
    w = (last - first).days + 1
    daily = read_daily_insights(ctx.engine, [ctx.config_id], last, w, now=ctx.now).daily
    if inp.campaign_id is not None:
        daily = daily.filter(pl.col("campaign_id") == inp.campaign_id)
    spend, leads = float(daily["spend"].sum() or 0.0), int(daily["leads"].sum() or 0)
    # what the sums leave out: set-aside campaign-days (null metrics) and campaigns missing from the table
    aside = daily.filter(pl.col("spend").is_null()).height
    orphans = 0 if inp.campaign_id else q.orphan_campaign_days(ctx.engine, ctx.config_id, first, last)
    if inp.value_per_lead is not None:
        vpl = inp.value_per_lead
    else:
        vpl = float(inp.average_ticket or 0) * float(inp.close_rate or 0) / 100.0
    revenue = leads * vpl
    values = {
        "spend": spend,
        "vpl": vpl,
        "revenue": revenue,
        "cpl": _cpl(spend, leads),
        "ticket": inp.average_ticket,
        "close": inp.close_rate,
        "roi": (revenue - spend) / spend * 100.0 if spend > 0 else None,
    }
    money = dict.fromkeys(("spend", "vpl", "revenue", "cpl", "ticket"), "money")
    f = ctx.fmt1(values, {**money, "close": "num1", "roi": "pct0"})
    how = (
        "valor por lead informado"
        if inp.value_per_lead is not None
        else f"ticket médio {f['ticket']} x taxa de fechamento {f['close']}%"
    )
    left_out = excluded_text(aside, orphans)
    left_out = f" Gasto e leads {left_out}." if left_out else ""
    return Roi(
        scope="conta" if inp.campaign_id is None else f"campanha {inp.campaign_id}",
        window_days=w,
        first_day=first.isoformat(),
        last_day=last.isoformat(),
        spend=f["spend"] or "-",
        leads=leads,
        value_per_lead=f["vpl"] or "-",
        estimated_revenue=f["revenue"] or "-",
        roi=f["roi"],
        roas=rnd(revenue / spend) if spend > 0 else None,
        break_even_cpl=f["vpl"] or "-",
        cpl=f["cpl"],
        note=f"Estimativa: a fonte não registra receita; usei {how}. Não é receita real.{left_out}",
        days_set_aside=aside,
        orphan_days=orphans,
    )
