"""The twenty-third buyer review (agent43): "gasto por campanha ontem" and "quanto cada campanha gastou
semana passada" (the account's total), "como estão as campanhas ontem" (the 7 days' list), "vale a pena
reativar a 13?" (no Sim/Não), "manda um relatório" (a refusal with no summary), "compara a 12 com a 17"
(the better said twice), "cpl ta 30?" (the trend), "tá caro?" (the help menu), "a 14 tá cara?" (its card
alone), "ontem foi bom?" (the day's figures, no verdict), "tá valendo a pena?" (the advice listed), "devo
desligar tudo?" (no "Não" first) and "como tá a publico 5?" (a name's part without "campanha": the help
menu). Figures from the cleaned source, read here on their own. SQLite only: the answers add no SQL of
their own (the reads are the ones every answer shares, tested on both backends elsewhere)."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from famachat_ml_pipeline.core.recommendations import format_money
from famachat_ml_pipeline_tests.agent.conftest import DemoDb, leads_of
from famachat_ml_pipeline_tests.agent.test_asks32 import _one
from famachat_ml_pipeline_tests.agent.test_asks38 import _account, _numbered, _sums
from famachat_ml_pipeline_tests.agent.test_offline_asks8 import _d
from famachat_ml_pipeline_tests.agent.test_offline_asks14 import _source
from famachat_ml_pipeline_tests.agent.test_offline_followups import ACCOUNT

# the demo built once for the session, its SQLite side only
pytestmark = pytest.mark.timeout(600)

DAY = dt.timedelta(days=1)


def _cpl(spend: float, leads: int) -> str:
    return format_money(spend / leads) if leads else "sem leads"


def _per_campaign(db: DemoDb, first: dt.date, last: dt.date) -> list[tuple[str, str, float, int]]:
    """(id, name, spend, leads) of each campaign that spent in first..last, most spent first."""
    d = _source(db, ACCOUNT, first, last, db.now)
    g = d.group_by("campaign_id").agg(pl.col("spend").sum(), pl.col("leads").sum())
    names = dict(
        db.data.campaigns.filter(pl.col("config_id") == ACCOUNT).select("campaign_id", "name").iter_rows()
    )
    rows = [
        (r["campaign_id"], names[r["campaign_id"]], float(r["spend"]), int(r["leads"])) for r in g.to_dicts()
    ]
    return sorted((x for x in rows if x[2] > 0), key=lambda x: (-x[2], x[0]))


# ------------------------------------------------------------ 1. each campaign's day or week
@pytest.mark.parametrize(
    "question",
    ["gasto por campanha ontem", "como estão as campanhas ontem", "quanto cada campanha gastou ontem"],
)
def test_each_campaign_of_a_day(demo_db: DemoDb, question: str) -> None:
    """Was the account's total ("Em 29/11/2026: R$ ... investidos") or, for "como estão as campanhas
    ontem", the 7 days' list: every campaign that spent that day, its spend, leads and CPL, the account's
    sum first."""
    day = demo_db.as_of
    rows = _per_campaign(demo_db, day, day)
    spend, leads = _account(demo_db, day, day)
    assert len(rows) >= 3, "several campaigns spent on the last day"
    intent, lines = _one(demo_db, question)
    assert intent == "list_campaigns", lines
    assert lines[0] == (
        f"Por campanha em {_d(day)}, {len(rows)} com gasto, mais gasto primeiro (a conta: "
        f"{format_money(spend)} investidos, {leads_of(leads)}, CPL {_cpl(spend, leads)}):"
    ), lines
    assert lines[1 : 1 + len(rows)] == [
        f"- “{name}” ({cid}): {format_money(s)} gastos, {leads_of(n)}, CPL {_cpl(s, n)}"
        for cid, name, s, n in rows
    ], lines


def test_each_campaign_of_last_week(demo_db: DemoDb) -> None:
    """ "quanto cada campanha gastou semana passada" was the account's week (the name read as "gastou
    semana passada"): each campaign's Monday-to-Sunday."""
    sunday = demo_db.as_of  # today is Monday 30/11
    first = sunday - 6 * DAY
    rows = _per_campaign(demo_db, first, sunday)
    spend, leads = _account(demo_db, first, sunday)
    intent, lines = _one(demo_db, "quanto cada campanha gastou semana passada")
    assert intent == "list_campaigns", lines
    assert lines[0].startswith(
        f"Por campanha na semana passada, de segunda a domingo ({_d(first)} a {_d(sunday)}"
    ), lines
    assert lines[0].endswith(
        f"{len(rows)} com gasto, mais gasto primeiro (a conta: {format_money(spend)} investidos, "
        f"{leads_of(leads)}, CPL {_cpl(spend, leads)}):"
    ), lines
    cid, name, s, n = rows[0]
    assert lines[1] == f"- “{name}” ({cid}): {format_money(s)} gastos, {leads_of(n)}, CPL {_cpl(s, n)}", lines
    assert len([x for x in lines if x.startswith("- “")]) == len(rows), lines


