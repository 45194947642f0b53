"""The training-sample cap: as-of days first, then accounts, keep campaigns x days within the cap."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
import sqlalchemy as sa

from famachat_ml_pipeline.db import schema
from famachat_ml_pipeline.db.engine import get_engine, migrate
from famachat_ml_pipeline.definitions import defs
from famachat_ml_pipeline.defs.classification import sampling
from famachat_ml_pipeline.defs.classification.sampling import (
    COUNT_CHUNK,
    MAX_TRAINING_SAMPLES,
    MIN_TRAINING_DATES,
    sampled_accounts,
    sampled_as_of_dates,
)
from famachat_ml_pipeline.demo.generator import generate_demo
from famachat_ml_pipeline.demo.loader import write_demo
from famachat_ml_pipeline.instance import get_instance
from famachat_ml_pipeline.settings import Settings
from famachat_ml_pipeline.source.read import campaigns_per_account
from famachat_ml_pipeline.source.tables import insights_table

D0 = dt.date(2026, 1, 1)


def _dates(n: int) -> list[dt.date]:
    return [D0 + dt.timedelta(days=i) for i in range(n)][::-1]  # newest first, as training_as_of_dates


@pytest.mark.parametrize("n_dates", [1, 7, 70, 100])
@pytest.mark.parametrize("campaigns", [1, 500, 11_873, 13_994, 17_800, 21_000, 59_999, 60_001, 119_999])
def test_cap_holds_with_the_fewest_dates_dropped(n_dates: int, campaigns: int) -> None:
    dates = _dates(n_dates)
    picked = sampled_as_of_dates(dates, campaigns)
    assert picked == sorted(picked) and picked[-1] == dates[0]  # the newest day is always kept
    assert len(picked) * campaigns <= MAX_TRAINING_SAMPLES
    step = (picked[1] - picked[0]).days if len(picked) > 1 else n_dates
    if step > 1:  # a smaller step would break the cap
        assert math.ceil(n_dates / (step - 1)) * campaigns > MAX_TRAINING_SAMPLES


def test_the_old_rounding_overshot() -> None:
    # 17,800 campaigns x 100 days: k = ceil(100 * 17,800 / 120k) = 15 kept 7 dates, 124,600 samples.
    picked = sampled_as_of_dates(_dates(100), 17_800)
    assert len(picked) == 6 and len(picked) * 17_800 <= MAX_TRAINING_SAMPLES


def test_a_fleet_past_the_cap_still_gets_one_date() -> None:
    assert sampled_as_of_dates(_dates(100), 200_000) == [_dates(100)[0]]


BUDGET = MAX_TRAINING_SAMPLES // MIN_TRAINING_DATES  # campaigns a sampled fleet keeps


class Counter:
    """The campaign counts of a fleet, answered as the database does, and which accounts were asked."""

    def __init__(self, fleet: dict[int, int]) -> None:
        self.fleet, self.asked = fleet, []

    def __call__(self, ids: list[int]) -> dict[int, int]:
        self.asked.extend(ids)
        return {c: self.fleet[c] for c in ids if self.fleet.get(c)}


def _sample(fleet: dict[int, int], day: dt.date) -> tuple[list[int], Counter]:
    counter = Counter(fleet)
    return sampled_accounts(list(fleet), day, counter), counter


def test_a_fleet_that_fits_trains_on_every_account_with_campaigns() -> None:
    fleet = {c: 12 for c in range(1, 1001)} | {1001: 0}  # 12,000 campaigns x 10 days = the cap
    assert _sample(fleet, D0)[0] == list(range(1, 1001))


@pytest.mark.parametrize("accounts", [1001, 2400, 100_000])
def test_a_larger_fleet_trains_on_a_weekly_sample_of_accounts_within_the_cap(accounts: int) -> None:
    fleet = {c: 5 + c % 17 for c in range(1, accounts + 1)}
    picked, counter = _sample(fleet, D0)
    used = sum(fleet[c] for c in picked)
    assert picked == sorted(picked) and used <= BUDGET
    assert all(
        fleet[c] > BUDGET - used for c in set(counter.asked) - set(picked)
    )  # none asked left that fits
    # the counting stops with the sample: at most one chunk past it, whatever the fleet
    assert len(counter.asked) <= len(picked) + 2 * COUNT_CHUNK
    assert _sample(fleet, D0 + dt.timedelta(days=3))[0] == picked  # same ISO week (2026-01-01 is a Thursday)
    assert _sample(fleet, D0 + dt.timedelta(days=7))[0] != picked
    # not the first ids: the draw covers the fleet
    assert min(picked) < accounts // 10 and max(picked) > accounts - accounts // 10


def _sampled_a_chunk_at_a_time(fleet: dict[int, int], day: dt.date) -> list[int]:
    """The greedy fill as it was before the counting came in pieces: one count per COUNT_CHUNK."""
    order = sorted(fleet, key=lambda c: sampling._draw(c, day))
    picked, used = [], 0
    for start in range(0, len(order), COUNT_CHUNK):
        before = len(picked)
        for config_id in order[start : start + COUNT_CHUNK]:
            n = fleet.get(config_id, 0)
            if n and (used + n <= BUDGET or not picked):
                picked.append(config_id)
                used += n
        if len(picked) == before:
            break
    return sorted(picked)


@pytest.mark.parametrize("piece", [1, 7, 125, COUNT_CHUNK])
@pytest.mark.parametrize("seed", range(4))
def test_counting_in_pieces_picks_what_counting_whole_chunks_does(
    piece: int, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = np.random.default_rng(seed)
    # accounts without campaigns, large ones past what is left: chunks stop adding at different points
    sizes = rng.choice([0, 0, 3, 12, 40, 900], size=3000)
    fleet = {c: int(n) for c, n in enumerate(sizes, start=1)}
    monkeypatch.setattr(sampling, "COUNT_PIECE", piece)
    picked, counter = _sample(fleet, D0)
    assert picked == _sampled_a_chunk_at_a_time(fleet, D0)
    groups = list(sampling.sampled_account_groups(list(fleet), D0, Counter(fleet)))
    assert all(groups) and sorted(c for g in groups for c in g) == picked
    assert max(map(len, groups)) <= piece


def test_one_account_past_the_cap_is_still_trained_on() -> None:
    assert _sample({7: BUDGET * 3}, D0)[0] == [7]
    assert _sample({7: 0}, D0)[0] == []
    assert _sample({}, D0)[0] == []


def _distinct_campaigns(engine: sa.Engine, ids: list[int], since: dt.date) -> dict[int, int]:
    t = insights_table
    query = sa.select(t.c.config_id, sa.func.count(sa.distinct(t.c.campaign_id))).where(
        t.c.config_id.in_(ids), t.c.date_start >= since
    )
    with engine.connect() as conn:
        return dict(conn.execute(query.group_by(t.c.config_id)).tuples().all())


def test_the_retraining_job_reads_only_the_sampled_accounts(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = generate_demo(n_accounts=4, days=120, seed=4)
    engine = get_engine(settings.database_url)
    migrate(settings.database_url)
    write_demo(engine, data)
    since = data.end_date - dt.timedelta(days=119)
    per_account = campaigns_per_account(engine, [1, 2, 3, 4, 5], since)
    assert sorted(per_account) == [1, 2, 3, 4]  # no account 5: left out
    # equal to the plain count(DISTINCT) it replaced, from the first day and from a late one (which leaves
    # out the campaigns whose rows all came before it)
    for ids, day in (([1, 2, 3, 4, 5], since), ([1, 2, 3, 4], data.end_date - dt.timedelta(days=3))):
        assert campaigns_per_account(engine, ids, day) == _distinct_campaigns(engine, ids, day)
    # a cap that fits about half the fleet's campaigns at MIN_TRAINING_DATES days
    monkeypatch.setattr(sampling, "MAX_TRAINING_SAMPLES", sum(per_account.values()) // 2 * MIN_TRAINING_DATES)
    expected = sampled_accounts([1, 2, 3, 4], data.end_date, lambda ids: {c: per_account[c] for c in ids})
    assert 1 <= len(expected) < 4

    result = defs.resolve_job_def("model_retraining").execute_in_process(
        instance=get_instance(settings), tags={"famachat/as_of": data.end_date.isoformat()}
    )
    assert result.success
    (mat,) = result.asset_materializations_for_node("classifier_model")
    meta = {k: v.value for k, v in mat.metadata.items()}
    assert (meta["accounts_trained_on"], meta["accounts"]) == (len(expected), 4)
    m = schema.ml_trained_models
    with engine.connect() as conn:
        samples = conn.execute(sa.select(m.c.samples_count)).scalar_one()
    assert 0 < samples <= sampling.MAX_TRAINING_SAMPLES and samples == meta["samples"]
