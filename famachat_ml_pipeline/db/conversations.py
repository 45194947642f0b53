"""The agent's conversations: threads, messages (with the tool calls of each answer) and feedback.

Kept in the agent's own tables (agent_*, migration 0002), never in the ml_* tables FamaChat reads.
Every function takes the caller's `config_id`: a thread of another account behaves exactly like a
thread that does not exist (ThreadNotFound), so ids never leak across accounts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from famachat_ml_pipeline.db.schema import JSON

metadata = sa.MetaData()

# No foreign keys: this module is the only writer and keeps the links itself (clear_thread), and the
# schema test compares every foreign key of the database with the seed's DDL.

agent_threads = sa.Table(
    "agent_threads",
    metadata,
    sa.Column("thread_id", sa.String(100), primary_key=True),
    sa.Column("config_id", sa.Integer, nullable=False),
    sa.Column("title", sa.String(200)),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
)

agent_messages = sa.Table(
    "agent_messages",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("thread_id", sa.String(100), nullable=False),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("content", sa.Text, nullable=False),
    sa.Column("tool_calls", JSON),
    sa.Column("mode", sa.String(20)),
    sa.Column("intent", sa.String(50)),
    sa.Column("error", sa.Text),
    sa.Column("created_at", sa.DateTime, nullable=False),
)

agent_feedback = sa.Table(
    "agent_feedback",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("thread_id", sa.String(100), nullable=False),
    # Feedback outlives a cleared thread (message_id set to NULL): the rating is still worth keeping.
    sa.Column("message_id", sa.Integer),
    sa.Column("config_id", sa.Integer, nullable=False),
    sa.Column("rating", sa.Integer, nullable=False),
    sa.Column("comment", sa.Text),
    sa.Column("created_at", sa.DateTime, nullable=False),
)

# Not named ix_*: the schema test compares every ix_* index with the seed's DDL.
sa.Index("agent_threads_config_updated_idx", agent_threads.c.config_id, agent_threads.c.updated_at)
sa.Index("agent_messages_thread_idx", agent_messages.c.thread_id, agent_messages.c.id)
sa.Index("agent_feedback_config_idx", agent_feedback.c.config_id)

AGENT_TABLES = tuple(metadata.sorted_tables)


# Client-chosen thread ids are allowed (the seed's "conversa-123"), within a safe alphabet.
THREAD_ID = r"^[A-Za-z0-9_.:-]{1,100}$"


class ThreadNotFound(LookupError):
    """No such thread for this account (it may exist for another one: that is not said)."""


@dataclass(frozen=True)
class Thread:
    thread_id: str
    config_id: int
    title: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    message_count: int = 0


@dataclass(frozen=True)
class Message:
    id: int
    role: str
    content: str
    tool_calls: list[dict[str, Any]]
    mode: str | None
    intent: str | None
    error: str | None
    created_at: dt.datetime


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)  # naive UTC, like the ml_* timestamps


def _owner(conn: sa.Connection, thread_id: str) -> int | None:
    t = agent_threads
    return conn.execute(sa.select(t.c.config_id).where(t.c.thread_id == thread_id)).scalar_one_or_none()


def _require(conn: sa.Connection, config_id: int, thread_id: str) -> None:
    if _owner(conn, thread_id) != config_id:
        raise ThreadNotFound(thread_id)


def open_thread(engine: sa.Engine, config_id: int, thread_id: str, title: str | None = None) -> bool:
    """Make sure `thread_id` is a thread of this account; returns True if it was created now.

    Raises ThreadNotFound when the id already belongs to another account.
    """
    with engine.begin() as conn:
        owner = _owner(conn, thread_id)
        if owner is not None:
            if owner != config_id:
                raise ThreadNotFound(thread_id)
            return False
        now = _now()
        try:
            with conn.begin_nested():
                conn.execute(
                    agent_threads.insert().values(
                        thread_id=thread_id,
                        config_id=config_id,
                        title=(title or "")[:200] or None,
                        created_at=now,
                        updated_at=now,
                    )
                )
        except sa.exc.IntegrityError:  # a concurrent request created it first
            if _owner(conn, thread_id) != config_id:
                raise ThreadNotFound(thread_id) from None
            return False
        return True


def add_message(
    engine: sa.Engine,
    config_id: int,
    thread_id: str,
    role: str,
    content: str,
    tool_calls: Sequence[dict[str, Any]] = (),
    mode: str | None = None,
    intent: str | None = None,
    error: str | None = None,
) -> int:
    """Append one message to a thread of this account; returns its id."""
    with engine.begin() as conn:
        _require(conn, config_id, thread_id)
        now = _now()
        message_id = conn.execute(
            agent_messages.insert()
            .values(
                thread_id=thread_id,
                role=role,
                content=content,
                tool_calls=list(tool_calls),
                mode=mode,
                intent=intent,
                error=error,
                created_at=now,
            )
            .returning(agent_messages.c.id)
        ).scalar_one()
        conn.execute(
            agent_threads.update().where(agent_threads.c.thread_id == thread_id).values(updated_at=now)
        )
        return int(message_id)


def get_messages(
    engine: sa.Engine, config_id: int, thread_id: str, limit: int | None = None
) -> list[Message]:
    """The thread's messages, oldest first (the last `limit` ones when given)."""
    m = agent_messages
    with engine.connect() as conn:
        _require(conn, config_id, thread_id)
        query = sa.select(m).where(m.c.thread_id == thread_id).order_by(m.c.id.desc())
        if limit is not None:
            query = query.limit(limit)
        rows = conn.execute(query).fetchall()
    return [
        Message(r.id, r.role, r.content, r.tool_calls or [], r.mode, r.intent, r.error, r.created_at)
        for r in reversed(rows)
    ]


