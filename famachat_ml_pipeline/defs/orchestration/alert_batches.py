"""Which posts a tick of `critical_anomaly_sensor` makes, and where its cursor then stands.

- One account's flood (a broken tracking pixel, a data bug: thousands of CRITICAL rows at once) gets
  ALERTS_PER_ACCOUNT posts and one digest, so it neither floods the channel nor delays the other
  accounts' alerts behind it.
- A row dated more than ALERT_MAX_AGE_DAYS before its account's latest day in the source is a backfill
  of the past, not news: it is passed over (and counted in the log), not posted.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass

from famachat_ml_pipeline.db.orchestration_queries import CriticalAnomaly
from famachat_ml_pipeline.defs.orchestration.alerts import anomaly_text, digest_text

ALERTS_PER_ACCOUNT = 5
ALERT_MAX_AGE_DAYS = 7


@dataclass(frozen=True)
class Post:
    text: str
    ids: tuple[int, ...]  # the anomaly rows this post delivers


@dataclass(frozen=True)
class Cursor:
    """Every CRITICAL row with id <= `after` is handled, and so are the ids in `sent` (delivered by a tick
    whose later post failed): the next tick posts the others, and nothing twice."""

    after: int
    sent: frozenset[int] = frozenset()

    @classmethod
    def parse(cls, text: str) -> Cursor:
        if text.lstrip("-").isdigit():  # the form every tick wrote before digests (and still the usual)
            return cls(int(text))
        data = json.loads(text)
        return cls(int(data["after"]), frozenset(int(i) for i in data["sent"]))

    def dump(self) -> str:
        if not self.sent:
            return str(self.after)
        return json.dumps({"after": self.after, "sent": sorted(self.sent)})


def stale(anomaly: CriticalAnomaly, last_days: dict[int, dt.date]) -> bool:
    last = last_days.get(anomaly.config_id)
    day = dt.date.fromisoformat(anomaly.anomaly_date)
    return last is not None and (last - day).days > ALERT_MAX_AGE_DAYS


def plan_posts(
    anomalies: Sequence[CriticalAnomaly], last_days: dict[int, dt.date]
) -> tuple[list[Post], list[int]]:
    """The posts for these rows (accounts in the order of their first row; in each, up to
    ALERTS_PER_ACCOUNT one by one, then one digest of the rest) and the ids of the stale rows."""
    by_account: dict[int, list[CriticalAnomaly]] = {}
    stale_ids = []
    for anomaly in anomalies:
        if stale(anomaly, last_days):
            stale_ids.append(anomaly.id)
        else:
            by_account.setdefault(anomaly.config_id, []).append(anomaly)
    posts = []
    for config_id, rows in by_account.items():
        posts += [Post(anomaly_text(a), (a.id,)) for a in rows[:ALERTS_PER_ACCOUNT]]
        if rest := rows[ALERTS_PER_ACCOUNT:]:
            posts.append(Post(digest_text(config_id, rest, ALERTS_PER_ACCOUNT), tuple(a.id for a in rest)))
    return posts, stale_ids


def advance(cursor: Cursor, scanned: Sequence[int], handled: set[int]) -> Cursor:
    """The cursor after a tick that scanned `scanned` (ids, ascending) and handled `handled` of them
    (delivered or stale): past the longest handled run from the start, remembering the handled ids
    beyond it."""
    after = cursor.after
    for i in scanned:
        if i not in handled:
            break
        after = i
    beyond = {i for i in handled | cursor.sent if i > after}
    return Cursor(after, frozenset(beyond))
