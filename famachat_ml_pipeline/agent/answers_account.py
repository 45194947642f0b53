"""The account-wide answers: the summary, the data's quality, the ROI from a lead's value, the campaigns'
frequency against the saturation alert, and the source's own figures before the pipeline's first run."""

from __future__ import annotations

import datetime as dt
from typing import Any

from famachat_ml_pipeline.agent.answers_periods import day_lines, period_lines
from famachat_ml_pipeline.agent.intents import Intent
from famachat_ml_pipeline.agent.wording import (
    Out,
    about_leads_text,
    br_date,
    br_span,
    failed,
    freq,
    leads_text,
    quoted,
    signed,
)


def _n(count: int, one: str, many: str | None = None) -> str:
    """ "1 crítica", "2 críticas": the word agreeing with its count ("1 críticas" read wrong)."""
    return f"{count} {one if count == 1 else many or one + 's'}"


def _summary_text(s: dict[str, Any]) -> list[str]:
    tiers = s.get("tiers", {})
    lines = [
        f"Resumo da conta (7 dias até {br_date(s.get('as_of'))}): {s['spend_7d']} investidos, "
        f"{leads_text(s['leads_7d'])}, CPL de {s['cpl_7d'] or '-'}.",
        f"{s['active_campaigns']} de {s['campaigns']} campanhas ativas; tiers: "
        f"{tiers.get('HIGH_PERFORMER', 0)} de alta performance, {_n(tiers.get('MODERATE', 0), 'moderada')}, "
        f"{_n(tiers.get('LOW', 0), 'baixa')} e {_n(tiers.get('UNDERPERFORMER', 0), 'crítica')}.",
        f"{_n(s['active_recommendations'], 'recomendação ativa', 'recomendações ativas')} "
        f"({s['high_priority_recommendations']} de alta prioridade) e "
        f"{_n(s['open_anomalies_7d'], 'anomalia aberta', 'anomalias abertas')} na semana "
        f"({_n(s['critical_anomalies_7d'], 'crítica')}).",
    ]
    if s.get("forecast_leads"):
        lines.append(
            f"Previsão para os próximos {s['forecast_next_days']} dias: "
            f"{about_leads_text(s['forecast_leads'])} e "
            f"{s['forecast_spend']} de gasto."
        )
    return lines


# "minha conta tá saudável?": each sign judged against a bar said in the answer
HEALTH_CPL_RISE_PCT = 10.0  # the account's 7-day CPL up this much on the 7 days before
HEALTH_CRITICAL_SHARE = 0.25  # more than a quarter of the classified campaigns in the critical tier
HEALTH_RULE = (
    f"Critério: saudável = CPL da conta subindo menos de {HEALTH_CPL_RISE_PCT:.0f}% nos 7 dias contra os 7 "
    "anteriores, nenhuma anomalia crítica aberta na semana e no máximo 1 em cada 4 campanhas classificadas "
    "no tier crítico; cada um que falha é um ponto de atenção."
)


def _pct_value(text: str | None) -> float | None:
    """ "+1.640%" -> 1640.0, "-1%" -> -1.0 (a change as the tools format it); None without one."""
    if not text:
        return None
    try:
        return float(text.replace("%", "").replace(".", "").replace(",", ".").strip())
    except ValueError:
        return None


def health_lines(s: dict[str, Any], t: dict[str, Any]) -> list[str]:
    """ "Minha conta tá saudável?": the verdict first, from the CPL's 7-day trend, the week's critical
    anomalies and the share of campaigns in the critical tier, each said with its figure, then the rule."""
    tiers = s.get("tiers", {})
    classified, critical = sum(tiers.values()), tiers.get("UNDERPERFORMER", 0)
    change = _pct_value(t.get("cpl_change")) if "error" not in t and "message" not in t else None
    bad, good = [], []
    if change is not None:
        now, before = t["last_7d"]["cpl"] or "-", t["previous_7d"]["cpl"] or "-"
        cpl = f"CPL da conta {now} nos 7 dias até {br_date(s.get('as_of'))}, contra {before} nos 7 anteriores"
        (bad if change >= HEALTH_CPL_RISE_PCT else good).append(f"{cpl} ({signed(t['cpl_change'])})")
    anomalies = s["critical_anomalies_7d"]
    if anomalies:
        bad.append(
            "1 anomalia crítica aberta na semana"
            if anomalies == 1
            else f"{anomalies} anomalias críticas abertas na semana"
        )
    else:
        good.append("nenhuma anomalia crítica aberta na semana")
    if classified:
        share = f"{critical} de {classified} campanhas classificadas no tier crítico"
        (bad if critical / classified > HEALTH_CRITICAL_SHARE else good).append(share)
    verdict = (
        "Sim, a conta está saudável"
        if not bad
        else "Em parte: a conta tem 1 ponto de atenção"
        if len(bad) == 1
        else f"Não: a conta pede atenção em {len(bad)} pontos"
    )
    head = f"{verdict}: {'; '.join(bad)}." if bad else f"{verdict}."
    return [head, f"A favor: {'; '.join(good)}." if good else "", HEALTH_RULE]


