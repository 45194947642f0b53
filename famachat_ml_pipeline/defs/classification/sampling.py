"""Which accounts and as-of days the classifier trains on, within MAX_TRAINING_SAMPLES (campaign, day) rows.

A fleet small enough trains on every account, on as many as-of days as the cap allows. Past
MIN_TRAINING_DATES days of every campaign, the days alone cannot shrink further without losing the
time-aware validation (its folds and held-out weeks need several days), so the job trains on a sample of
accounts instead, and reads only theirs: training then costs the same at 2,000 accounts as at 100,000.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Callable, Iterator, Mapping, Sequence

# Consecutive as-of days are near duplicates: past this many (campaign, day) samples, take every k-th day.
MAX_TRAINING_SAMPLES = 120_000
# The fewest as-of days a fleet keeps before accounts are sampled: 3 CV folds and a held-out week need them.
MIN_TRAINING_DATES = 10
# Accounts whose campaigns are counted at once while drawing the sample.
COUNT_CHUNK = 500
# ... asked about this many at a time (a piece's picks can be read while the next piece is counted).
COUNT_PIECE = 125


def sampled_as_of_dates(dates: list[dt.date], campaigns: int) -> list[dt.date]:
    """Every k-th of `dates` (newest first, as training_as_of_dates gives them) from the newest on, with the
    smallest k that keeps campaigns x dates (a bound on the training rows) within MAX_TRAINING_SAMPLES; at
    least one date, however large the fleet. Returned oldest first."""
    # k = ceil(dates * campaigns / cap) could overshoot: ceil(len / k) dates may exceed cap // campaigns.
    most = max(1, MAX_TRAINING_SAMPLES // max(campaigns, 1))
    step = max(1, math.ceil(len(dates) / most))
    # Counting from the newest keeps the freshest week in (counting from the oldest dropped up to k - 1 days).
    return sorted(dates[::step])


def _draw(config_id: int, as_of: dt.date) -> bytes:
    year, week, _ = as_of.isocalendar()
    return hashlib.blake2b(f"{year}-W{week}:{config_id}".encode(), digest_size=8).digest()


def sampled_account_groups(
    config_ids: Sequence[int], as_of: dt.date, campaigns: Callable[[list[int]], Mapping[int, int]]
) -> Iterator[list[int]]:
    """`sampled_accounts` a count at a time: yields the accounts each COUNT_PIECE of the draw adds (in draw
    order), before asking `campaigns` about the next piece, so that a caller can read them while the next
    count runs. Together they are `sampled_accounts`' accounts."""
    budget = MAX_TRAINING_SAMPLES // MIN_TRAINING_DATES
    order = sorted(config_ids, key=lambda c: _draw(c, as_of))
    used, any_picked = 0, False
    for start in range(0, len(order), COUNT_CHUNK):
        chunk, chunk_added = order[start : start + COUNT_CHUNK], False
        # An account's pick depends only on the counts before it in the draw, so a chunk is counted a piece
        # at a time and the first reads start sooner; the stop still looks at the whole chunk.
        for at in range(0, len(chunk), COUNT_PIECE):
            piece = chunk[at : at + COUNT_PIECE]
            counts, added = campaigns(piece), []
            for config_id in piece:
                n = counts.get(config_id, 0)
                if n and (used + n <= budget or not any_picked):
                    added.append(config_id)
                    used, any_picked = used + n, True
            if added:
                chunk_added = True
                yield added
        if not chunk_added:
            return


def sampled_accounts(
    config_ids: Sequence[int], as_of: dt.date, campaigns: Callable[[list[int]], Mapping[int, int]]
) -> list[int]:
    """The accounts to train on, sorted: all of them when their campaigns fit MIN_TRAINING_DATES days under
    the cap, otherwise accounts in a pseudo-random order drawn per ISO week of `as_of` (a retry in the same
    week trains on the same accounts; the next week's training sees others) while their campaigns fit.
    Always at least one account with campaigns, when there is any.

    `campaigns` counts the campaigns of some accounts (those it omits have none). It is asked in draw order,
    COUNT_PIECE accounts at a time, until a chunk of COUNT_CHUNK adds nobody: the counting costs what the
    sample does, not what the fleet does."""
    return sorted(c for group in sampled_account_groups(config_ids, as_of, campaigns) for c in group)