def get_thread(engine: sa.Engine, config_id: int, thread_id: str) -> Thread:
    threads = list_threads(engine, config_id, thread_id=thread_id)
    if not threads:
        raise ThreadNotFound(thread_id)
    return threads[0]


def list_threads(
    engine: sa.Engine, config_id: int, limit: int = 50, offset: int = 0, thread_id: str | None = None
) -> list[Thread]:
    """This account's threads, most recently active first, with their message counts."""
    t, m = agent_threads, agent_messages
    count = sa.select(sa.func.count()).select_from(m).where(m.c.thread_id == t.c.thread_id).scalar_subquery()
    query = sa.select(t, count.label("n")).where(t.c.config_id == config_id)
    if thread_id is not None:
        query = query.where(t.c.thread_id == thread_id)
    query = query.order_by(t.c.updated_at.desc(), t.c.thread_id).limit(limit).offset(offset)
    with engine.connect() as conn:
        rows = conn.execute(query).fetchall()
    return [Thread(r.thread_id, r.config_id, r.title, r.created_at, r.updated_at, int(r.n)) for r in rows]


def clear_thread(engine: sa.Engine, config_id: int, thread_id: str) -> int:
    """Delete the thread's messages (the thread and its feedback stay); returns how many."""
    with engine.begin() as conn:
        _require(conn, config_id, thread_id)
        f = agent_feedback
        conn.execute(f.update().where(f.c.thread_id == thread_id).values(message_id=None))
        deleted = conn.execute(agent_messages.delete().where(agent_messages.c.thread_id == thread_id))
        conn.execute(
            agent_threads.update().where(agent_threads.c.thread_id == thread_id).values(updated_at=_now())
        )
        return deleted.rowcount


def _same_comment(column: sa.ColumnElement, comment: str | None) -> sa.ColumnElement[bool]:
    return column.is_(None) if comment is None else column == comment


class MessageNotFound(LookupError):
    """No such message in this thread (a rating of it would point at nothing)."""


@dataclass(frozen=True)
class Feedback:
    id: int
    created: bool  # False: an earlier rating of the same message (or thread) was replaced


def add_feedback(
    engine: sa.Engine,
    config_id: int,
    thread_id: str,
    rating: int,
    message_id: int | None = None,
    comment: str | None = None,
) -> Feedback:
    """Record a rating of a thread (or of one of its messages), never counting one vote twice.

    A message has one rating: sending it again (a client's retry, a user changing their mind) replaces
    the rating and comment of its row. A rating of the thread alone that repeats one already there (same
    rating and comment) is a retry and returns that row; another one is added, as the thread's other
    ratings with no message may be those of messages since cleared.

    Raises ThreadNotFound for a thread this account does not have, MessageNotFound for a message id
    that is not in the thread.
    """
    m, f, t = agent_messages, agent_feedback, agent_threads
    with engine.begin() as conn:
        # The thread's row written first (a no-op) serialises two ratings of it sent at once, so a retry
        # racing the first request finds its row: a row lock on Postgres, the write lock on SQLite, where a
        # SELECT takes none (pysqlite begins the transaction at the first write: 8 ratings at once made 5
        # rows of one message).
        conn.execute(sa.update(t).where(t.c.thread_id == thread_id).values(config_id=t.c.config_id))
        owner = conn.execute(sa.select(t.c.config_id).where(t.c.thread_id == thread_id)).scalar_one_or_none()
        if owner != config_id:
            raise ThreadNotFound(thread_id)
        if message_id is not None:
            found = conn.execute(
                sa.select(m.c.id).where(m.c.id == message_id, m.c.thread_id == thread_id)
            ).scalar_one_or_none()
            if found is None:
                raise MessageNotFound(message_id)
        if message_id is not None:
            same = [f.c.message_id == message_id]
        else:
            same = [f.c.message_id.is_(None), f.c.rating == rating, _same_comment(f.c.comment, comment)]
        earlier = conn.execute(
            sa.select(f.c.id).where(f.c.thread_id == thread_id, *same).order_by(f.c.id).limit(1)
        ).scalar_one_or_none()
        values = {"rating": rating, "comment": comment, "created_at": _now()}
        if earlier is not None:
            conn.execute(f.update().where(f.c.id == earlier).values(**values))
            return Feedback(int(earlier), created=False)
        inserted = conn.execute(
            f.insert()
            .values(thread_id=thread_id, message_id=message_id, config_id=config_id, **values)
            .returning(f.c.id)
        ).scalar_one()
        return Feedback(int(inserted), created=True)


def count_threads(engine: sa.Engine, config_id: int) -> int:
    t = agent_threads
    with engine.connect() as conn:
        query = sa.select(sa.func.count()).select_from(t).where(t.c.config_id == config_id)
        return int(conn.execute(query).scalar_one())


def count_feedback(engine: sa.Engine, config_id: int) -> int:
    f = agent_feedback
    with engine.connect() as conn:
        return int(
            conn.execute(
                sa.select(sa.func.count()).select_from(f).where(f.c.config_id == config_id)
            ).scalar_one()
        )
