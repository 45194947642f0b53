"""The thirteenth buyer review (agent33): a campaign's CPL multiple of the account's said once rounded, the
same in every answer; tier names that agree with "tier" (masculine); "qual campanha mais caiu ontem?" is
the campaign that got worse, as the week's; a bare "devo pausar?" after one campaign is that campaign's;
the leads lost counted; "minha conta tá saudável?" with a verdict first; the steadiest daily CPL. Then the
review's own findings: "qual a campanha mais barata?" (was the dearest), "sábado é bom dia pra anunciar?"
(was last Saturday), the campaigns with the fewest leads, "tá caro?" and "e a que menos trouxe?" as
follow-ups. Figures from the cleaned source and the ml_* tables, read here on their own."""

from __future__ import annotations

import datetime as dt
import re

import polars as pl
import pytest
import sqlalchemy as sa

from famachat_ml_pipeline.core.recommendations import format_money, format_number, format_pct
from famachat_ml_pipeline_tests.agent.conftest import DemoDb, leads_of
from famachat_ml_pipeline_tests.agent.test_offline import _features
from famachat_ml_pipeline_tests.agent.test_offline_asks3 import _num2
from famachat_ml_pipeline_tests.agent.test_offline_asks8 import _d
from famachat_ml_pipeline_tests.agent.test_offline_asks14 import _source, _sums
from famachat_ml_pipeline_tests.agent.test_offline_asks16 import _numbered, _times
from famachat_ml_pipeline_tests.agent.test_offline_asks16 import latest_tiers as _latest_tiers
from famachat_ml_pipeline_tests.agent.test_offline_asks18 import _one
from famachat_ml_pipeline_tests.agent.test_offline_asks21 import _names, _quoted
from famachat_ml_pipeline_tests.agent.test_offline_asks22 import DAY
from famachat_ml_pipeline_tests.agent.test_offline_asks28 import _spans, _week
from famachat_ml_pipeline_tests.agent.test_offline_followups import ACCOUNT, _thread

pytestmark = pytest.mark.timeout(1200)
TIER_M = {  # "o tier": masculine
    "HIGH_PERFORMER": "alta performance",
    "MODERATE": "moderado",
    "LOW": "baixo",
    "UNDERPERFORMER": "crítico",
}
FEMININE = re.compile(r"\btier (moderada|baixa|crítica)\b")


# ------------------------------------------------------------ 1. the CPL multiple, rounded once
def test_a_campaigns_cpl_multiple_reads_the_same_in_the_tier_and_worst_lists(demo_db: DemoDb) -> None:
    """Was "= 2,95x" in the tier list and "3,0x" in the worst list (a stored 2,95 rounded again) where the
    other answers said "2,9x". Now one decimal from the unrounded CPL ÷ the account's, in both lists."""
    tiers = _latest_tiers(demo_db)
    critical = {
        cid: float(s["cpl_7d"]) / float(s["account_cpl_7d"])
        for cid, (tier, s) in tiers.items()
        if tier == "UNDERPERFORMER" and s.get("leads_7d") and s.get("cpl_7d") and s.get("account_cpl_7d")
    }
    assert critical, tiers
    _, listed = _one(demo_db, "quais campanhas estão no tier crítico?")
    _, worst = _one(demo_db, "qual a pior campanha?")
    for cid, ratio in critical.items():
        row = next(x for x in listed if f"({cid}):" in x)
        assert row.endswith(f"= {_times(ratio)} o da conta"), (row, ratio)
        row = next(x for x in worst[1:] if f"({cid}):" in x)
        assert f". CPL {_times(ratio)} o da conta (" in row, (row, ratio)


