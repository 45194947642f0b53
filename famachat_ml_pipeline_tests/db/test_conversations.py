"""Conversations in the agent's own tables, on SQLite and Postgres: threads belong to one account."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from famachat_ml_pipeline.db import conversations as conv
from famachat_ml_pipeline.db.engine import get_engine, migrate


@pytest.fixture
def engine(db_url: str) -> sa.Engine:
    assert migrate(db_url) == "0007"
    return get_engine(db_url)


def test_messages_with_tool_calls_round_trip_in_order(engine: sa.Engine) -> None:
    assert conv.open_thread(engine, 7, "t-1", title="Quais campanhas?") is True
    assert conv.open_thread(engine, 7, "t-1") is False  # idempotent for its owner
    calls = [{"name": "get_underperformers", "input": {"limit": 3}, "output": {"campaigns": [{"id": "9"}]}}]
    first = conv.add_message(engine, 7, "t-1", "user", "Quais campanhas?")
    second = conv.add_message(engine, 7, "t-1", "assistant", "Duas.", calls, mode="offline", intent="under")
    assert second > first

    messages = conv.get_messages(engine, 7, "t-1")
    assert [(m.role, m.content) for m in messages] == [("user", "Quais campanhas?"), ("assistant", "Duas.")]
    assert messages[0].tool_calls == [] and messages[1].tool_calls == calls
    assert (messages[1].mode, messages[1].intent, messages[1].error) == ("offline", "under", None)
    assert [m.content for m in conv.get_messages(engine, 7, "t-1", limit=1)] == ["Duas."]

    (thread,) = conv.list_threads(engine, 7)
    assert (thread.thread_id, thread.title, thread.message_count) == ("t-1", "Quais campanhas?", 2)


def test_a_thread_of_another_account_looks_like_a_missing_one(engine: sa.Engine) -> None:
    conv.open_thread(engine, 1, "mine")
    conv.add_message(engine, 1, "mine", "user", "segredo da conta 1")
    attempts = [
        lambda: conv.open_thread(engine, 2, "mine"),
        lambda: conv.add_message(engine, 2, "mine", "user", "injetado"),
        lambda: conv.get_messages(engine, 2, "mine"),
        lambda: conv.get_thread(engine, 2, "mine"),
        lambda: conv.clear_thread(engine, 2, "mine"),
        lambda: conv.add_feedback(engine, 2, "mine", 1),
        lambda: conv.get_messages(engine, 2, "does-not-exist"),
    ]
    for attempt in attempts:
        with pytest.raises(conv.ThreadNotFound):
            attempt()
    assert conv.list_threads(engine, 2) == []
    assert [m.content for m in conv.get_messages(engine, 1, "mine")] == ["segredo da conta 1"]
    assert conv.count_feedback(engine, 2) == 0


def test_feedback_needs_a_message_of_the_same_thread(engine: sa.Engine) -> None:
    conv.open_thread(engine, 1, "a")
    conv.open_thread(engine, 1, "b")
    in_b = conv.add_message(engine, 1, "b", "assistant", "resposta")
    with pytest.raises(conv.MessageNotFound):
        conv.add_feedback(engine, 1, "a", 5, message_id=in_b)
    assert conv.add_feedback(engine, 1, "b", 5, message_id=in_b, comment="útil").id > 0
    assert conv.count_feedback(engine, 1) == 1


def test_clear_removes_messages_but_keeps_the_thread_and_its_feedback(engine: sa.Engine) -> None:
    conv.open_thread(engine, 3, "t")
    conv.add_message(engine, 3, "t", "user", "oi")
    answer = conv.add_message(engine, 3, "t", "assistant", "olá")
    conv.add_feedback(engine, 3, "t", 4, message_id=answer)
    assert conv.clear_thread(engine, 3, "t") == 2
    assert conv.get_messages(engine, 3, "t") == []
    assert conv.get_thread(engine, 3, "t").message_count == 0
    f = conv.agent_feedback
    with engine.connect() as conn:
        rows = conn.execute(sa.select(f.c.rating, f.c.message_id)).fetchall()
    assert [tuple(r) for r in rows] == [(4, None)]  # the rating stays, detached from the deleted message


def test_threads_are_listed_most_recent_first_and_paged(engine: sa.Engine) -> None:
    for name in ("old", "mid", "new"):
        conv.open_thread(engine, 5, name)
        conv.add_message(engine, 5, name, "user", name)
    conv.add_message(engine, 5, "old", "user", "de volta")  # activity moves it to the top
    assert [t.thread_id for t in conv.list_threads(engine, 5)] == ["old", "new", "mid"]
    assert [t.thread_id for t in conv.list_threads(engine, 5, limit=1, offset=1)] == ["new"]


def test_agent_tables_are_separate_from_the_ml_tables(engine: sa.Engine) -> None:
    tables = set(sa.inspect(engine).get_table_names())
    assert {"agent_threads", "agent_messages", "agent_feedback"} <= tables
    assert not any(t.name.startswith("ml_") for t in conv.AGENT_TABLES)
    assert all(not i.name.startswith("ix_") for t in conv.AGENT_TABLES for i in t.indexes)


def test_ratings_of_one_message_sent_at_once_make_one_row(engine: sa.Engine) -> None:
    """8 ratings of one message at once made 5 rows on SQLite (its SELECTs took no lock: two requests both
    saw no row and both inserted); one rating of the thread sent 8 times, 2 rows."""
    from concurrent.futures import ThreadPoolExecutor

    conv.open_thread(engine, 3, "race")
    message = conv.add_message(engine, 3, "race", "assistant", "CPL de R$ 20,00.")
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda r: conv.add_feedback(engine, 3, "race", r, message_id=message), range(1, 9)))
        list(pool.map(lambda _: conv.add_feedback(engine, 3, "race", 4), range(8)))
    f = conv.agent_feedback
    with engine.connect() as conn:
        rows = conn.execute(sa.select(f.c.message_id).where(f.c.thread_id == "race")).scalars().all()
    assert sorted(rows, key=lambda m: m is None) == [message, None], rows
