"""Taxi anomaly detection: events, their evaluation on hand-made cases, the detectors, the protocol's checks and
every branch of the computed prose."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlplab.errors import UserError
from mlplab.experiment.record import Run, SplitResult
from mlplab.taxi import GLOSSARY, detect as dt, narrative as nv, steps, validate_params

T0 = pd.Timestamp("2014-11-01")


def _times(n: int) -> pd.DatetimeIndex:
    return pd.date_range(T0, periods=n, freq="30min")


def _windows(*spans) -> pd.DataFrame:
    rows = []
    for i, (a, b, label) in enumerate(spans):
        rows.append({"start": T0 + pd.Timedelta(hours=a), "end": T0 + pd.Timedelta(hours=b),
                     "label": T0 + pd.Timedelta(hours=label), "name": f"w{i + 1}"})
    return pd.DataFrame(rows)


def test_events_merge_flags_closer_than_the_gap():
    flags = np.zeros(40, dtype=bool)
    flags[[2, 3, 6, 20, 30, 31]] = True
    assert dt.events(flags, merge=4) == [(2, 6), (20, 20), (30, 31)]
    assert dt.events(flags, merge=3) == [(2, 3), (6, 6), (20, 20), (30, 31)]
    assert dt.events(flags, merge=15) == [(2, 31)]
    assert dt.events(np.zeros(5, dtype=bool), merge=4) == []


def test_evaluation_on_hand_made_events():
    times = _times(200)  # every 30 minutes from T0
    windows = _windows((10, 20, 15), (50, 60, 55), (80, 90, 85))
    # event 1 starts at 12 h (in window 1, 3 h before its label); event 2 starts at 45 h and runs into window 2
    # (starts outside: a false alarm, and window 2 is not detected by it); event 3 starts at 58 h (window 2, after
    # its label); event 4 at 95 h (false alarm); window 3 gets nothing.
    ev = [(24, 26), (90, 104), (116, 118), (190, 195)]
    out = dt.evaluate(ev, times, windows)
    assert out["windows_detected"] == 2 and out["false_alarms"] == 2 and out["alarm_events"] == 4
    w1, w2, w3 = out["windows"]
    assert w1["detected"] and w1["lead_hours"] == pytest.approx(3.0)
    assert w2["detected"] and w2["lead_hours"] == pytest.approx(-3.0)
    assert not w3["detected"] and w3["lead_hours"] is None
    two = dt.evaluate([(24, 24), (30, 30)], times, windows)  # two events in one window: one detection, lead of the first
    assert two["windows_detected"] == 1 and two["false_alarms"] == 0 and two["windows"][0]["events_inside"] == 2


def _period(values, tail_start, stop, windows=None, start=0):
    times = _times(len(values))
    return dt.Period(np.asarray(values, float), times, start, stop, windows if windows is not None else _windows()[:0],
                     tail_start=tail_start)


def test_rolling_z_uses_only_the_past_and_the_threshold_is_the_tail_maximum():
    rng = np.random.default_rng(0)
    x = 100 + rng.normal(size=600)
    x[550] = 130  # a spike after the training period
    det = dt.RollingZ(window=48).fit(_period(x, 400, 500))
    s = det.score_series(x)
    assert np.isnan(s[:48]).all() and np.isfinite(s[48:]).all()
    past = x[502:550]
    assert s[550] == pytest.approx(abs(x[550] - past.mean()) / past.std())
    assert det.threshold_ == pytest.approx(np.nanmax(s[400:500]))
    flags = det.flags(dt.Period(x, _times(600), 500, 600, _windows()[:0]))
    assert flags[50] and flags.sum() <= 3
    y = x.copy()
    y[560:] += 50  # the future cannot change an earlier score
    assert dt.RollingZ(window=48).score_series(y)[550] == s[550]


def test_seasonal_z_learns_its_residual_spread_on_the_fit_rows():
    week = dt.WEEK
    base = np.tile(np.sin(np.linspace(0, 2 * np.pi, week, endpoint=False)) * 10 + 50, 4)
    rng = np.random.default_rng(1)
    x = base + rng.normal(scale=0.1, size=len(base))
    det = dt.SeasonalZ().fit(_period(x, 2 * week + 100, 3 * week))
    r = x[week:2 * week + 100] - x[:week + 100]
    assert det.mean_ == pytest.approx(r.mean()) and det.std_ == pytest.approx(r.std())
    assert np.isnan(det.score_series(x)[:week]).all()
    with pytest.raises(UserError, match="more than one season"):
        dt.SeasonalZ().fit(_period(x[:week + 1], week, week + 1))


def test_autoencoder_variants_read_a_week_or_its_change_and_score_the_last_window():
    rng = np.random.default_rng(2)
    x = 50 + 10 * np.sin(np.arange(900) * 2 * np.pi / 48) + rng.normal(size=900)
    week = dt.ConvAEDetector(window=8, context=16, epochs=1, hidden=(2, 2), batch_size=64)
    week.fit(_period(x, 500, 600))
    s = week.score_series(x)
    assert week.length == 16 and np.isnan(s[:15]).all() and np.isfinite(s[15:]).all()
    W = dt.sliding(week._scale(x), 16)
    assert s[15] == pytest.approx(float(np.abs(week.net_.predict(W[:1]) - W[:1])[0, -8:].mean()), rel=1e-5)
    change = dt.ConvAEDetector(window=8, season=100, epochs=1, hidden=(2, 2), batch_size=64)
    change.fit(_period(x, 500, 600))
    d = x[100:500] - x[:400]  # the fit rows' changes over 100 points: what it standardizes and learns
    assert change.mean_ == pytest.approx(d.mean()) and change.std_ == pytest.approx(d.std())
    c = change.score_series(x)
    assert np.isnan(c[:107]).all() and np.isfinite(c[107:]).all()
    assert change.reconstruct(x).shape == (900 - 8 + 1, 8)
    with pytest.raises(UserError, match="usable points"):
        dt.ConvAEDetector(window=8, season=495, epochs=1).fit(_period(x, 500, 600))


def test_a_detector_needs_a_validation_tail():
    with pytest.raises(UserError, match="validation tail"):
        dt.RollingZ().fit(_period(np.ones(100), None, 100))


def test_quantile_rule_below_one_flags_the_tail_top():
    x = np.arange(300, dtype=float) % 17
    det = dt.RollingZ(window=8, quantile=0.9).fit(_period(x, 200, 300))
    tail = det.score_series(x)[200:300]
    assert det.threshold_ == pytest.approx(np.quantile(tail, 0.9))


def test_setup_rejects_a_training_period_that_reaches_a_labelled_window():
    class Data:
        frame = pd.DataFrame({"timestamp": _times(3000), "value": np.ones(3000)})
        windows = _windows((900, 920, 910))

    with pytest.raises(UserError, match="before the first labelled window"):
        steps.setup(Data, [0], train_end=str((T0 + pd.Timedelta(hours=1000)).date()))
    with pytest.raises(UserError, match="more than one week"):
        steps.setup(Data, [0], train_end=str((T0 + pd.Timedelta(days=9)).date()), tail_days=5)
    with pytest.raises(UserError, match="inside the series"):
        steps.setup(Data, [0], train_end="2030-01-01")


def _run(name, detected, alarms, windows=None):
    splits = [SplitResult(i, i, {}, {}, {"windows_detected": w, "false_alarms": f, "alarm_events": w + f,
                                         "threshold": 1.0, "windows": windows or []}) for i, (w, f) in
              enumerate(zip(detected, alarms))]
    run = Run(name, "baseline", steps.LABELS[name], splits)
    run.info.update({"windows_detected": detected[0], "false_alarms": alarms[0], "windows": windows or [],
                     "per_seed": {"seed": list(range(len(detected))), "windows_detected": list(detected),
                                  "false_alarms": list(alarms)}})
    return run


def _runs(rolling=(2, 0), seasonal=(5, 6), ae=((4, 4, 2), (6, 3, 9))):
    win = [{"name": f"w{i}", "label": "x", "detected": i < 2, "lead_hours": [3.0, -1.0][i] if i < 2 else None}
           for i in range(5)]
    return {"rolling_z": _run("rolling_z", [rolling[0]], [rolling[1]], win),
            "seasonal_z": _run("seasonal_z", [seasonal[0]], [seasonal[1]], win),
            "conv_ae": _run("conv_ae", list(ae[0]), list(ae[1]), win)}


def test_best_baseline_breaks_ties_by_false_alarms_and_goal_per_seed():
    assert steps.best_baseline(_runs()) == "seasonal_z"
    assert steps.best_baseline(_runs(rolling=(5, 2))) == "rolling_z"
    g = steps.goal(_runs())
    assert g["met_per_seed"] == [True, True, False] and g["seeds_met"] == 2 and g["baseline_false_alarms"] == 6


def test_goal_sentence_branches():
    some = steps.goal(_runs())
    assert "met on 2 of 3 seeds only" in nv.goal_sentence(some)
    none = steps.goal(_runs(ae=((1, 2), (0, 0))))
    assert nv.goal_sentence(none).startswith("The goal is not met")
    every = steps.goal(_runs(ae=((5, 4), (1, 2))))
    assert nv.goal_sentence(every).startswith("The goal is met") and "every one of its 2 seeds" in nv.goal_sentence(every)
    one = steps.goal(_runs(ae=((5,), (1,))))
    assert "its one seed" in nv.goal_sentence(one)
    text = nv.detection_sentence(_runs(), some)
    assert "seasonal z-score detects 5 of 5 windows with 6 false alarms" in text and "2 to 4 windows" in text


def test_seed_and_lead_and_bottleneck_sentence_branches():
    assert "one seed" in nv.seed_sentence({"windows_detected": [3], "false_alarms": [1]})
    assert "same counts" in nv.seed_sentence({"windows_detected": [3, 3], "false_alarms": [1, 1]})
    assert "from 2 to 4" in nv.seed_sentence({"windows_detected": [2, 4], "false_alarms": [1, 1]})
    runs = _runs()
    runs["rolling_z"].info["windows"] = [{"detected": False, "lead_hours": None}]
    text = nv.lead_sentence(runs)
    assert "rolling z-score detects no window" in text and "raises 1 of its 2 detections before" in text
    wide = nv.bottleneck_sentence(48, [16, 8], 0.98, 0.995)
    assert "96 numbers" in wide and "no compression" in wide and "almost exactly" in wide
    narrow = nv.bottleneck_sentence(48, [16, 2], 0.7, 0.6)
    assert "compress the window to 50 %" in narrow and "almost exactly" not in narrow
    assert nv.bottleneck_sentence(48, [16, 8], None, None).endswith("one.")


def test_captions_end_with_computed_takeaways():
    runs, g = _runs(), steps.goal(_runs())
    assert "holds on 2 of 3 seeds" in nv.caption_seeds(runs["conv_ae"].info["per_seed"], g)
    assert "misses w2, w3 and w4" in nv.caption_windows(runs)
    table = pd.DataFrame({"labelled windows": [0, 0, 5], "days": [92, 14, 109]})
    assert "Every labelled window lies in the evaluation period" in nv.caption_periods(table)
    assert "Some labelled windows" in nv.caption_periods(pd.DataFrame({"labelled windows": [1, 0, 4], "days": [1, 1, 1]}))
    assert "rolling z-score 1.0 %" in nv.caption_errors({}, {"rolling_z": 0.01, "conv_ae": 0.5})


def _goals():
    runs = _runs()
    runs["conv_ae_week"] = _run("conv_ae_week", [2, 2, 3], [10, 12, 12])
    runs["conv_ae_weekly_change"] = _run("conv_ae_weekly_change", [5, 5, 4], [5, 5, 7])
    return runs, steps.variant_goals(runs)


def test_variant_goals_apply_the_goal_rule_to_each_variant_and_the_table_lists_seeds():
    runs, goals = _goals()
    assert set(goals) == {"conv_ae_week", "conv_ae_weekly_change"}  # only the variants that ran
    assert goals["conv_ae_week"]["seeds_met"] == 0 and goals["conv_ae_weekly_change"]["met_per_seed"] == [True, True, False]
    assert goals["conv_ae_weekly_change"]["change"] == steps.VARIANTS["conv_ae_weekly_change"][3]
    table = steps.variants_table(runs, goals, steps.goal(runs))
    assert table["autoencoder"].tolist() == ["as specified", "week input", "weekly change"]
    assert table["windows detected (per seed)"].tolist() == ["4, 4, 2", "2, 2, 3", "5, 5, 4"]
    assert table["seeds meeting the goal's rule"].tolist() == ["2 of 3", "0 of 3", "2 of 3"]
    assert nv.best_variant(goals) == "conv_ae_weekly_change" and nv.best_variant({}) is None


def test_variants_sentence_branches():
    runs, goals = _goals()
    main = steps.goal(runs)  # seeds_met 2 of 3
    reach = {"conv_ae_week": 35, "conv_ae_weekly_change": 35, "conv_ae_narrow": 47}
    text = nv.variants_sentence(goals, main, steps.LABELS, reach)
    assert text.startswith("The autoencoder over a week does not get closer to the goal than the specified one: one "
                           "rebuilt value still sees only 35 half-hours of input, less than a day")
    assert "weekly changes detects more windows (4.7 on average against 3.3) without more false alarms" in text
    assert "reads what the seasonal z-score reads" in text
    assert text.endswith("the goal is judged on the specified autoencoder only.")
    none = {**main, "seeds_met": 0}
    text = nv.variants_sentence(goals, none, steps.LABELS, reach)
    assert "weekly changes meets the goal's rule on 2 of 3 seeds, against 0 for the specified one; it reads what" in text
    two = nv.variants_sentence({**goals, "conv_ae_narrow": goals["conv_ae_weekly_change"]}, none, steps.LABELS, reach)
    assert "narrow-code autoencoder meets the goal's rule on 2 of 3 seeds" in two and \
        ". The autoencoder on weekly changes reads what the seasonal z-score reads" in two
    both_bad = {"conv_ae_week": goals["conv_ae_week"], "conv_ae_narrow": {**goals["conv_ae_week"], "ae_false_alarms": [20] * 3}}
    text = nv.variants_sentence(both_bad, main, steps.LABELS, reach)
    assert text.startswith("Neither the autoencoder over a week nor the narrow-code autoencoder gets closer to the goal "
                           "than the specified one: one rebuilt value still sees only 35 and 47 half-hours of input "
                           "respectively, less than a day") and "seasonal z-score reads" not in text
    same = nv.variants_sentence({**both_bad, "conv_ae_week": goals["conv_ae_week"]}, main, steps.LABELS,
                                {**reach, "conv_ae_narrow": 35})
    assert "sees only 35 half-hours of input, less than a day" in same
    far = nv.variants_sentence({"conv_ae_week": goals["conv_ae_week"]}, main, steps.LABELS, {"conv_ae_week": 96})
    assert "its reach is not what holds it back" in far
    assert "parameter is empty" in nv.variants_sentence({}, main, steps.LABELS, reach)
    assert nv.helps({"seeds_met": 1, "ae_windows": [1], "ae_false_alarms": [99]}, {**main, "seeds_met": 0})
    assert not nv.helps({"seeds_met": 2, "ae_windows": [5], "ae_false_alarms": [99]}, main)
    assert nv.caption_variants(goals, steps.LABELS).endswith("meets the goal's rule on 2 of 3 seeds (an exploratory count).")
    nogoal = {k: {**g, "seeds_met": 0} for k, g in goals.items()}
    assert nv.caption_variants(nogoal, steps.LABELS).endswith("none meets the goal's rule on any seed.")
    assert "no variant ran" in nv.caption_variants({}, steps.LABELS)


def test_reach_is_read_from_the_module_and_the_sentence_follows_it():
    assert steps.receptive_field(48, [16, 8]) == 35  # 7 + 6·2 in the encoder, then the decoder's spread
    assert steps.receptive_field(dt.WEEK, [16, 8]) == 35  # a longer input does not widen what one value sees
    assert steps.receptive_field(48, [16, 8], stride=4) == 47
    assert steps.reaches(48, [16, 8], ["conv_ae_week", "conv_ae_narrow"]) == {"conv_ae": 35, "conv_ae_week": 35,
                                                                             "conv_ae_narrow": 47}
    short = nv.reach_sentence(35, ["w2", "w3"])
    assert "35 half-hours" in short and "17.5 hours, less than a day" in short and short.endswith(". On the first seed it misses w2 and w3.")
    long = nv.reach_sentence(60, [])
    assert "compare a day with the hours before it" in long and "misses no window" in long


def test_validate_params_rejects_bad_values():
    validate_params({"train_end": "2014-10-15", "window": 48, "quantile": 1.0, "hidden": [16, 8], "seeds": [0, 1]})
    for bad in ({"train_end": "mid October"}, {"window": 50}, {"quantile": 1.5}, {"hidden": [16]}, {"seeds": [1, 1]},
                {"tail_days": 1}, {"epochs": 0}, {"variants": ["conv_ae_deep"]}, {"variants": "conv_ae_week"},
                {"variants": ["conv_ae_week", "conv_ae_week"]}):
        with pytest.raises(UserError, match=next(iter(bad))):
            validate_params(bad)
    validate_params({"window": 48, "variants": []})
    with pytest.raises(UserError, match="window=40: expected a multiple of 16 with the conv_ae_narrow"):
        validate_params({"window": 40, "variants": ["conv_ae_narrow"]})
    with pytest.raises(UserError, match="window=336: expected fewer than 336"):
        validate_params({"window": 336, "variants": ["conv_ae_week"]})
    assert {"autoencoder", "false alarm", "lead time"} <= set(GLOSSARY)


def test_architecture_table_counts_parameters_from_the_module():
    table = steps.architecture_table(48, [16, 8])
    assert table["parameters"].tolist() == [128, 904, 912, 113]
    assert table["output (channels × length)"].tolist() == ["16 × 24", "8 × 12", "16 × 24", "1 × 48"]
    assert table["layer"].tolist()[0] == "Conv1d + ReLU" and table["layer"].tolist()[-1] == "ConvTranspose1d"