# ------------------------------------------------------------ 2. "o tier" is masculine
def test_tier_names_agree_with_tier(demo_db: DemoDb) -> None:
    """Was "está no tier crítica" / "5 campanha(s) em crítica". Now "no tier crítico", "moderado"."""
    tiers = _latest_tiers(demo_db)
    numbered = {cid: n for n, cid in _numbered(demo_db).items()}
    asked = 0
    for cid, (tier, _) in tiers.items():
        if cid not in numbered:
            continue
        _, lines = _one(demo_db, f"devo escalar a campanha {numbered[cid]}?")
        assert f"está no tier {TIER_M[tier]}," in lines[0], lines
        assert not FEMININE.search("\n".join(lines)), lines
        asked += 1
    assert asked >= 3
    k = sum(1 for t, _ in tiers.values() if t == "UNDERPERFORMER")
    _, lines = _one(demo_db, "quais campanhas estão no tier crítico?")
    assert lines[0] == f"{k} campanha{'s' if k != 1 else ''} no tier crítico (UNDERPERFORMER):", lines


# ------------------------------------------------------------ 3. "caiu" of a campaign is worse, on a day too
def test_the_campaign_that_fell_most_yesterday_is_the_one_that_got_worse(demo_db: DemoDb) -> None:
    """Was the campaign that lowered the account's CPL most (good news). Now the one that raised it most,
    said as "piorou pelo CPL", the same answer as "mais piorou ontem?" (was the account's Sim/Não)."""
    day = demo_db.as_of
    _, fell = _one(demo_db, "qual campanha mais caiu ontem?")
    _, worse = _one(demo_db, "qual campanha mais piorou ontem?")
    head = (
        "A campanha que mais piorou pelo CPL (a que mais subiu o CPL da conta) em "
        f"{_d(day)} (contra {_d(day - DAY)}): "
    )
    assert fell[0].startswith(head), fell
    assert worse[0] == fell[0], (worse, fell)
    assert re.search(r"; \+R\$ [\d.]+,\d\d no CPL da conta\.$", fell[0]), fell
    # the figures it states are that campaign's in the source, day before -> day
    cid = re.search(r"\((\d{6,})\): leads", fell[0]).group(1)
    src = _source(demo_db, ACCOUNT, day - DAY, day, demo_db.now).filter(pl.col("campaign_id") == cid)
    new, old = _sums(src, day, day), _sums(src, day - DAY, day - DAY)
    assert f"leads {old['leads']} → {new['leads']}, gasto {format_money(old['spend'])} → " in fell[0], fell


def test_the_campaign_that_fell_most_this_week_is_the_one_that_got_worse(demo_db: DemoDb) -> None:
    """Was "a campanha que mais melhorou pelo CPL" (the CPL falling read as the campaign falling)."""
    _, fell = _one(demo_db, "qual campanha mais caiu essa semana?")
    _, worse = _one(demo_db, "qual campanha mais piorou essa semana?")
    assert fell[0].startswith("A campanha que mais piorou pelo CPL "), fell
    assert fell[0] == worse[0], (fell, worse)


# ------------------------------------------------------------ 4. a bare "devo pausar?" after one campaign
def test_a_bare_pause_after_one_campaign_is_that_campaigns_verdict(demo_db: DemoDb) -> None:
    """ "como tá a N?" then "devo pausar?" was the account's pause list. Now N's verdict, as asked of N."""
    tiers = _latest_tiers(demo_db)
    numbered = {cid: n for n, cid in _numbered(demo_db).items()}
    cid = next(c for c, (t, _) in tiers.items() if t == "UNDERPERFORMER" and c in numbered)
    n, name = numbered[cid], _names(demo_db)[cid]
    _, (intent, lines) = _thread(demo_db, demo_db.now, [f"como ta a campanha {n}?", "devo pausar?"])
    _, direct = _one(demo_db, f"devo pausar a campanha {n}?")
    assert intent == "recommendations", lines
    assert lines[0] == direct[0] and _quoted(name) in lines[0], (lines, direct)
    # after an account-wide answer, the account's list stays
    _, (_, lines) = _thread(demo_db, demo_db.now, ["me da um resumo da conta", "devo pausar?"])
    assert lines[0].startswith("Pausar: "), lines


