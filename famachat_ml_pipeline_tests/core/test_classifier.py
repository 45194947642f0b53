"""Campaign classifier: point-in-time training set, gating, artifacts and classification."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest
import xgboost as xgb
from polars.testing import assert_frame_equal

from famachat_ml_pipeline.core.classifier import (
    CV_FOLDS,
    LABELS,
    WINDOW,
    XGB_PARAMS,
    ModelArtifactError,
    NotEnoughTrainingData,
    TrainResult,
    _codes,
    _cv_folds,
    _fit,
    _fit_many,
    _model_eligible,
    _persistence,
    _purged_before,
    _scores,
    _x,
    build_training_set,
    classify,
    feature_frame,
    load_model,
    save_model,
    should_activate,
    train_classifier,
    training_as_of_dates,
)
from famachat_ml_pipeline.core.features import FEATURE_COLUMNS, compute_features_wide
from famachat_ml_pipeline.core.tiers import rule_tiers
from famachat_ml_pipeline.demo.generator import clean_demo, generate_demo
from famachat_ml_pipeline_tests.core.dirty_daily import END, dirty_daily, same_bits


@pytest.fixture(scope="module")
def demo() -> tuple[pl.DataFrame, dt.date]:
    d = generate_demo(n_accounts=4, end_date=dt.date(2026, 3, 14))
    return clean_demo(d).daily, d.end_date


@pytest.fixture(scope="module")
def trained(demo: tuple[pl.DataFrame, dt.date]) -> tuple[pl.DataFrame, TrainResult]:
    daily, _ = demo
    train_set = build_training_set(daily, training_as_of_dates(daily, step=2))
    return train_set, train_classifier(train_set)


# ----------------------------------------------------------------------------------------- training set


def test_no_look_ahead(demo: tuple[pl.DataFrame, dt.date]) -> None:
    daily, end = demo
    d = end - dt.timedelta(days=20)
    base = build_training_set(daily, [d])
    # Rows after D rewritten: every campaign spends 10x and gets no leads.
    after = pl.col("date") > d
    changed = daily.with_columns(
        spend=pl.when(after).then(pl.col("spend") * 10 + 1).otherwise(pl.col("spend")),
        leads=pl.when(after).then(0).otherwise(pl.col("leads")),
    )
    other = build_training_set(changed, [d])
    point_in_time = [*FEATURE_COLUMNS, "current_tier"]
    keys = ["config_id", "campaign_id"]
    assert base.select(*keys, *point_in_time).equals(other.select(*keys, *point_in_time))
    # ...while the label, which reads D+1..D+7, does see the change.
    assert (other["label"] == "UNDERPERFORMER").all()
    assert not (base["label"] == "UNDERPERFORMER").all()
    # Rows after D+7 reach neither features nor labels.
    later = daily.with_columns(
        leads=pl.when(pl.col("date") > d + dt.timedelta(days=7)).then(0).otherwise("leads")
    )
    assert build_training_set(later, [d]).equals(base)


def test_training_rows_match_features_and_rules(demo: tuple[pl.DataFrame, dt.date]) -> None:
    daily, end = demo
    d = end - dt.timedelta(days=10)
    ts = build_training_set(daily, [d])
    # Features: the full compute_features_wide on rows <= D (the 14-day slice is only a speed-up).
    full = compute_features_wide(daily.filter(pl.col("date") <= d), d)
    expected = feature_frame(full).join(
        ts.select("config_id", "campaign_id"), on=["config_id", "campaign_id"]
    )
    # (tolerance: float sums over a sliced or a full group may round differently in the last bit)
    assert_frame_equal(ts.select(expected.columns), expected.sort("config_id", "campaign_id"), rel_tol=1e-9)
    # Current tier: the rules at D; label: the rules at D+7 over the following 7 days.
    now = rule_tiers(full).select("config_id", "campaign_id", current_tier="tier")
    nxt = d + dt.timedelta(days=7)
    later = rule_tiers(compute_features_wide(daily.filter(pl.col("date") <= nxt), nxt))
    check = ts.join(now, on=["config_id", "campaign_id"], suffix="_r").join(
        later.select("config_id", "campaign_id", label_r="tier"), on=["config_id", "campaign_id"]
    )
    assert check.height == ts.height > 0
    assert check["current_tier"].eq_missing(check["current_tier_r"]).all()
    assert (check["label"] == check["label_r"]).all()


def test_training_set_drops_unlabelled(demo: tuple[pl.DataFrame, dt.date]) -> None:
    daily, end = demo
    # The label of the last 7 days is not known yet: those as-of days are skipped.
    assert build_training_set(daily, [end, end - dt.timedelta(days=3)]).is_empty()
    dates = training_as_of_dates(daily)
    assert max(dates) == end - dt.timedelta(days=7)
    assert min(dates) >= daily["date"].min() + dt.timedelta(days=13)
    ts = build_training_set(daily, dates[:5])
    assert ts["label"].null_count() == 0 and ts["label"].is_in(LABELS).all()


def _per_day_training_set(daily: pl.DataFrame, as_of_dates: list[dt.date], horizon: int = 7) -> pl.DataFrame:
    """build_training_set as it was at commit 9a7595e: one compute_features_wide and the full rule_tiers per
    distinct day, on that day's 2-week slice, joined. The reference build_training_set must equal."""
    keys = ["config_id", "campaign_id"]

    def snapshot(as_of: dt.date) -> pl.DataFrame:
        two_weeks = daily.filter(pl.col("date").is_between(as_of - dt.timedelta(days=2 * WINDOW - 1), as_of))
        wide = compute_features_wide(two_weeks, as_of, (WINDOW,), day_of_week=False)
        return (
            feature_frame(wide)
            .with_columns(_eligible=_model_eligible(wide))
            .join(rule_tiers(wide, WINDOW).select(*keys, "tier"), on=keys, how="left")
            .with_columns(as_of=pl.lit(as_of))
        )

    last = daily["date"].max()
    dates = sorted({d for d in as_of_dates if d + dt.timedelta(days=horizon) <= last})
    snaps = {d: snapshot(d) for d in sorted(set(dates) | {d + dt.timedelta(days=horizon) for d in dates})}
    feats = pl.concat([snaps[d] for d in dates]).filter("_eligible").rename({"tier": "current_tier"})
    labels = pl.concat(
        [
            snaps[d + dt.timedelta(days=horizon)].select(*keys, "tier").with_columns(as_of=pl.lit(d))
            for d in dates
        ]
    ).rename({"tier": "label"})
    return (
        feats.join(labels, on=[*keys, "as_of"], how="inner")
        .filter(pl.col("label").is_not_null())
        .select("as_of", *keys, *FEATURE_COLUMNS, "current_tier", "label")
        .sort("as_of", *keys)
    )