def say_summary(intent: Intent, out: Out) -> list[str]:
    s = out["get_account_summary"]
    # "resumo do mês": that period's figures from the source first, then the week's summary
    lines = [*day_lines(out), *period_lines(out)]
    if intent.ask == "report":  # "manda um relatório": no file sent, the summary here instead
        lines.insert(
            0, "Não consigo enviar arquivos (PDF, planilha, e-mail); o relatório da conta, aqui em texto:"
        )
    if intent.ask == "health" and "error" not in s:
        lines += [x for x in health_lines(s, out.get("analyze_trends") or {"error": "-"}) if x]
    lines += _summary_text(s) if "error" not in s else []
    for r in out["get_high_priority_recommendations"].get("recommendations", []):
        lines.append(f"- Prioridade {r['priority']}: {r['title']} ({quoted(r['name'])}).")
    return lines[: intent.limit] if intent.limit else lines  # "resumo em 3 linhas": the first 3


def say_data_quality(intent: Intent, out: Out) -> list[str]:
    q = out["get_data_quality"]
    reasons = ", ".join(f"{v} por {q['reasons_explained'][k]}" for k, v in q["set_aside_by_reason"].items())
    return [
        f"Dados até {br_date(q['data_through'])} (último dia completo); último dia sincronizado: "
        f"{br_date(q['last_synced_day'])}; resultados do pipeline de {br_date(q['results_as_of'])}.",
        f"Nos últimos {q['window_days']} dias li {q['rows_read']} linhas da fonte e deixei "
        f"{q['rows_set_aside']} de lado" + (f": {reasons}." if reasons else "."),
    ]


SALES_NOTE = (
    "Os dados não têm vendas: trazem os leads dos anúncios (quem deixou o contato), não quantos viraram "
    "venda, e isso fica no seu CRM."
)


def say_roi(intent: Intent, out: Out) -> list[str]:
    if "calculate_roi" not in out:
        sales = [SALES_NOTE] if intent.ask == "sales" else []
        return [
            *sales,
            "A fonte não tem receita, então preciso que você diga quanto vale um lead "
            "(ex.: “ROI com R$ 80 por lead”) ou o ticket médio e a taxa de fechamento.",
            *_break_even_lines(out),
        ]
    r = out["calculate_roi"]
    if msg := failed(r):
        return [msg]
    roas = str(r["roas"]).replace(".", ",")
    return [
        f"ROI estimado ({r['scope']}, {_days(r)}): {leads_text(r['leads'])} x "
        f"{r['value_per_lead']} = "
        f"{r['estimated_revenue']} contra {r['spend']} investidos: ROI {r['roi'] or '-'}, ROAS {roas}. "
        f"CPL do período {r['cpl'] or '-'}; o ponto de equilíbrio é um CPL de {r['break_even_cpl']}.",
        r["note"],
    ]


def _days(r: dict[str, Any]) -> str:
    """The ROI's days: "30 dias, 02/11/2026 a 01/12/2026"."""
    first, last = dt.date.fromisoformat(r["first_day"]), dt.date.fromisoformat(r["last_day"])
    return f"{r['window_days']} {'dia' if r['window_days'] == 1 else 'dias'}, {br_span(first, last)}"