# ------------------------------------------------------------ 2. reactivating: Sim/Não first
@pytest.mark.parametrize("question", ["vale a pena reativar a 13?", "vale reativar a 13?"])
def test_reactivation_said_yes_or_no_first(demo_db: DemoDb, question: str) -> None:
    """ "vale a pena reativar a 13?" was its advice listed (no Sim/Não) while "vale a pena aumentar a verba
    da 12?" leads with one: the verdict of its last days with spend against the account's same days,
    first."""
    cid, name = _numbered(demo_db, ACCOUNT, 13)
    d = _source(demo_db, ACCOUNT, demo_db.as_of - 89 * DAY, demo_db.as_of, demo_db.now)
    ran = d.filter((pl.col("campaign_id") == cid) & (pl.col("spend") > 0))["date"].unique().sort().tail(30)
    same = d.filter(pl.col("date").is_in(ran.implode()))
    mine = same.filter(pl.col("campaign_id") == cid)
    gap = (mine["spend"].sum() / mine["leads"].sum()) / (same["spend"].sum() / same["leads"].sum()) - 1
    assert gap <= -0.10, "campaign 13's CPL was well below the account's before its pause"
    intent, lines = _one(demo_db, question)
    assert intent == "campaign_details", lines
    assert lines[0].startswith(f"Sim: o CPL dela era {round(-gap * 100)}% abaixo do da conta"), lines
    assert lines[1].startswith(f"“{name}” está com status PAUSED"), lines
    # an active campaign: nothing to reactivate, and no Sim/Não invented
    _, lines = _one(demo_db, "vale reativar a 12?")
    assert "já está ativa" in lines[0] and not lines[0].startswith(("Sim", "Não")), lines


# ------------------------------------------------------------ 3. a report asked: the summary, in text
@pytest.mark.parametrize(
    "question",
    ["manda um relatório", "me manda um relatório da conta por email", "me manda um relatório em pdf"],
)
def test_a_report_asked_gives_the_summary(demo_db: DemoDb, question: str) -> None:
    """Was the refusal alone: no file is sent, but the account's summary follows it."""
    last = demo_db.as_of
    spend, leads = _account(demo_db, last - 6 * DAY, last)
    intent, lines = _one(demo_db, question)
    assert intent == "summary", lines
    assert lines[0].startswith("Não consigo enviar arquivos"), lines
    assert lines[1] == (
        f"Resumo da conta (7 dias até {_d(last)}): {format_money(spend)} investidos, {leads_of(leads)}, "
        f"CPL de {format_money(spend / leads)}."
    ), lines
    # an export with no report asked stays a refusal
    intent, _ = _one(demo_db, "exporta pra planilha")
    assert intent == "out_of_scope"


