"""Offline mode: deterministic pt-BR answers with the real figures, no LLM.

It follows the seed graph's steps as plain functions: classify_intent -> gather_data (the same tools the
model would call) -> check_quality -> generate_response. Campaign names come from the tables and are
quoted as data; nothing in a question or a name changes which account is read.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from famachat_ml_pipeline.agent.answers import generate_response
from famachat_ml_pipeline.agent.answers_currency import currency_asked, currency_note, exchange_note
from famachat_ml_pipeline.agent.answers_goal import goal_note
from famachat_ml_pipeline.agent.answers_openers import after_the_lead_note, change_note, without_yes_no
from famachat_ml_pipeline.agent.facts_gathering import gather_facts
from famachat_ml_pipeline.agent.facts_source import with_account_cpl
from famachat_ml_pipeline.agent.followup import resolve_followup
from famachat_ml_pipeline.agent.followup_ordinal import listed_at, ordinal_ranking, ranking_ids
from famachat_ml_pipeline.agent.intents import Intent, classify_intent, resolve_campaigns
from famachat_ml_pipeline.agent.intents_campaigns import campaign_numbers_named
from famachat_ml_pipeline.agent.intents_periods import day_words_spelled
from famachat_ml_pipeline.agent.intents_talk import split_asks
from famachat_ml_pipeline.agent.quality_check import check_quality
from famachat_ml_pipeline.agent.tool_plans import gather_data
from famachat_ml_pipeline.agent.tools import ToolContext
from famachat_ml_pipeline.agent.types import AgentEvent, AgentReply, ChatTurn, ToolCall
from famachat_ml_pipeline.agent.wording import quoted


@dataclass
class OfflineAgent:
    ctx: ToolContext

    @property
    def config_id(self) -> int:
        return self.ctx.config_id

    def stream(
        self, message: str, history: Sequence[ChatTurn] = (), intent: Intent | None = None
    ) -> Iterator[AgentEvent]:
        """Answer `message`; an explicit `intent` (the API's analyze) skips the keyword classifier; a
        follow-up ("e da campanha 5?") is read against the thread's last question in `history`."""
        names = {cid: c.get("name") or cid for cid, c in self.ctx.campaigns.items()}

        # "a 11 ta queimando dinheiro?": "a 11" is the account's Campanha 11; "ontm", "antes de ontem": the
        # day words as read; in the thread's questions too
        def read(text: str) -> str:
            return campaign_numbers_named(day_words_spelled(text, list(names.values())), names)

        message = read(message)
        history = [ChatTurn(t.role, read(t.content)) if t.role == "user" else t for t in history]
        if intent is None and (ranked := self._ranked_at(message, history, names)) is not None:
            yield from _events(ranked)
            return
        several = [] if intent else self._several_asks(message, names)
        intent = intent or resolve_followup(message, history) or classify_intent(message)
        if after_the_lead_note(message) and intent.name in {"help", "data_quality"}:
            # "esses leads são bons?", "a qualidade dos leads da 4?": their figures under the note (was the
            # menu, or the data's freshness)
            of = f" da campanha {intent.names[0]}" if intent.names else ""
            intent = classify_intent(f"quantos leads{of}?")
        intent = resolve_campaigns(intent, names)
        calls: list[ToolCall] = []
        texts = []
        # "quanto gastei ontem? e também quais devo pausar?": each ask answered in turn, in the order asked
        for asked in several or [intent]:
            asked = with_account_cpl(self.ctx, asked)  # "acima da média de CPL": the account's CPL
            found = gather_data(self.ctx, asked)
            for call in found:
                yield AgentEvent(kind="tool", tool=call)
            notes = check_quality(self.ctx, asked, found)
            texts.append(generate_response(asked, found, notes, gather_facts(self.ctx, asked)))
            calls += found
        intent = several[0] if several else intent
        # "quanto gastei em reais?" on a CLP account: its currency said first (no conversion); "qual a
        # moeda?": that alone, not the summary its words fall to
        if (rate := exchange_note(message, self.ctx.currency)) is not None:
            texts = [rate]  # "quanto tá o dólar?": no rate to give, and nothing else was asked
        elif (note := currency_note(message, self.ctx.currency)) is not None:
            texts = (
                [note] if currency_asked(message) and intent.name in {"summary", "help"} else [note, *texts]
            )
        # "qual a meta do mês?": none stored, said first ("tem meta cadastrada?": that alone, not the help)
        if (goal := goal_note(message, alone=intent.name == "help")) is not None:
            texts = [goal] if intent.name == "help" else [goal, *texts]
        # "quantos viraram cliente?": not in the data; "pausa a 13 pra mim": nothing is changed here
        texts = [*(n for n in (after_the_lead_note(message), change_note(message)) if n), *texts]
        text = "\n".join(texts)
        if not several:  # "melhor ou pior?": the side said, no "Não" (of one ask: several have their own)
            text = without_yes_no(message, text)
        for line in text.splitlines(keepends=True):
            yield AgentEvent(kind="text", text=line)
        reply = AgentReply(
            text=text,
            mode="offline",
            intent=intent.name,
            tool_calls=tuple(calls),
            data_through=self.ctx.data_through(),
        )
        yield AgentEvent(kind="done", reply=reply)

    def _several_asks(self, message: str, names: dict[str, str]) -> list[Intent]:
        """The intents of a message that makes two or three different asks (`split_asks`), each resolved
        on its own; [] when it makes one, or when any part is not understood (the whole is read as one)."""
        intents = [resolve_campaigns(classify_intent(a), names) for a in split_asks(message)]
        if any(i.name == "help" for i in intents):
            return []
        # "qual campanha gastou mais ontem e qual teve mais leads?": an ask naming no day nor period of its
        # own is of the first's
        when = {"day_ref": intents[0].day_ref, "period_ref": intents[0].period_ref} if intents else {}
        intents = [
            i if i.day_ref or i.period_ref or k == 0 else replace(i, **when) for k, i in enumerate(intents)
        ]
        kinds = {(i.name, i.metric, i.campaign_id, i.day_ref, i.period_ref) for i in intents}
        return intents if len(kinds) > 1 else []

    def _ranked_at(
        self, message: str, history: Sequence[ChatTurn], names: dict[str, str]
    ) -> AgentReply | None:
        """ "qual a segunda pior campanha?": the ranking asked without its ordinal, then the card of the
        campaign at that place, as "e a segunda pior?" gives it after "qual a pior campanha?" (was the
        ranking alone, its first named as the answer); the ranking with a note when it lists fewer; None
        for any other question."""
        if (at := ordinal_ranking(message)) is None or split_asks(message):
            return None  # "qual a melhor e qual a segunda pior?": two asks, each read as it is
        if resolve_followup(message, history) is not None:
            return None
        place, question = at
        ranking = self.ask(question)
        listed = ranking_ids(ranking.text)
        if not listed:
            return None  # no list of campaigns: the question as it reads
        asked = resolve_campaigns(classify_intent(question), names)
        card = listed_at([ChatTurn("user", question), ChatTurn("assistant", ranking.text)], asked, place)
        if card is None:
            k = len(listed)
            short = f"A lista tem {k} campanha{'s' * (k > 1)}: não há {place}º lugar nela."
            return replace(ranking, text=f"{short}\n{ranking.text}")
        reply = self.ask(message, intent=card)

        def who(cid: str) -> str:
            return f"{quoted(names.get(cid, cid))} ({cid})"

        ahead = ", ".join(f"{n}º {who(c)}" for n, c in enumerate(listed[: place - 1], 1))
        return replace(
            reply,
            text=f"Em {place}º lugar: {who(card.campaign_id)}; antes dela, {ahead}.\n{reply.text}",
            tool_calls=ranking.tool_calls + reply.tool_calls,
        )

    def ask(self, message: str, history: Sequence[ChatTurn] = (), intent: Intent | None = None) -> AgentReply:
        return drain(self.stream(message, history, intent))


def _events(reply: AgentReply) -> Iterator[AgentEvent]:
    """A finished reply as the stream gives one: its tool calls, its lines, then done."""
    for call in reply.tool_calls:
        yield AgentEvent(kind="tool", tool=call)
    for line in reply.text.splitlines(keepends=True):
        yield AgentEvent(kind="text", text=line)
    yield AgentEvent(kind="done", reply=reply)


def drain(events: Iterator[AgentEvent]) -> AgentReply:
    reply = None
    for event in events:
        if event.kind == "done":
            reply = event.reply
    if reply is None:  # a stream always ends with "done"; this guards a broken implementation
        raise RuntimeError("agent stream ended without a reply")
    return reply
