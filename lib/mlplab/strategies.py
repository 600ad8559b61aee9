"""The rebalancing strategies' names, apart from `mlplab.resample` so that `mlplab run` can validate a
profile without importing imbalanced-learn, scikit-learn or torch."""

STRATEGIES = ("none", "class_weight", "smote", "undersample", "smote_tomek", "adasyn")
