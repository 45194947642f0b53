"""Score anomaly detectors on the demo generator's labelled incidents.

An incident is hit when the detector raises an anomaly of the incident's family on that campaign on a
day inside the incident's window. Detections are counted as events: one per (campaign, family), so a
CTR collapse flagged on five days is one detection. A detection on an incident's campaign inside its
window is attributed to that incident even when its family differs (a CTR collapse also drops leads for
the money: that PERFORMANCE_DROP is a true consequence, not a false alarm); every other detection is a
false positive. Precision only counts the families that incidents can label (spend, CTR, leads,
delivery); frequency and reach alerts answer to creative fatigue, which the demo simulates on purpose,
and are not scored here. The same attribution holds for the demo's injected effects (a gradual cost creep):
they are not incidents to catch, so they count in no recall, but a PERFORMANCE_DROP on one is earned.

Speed: for each incident that is hit, the days from its start to the first alert of its family; the
median per kind is reported beside recall per kind.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl

from famachat_ml_pipeline.core.anomalies import AnomalyConfig, detect_anomalies, detect_anomalies_zscore
from famachat_ml_pipeline.demo.generator import INCIDENT_KINDS, clean_demo, generate_demo

FAMILY = {
    "SPEND_SPIKE": "spend_spike",
    "PERFORMANCE_DROP": "tracking_break",
    "CTR_DROP": "ctr_collapse",
    "ZERO_SPEND": "delivery_stop",
    "ZERO_IMPRESSIONS": "delivery_stop",
    "SPEND_DROP": "delivery_stop",
}

Detector = Callable[[pl.DataFrame, dt.date, AnomalyConfig, int], pl.DataFrame]
METHODS: dict[str, Detector] = {"robust": detect_anomalies, "seed_zscore": detect_anomalies_zscore}


@dataclass
class IncidentScore:
    method: str
    incidents: int
    hit: int
    detections: int
    false_positives: int
    # kind -> (incidents, hit, median days from incident start to the first alert of its family)
    by_kind: dict[str, tuple[int, int, float]] = field(default_factory=dict)
    fleet_f1: list[float] = field(default_factory=list)  # each demo fleet's own F1, when several are pooled

    @property
    def recall(self) -> float:
        return self.hit / self.incidents if self.incidents else 0.0

    @property
    def precision(self) -> float:
        return (self.detections - self.false_positives) / self.detections if self.detections else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def score(found: pl.DataFrame, incidents: pl.DataFrame, method: str) -> IncidentScore:
    events = (
        found.filter(pl.col("anomaly_type").is_in(list(FAMILY)))
        .with_columns(kind=pl.col("anomaly_type").replace_strict(FAMILY))
        .rename({"entity_id": "campaign_id"})
    )
    keys = ["config_id", "campaign_id"]
    inside = events.join(incidents, on=keys, suffix="_incident").filter(
        pl.col("anomaly_date").is_between("start_date", "end_date")
    )
    hit = inside.filter(pl.col("kind") == pl.col("kind_incident")).select(*keys, "kind").n_unique()
    to_catch = incidents.filter(pl.col("kind").is_in(INCIDENT_KINDS)).height
    detections = events.select(*keys, "kind").n_unique()
    attributed = inside.select(*keys, "kind").n_unique()
    return IncidentScore(
        method, to_catch, hit, detections, detections - attributed, _by_kind(inside, incidents, keys)
    )


def _by_kind(
    inside: pl.DataFrame, incidents: pl.DataFrame, keys: list[str]
) -> dict[str, tuple[int, int, float]]:
    first = (
        inside.filter(pl.col("kind") == pl.col("kind_incident"))
        .group_by(*keys, "kind")
        .agg(days=(pl.col("anomaly_date").min() - pl.col("start_date").first()).dt.total_days())
    )
    counts = incidents.filter(pl.col("kind").is_in(INCIDENT_KINDS)).group_by("kind").len()
    speed = first.group_by("kind").agg(hit=pl.len(), median_days=pl.col("days").median())
    table = counts.join(speed, on="kind", how="left").sort("kind")
    return {
        r["kind"]: (
            r["len"],
            r["hit"] or 0,
            r["median_days"] if r["median_days"] is not None else float("nan"),
        )
        for r in table.iter_rows(named=True)
    }


def evaluate_demo(
    n_accounts: int = 50,
    seed: int = 7,
    config: AnomalyConfig | None = None,
    end_date: dt.date | None = None,
    n_seeds: int = 1,
) -> list[IncidentScore]:
    """Each method on the demo fleets of seeds `seed`..`seed + n_seeds - 1`, their incidents pooled (one
    fleet's 100 incidents move F1 by a few points with the weekday the demo ends on), with each fleet's F1."""
    runs = [
        _detect_one(n_accounts, s, config or AnomalyConfig(), end_date) for s in range(seed, seed + n_seeds)
    ]
    incidents = pl.concat([_apart(inc, i) for i, (_, inc) in enumerate(runs)])
    scores = []
    for name in METHODS:
        pooled = score(
            pl.concat([_apart(found[name], i) for i, (found, _) in enumerate(runs)]), incidents, name
        )
        pooled.fleet_f1 = [score(found[name], inc, name).f1 for found, inc in runs]
        scores.append(pooled)
    return scores


def _detect_one(
    n_accounts: int, seed: int, config: AnomalyConfig, end_date: dt.date | None
) -> tuple[dict[str, pl.DataFrame], pl.DataFrame]:
    data = generate_demo(n_accounts=n_accounts, seed=seed, end_date=end_date)
    daily, as_of = clean_demo(data).daily, data.end_date
    lookback = (
        as_of - data.incidents.filter(pl.col("kind").is_in(INCIDENT_KINDS))["start_date"].min()
    ).days + 1
    return {name: fn(daily, as_of, config, lookback) for name, fn in METHODS.items()}, data.incidents


def _apart(frame: pl.DataFrame, i: int) -> pl.DataFrame:
    """The i-th fleet's accounts renumbered, so fleets of different seeds never share a config_id."""
    return frame.with_columns(pl.col("config_id") + i * _FLEET_STRIDE)


_FLEET_STRIDE = 1_000_000


def format_report(scores: list[IncidentScore]) -> str:
    lines = [
        f"{'method':<13}{'incidents':>10}{'hit':>6}{'missed':>8}{'FP':>6}{'precision':>11}{'recall':>8}{'F1':>7}"
    ]
    for s in scores:
        lines.append(
            f"{s.method:<13}{s.incidents:>10}{s.hit:>6}{s.incidents - s.hit:>8}{s.false_positives:>6}"
            f"{s.precision:>11.3f}{s.recall:>8.3f}{s.f1:>7.3f}"
        )
    lines.append("")
    lines.append(
        f"{'method':<13}{'kind':<16}{'incidents':>10}{'hit':>6}{'recall':>8}{'median days to 1st alert':>26}"
    )
    for s in scores:
        for kind, (n, hit, days) in s.by_kind.items():
            lines.append(f"{s.method:<13}{kind:<16}{n:>10}{hit:>6}{hit / n if n else 0.0:>8.3f}{days:>26.1f}")
    if any(len(s.fleet_f1) > 1 for s in scores):
        spread = "; ".join(f"{s.method} {min(s.fleet_f1):.3f}-{max(s.fleet_f1):.3f}" for s in scores)
        lines += ["", f"F1 of each fleet alone: {spread}"]
    return "\n".join(lines)