@pytest.mark.parametrize("step", [1, 3, 10])
def test_training_set_equals_the_9a7595e_reference_on_the_demo(
    demo: tuple[pl.DataFrame, dt.date], step: int
) -> None:
    daily, _ = demo
    dates = training_as_of_dates(daily, step=step)
    ts = build_training_set(daily, dates)
    assert ts.height > 100 and ts["as_of"].n_unique() == len(dates)
    assert same_bits(ts, _per_day_training_set(daily, dates))


def test_training_set_equals_the_9a7595e_reference_on_a_dirty_frame() -> None:
    """Random spend on wide scales, set-aside days, young campaigns, a 150-campaign account, shuffled rows;
    as-of days 1 apart (each one's label day is another's feature day), before the data and at its end."""
    daily = dirty_daily(seed=3)
    dates = [END - dt.timedelta(days=k) for k in (60, 40, 36, 30, 23, 22, 21, 15, 14, 7, 3, 0)]
    ts = build_training_set(daily, dates)
    assert ts.height > 500 and ts["as_of"].n_unique() >= 8
    assert same_bits(ts, _per_day_training_set(daily, dates))
    assert same_bits(build_training_set(daily, dates[:1]), ts.clear())  # no row in any window


# --------------------------------------------------------------------------------------------- gating


def test_gate_on_metric_dicts() -> None:
    m = lambda model, base: {"model": {"f1_macro": model}, "baseline": {"f1_macro": base}}  # noqa: E731
    assert should_activate(m(0.61, 0.60))
    assert not should_activate(m(0.60, 0.60))  # a tie does not activate
    assert not should_activate(m(0.50, 0.60))


def _synthetic(label_from_feature: bool, n_dates: int = 30, n_campaigns: int = 60) -> pl.DataFrame:
    """Either the label is a function of cpl_ratio and today's tier is noise (the model wins), or the label
    is today's tier and every feature is noise (persistence wins)."""
    rng = np.random.default_rng(1)
    n = n_dates * n_campaigns
    feats = {c: rng.normal(size=n) for c in FEATURE_COLUMNS}
    feats["cpl_ratio"] = rng.uniform(0, 2, n)
    rule_like = np.digitize(feats["cpl_ratio"], [0.7, 1.0, 1.5])
    noise = rng.integers(0, 4, n)
    label, current = (rule_like, noise) if label_from_feature else (noise, noise)
    return pl.DataFrame(
        {
            "as_of": pl.date_range(dt.date(2026, 1, 1), dt.date(2026, 1, n_dates), eager=True).gather(
                np.repeat(np.arange(n_dates), n_campaigns)
            ),
            "config_id": np.ones(n, dtype=np.int64),
            "campaign_id": np.tile(np.arange(n_campaigns), n_dates).astype(str),
            **feats,
            "current_tier": np.array(LABELS)[current],
            "label": np.array(LABELS)[label],
        }
    )