# ------------------------------------------------------------ 4. the better by the CPL said once
def test_two_campaigns_compared_say_the_better_once(demo_db: DemoDb) -> None:
    """ "Melhor pelo CPL:" first, then "Menor CPL:" at the end named the same campaign again."""
    last = demo_db.as_of
    cpls = {}
    for n in (12, 17):
        cid, name = _numbered(demo_db, ACCOUNT, n)
        s, k = _sums(demo_db, cid, last - 6 * DAY, last)
        cpls[name] = s / k
    best = min(cpls, key=cpls.__getitem__)
    _, lines = _one(demo_db, "compara a 12 com a 17")
    assert lines[0].startswith(f"Melhor pelo CPL: “{best}”, CPL {format_money(cpls[best])}"), lines
    assert not any(x.startswith("Menor CPL") for x in lines), lines
    # with no verdict first ("gastou mais" names another figure), the lowest CPL is still said
    _, lines = _one(demo_db, "a 12 gastou mais que a 17?")
    assert f"Menor CPL: “{best}”." in lines, lines


# ------------------------------------------------------------ 5. a CPL level with no "a"/"em"
@pytest.mark.parametrize("question", ["cpl ta 30?", "o cpl tá 30 reais?"])
def test_a_cpl_level_without_its_preposition(demo_db: DemoDb, question: str) -> None:
    """ "cpl ta 30?" was the 7 days' trend: Sim/Não on the account's 7-day CPL against 30."""
    last = demo_db.as_of
    spend, leads = _account(demo_db, last - 6 * DAY, last)
    cpl = spend / leads
    side = ("Sim", "acima") if cpl > 30 else ("Não", "abaixo")
    intent, lines = _one(demo_db, question)
    assert intent == "cpl_rank", lines
    assert lines[0].startswith(
        f"{side[0]}: o CPL da conta nos 7 dias até {_d(last)} foi {format_money(cpl)}, {side[1]} de R$ 30,00."
    ), lines
    # a change in percent is no level
    intent, _ = _one(demo_db, "o cpl ta 30% acima?")
    assert intent != "cpl_rank"


# ------------------------------------------------------------ 6. "tá caro?": the account's CPL judged
@pytest.mark.parametrize("question", ["tá caro?", "o lead ta caro?"])
def test_dear_asked_of_the_account(demo_db: DemoDb, question: str) -> None:
    """Was the help menu: the verdict of the 7 days' CPL against the account's own weeks, as "o cpl tá
    alto?"."""
    last = demo_db.as_of
    spend, leads = _account(demo_db, last - 6 * DAY, last)
    intent, lines = _one(demo_db, question)
    assert intent == "performance", lines
    assert lines == _one(demo_db, "o cpl ta alto?")[1], lines
    assert lines[0].split(": ", 1)[0] in {"Sim", "Um pouco", "Não"}, lines
    assert f"foi {format_money(spend / leads)}" in lines[0], lines


@pytest.mark.parametrize(("n", "word"), [(14, "Sim"), (12, "Não")])
def test_dear_asked_of_a_campaign(demo_db: DemoDb, n: int, word: str) -> None:
    """ "a 14 tá cara?" was its card alone: Sim/Não from its 7-day CPL against the account's."""
    last = demo_db.as_of
    cid, name = _numbered(demo_db, ACCOUNT, n)
    s, k = _sums(demo_db, cid, last - 6 * DAY, last)
    a_s, a_k = _account(demo_db, last - 6 * DAY, last)
    assert (s / k > a_s / a_k) == (word == "Sim"), "the demo's 14 dearer than the account, the 12 cheaper"
    intent, lines = _one(demo_db, f"a {n} tá cara?")
    assert intent == "campaign_details", lines
    assert lines[0].startswith(f"{word}: CPL {format_money(s / k)} nos 7 dias"), lines
    assert lines[1].startswith(f"“{name}” ({cid})"), lines