# ------------------------------------------------------------ 5. the leads lost, counted
def test_the_leads_lost_this_week_are_counted(demo_db: DemoDb) -> None:
    """Was both weeks' leads and the % only. Now the count lost (or gained) first."""
    _, lines = _one(demo_db, "quantos leads eu perdi essa semana?")
    (nf, nl), (of, ol) = _spans(lines[0])
    src = _source(demo_db, ACCOUNT, of, nl, demo_db.now)
    new, old = _sums(src, nf, nl)["leads"], _sums(src, of, ol)["leads"]
    assert new != old
    word = (
        f"Sim: a conta perdeu {leads_of(old - new)}"
        if new < old
        else f"Não: a conta ganhou {leads_of(new - old)}"
    )
    assert lines[0].startswith(word + " "), lines
    assert f"{new} de " in lines[0] and f"contra {old} " in lines[0], lines


# ------------------------------------------------------------ 6. the account's health: a verdict first
def _critical_anomalies(db: DemoDb, since: dt.date) -> int:
    with db.engine.connect() as c:
        return int(
            c.execute(
                sa.text(
                    "select count(*) from ml_anomalies where config_id = :a and anomaly_date >= :d and "
                    "severity = 'CRITICAL' and (is_acknowledged is null or not is_acknowledged) and "
                    "anomaly_type not in ('PERFORMANCE_SPIKE', 'CPL_DROP', 'CTR_SPIKE')"
                ),
                {"a": ACCOUNT, "d": dt.datetime.combine(since, dt.time())},
            ).scalar_one()
        )


@pytest.mark.parametrize("question", ["minha conta tá saudável?", "a conta ta bem?"])
def test_the_accounts_health_is_a_verdict_from_the_cpl_anomalies_and_tiers(
    demo_db: DemoDb, question: str
) -> None:
    """Was the summary with no verdict. Now "Sim" / "Em parte" / "Não" first, from the CPL's 7-day move
    (source), the week's critical anomalies and the share of critical campaigns (ml_*), then the rule."""
    last = demo_db.as_of
    src = _source(demo_db, ACCOUNT, last - 13 * DAY, last, demo_db.now)
    now, before = _sums(src, last - 6 * DAY, last), _sums(src, last - 13 * DAY, last - 7 * DAY)
    rise = (now["cpl"] / before["cpl"] - 1) * 100
    tiers = [t for t, _ in _latest_tiers(demo_db).values()]
    critical = sum(1 for t in tiers if t == "UNDERPERFORMER")
    anomalies = _critical_anomalies(demo_db, last - 6 * DAY)
    bad = [rise >= 10, anomalies > 0, critical / len(tiers) > 0.25]
    k = sum(bad)
    verdict = (
        "Sim, a conta está saudável"
        if k == 0
        else "Em parte: a conta tem 1 ponto de atenção"
        if k == 1
        else f"Não: a conta pede atenção em {k} pontos"
    )
    intent, lines = _one(demo_db, question)
    assert intent == "summary", lines
    assert lines[0].startswith(verdict), lines
    share = f"{critical} de {len(tiers)} campanhas classificadas no tier crítico"
    assert share in (lines[0] if bad[2] else lines[1]), lines
    cpl = (
        f"CPL da conta {format_money(now['cpl'])} nos 7 dias até {_d(last)}, contra "
        f"{format_money(before['cpl'])}"
    )
    assert cpl in (lines[0] if bad[0] else lines[1]), lines
    assert any(x.startswith("Critério: saudável = ") for x in lines), lines


# ------------------------------------------------------------ 7. the steadiest daily CPL
def test_the_steadiest_cpl_is_the_lowest_variation_of_the_daily_cpl(demo_db: DemoDb) -> None:
    """Was the account's trends. Now the coefficient of variation of each campaign's daily CPL over 14 days,
    among those with leads on 10+ of them, computed here with polars."""
    last = demo_db.as_of
    first = last - 13 * DAY
    src = _source(demo_db, ACCOUNT, first, last, demo_db.now)
    ranked = (
        src.filter(pl.col("leads") > 0)
        .with_columns(cpl=pl.col("spend") / pl.col("leads"))
        .group_by("campaign_id")
        .agg(
            n=pl.len(),
            mean=pl.col("cpl").mean(),
            low=pl.col("cpl").min(),
            high=pl.col("cpl").max(),
            cv=pl.col("cpl").std() / pl.col("cpl").mean(),
        )
        .filter(pl.col("n") >= 10)
        .sort("cv", "campaign_id")
        .to_dicts()
    )
    intent, lines = _one(demo_db, "qual campanha tem o cpl mais estavel?")
    assert intent == "cpl_stability", lines
    assert lines[-1].startswith(
        f"Regra: variação = desvio-padrão ÷ média do CPL de cada dia com lead, de {_d(first)} a {_d(last)}"
    ), lines
    if not ranked:
        assert lines[0].startswith("Nenhuma campanha teve leads em 10+"), lines
        return

    def said(r: dict) -> str:
        return (
            f"{_quoted(_names(demo_db)[r['campaign_id']])} ({r['campaign_id']}): variação "
            f"{format_pct(r['cv'] * 100, 0)}, CPL diário médio {format_money(r['mean'])} (de "
            f"{format_money(r['low'])} a {format_money(r['high'])}), leads em {r['n']} dos 14 dias"
        )

    assert lines[0] == f"O CPL mais estável: {said(ranked[0])}.", lines
    _, least = _one(demo_db, "qual campanha tem o cpl mais instavel?")
    assert least[0] == f"O CPL menos estável: {said(ranked[-1])}.", least