def test_gate_model_beats_persistence() -> None:
    res = train_classifier(_synthetic(label_from_feature=True), cv_folds=2)
    assert res.metrics["model"]["f1_macro"] > 0.9 > 0.4 > res.metrics["baseline"]["f1_macro"]
    assert res.should_activate


def test_gate_model_cannot_beat_persistence() -> None:
    res = train_classifier(_synthetic(label_from_feature=False), cv_folds=2)
    assert res.metrics["baseline"]["f1_macro"] == 1.0
    assert res.metrics["model"]["f1_macro"] < 1.0
    assert not res.should_activate


def test_real_training_run(trained: tuple[pl.DataFrame, TrainResult]) -> None:
    train_set, res = trained
    assert res.params == XGB_PARAMS and res.params["n_estimators"] == 100 and res.params["max_depth"] == 4
    assert res.feature_columns == FEATURE_COLUMNS
    assert res.should_activate == (res.metrics["model"]["f1_macro"] > res.metrics["baseline"]["f1_macro"])
    for who in ("model", "baseline"):
        assert set(res.metrics[who]) == {
            "accuracy",
            "f1_macro",
            "f1_weighted",
            "cv_f1_macro_mean",
            "cv_accuracy_mean",
        }
        assert 0 <= res.metrics[who]["f1_macro"] <= 1
    split = res.metrics["split"]
    # Time split with a purge: the last training label ends before the first held-out label begins.
    assert dt.date.fromisoformat(split["train_end"]) + dt.timedelta(days=7) <= dt.date.fromisoformat(
        split["holdout_start"]
    )
    assert res.samples_count == split["train_samples"] < train_set.height
    assert (res.data_start, res.data_end) == (train_set["as_of"].min(), train_set["as_of"].max())
    assert res.metrics["cv"]["folds"] + res.metrics["cv"]["skipped"] == CV_FOLDS == 3


def _trees(model: xgb.XGBClassifier) -> dict:
    """Every tree, split and leaf value exactly (the model's JSON, without the sklearn attributes)."""
    return json.loads(model.get_booster().save_raw("json"))["learner"]["gradient_booster"]