def _break_even_lines(out: Out) -> list[str]:
    """ "a 12 tá dando lucro?" with no value of a lead: its CPL (the account's when none is named) is the
    value a lead must have for it to pay, said with the figures it rests on (was the refusal alone)."""
    d = out.get("get_campaign_details") or out.get("get_account_summary") or {}
    if failed(d) or not d.get("cpl_7d"):
        return []
    who = quoted(d["name"]) if d.get("name") else "A conta"
    month = f"; em 30 dias, {d['cpl_30d']}" if d.get("cpl_30d") else ""
    return [
        f"{who} pagou {d['cpl_7d']} por lead nos 7 dias até {br_date(str(d['as_of']))} ({d['spend_7d']} "
        f"gastos, {leads_text(d['leads_7d'])}){month}: se um lead vale mais que isso para você, "
        f"{'ela se paga' if d.get('name') else 'a conta se paga'}; se vale menos, dá prejuízo."
    ]


def say_frequency(intent: Intent, out: Out) -> list[str]:
    """ "Qual a frequência média da conta? tá saturando?": the campaigns' 7-day frequency (ml_features),
    the highest named, against FREQUENCY_ALERT's threshold, and the open frequency/saturation anomalies."""
    f = out["_frequency"]
    limit = freq(f["threshold"])
    rows, open_ = f["campaigns"], f["anomalies"]
    if not rows:
        return ["Não há frequência de 7 dias calculada para as campanhas desta conta (nenhuma entrega)."]
    mean = sum(x["frequency"] for x in rows) / len(rows)
    top = rows[0]
    above = [x for x in rows if x["frequency"] > f["threshold"]]
    kinds = {t: sum(1 for a in open_ if a["type"] == t) for t in ("FREQUENCY_ALERT", "REACH_SATURATION")}
    saturating = bool(above or open_)
    n = len(rows)
    side = "acima" if top["frequency"] > f["threshold"] else "abaixo"
    as_of = br_date(str(f["as_of"]))
    among = f"entre as {n} campanha{'s' if n != 1 else ''} com entrega"
    if intent.ask == "which":  # "qual campanha tem mais frequência?": that campaign first
        lines = [
            f"A frequência mais alta é a de {quoted(top['name'])} ({top['campaign_id']}): "
            f"{freq(top['frequency'])} nos 7 dias até {as_of} (ml_features), {side} do limite de {limit} do "
            f"alerta de frequência (FREQUENCY_ALERT); a média {among} é {freq(mean)}."
        ]
    else:
        lines = [
            ("Sim, há sinal de saturação" if saturating else "Não, nada indica saturação")
            + f": frequência de 7 dias até {as_of} (ml_features) com média de {freq(mean)} {among}; "
            f"a mais alta é {quoted(top['name'])} ({top['campaign_id']}), com {freq(top['frequency'])}, "
            f"{side} do limite de {limit} do alerta de frequência (FREQUENCY_ALERT)."
        ]
    if above:
        k = len(above)
        lines.append(f"{k} campanha{'s' if k != 1 else ''} acima de {limit}:")
        lines += [f"- {quoted(x['name'])} ({x['campaign_id']}): {freq(x['frequency'])}" for x in above[:5]]
        lines += [f"e mais {k - 5}."] if k > 5 else []
    else:
        lines.append(f"Nenhuma campanha acima de {limit}.")
    since = br_date(f["since"].isoformat())
    if open_:
        who = ", ".join(dict.fromkeys(quoted(a["name"]) for a in open_))
        lines.append(
            f"Anomalias abertas desde {since}: {kinds['FREQUENCY_ALERT']} de frequência alta "
            f"(FREQUENCY_ALERT) e {kinds['REACH_SATURATION']} de saturação de alcance (REACH_SATURATION), "
            f"em {who}."
        )
    else:
        lines.append(
            f"Nenhuma anomalia de frequência alta (FREQUENCY_ALERT) ou saturação de alcance "
            f"(REACH_SATURATION) aberta desde {since}."
        )
    return lines


def source_lines(out: Out) -> list[str]:
    """Figures read from the source itself, which hold before the pipeline's first run."""
    t = out.get("analyze_trends") or {}
    if "last_7d" not in t:
        return []
    last = t["last_7d"]
    return [
        f"Da fonte: {last['spend']} investidos, {leads_text(last['leads'])}, CPL {last['cpl'] or '-'} "
        f"nos 7 dias até {br_date(last['last_day'])}. Tiers, anomalias, recomendações e previsões vêm do "
        "pipeline."
    ]