# ------------------------------------------------------------ 8. the cheapest campaign
@pytest.mark.parametrize(
    "question", ["qual a campanha mais barata?", "qual campanha tem o lead mais barato?"]
)
def test_the_cheapest_campaign_is_the_lowest_cpl(demo_db: DemoDb, question: str) -> None:
    """Was the highest CPL ("mais barata") or the spend list ("lead mais barato")."""
    per, _ = _week(demo_db)
    priced = sorted((c for c in per if per[c]["cpl"] is not None), key=lambda c: per[c]["cpl"])
    cid = priced[0]
    intent, lines = _one(demo_db, question)
    assert intent == "cpl_rank", lines
    assert lines[0].startswith(
        f"Campanha com o menor CPL nos 7 dias até {_d(demo_db.as_of)}: {_quoted(_names(demo_db)[cid])} "
        f"({cid}): {format_money(per[cid]['spend'])} gastos, {leads_of(per[cid]['leads'])}, CPL "
        f"{format_money(per[cid]['cpl'])}"
    ), lines


# ------------------------------------------------------------ 9. one weekday judged
@pytest.mark.parametrize(
    ("question", "day"), [("sabado é bom dia pra anunciar?", 5), ("quinta é dia ruim?", 3)]
)
def test_a_weekday_judged_is_its_place_by_cpl_among_the_weekdays(
    demo_db: DemoDb, question: str, day: int
) -> None:
    """Was last Saturday's figures. Now its place by CPL among the weekdays of the 4 weeks the answer states
    (summed here), against those weeks' CPL."""
    intent, lines = _one(demo_db, question)
    assert intent == "weekday", lines
    first, last = (
        dt.datetime.strptime(x, "%d/%m/%Y").date()
        for x in re.search(r"\((\d\d/\d\d/\d{4}) a (\d\d/\d\d/\d{4})", lines[0]).groups()
    )
    src = _source(demo_db, ACCOUNT, first, last, demo_db.now).with_columns(wd=pl.col("date").dt.weekday() - 1)
    days = src.group_by("wd").agg(pl.col("spend").sum(), pl.col("leads").sum()).to_dicts()
    ranked = sorted((d for d in days if d["leads"]), key=lambda d: (d["spend"] / d["leads"], d["wd"]))
    place = next(i for i, d in enumerate(ranked) if d["wd"] == day)
    n = len(ranked)
    word = "Um dos melhores" if place < 2 else "Um dos piores" if place >= n - 2 else "No meio"
    name = (
        "segunda-feira",
        "terça-feira",
        "quarta-feira",
        "quinta-feira",
        "sexta-feira",
        "sábado",
        "domingo",
    )[day]
    assert lines[0].startswith(f"{word}: pelo CPL, {name} é o {place + 1}º de {n} dias da semana "), lines
    me = ranked[place]
    overall = sum(d["spend"] for d in days) / sum(d["leads"] for d in days)
    assert lines[0].endswith(
        f"CPL {format_money(me['spend'] / me['leads'])}, contra {format_money(overall)} no total das 4 "
        f"semanas ({leads_of(me['leads'])}, {format_money(me['spend'])} gastos)."
    ), lines