# ------------------------------------------------------------ 7. "ontem foi bom?": the day judged
def test_yesterday_judged(demo_db: DemoDb) -> None:
    """Was the day's figures alone ("foi bom?" unanswered), and "ontem foi ruim?" the 7 days' critical
    tier: the day's CPL against the 28 days before, the "bom" and "ruim" verdicts opposite."""
    day = demo_db.as_of
    d = _source(demo_db, ACCOUNT, day - 28 * DAY, day, demo_db.now)
    per_day = d.group_by("date").agg(pl.col("spend").sum(), pl.col("leads").sum())
    cpl = {r["date"]: r["spend"] / r["leads"] for r in per_day.to_dicts() if r["leads"]}
    before = [v for k, v in cpl.items() if k < day]
    cheaper = sum(1 for v in before if v < cpl[day])
    good = cheaper / len(before) <= 0.5
    intent, lines = _one(demo_db, "ontem foi bom?")
    assert intent == "performance", lines
    assert lines[0].startswith(
        f"{'Sim' if good else 'Não'}: o CPL da conta em {_d(day)} (domingo) foi {format_money(cpl[day])}"
    ), lines
    assert f"{cheaper} deles tiveram CPL mais baixo" in lines[0], lines
    intent, bad = _one(demo_db, "ontem foi ruim?")
    assert intent == "performance", bad
    assert bad[0].startswith("Não:" if good else "Sim:"), bad


# ------------------------------------------------------------ 8. "tá valendo a pena?": a verdict
def test_worth_asked_of_the_account(demo_db: DemoDb) -> None:
    """Was the active advice listed: the CPL's verdict first, then that the source holds no revenue (whether
    leads pay is the buyer's figure)."""
    intent, lines = _one(demo_db, "ta valendo a pena?")
    assert intent == "performance", lines
    assert lines[0].split(": ", 1)[0] in {"Sim", "Razoável", "Não"}, lines
    assert lines[0].split(": ", 1)[1] == _one(demo_db, "o cpl ta bom?")[1][0].split(": ", 1)[1]
    assert lines[-1].startswith("Se os leads se pagam depende de quanto vale um lead"), lines


# ------------------------------------------------------------ 9. "devo desligar tudo?": Não first
@pytest.mark.parametrize("question", ["devo desligar tudo?", "pausa todas?"])
def test_everything_off_asked(demo_db: DemoDb, question: str) -> None:
    """Was the cut advice with no answer to "tudo": Não first (no pause is advised in the demo), then the
    cuts the data do advise."""
    intent, lines = _one(demo_db, question)
    assert intent == "recommendations", lines
    assert lines[0].startswith("Não: nenhuma campanha tem recomendação de pausa agora"), lines
    assert lines[1].startswith("Pausar: nenhuma campanha tem recomendação de pausa"), lines
    # one campaign's pause asked keeps its own answer
    _, one = _one(demo_db, "devo pausar a 14?")
    assert not one[0].startswith("Não: nenhuma campanha"), one


# ------------------------------------------------------------ 10. a campaign by part of its name
@pytest.mark.parametrize("question", ["como ta a publico 5", "como tá a Público 5?"])
def test_a_campaign_by_part_of_its_name(demo_db: DemoDb, question: str) -> None:
    """ "como tá a publico 5" (no "campanha") was the help menu: the one campaign whose name holds it."""
    matches = [
        (r["campaign_id"], r["name"])
        for r in demo_db.data.campaigns.filter(pl.col("config_id") == ACCOUNT).iter_rows(named=True)
        if "Público 5" in r["name"]
    ]
    assert len(matches) == 1
    ((cid, name),) = matches
    intent, lines = _one(demo_db, question)
    assert intent == "campaign_details", lines
    assert lines[0].startswith(f"“{name}” ({cid}), status "), lines
    # words that name no campaign stay the account's
    intent, _ = _one(demo_db, "como ta a conta?")
    assert intent == "summary"