def test_fits_side_by_side_equal_one_at_a_time(trained: tuple[pl.DataFrame, TrainResult]) -> None:
    """train_classifier fits the model and the CV folds on a thread pool, one XGBoost thread each: every
    model equals the plain one-thread fit, tree for tree, and the model is the one on the training dates."""
    train_set, res = trained
    one_thread = {**XGB_PARAMS, "n_jobs": 1}
    train = train_set.filter(pl.col("as_of") <= dt.date.fromisoformat(res.metrics["split"]["train_end"]))
    plain = _fit(_x(train), _codes(train["label"]), one_thread)
    assert _trees(res.model) == _trees(plain)
    assert np.array_equal(res.model.predict_proba(_x(train_set)), plain.predict_proba(_x(train_set)))
    assert res.model.get_params()["n_jobs"] == XGB_PARAMS["n_jobs"]  # predictions use the configured threads

    sets = [train.head(n) for n in (train.height, train.height // 2, train.height // 3)]
    sets.append(train.filter(pl.col("label") != "LOW"))  # lacks a tier: handed back, not raised
    fitted = _fit_many([(_x(t), _codes(t["label"])) for t in sets], XGB_PARAMS)
    for t, model in zip(sets[:3], fitted[:3], strict=True):
        assert (
            model.get_booster().get_dump()
            == _fit(_x(t), _codes(t["label"]), one_thread).get_booster().get_dump()
        )
    assert isinstance(fitted[3], NotEnoughTrainingData)


def _reference_metrics(train_set: pl.DataFrame, cv_folds: int = CV_FOLDS, horizon: int = 7) -> dict:
    """train_classifier's metrics as computed at commit 9a7595e, spelled out: every model fitted (one
    thread, as _fit_many does), then every prediction with the configured threads."""
    one_thread = {**XGB_PARAMS, "n_jobs": 1}
    dates = train_set["as_of"].unique().sort()
    test_dates = dates.tail(max(1, round(dates.len() * 0.2)))
    train = train_set.filter(_purged_before(train_set["as_of"], test_dates[0], horizon))
    test = train_set.filter(pl.col("as_of") >= test_dates[0])
    y_train, y_test = _codes(train["label"]), _codes(test["label"])
    model = _fit(_x(train), y_train, one_thread).set_params(n_jobs=XGB_PARAMS["n_jobs"])
    cv: dict[str, list[float]] = {"mf": [], "bf": [], "ma": [], "ba": []}
    skipped = 0
    for tr, te in _cv_folds(train, cv_folds, horizon):
        try:
            fold_model = _fit(_x(tr), _codes(tr["label"]), one_thread).set_params(n_jobs=XGB_PARAMS["n_jobs"])
        except NotEnoughTrainingData:
            skipped += 1
            continue
        y_te = _codes(te["label"])
        m = _scores(y_te, fold_model.predict(_x(te)))
        b = _scores(y_te, _persistence(te, int(np.bincount(_codes(tr["label"]), minlength=4).argmax())))
        cv["mf"].append(m["f1_macro"]), cv["bf"].append(b["f1_macro"])
        cv["ma"].append(m["accuracy"]), cv["ba"].append(b["accuracy"])
    mean = lambda v: float(np.mean(v)) if v else None  # noqa: E731
    majority = int(np.bincount(y_train, minlength=4).argmax())
    return {
        "model": _scores(y_test, model.predict(_x(test)))
        | {"cv_f1_macro_mean": mean(cv["mf"]), "cv_accuracy_mean": mean(cv["ma"])},
        "baseline": _scores(y_test, _persistence(test, majority))
        | {"cv_f1_macro_mean": mean(cv["bf"]), "cv_accuracy_mean": mean(cv["ba"])},
        "train": _scores(y_train, model.predict(_x(train))),
        "cv": {"folds": len(cv["mf"]), "skipped": skipped},
        "split": {
            "train_samples": train.height,
            "holdout_samples": test.height,
            "train_start": str(train["as_of"].min()),
            "train_end": str(train["as_of"].max()),
            "holdout_start": str(test_dates[0]),
            "holdout_end": str(test_dates[-1]),
            "purge_days": horizon,
        },
        "label_distribution": {LABELS[i]: int(n) for i, n in enumerate(np.bincount(y_train, minlength=4))},
    }


def test_metrics_equal_the_9a7595e_reference(
    trained: tuple[pl.DataFrame, TrainResult],
) -> None:
    train_set, res = trained
    assert res.metrics == _reference_metrics(train_set)
    for label_from_feature in (True, False):
        synthetic = _synthetic(label_from_feature)
        assert train_classifier(synthetic).metrics == _reference_metrics(synthetic)
    # the first fold has no training dates after the purge, the second lacks a tier: both skipped
    early = pl.col("as_of") < dt.date(2026, 1, 5)
    lacking = _synthetic(True).filter(~early | (pl.col("label") != "LOW"))
    res = train_classifier(lacking)
    assert res.metrics["cv"] == {"folds": 1, "skipped": 2}
    assert res.metrics == _reference_metrics(lacking)


def test_training_needs_every_tier() -> None:
    ts = _synthetic(label_from_feature=True).with_columns(label=pl.lit("LOW"))
    with pytest.raises(ValueError, match="lack tier"):
        train_classifier(ts, cv_folds=0)


# ------------------------------------------------------------------------------------------- artifacts


def test_missing_artifact(tmp_path: Path) -> None:
    with pytest.raises(ModelArtifactError, match="not found"):
        load_model(tmp_path / "nope.json")


@pytest.mark.parametrize("content", [b"", b"{not json", b"\x00\x01garbage", b'{"learner": 3}'])
@pytest.mark.parametrize("suffix", [".json", ".ubj"])
def test_corrupted_artifact(tmp_path: Path, content: bytes, suffix: str) -> None:
    path = tmp_path / f"model{suffix}"
    path.write_bytes(content)
    with pytest.raises(ModelArtifactError):
        load_model(path)


def test_truncated_artifact(tmp_path: Path, trained: tuple[pl.DataFrame, TrainResult]) -> None:
    path = save_model(trained[1].model, tmp_path / "model.json")
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(ModelArtifactError, match="unreadable"):
        load_model(path)


def test_wrong_model_shape(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    binary = xgb.XGBClassifier(n_estimators=2).fit(rng.normal(size=(50, 3)), rng.integers(0, 2, 50))
    binary.save_model(tmp_path / "binary.json")
    with pytest.raises(ModelArtifactError, match="4-class"):
        load_model(tmp_path / "binary.json")


def test_never_pickle(tmp_path: Path, trained: tuple[pl.DataFrame, TrainResult]) -> None:
    with pytest.raises(ValueError, match=r"\.json or \.ubj"):
        save_model(trained[1].model, tmp_path / "model.pkl")


@pytest.mark.parametrize("suffix", [".json", ".ubj"])
def test_round_trip_same_predictions(
    tmp_path: Path, demo: tuple[pl.DataFrame, dt.date], trained: tuple[pl.DataFrame, TrainResult], suffix: str
) -> None:
    daily, end = demo
    wide = compute_features_wide(daily, end)
    model = trained[1].model
    loaded = load_model(save_model(model, tmp_path / f"classifier{suffix}"))
    assert classify(wide, loaded).equals(classify(wide, model))
    assert classify(wide, loaded, exact_contributions=True).equals(
        classify(wide, model, exact_contributions=True)
    )


# ------------------------------------------------------------------------------------------ classification


def test_classify_with_rules(demo: tuple[pl.DataFrame, dt.date]) -> None:
    daily, end = demo
    wide = compute_features_wide(daily, end)
    out = classify(wide, None)
    rules = rule_tiers(wide).filter(pl.col("tier").is_not_null())
    assert out.height == rules.height and (out["method"] == "rules").all()
    assert out.select("config_id", "campaign_id", "tier").equals(
        rules.select("config_id", "campaign_id", "tier")
    )
    assert out["probabilities"].null_count() == out.height
    assert out["feature_contributions"].null_count() == out.height


def test_classify_with_model(
    demo: tuple[pl.DataFrame, dt.date], trained: tuple[pl.DataFrame, TrainResult]
) -> None:
    daily, end = demo
    wide = compute_features_wide(daily, end)
    model = trained[1].model
    out = classify(wide, model, exact_contributions=True)
    # today's tier is the rules', row for row, whatever the model says about next week
    rules = rule_tiers(wide).filter(pl.col("tier").is_not_null())
    assert out.select("config_id", "campaign_id", "tier", "confidence_score").equals(
        rules.select("config_id", "campaign_id", "tier", "confidence_score")
    )
    active = wide.join(out.select("config_id", "campaign_id"), on=["config_id", "campaign_id"], how="semi")
    assert (active["spend_7d"] > 0).all()  # classified by the rules, so spending: the model sees them all
    assert (out["method"] == "rules+model").all()
    probs = out["probabilities"].struct.unnest()
    assert probs.columns == LABELS
    np.testing.assert_allclose(probs.sum_horizontal().to_numpy(), 1.0, rtol=1e-5)
    top = probs.to_numpy().argmax(axis=1)
    assert out["predicted_next_tier"].to_list() == [LABELS[i] for i in top]
    assert np.allclose(out["predicted_confidence"].to_numpy(), probs.max_horizontal().to_numpy(), atol=1e-4)
    # the model disagrees with today's tier somewhere on the demo, so the two columns are not one
    assert (out["predicted_next_tier"] != out["tier"]).any()
    # p_fall: the probability mass of the tiers below today's
    rank = {t: i for i, t in enumerate(LABELS)}  # 0 = HIGH_PERFORMER, the best
    p = probs.to_numpy()
    expected = [p[i, rank[t] + 1 :].sum() for i, t in enumerate(out["tier"].to_list())]
    np.testing.assert_allclose(out["p_fall"].to_numpy(), expected, atol=1e-4)
    assert out["likely_to_fall"].to_list() == [e >= 0.5 for e in out["p_fall"].to_list()]
    contribs = out["feature_contributions"].struct.unnest()
    assert contribs.columns == FEATURE_COLUMNS and contribs.null_count().sum_horizontal().item() == 0
    # Exact contributions + bias add up to the predicted class's margin.
    x = feature_frame(active).select(FEATURE_COLUMNS).to_numpy().astype(np.float32)  # same order as out
    dm = xgb.DMatrix(x, feature_names=FEATURE_COLUMNS)
    margin = model.get_booster().predict(dm, output_margin=True)[np.arange(len(top)), top]
    bias = model.get_booster().predict(dm, pred_contribs=True)[np.arange(len(top)), top, -1]
    np.testing.assert_allclose(contribs.sum_horizontal().to_numpy() + bias, margin, rtol=1e-3, atol=1e-3)