# ------------------------------------------------------------ 10. the fewest leads
def test_the_campaign_with_the_fewest_leads_is_ranked_among_the_spenders(demo_db: DemoDb) -> None:
    """Was the most-leads list (or the account's total with a period). Now the campaigns that spent over
    the 7 days, fewest leads first."""
    last = demo_db.as_of
    first = last - 6 * DAY
    src = _source(demo_db, ACCOUNT, first, last, demo_db.now)
    sums = (
        src.group_by("campaign_id")
        .agg(pl.col("spend").sum(), pl.col("leads").sum())
        .filter(pl.col("spend") > 0)
    )
    ranked = sums.sort("leads", "campaign_id").to_dicts()
    top = ranked[0]
    intent, lines = _one(demo_db, "qual campanha teve menos leads?")
    assert intent == "top", lines
    assert lines[0].startswith(
        "A campanha com menos leads (entre as que gastaram) nos últimos 7 dias "
        f"({_d(first)} a {_d(last)}, 7 dias): {_quoted(_names(demo_db)[top['campaign_id']])} "
        f"({top['campaign_id']}): {format_money(top['spend'])} gastos, {leads_of(top['leads'])}"
    ), lines


def test_the_fewest_asked_after_the_most_is_the_same_ranking_reversed(demo_db: DemoDb) -> None:
    """ "qual campanha trouxe mais lead no mês?" then "e a q menos trouxe?" was "Não entendi"."""
    (_, most), (intent, lines) = _thread(
        demo_db, demo_db.now, ["qual campanha trouxe mais lead no mes?", "e a q menos trouxe?"]
    )
    assert intent == "top", lines
    first, last = (
        dt.datetime.strptime(x, "%d/%m/%Y").date()
        for x in re.search(r"\((\d\d/\d\d/\d{4}) a (\d\d/\d\d/\d{4})", most[0]).groups()
    )
    src = _source(demo_db, ACCOUNT, first, last, demo_db.now)
    sums = (
        src.group_by("campaign_id")
        .agg(pl.col("spend").sum(), pl.col("leads").sum())
        .filter(pl.col("spend") > 0)
    )
    top = sums.sort("leads", "campaign_id").to_dicts()[0]
    assert lines[0].startswith("A campanha com menos leads (entre as que gastaram) "), lines
    assert (
        f"{_quoted(_names(demo_db)[top['campaign_id']])} ({top['campaign_id']}): {format_money(top['spend'])}"
        in lines[0]
    ), lines


# ------------------------------------------------------------ 11. "tá caro?" after one campaign
def test_a_bare_judgement_after_one_campaign_judges_its_cpl(demo_db: DemoDb) -> None:
    """ "como tá a N?" then "tá caro?" was "Não entendi". Now N's 7-day CPL against the account's."""
    per, acct = _week(demo_db)
    numbered = _numbered(demo_db)
    n, cid = next((n, c) for n, c in sorted(numbered.items()) if c in per and per[c]["cpl"] is not None)
    _, (intent, lines) = _thread(demo_db, demo_db.now, [f"como ta a {n}?", "ta caro?"])
    assert intent == "campaign_details", lines
    ratio = per[cid]["cpl"] / acct["cpl"]
    level = 0 if ratio <= 1 else 1 if ratio < 1.3 else 2
    word = ("Não", "Um pouco", "Sim")[level]
    assert lines[0] == (
        f"{word}: CPL {format_money(per[cid]['cpl'])} nos 7 dias, {_times(ratio)} o CPL da conta "
        f"({format_money(acct['cpl'])})."
    ), lines


