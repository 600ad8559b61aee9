"""The experiment core every lab uses: one protocol, one fan-out, one noise rule, one results contract.

A lab notebook follows the same five steps, whatever its models (an MLP, HGB, a CNN, an LSTM: a
skorch net or any scikit-learn estimator plugs in the same way):

1. Splits (`protocol`): `stratified_indices` (nested: repeated stratified outer splits) or
   `holdout_indices` (one fixed test set, seeds vary training randomness); each `OuterSplit` has
   `fit`, `validation` and `test` parts (`Rows(X, y)` or any object with `X`, `y`, `len`) and a
   `Protocol` statement for the results.
2. Selection on fit rows only (`search.run_search`, `search.choose_by_cv`, `thresholds.ThresholdTuned`,
   the nets' own early-stopping slice), one search per outer split when the protocol is nested.
3. Fits (`fanout`): `jobs_for(name, build, splits, role=..., label=...)` makes one `Job` per split;
   `build(info)` returns an unfitted estimator for `info.index` (split) and `info.seed`;
   `fanout.run(jobs, splits, task)` fits them in parallel (loky, or Dask with a scheduler address)
   and returns `{name: Run}` (`record.Run`: every split's train/validation/test metrics, the first
   split's predictions and curves). `tasks.Regression` / `tasks.Classification` score a model.
4. Verdicts and the recommendation: `verdict.compare_runs(a, b, metric, higher_is_better=...,
   test_train_ratio=...)` (the one noise rule: paired t-interval, Nadeau-Bengio corrected when the
   splits' training sets overlap), `select.recommend(runs, metric, higher_is_better)` (validation
   only), `regularize.variants(...)` for one-regularizer-at-a-time ladders.
5. Results (`document.build` then `document.save`): validated against `schema` when written and
   read. Paths come from `paths.Paths`; every file write goes through `atomic`.
"""