# ------------------------------------------------------------ 12. "compara ela com a M" after one campaign
def test_a_pronoun_compared_with_another_campaign_is_the_campaign_talked_about(demo_db: DemoDb) -> None:
    """ "como tá a N?" then "compara ela com a M" was "Para comparar, diga 2 a 5 campanhas". Now N and M
    side by side over the 7 days, each with its figures summed here."""
    per, _ = _week(demo_db)
    pair = [(n, c) for n, c in sorted(_numbered(demo_db).items()) if c in per and per[c]["leads"]][:2]
    (n, a), (m, b) = pair
    _, (intent, lines) = _thread(demo_db, demo_db.now, [f"como ta a {n}?", f"compara ela com a {m}"])
    assert intent == "compare", lines
    assert lines[1] == "Comparação (7 dias):", lines  # after the better by the CPL (agent42)
    for cid in (a, b):
        assert any(
            x.startswith(
                f"- {_quoted(_names(demo_db)[cid])} ({cid}): {format_money(per[cid]['spend'])} gastos, "
                f"{leads_of(per[cid]['leads'])}, "
            )
            for x in lines
        ), (cid, lines)


# ------------------------------------------------------------ 13. the most impressions / clicks
@pytest.mark.parametrize(
    ("question", "key", "word"),
    [
        ("qual campanha teve mais impressao ontem?", "impressions", "impressões"),
        ("qual campanha tem mais clique?", "clicks", "cliques"),
    ],
)
def test_the_campaign_with_the_most_impressions_or_clicks_is_ranked(
    demo_db: DemoDb, question: str, key: str, word: str
) -> None:
    """Was the account's figures of the day. Now the campaigns by that count (yesterday, or the 7 days),
    summed here."""
    last = demo_db.as_of
    first = last if "ontem" in question else last - 6 * DAY
    src = _source(demo_db, ACCOUNT, first, last, demo_db.now)
    top = (
        src.group_by("campaign_id")
        .agg(pl.col(key).sum())
        .sort(key, "campaign_id", descending=[True, False])
        .row(0)
    )
    intent, lines = _one(demo_db, question)
    assert intent == "cpl_rank", lines
    assert lines[0].startswith(f"A campanha com mais {word} "), lines
    assert (
        f"{_quoted(_names(demo_db)[top[0]])} ({top[0]}): {format_number(top[1], 0)} {word}, " in lines[0]
    ), lines


@pytest.mark.parametrize(
    "question", ["qual campanha tem mais frequencia?", "qual a campanha com maior frequência?"]
)
def test_the_campaign_with_the_highest_frequency_is_said_first(demo_db: DemoDb, question: str) -> None:
    """Was "Sim, há sinal de saturação: ..." for a question asking which campaign; now that campaign first,
    its 7-day frequency read here from ml_features."""
    feats = _features(demo_db, ACCOUNT)
    freq = {c: float(f["frequency_7d"]) for c, f in feats.items() if f.get("frequency_7d")}
    top = max(freq, key=lambda c: (freq[c], c))
    intent, lines = _one(demo_db, question)
    assert intent == "frequency", lines
    name = _quoted(_names(demo_db)[top])
    assert lines[0].startswith(f"A frequência mais alta é a de {name} ({top}): {_num2(freq[top])} "), lines
    mean = _num2(sum(freq.values()) / len(freq))
    assert f"a média entre as {len(freq)} campanhas com entrega é {mean}" in lines[0], lines


@pytest.mark.parametrize(
    ("question", "good_when_up"), [("a conta ta bem de leads?", True), ("tô mal de leads?", False)]
)
def test_well_off_for_leads_is_the_leads_move_with_its_verdict(
    demo_db: DemoDb, question: str, good_when_up: bool
) -> None:
    """Was the account's health verdict (CPL, anomalies, tiers) for a question about leads; now the leads'
    7 days against the 7 before, summed here, "Sim" when they moved the way asked."""
    last = demo_db.as_of
    now = _source(demo_db, ACCOUNT, last - 6 * DAY, last, demo_db.now)["leads"].sum()
    before = _source(demo_db, ACCOUNT, last - 13 * DAY, last - 7 * DAY, demo_db.now)["leads"].sum()
    assert now != before  # the demo's weeks differ, so a verdict is due
    intent, lines = _one(demo_db, question)
    assert intent == "trends", lines
    yes = (now > before) == good_when_up
    went = "subindo" if now > before else "caindo"
    assert lines[0].startswith(f"{'Sim' if yes else 'Não'}: os leads da conta estão {went}: "), lines
    assert (
        f"{format_number(now, 0)} nos 7 dias até {_d(last)}, contra {format_number(before, 0)} " in (lines[0])
    ), lines
